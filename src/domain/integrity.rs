//! Layer: bottom (see `domain::LAYERS`).
//!
//! What `ledger verify` finds.

use serde::Serialize;

/// The outcome of recomputing the chain and cross-checking every row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifyReport {
    pub ok: bool,
    pub entries: i64,
    /// The hash of the last entry; note it to detect a truncated tail later.
    pub head: String,
    /// The root of the journal's Merkle tree, in hex.
    pub root: String,
    pub problems: Vec<String>,
    /// What could not be checked here, and why (a PostgreSQL role or
    /// server that cannot build the schema to compare with).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unchecked: Vec<String>,
}
