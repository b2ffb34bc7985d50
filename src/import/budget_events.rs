//! Budget events (JSON Lines): one measurement per line; `actual: null`
//! means no data and records nothing.

use serde_json::Value;

use super::{file_error, strip_position};
use crate::domain::Error;

/// One line's measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub line: usize,
    pub budget: String,
    /// `None`: the line says there is no data.
    pub value: Option<f64>,
    pub source: Option<String>,
}

/// Reads every non-blank line.
pub fn parse(file: &str, text: &str) -> Result<Vec<Event>, Error> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let at = Some(format!("line {line_no}"));
        let v: Value = serde_json::from_str(line).map_err(|e| {
            file_error(
                file,
                at.clone(),
                format!("not a JSON object ({})", strip_position(&e.to_string())),
            )
        })?;
        let budget = v
            .get("budget_name")
            .or_else(|| v.get("budget"))
            .and_then(Value::as_str)
            .ok_or_else(|| file_error(file, at.clone(), "has no budget_name"))?;
        // `actual` in the project's files; `value` in hand-written ones.
        let value = match v.get("actual").or_else(|| v.get("value")) {
            None => {
                return Err(file_error(
                    file,
                    at,
                    format!("budget {budget} has no \"actual\" field"),
                ));
            }
            Some(Value::Null) => None,
            Some(Value::Number(n)) => n.as_f64(),
            Some(other) => {
                return Err(file_error(
                    file,
                    at,
                    format!("\"actual\" is {other}, not a number or null"),
                ));
            }
        };
        out.push(Event {
            line: line_no,
            budget: budget.to_string(),
            value,
            source: v.get("source").and_then(Value::as_str).map(str::to_string),
        });
    }
    if out.is_empty() {
        return Err(file_error(file, None, "has no events"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_is_no_data_and_a_broken_line_is_named() {
        let text =
            "{\"budget_name\":\"a\",\"actual\":1.5}\n\n{\"budget_name\":\"b\",\"actual\":null}\n";
        let e = parse("e.jsonl", text).unwrap();
        assert_eq!((e[0].value, e[1].value, e[1].line), (Some(1.5), None, 3));
        let err = parse(
            "e.jsonl",
            "{\"budget_name\":\"a\",\"actual\":1}\n{\"budget_name\":",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("e.jsonl, line 2: not a JSON object"),
            "{err}"
        );
        assert!(parse("e.jsonl", "{\"budget_name\":\"a\",\"actual\":\"x\"}").is_err());
    }
}
