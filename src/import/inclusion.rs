//! Extension inclusion lists (`pi.ext.inclusion_list.v1`): every entry of
//! every list becomes an extension as the file states it.

use serde_json::Value;

use super::{expect_schema, file_error, generated_at};
use crate::domain::{Error, Time};

/// Schemas this reader accepts.
pub const SCHEMAS: [&str; 1] = ["pi.ext.inclusion_list.v1"];

/// One extension as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub list: String,
    pub id: String,
    pub name: String,
    pub source_tier: String,
    pub license: String,
    pub provenance: String,
    pub doctor: Option<String>,
    pub patched: bool,
    pub score: Option<f64>,
    pub capabilities: Vec<String>,
}

/// What an inclusion list holds.
#[derive(Debug, Clone, PartialEq)]
pub struct List {
    pub generated_at: Option<Time>,
    pub entries: Vec<Listed>,
    /// Ids listed more than once (the first listing is kept).
    pub repeated: Vec<String>,
}

/// Reads an inclusion list. The `tier*` arrays (`tier1`, `tier1_review`,
/// `tier2`, …) are extension lists, read strictly; any other array is one
/// only if every item names its `id` and `source_tier` (a newer list), so
/// notes such as `exclusion_notes` are passed over.
pub fn parse(file: &str, text: &str) -> Result<List, Error> {
    let doc = super::json_document(file, text)?;
    expect_schema(file, &doc, &SCHEMAS, "an inclusion list")?;
    let Some(top) = doc.as_object() else {
        return Err(file_error(file, None, "is not a JSON object"));
    };
    let mut entries: Vec<Listed> = Vec::new();
    let mut repeated = Vec::new();
    for (list, items) in top {
        let Some(items) = items.as_array() else {
            continue;
        };
        let is_list = list.starts_with("tier")
            || (!items.is_empty()
                && items
                    .iter()
                    .all(|e| e.get("id").is_some() && e.get("source_tier").is_some()));
        if !is_list {
            continue;
        }
        for (i, e) in items.iter().enumerate() {
            let at = format!("{list}[{i}]");
            let id = super::req_name(file, &at, e, "id")?;
            if entries.iter().any(|x| x.id == id) {
                repeated.push(id);
                continue;
            }
            entries.push(Listed {
                list: list.clone(),
                name: super::opt_name(file, &at, e, "name", &id)?,
                source_tier: super::req_name(file, &at, e, "source_tier")?,
                license: super::opt_name(file, &at, e, "license", "UNKNOWN")?,
                provenance: super::name_field(
                    file,
                    &at,
                    "provenance",
                    &provenance(e.get("provenance")),
                )?,
                doctor: e
                    .get("doctor")
                    .or_else(|| e.get("doctor_verdict"))
                    .and_then(Value::as_str)
                    .map(str::to_ascii_lowercase),
                patched: e.get("patched").and_then(Value::as_bool).unwrap_or(false)
                    || e.get("patches")
                        .and_then(Value::as_array)
                        .is_some_and(|p| !p.is_empty()),
                score: e.get("score").and_then(Value::as_f64),
                capabilities: e
                    .get("capabilities")
                    .and_then(Value::as_array)
                    .map(|c| {
                        c.iter()
                            .filter_map(Value::as_str)
                            .map(|cap| super::name_field(file, &at, "capabilities", cap))
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .transpose()?
                    .unwrap_or_default(),
                id,
            });
        }
    }
    if entries.is_empty() {
        return Err(file_error(file, None, "lists no extensions"));
    }
    Ok(List {
        generated_at: generated_at(file, &doc)?,
        entries,
        repeated,
    })
}

/// The provenance in the ledger's one-line form: `git:<repo>@<commit>`,
/// `npm:<package>@<version>`, or what the file says otherwise.
pub fn provenance(p: Option<&Value>) -> String {
    let Some(p) = p else { return "none".into() };
    if let Some(s) = p.as_str() {
        return s.to_string();
    }
    let get = |k: &str| p.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    match get("source_type") {
        Some("git") => {
            let repo = get("source_repo").unwrap_or("unknown");
            match get("commit").or(get("source_commit")).or(get("rev")) {
                Some(commit) => format!("git:{repo}@{commit}"),
                None => format!("git:{repo}"),
            }
        }
        Some("npm") => format!(
            "npm:{}@{}",
            get("npm_package").or(get("package")).unwrap_or("unknown"),
            get("npm_version").or(get("version")).unwrap_or("unknown")
        ),
        Some("url") => format!("url:{}", get("url").unwrap_or("unknown")),
        Some(other) => other.to_string(),
        None => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn provenance_is_written_in_one_line() {
        let c = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            provenance(Some(
                &json!({"source_type":"git","source_repo":"https://x/r","commit":c})
            )),
            format!("git:https://x/r@{c}")
        );
        assert_eq!(
            provenance(Some(
                &json!({"source_type":"git","source_repo":"https://x/r"})
            )),
            "git:https://x/r"
        );
        assert_eq!(
            provenance(Some(
                &json!({"source_type":"npm","npm_package":"p","npm_version":"0.1.1"})
            )),
            "npm:p@0.1.1"
        );
        assert_eq!(
            provenance(Some(&json!({"source_type":"not-yet-vendored"}))),
            "not-yet-vendored"
        );
    }

    #[test]
    fn every_list_is_read_and_repeats_are_kept_once() {
        let text = r#"{"schema":"pi.ext.inclusion_list.v1","summary":{"x":1},
          "tier1":[{"id":"a","source_tier":"community"}],
          "tier9":[{"id":"b","source_tier":"npm-registry"},{"id":"a","source_tier":"community"}],
          "notes":["text"], "exclusion_notes":[{"id":"c","reason":"not vendored"}]}"#;
        let l = parse("l.json", text).unwrap();
        assert_eq!(
            l.entries.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(l.repeated, ["a"]);
        assert_eq!(l.entries[0].license, "UNKNOWN");
    }

    #[test]
    fn an_entry_without_a_tier_is_named() {
        let text = r#"{"schema":"pi.ext.inclusion_list.v1","tier1":[{"id":"a"}]}"#;
        assert_eq!(
            parse("l.json", text).unwrap_err().to_string(),
            "l.json, tier1[0] field source_tier: missing or not a string"
        );
    }
}
