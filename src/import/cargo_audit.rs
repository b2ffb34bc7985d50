//! `cargo audit --json`: how many known vulnerabilities the dependency
//! tree has, for the gate the policy gives `source = "cargo-audit"`.

use serde_json::Value;

use super::{file_error, json_document};
use crate::domain::Error;

/// What an audit found.
#[derive(Debug, Clone, PartialEq)]
pub struct Audit {
    pub vulnerabilities: u64,
    /// The advisories' ids (`RUSTSEC-2023-0071`), in the file's order.
    pub ids: Vec<String>,
}

/// Reads `cargo audit --json` output.
pub fn parse(file: &str, text: &str) -> Result<Audit, Error> {
    let doc = json_document(file, text)?;
    let vulns = doc.get("vulnerabilities").ok_or_else(|| {
        file_error(
            file,
            Some("field vulnerabilities".into()),
            "missing; is this `cargo audit --json` output?",
        )
    })?;
    let count = vulns.get("count").and_then(Value::as_u64).ok_or_else(|| {
        file_error(
            file,
            Some("field vulnerabilities.count".into()),
            "missing or not a whole number",
        )
    })?;
    let list = vulns.get("list").and_then(Value::as_array);
    let ids: Vec<String> = list
        .into_iter()
        .flatten()
        .filter_map(|v| v.pointer("/advisory/id").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    if list.is_some_and(|l| l.len() as u64 != count) {
        return Err(file_error(
            file,
            Some("field vulnerabilities".into()),
            format!(
                "count says {count} but the list holds {}",
                list.map_or(0, Vec::len)
            ),
        ));
    }
    Ok(Audit {
        vulnerabilities: count,
        ids,
    })
}
