//! Integration tests: the real `ledger` binary against a fresh ledger file
//! in a temporary directory, with the clock fixed by `LEDGER_NOW`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

// The temp-dir ledger and helpers every test uses.
mod harness;

// Recording: each record command, its validation, and rejections that
// write nothing.
mod record;

// Lists and output formats: the contract's JSON keys, CSV, Markdown.
mod lists;

// Governance questions and `--check` exit codes, on small histories.
mod queries;

// Delivery metrics and the release links they read.
mod delivery;

// Waivers: expiring exceptions for one finding.
mod waivers;

// CI formats: SARIF against its schema, JUnit parsed back, GitHub summary.
mod ci_formats;

// The HTML report, as written and as headless Chromium renders it.
mod report;

// The governance rules at their edges.
mod edges;

// Hardening: inputs that once bricked a ledger or lost data.
mod hardening;

// Generated inputs through the real entry point.
mod fuzz;

// Signed checkpoints, consistency and inclusion proofs.
mod trust;

// Integrity: append-only triggers, tamper detection, export, backup.
mod integrity;

// Importers on the fixtures and on variants of them.
mod import;

// Release history: changelogs in many shapes, git tags, GitHub releases.
mod history;

/// Several projects in one ledger.
mod projects;

// Adopting it: templates, policy checks, a policy's own sections.
mod adopt;

// The demo and its dashboard snapshot.
mod demo;

// Several writers on one file at once.
mod concurrency;

// The ledger kept on a branch of a git repository.
mod sync;

// The README's CI recipes, run as written.
mod recipes;

// What only a PostgreSQL ledger has: roles, TLS, many writers, copies.
mod on_postgres;
