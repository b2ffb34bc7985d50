//! Layer: bottom (see `domain::LAYERS`).
//!
//! What an import did: the counts and the lists a maintainer reads.

use serde::Serialize;

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
