//! Conformance summaries (`pi.ext.conformance_summary.v2`): counts that
//! feed the conformance gates, and per-tier counts.

use serde_json::Value;

use super::{expect_schema, file_error, generated_at, req_count};
use crate::domain::{Error, Time};

/// Schemas this reader accepts.
pub const SCHEMAS: [&str; 1] = ["pi.ext.conformance_summary.v2"];

/// Pass/fail/N-A counts.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Counts {
    pub pass: i64,
    pub fail: i64,
    pub na: i64,
    pub total: i64,
}

/// What a conformance summary says.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub generated_at: Option<Time>,
    pub counts: Counts,
    /// Policy negative tests: (pass, fail), when present.
    pub negative: Option<(i64, i64)>,
    pub per_tier: Vec<(String, Counts)>,
}

impl Summary {
    /// Corpus pass rate: pass over pass plus fail (N/A does not count).
    pub fn pass_rate_pct(&self) -> Option<f64> {
        let judged = self.counts.pass + self.counts.fail;
        (judged > 0).then(|| self.counts.pass as f64 * 100.0 / judged as f64)
    }

    /// Share of policy negative tests that pass.
    pub fn negative_pct(&self) -> Option<f64> {
        let (pass, fail) = self.negative?;
        (pass + fail > 0).then(|| pass as f64 * 100.0 / (pass + fail) as f64)
    }
}

fn counts(file: &str, at: &str, v: &Value) -> Result<Counts, Error> {
    let pass = req_count(file, at, v, "pass")?;
    let fail = req_count(file, at, v, "fail")?;
    let na = req_count(file, at, v, "na")?;
    let total = v
        .get("total")
        .and_then(Value::as_i64)
        .unwrap_or(pass + fail + na);
    Ok(Counts {
        pass,
        fail,
        na,
        total,
    })
}

/// Reads a conformance summary.
pub fn parse(file: &str, text: &str) -> Result<Summary, Error> {
    let doc = super::json_document(file, text)?;
    expect_schema(file, &doc, &SCHEMAS, "a conformance summary")?;
    let c = doc
        .get("counts")
        .ok_or_else(|| file_error(file, Some("field counts".into()), "missing"))?;
    let negative = match doc.get("negative") {
        Some(n) => Some((
            req_count(file, "negative", n, "pass")?,
            req_count(file, "negative", n, "fail")?,
        )),
        None => None,
    };
    let mut per_tier = Vec::new();
    if let Some(tiers) = doc.get("per_tier").and_then(Value::as_object) {
        for (name, v) in tiers {
            per_tier.push((name.clone(), counts(file, &format!("per_tier.{name}"), v)?));
        }
    }
    Ok(Summary {
        generated_at: generated_at(file, &doc)?,
        counts: counts(file, "counts", c)?,
        negative,
        per_tier,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_rate_ignores_na() {
        let text = r#"{"schema":"pi.ext.conformance_summary.v2","counts":{"pass":90,"fail":10,"na":5},
            "negative":{"pass":29,"fail":1}}"#;
        let s = parse("c.json", text).unwrap();
        assert_eq!(s.pass_rate_pct(), Some(90.0));
        assert_eq!(s.counts.total, 105);
        assert!((s.negative_pct().unwrap() - 96.666).abs() < 0.01);
    }

    #[test]
    fn a_missing_count_is_named() {
        let text = r#"{"schema":"pi.ext.conformance_summary.v2","counts":{"pass":90,"na":5}}"#;
        let err = parse("c.json", text).unwrap_err().to_string();
        assert_eq!(
            err,
            "c.json, counts field fail: missing or not a whole number"
        );
    }
}
