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
    for_each(file, text.as_bytes(), |e| {
        out.push(e);
        Ok::<(), Error>(())
    })?;
    Ok(out)
}

/// Reads the lines one at a time and hands each event to `each`, so a file
/// of any length is read in constant memory; returns how many it handed.
pub fn for_each<E: From<Error>>(
    file: &str,
    input: impl std::io::BufRead,
    mut each: impl FnMut(Event) -> Result<(), E>,
) -> Result<usize, E> {
    let mut count = 0;
    for (i, line) in input.lines().enumerate() {
        let line_no = i + 1;
        let line = line.map_err(|e| {
            let why = if e.kind() == std::io::ErrorKind::InvalidData {
                "is not UTF-8 text".to_string()
            } else {
                format!("cannot be read ({e})")
            };
            file_error(file, Some(format!("line {line_no}")), why)
        })?;
        if let Some(event) = parse_line(file, line_no, &line)? {
            each(event)?;
            count += 1;
        }
    }
    if count == 0 {
        return Err(file_error(file, None, "has no events").into());
    }
    Ok(count)
}

/// One line's event; `None` for a blank line.
pub fn parse_line(file: &str, line_no: usize, line: &str) -> Result<Option<Event>, Error> {
    if line.trim().is_empty() {
        return Ok(None);
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
        Some(Value::Number(n)) => Some(
            n.as_f64()
                .ok_or_else(|| format!("{n}"))
                .and_then(|v| crate::domain::budget::measured(v).map_err(|e| e.to_string()))
                .map_err(|e| file_error(file, at.clone(), format!("budget {budget}: {e}")))?,
        ),
        Some(other) => {
            return Err(file_error(
                file,
                at,
                format!("\"actual\" is {other}, not a number or null"),
            ));
        }
    };
    let here = format!("line {line_no}");
    Ok(Some(Event {
        line: line_no,
        budget: super::name_field(file, &here, "budget_name", budget)?,
        value,
        source: super::text_field(
            file,
            &here,
            "source",
            v.get("source").and_then(Value::as_str),
        )?,
    }))
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
