//! The policy file's reference, field by field, drawn from its JSON
//! Schema: `docs/policy.md` holds it, and a test keeps the two equal.

use serde_json::Value;

/// One field of the policy file.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Its path: `budgets.definitions[].threshold`.
    pub path: String,
    pub kind: String,
    /// Required where its table appears.
    pub required: bool,
    pub default: String,
    pub about: String,
}

/// Every field the schema describes, depth first in document order.
pub fn fields(schema: &Value) -> Vec<Field> {
    let mut out = Vec::new();
    walk(schema, schema, "", &mut out);
    out
}

/// The fields as a Markdown table.
pub fn markdown(fields: &[Field]) -> String {
    let mut out =
        String::from("| field | type | required | default | what it is |\n|---|---|---|---|---|\n");
    for f in fields {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            f.path,
            f.kind,
            if f.required { "yes" } else { "" },
            f.default,
            f.about.replace('|', "\\|")
        ));
    }
    out
}

/// The schema a `$ref` points at, or the node itself; an optional value
/// (`anyOf` with null) is its non-null part.
fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    if let Some(r) = node.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/$defs/");
        if let Some(def) = root.pointer(&format!("/$defs/{name}")) {
            return resolve(root, def);
        }
    }
    if let Some(any) = node.get("anyOf").and_then(Value::as_array) {
        let real: Vec<&Value> = any
            .iter()
            .filter(|v| v.get("type").and_then(Value::as_str) != Some("null"))
            .collect();
        if let [one] = real[..] {
            return resolve(root, one);
        }
    }
    node
}

fn walk(root: &Value, node: &Value, path: &str, out: &mut Vec<Field>) {
    let node = resolve(root, node);
    let required: Vec<&str> = node
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        for (key, field) in props {
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            let target = resolve(root, field);
            out.push(Field {
                path: here.clone(),
                kind: kind(root, target),
                required: required.contains(&key.as_str()),
                default: default(field),
                about: about(field, target),
            });
            walk(root, target, &here, out);
        }
    }
    if let Some(items) = node.get("items") {
        walk(root, items, &format!("{path}[]"), out);
    }
}

/// The field's type in words.
fn kind(root: &Value, node: &Value) -> String {
    if let Some(values) = node.get("enum").and_then(Value::as_array) {
        let names: Vec<String> = values
            .iter()
            .filter_map(Value::as_str)
            .map(|v| format!("`{v}`"))
            .collect();
        return format!("one of {}", names.join(", "));
    }
    if let Some(one) = node.get("oneOf").and_then(Value::as_array) {
        let names: Vec<String> = one
            .iter()
            .filter_map(|v| v.get("const").and_then(Value::as_str))
            .map(|v| format!("`{v}`"))
            .collect();
        if !names.is_empty() {
            return format!("one of {}", names.join(", "));
        }
    }
    let types: Vec<&str> = match node.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => Vec::new(),
    };
    match types.first().copied() {
        Some("array") => match node.get("items") {
            Some(items) => format!("list of {}", kind(root, resolve(root, items))),
            None => "list".into(),
        },
        Some("object") if node.get("properties").is_some() => "table".into(),
        Some("object") => match node.get("additionalProperties") {
            Some(v) if v.is_object() => format!("table of {}", kind(root, resolve(root, v))),
            _ => "table".into(),
        },
        Some("integer") => "whole number".into(),
        Some("number") => "number".into(),
        Some("boolean") => "true or false".into(),
        Some("string") => "text".into(),
        Some(other) => other.into(),
        None => "value".into(),
    }
}

/// The field's default, when short enough to read in a table.
fn default(node: &Value) -> String {
    match node.get("default") {
        None => String::new(),
        Some(v) if v.is_object() => "(see below)".into(),
        Some(v) => {
            let text = v.to_string();
            if text.len() > 40 {
                "(see below)".into()
            } else {
                format!("`{text}`")
            }
        }
    }
}

/// The field's description (its own, else its type's), on one line.
fn about(field: &Value, target: &Value) -> String {
    let text = field
        .get("description")
        .or_else(|| target.get("description"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::Policy;

    const BEGIN: &str = "<!-- reference: generated from `ledger policy schema` -->\n";
    const END: &str = "<!-- end of reference -->";

    /// docs/policy.md lists every field of the schema, as it now is; with
    /// LEDGER_BLESS_DOCS=1 the test writes the table anew.
    #[test]
    fn the_docs_list_every_field_of_the_policy_schema() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/policy.md");
        let docs = std::fs::read_to_string(&path).unwrap();
        let (head, rest) = docs
            .split_once(BEGIN)
            .expect("docs/policy.md has the reference marker");
        let (_, tail) = rest
            .split_once(END)
            .expect("docs/policy.md ends its reference");
        let table = markdown(&fields(&Policy::schema()));
        let fresh = format!("{head}{BEGIN}{table}{END}{tail}");
        if std::env::var_os("LEDGER_BLESS_DOCS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        assert!(
            docs == fresh,
            "docs/policy.md's reference is stale; run LEDGER_BLESS_DOCS=1 cargo test --lib the_docs_list"
        );
        for f in fields(&Policy::schema()) {
            assert!(docs.contains(&format!("`{}`", f.path)), "{}", f.path);
        }
    }

    #[test]
    fn nested_fields_are_named_by_their_path() {
        let paths: Vec<String> = fields(&Policy::schema())
            .into_iter()
            .map(|f| f.path)
            .collect();
        for p in [
            "project",
            "budgets.definitions[].threshold",
            "deprecations.windows.pre_1_0",
            "incidents.slas[].within_hours",
            "milestones[].criteria[].rule",
            "waivers.never_open_incidents[].severities",
        ] {
            assert!(paths.iter().any(|x| x == p), "{p} missing from {paths:?}");
        }
        assert!(
            !paths.iter().any(|p| p == "governs"),
            "not a field of the file"
        );
    }
}
