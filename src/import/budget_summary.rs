//! Budget summaries (`pi.perf.budget_summary.v1` and `v2`): budget
//! definitions.
//!
//! v2 states each budget's direction (`comparison`: `maximum` or
//! `minimum`); where a file does not, a metric that is a minimum or a rate
//! (calls per second) is a floor.

use serde_json::Value;

use super::{expect_schema, file_error, generated_at, req_f64};
use crate::domain::{Error, Time, budget::Direction, record::BudgetRec};

/// Schemas this reader accepts.
pub const SCHEMAS: [&str; 2] = ["pi.perf.budget_summary.v1", "pi.perf.budget_summary.v2"];

/// What a budget summary defines.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub generated_at: Option<Time>,
    pub budgets: Vec<BudgetRec>,
}

/// Reads a budget summary.
pub fn parse(file: &str, text: &str) -> Result<Summary, Error> {
    let doc = super::json_document(file, text)?;
    expect_schema(file, &doc, &SCHEMAS, "a budget summary")?;
    let list = doc
        .get("budgets")
        .and_then(Value::as_array)
        .ok_or_else(|| file_error(file, Some("field budgets".into()), "missing or not a list"))?;
    let mut budgets: Vec<BudgetRec> = Vec::new();
    for (i, b) in list.iter().enumerate() {
        let at = format!("budgets[{i}]");
        let name = super::req_name(file, &at, b, "name")?;
        let threshold = req_f64(file, &at, b, "threshold")?;
        if !(threshold.is_finite() && threshold > 0.0) {
            return Err(file_error(
                file,
                Some(format!("{at} field threshold")),
                format!("{threshold} is not a positive number"),
            ));
        }
        let metric = match b.get("metric").and_then(Value::as_str) {
            Some(m) if !m.trim().is_empty() => super::name_field(file, &at, "metric", m)?,
            _ => String::new(),
        };
        let unit = super::req_name(file, &at, b, "unit")?;
        let direction = match b.get("comparison").and_then(Value::as_str) {
            Some("maximum" | "max") => Direction::Max,
            Some("minimum" | "min") => Direction::Min,
            Some(other) => {
                return Err(file_error(
                    file,
                    Some(format!("{at} field comparison")),
                    format!("\"{other}\" is not maximum or minimum"),
                ));
            }
            None => infer_direction(&name, &metric, &unit),
        };
        if budgets.iter().any(|x| x.budget == name) {
            return Err(file_error(
                file,
                Some(at),
                format!("budget \"{name}\" is defined twice"),
            ));
        }
        budgets.push(BudgetRec {
            budget: name,
            category: super::opt_name(file, &at, b, "category", "uncategorized")?,
            metric,
            unit,
            threshold,
            direction,
            ci_enforced: b
                .get("ci_enforced")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            source: super::text_field(
                file,
                &at,
                "methodology",
                b.get("methodology").and_then(Value::as_str),
            )?,
        });
    }
    Ok(Summary {
        generated_at: generated_at(file, &doc)?,
        budgets,
    })
}

/// A floor when the metric is a minimum or a rate; a ceiling otherwise.
pub fn infer_direction(name: &str, metric: &str, unit: &str) -> Direction {
    let metric = metric.to_ascii_lowercase();
    let unit = unit.to_ascii_lowercase();
    let is_rate = unit.contains("/sec")
        || unit.contains("/s")
        || unit.contains("per second")
        || unit.ends_with("ps");
    if metric.contains("minimum") || metric.starts_with("min ") || name.ends_with("_min") || is_rate
    {
        Direction::Min
    } else {
        Direction::Max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_is_inferred_from_rates_and_minimums() {
        assert_eq!(
            infer_direction("tool_call_throughput_min", "minimum calls/sec", "calls/sec"),
            Direction::Min
        );
        assert_eq!(infer_direction("x", "throughput", "ops/s"), Direction::Min);
        assert_eq!(
            infer_direction("idle_memory_rss", "RSS at idle", "MB"),
            Direction::Max
        );
        assert_eq!(infer_direction("p", "p99 latency", "ms"), Direction::Max);
    }

    #[test]
    fn v2_comparison_wins_over_inference() {
        let text = r#"{"schema":"pi.perf.budget_summary.v2","budgets":[
            {"name":"a","threshold":5,"unit":"calls/sec","comparison":"maximum","extra":1}]}"#;
        let s = parse("s.json", text).unwrap();
        assert_eq!(s.budgets[0].direction, Direction::Max);
        assert_eq!(s.budgets[0].category, "uncategorized");
        assert_eq!(s.generated_at, None);
    }

    #[test]
    fn a_missing_threshold_is_named() {
        let text = r#"{"schema":"pi.perf.budget_summary.v1","budgets":[{"name":"a","unit":"ms"}]}"#;
        let err = parse("s.json", text).unwrap_err().to_string();
        assert_eq!(
            err,
            "s.json, budgets[0] field threshold: missing or not a number"
        );
    }

    #[test]
    fn another_schema_is_rejected() {
        let err = parse("s.json", r#"{"schema":"pi.ext.conformance_summary.v2"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a budget summary"), "{err}");
    }
}
