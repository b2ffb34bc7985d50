//! `ledger`: a tamper-evident release ledger for a governed software project.
//!
//! One SQLite file records what happened (releases, gate results, budget
//! measurements, deprecations, extensions, incidents, maintenance, sign-offs)
//! as an append-only, hash-chained journal, and the governance rules answer
//! the questions a maintainer asks before a release.
//!
//! Dependencies point one way: `cli` parses and dispatches; `store` owns all
//! SQL; `import` reads artifact files; `report` renders; `domain` holds the
//! pure types and rules that everything else feeds.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod domain;
pub mod import;
pub mod report;
pub mod store;
