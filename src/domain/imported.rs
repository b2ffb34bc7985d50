//! Layer: bottom (see `domain::LAYERS`).
//!
//! What a source states and what an import did: the items the readers
//! turn files into, and the counts and lists a maintainer reads.

use semver::Version;
use serde::Serialize;

use super::{Time, terms::ReleaseStatus};

/// A release as a source states it (a changelog heading, a git tag, a
/// GitHub release).
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseItem {
    pub version: Version,
    pub date: Time,
    pub status: ReleaseStatus,
    pub breaking: bool,
    pub commit: Option<String>,
    /// The tag the source names it by, when it names one.
    pub tag: Option<String>,
    /// Where the source states it: `line 12`, `tag v1.2.0`.
    pub at: String,
}

/// What an import did.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub kind: String,
    pub file: String,
    pub added: usize,
    pub updated: usize,
    pub skipped: usize,
    /// Items the source lists but that were not recorded (see `notes`).
    pub not_recorded: usize,
    pub no_data: usize,
    pub conflicts: Vec<String>,
    pub violations: Vec<String>,
    pub missing: Vec<String>,
    /// Things the import passed over on purpose, with why.
    pub notes: Vec<String>,
    pub entries: Vec<i64>,
}
