//! Readers for the project's CI artifacts, one file per format.
//!
//! Each reader turns a file's text into plain records, without touching
//! the ledger: lenient about what does not matter (extra fields, key order,
//! whitespace, unknown sections) and strict, naming the file, line or
//! field, about what does.

pub mod bench;
pub mod budget_events;
pub mod budget_summary;
pub mod cargo_audit;
pub mod changelog;
pub mod conformance;
pub mod git_tags;
pub mod github_releases;
pub mod inclusion;
pub mod junit;

use semver::Version;
use serde_json::Value;

pub use crate::domain::imported::{ReleaseItem, Summary};
use crate::domain::{Error, Time, time};

/// The releases a source states, and what it lists but cannot record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Releases {
    pub entries: Vec<ReleaseItem>,
    /// Upcoming, unreadable or ignored items, with where and why.
    pub not_recorded: Vec<String>,
    /// Versions stated more than once, with both places.
    pub repeated: Vec<String>,
    /// Where each version stands in `entries`, so that a source of a
    /// million releases is read in linear time.
    seen: std::collections::HashMap<Version, usize>,
}

impl Releases {
    /// Adds a release unless its version is already there (the first one
    /// stated is kept, the repeat reported); whether it was added.
    pub fn push(&mut self, item: ReleaseItem) -> bool {
        if let Some(first) = self.seen.get(&item.version).map(|i| &self.entries[*i]) {
            self.repeated.push(format!(
                "{} appears twice: {} ({}) and {} ({}); the first is recorded",
                item.version,
                first.at,
                time::date(first.date),
                item.at,
                time::date(item.date)
            ));
            return false;
        }
        self.seen.insert(item.version.clone(), self.entries.len());
        self.entries.push(item);
        true
    }
}

/// The artifact kinds `ledger import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportKind {
    Changelog,
    /// The SemVer tags of a git repository (`--repo`, default `.`).
    GitTags,
    /// The JSON of `gh release list --json …` or of the REST API.
    GithubReleases,
    BudgetSummary,
    BudgetEvents,
    ConformanceSummary,
    InclusionList,
    /// hyperfine's `--export-json`: each command's times, into the
    /// budgets whose `source` is `hyperfine:COMMAND`.
    Hyperfine,
    /// The Bencher Metric Format: each `benchmark/measure`, into the
    /// budgets whose `source` is `bmf:BENCHMARK/MEASURE`.
    Bmf,
    /// criterion's output folder (target/criterion): each benchmark, into
    /// the budgets whose `source` is `criterion:ID`.
    Criterion,
    /// `cargo audit --json`: the number of known vulnerabilities, as a
    /// result of the gate whose `source` is `cargo-audit`.
    CargoAudit,
    /// JUnit XML: the pass rate (or the failure count, for a gate whose
    /// unit is not a percentage) as a result of the gate whose `source` is
    /// `junit`, on `--platform` for a gate that runs per platform.
    Junit,
}

/// An error about a file, at an optional location.
pub fn file_error(file: &str, location: Option<String>, message: impl Into<String>) -> Error {
    Error::Import {
        file: file.to_string(),
        location,
        message: message.into(),
    }
}

/// Parses a whole JSON document, naming the line of a syntax error.
pub fn json_document(file: &str, text: &str) -> Result<Value, Error> {
    serde_json::from_str(text).map_err(|e| {
        file_error(
            file,
            Some(format!("line {}", e.line())),
            format!("not valid JSON ({})", strip_position(&e.to_string())),
        )
    })
}

/// serde_json's message without its trailing "at line L column C".
pub fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Checks the document's `schema` against the accepted ones.
pub fn expect_schema<'a>(
    file: &str,
    doc: &'a Value,
    accepted: &[&str],
    what: &str,
) -> Result<&'a str, Error> {
    match doc.get("schema").and_then(Value::as_str) {
        Some(s) if accepted.contains(&s) => Ok(s),
        Some(s) => Err(file_error(
            file,
            Some("field schema".into()),
            format!("\"{s}\" is not {what}; expected {}", accepted.join(" or ")),
        )),
        None => Err(file_error(
            file,
            None,
            format!(
                "has no \"schema\" field; {what} declares {}",
                accepted.join(" or ")
            ),
        )),
    }
}

/// A required string field.
pub fn req_str<'a>(file: &str, at: &str, v: &'a Value, key: &str) -> Result<&'a str, Error> {
    v.get(key).and_then(Value::as_str).ok_or_else(|| {
        file_error(
            file,
            Some(format!("{at} field {key}")),
            "missing or not a string",
        )
    })
}

/// A name read from an artifact, checked as every name is
/// ([`crate::domain::text::name`]); the error names the file and field.
pub fn name_field(file: &str, at: &str, key: &str, value: &str) -> Result<String, Error> {
    crate::domain::text::name("name", value)
        .map_err(|e| file_error(file, Some(format!("{at} field {key}")), e.to_string()))
}

/// An optional free text read from an artifact, checked as every free
/// text is ([`crate::domain::text::optional_text`]).
pub fn text_field(
    file: &str,
    at: &str,
    key: &str,
    value: Option<&str>,
) -> Result<Option<String>, Error> {
    crate::domain::text::optional_text("text", value)
        .map_err(|e| file_error(file, Some(format!("{at} field {key}")), e.to_string()))
}

/// A required name field (see [`name_field`]).
pub fn req_name(file: &str, at: &str, v: &Value, key: &str) -> Result<String, Error> {
    name_field(file, at, key, req_str(file, at, v, key)?)
}

/// An optional name field: absent is `default`.
pub fn opt_name(
    file: &str,
    at: &str,
    v: &Value,
    key: &str,
    default: &str,
) -> Result<String, Error> {
    name_field(
        file,
        at,
        key,
        v.get(key).and_then(Value::as_str).unwrap_or(default),
    )
}

/// A required number field.
pub fn req_f64(file: &str, at: &str, v: &Value, key: &str) -> Result<f64, Error> {
    v.get(key).and_then(Value::as_f64).ok_or_else(|| {
        file_error(
            file,
            Some(format!("{at} field {key}")),
            "missing or not a number",
        )
    })
}

/// A required count field (a whole number, at least zero).
pub fn req_count(file: &str, at: &str, v: &Value, key: &str) -> Result<i64, Error> {
    v.get(key)
        .and_then(Value::as_i64)
        .filter(|n| *n >= 0)
        .ok_or_else(|| {
            file_error(
                file,
                Some(format!("{at} field {key}")),
                "missing or not a whole number",
            )
        })
}

/// The document's `generated_at`, if it has one.
pub fn generated_at(file: &str, doc: &Value) -> Result<Option<Time>, Error> {
    match doc.get("generated_at") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => time::parse(s).map(Some).map_err(|_| {
            file_error(
                file,
                Some("field generated_at".into()),
                format!("\"{s}\" is not an RFC 3339 time"),
            )
        }),
        Some(_) => Err(file_error(
            file,
            Some("field generated_at".into()),
            "not a string",
        )),
    }
}
