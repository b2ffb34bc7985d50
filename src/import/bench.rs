//! Benchmark results from the tools projects already run: hyperfine's
//! `--export-json`, the Bencher Metric Format (which Bencher's adapters
//! produce for many languages) and criterion's output folder. Each reads
//! into named series with their statistics in the tool's own unit; the
//! policy's budgets say which series they watch (`source = "TOOL:NAME"`).

use std::path::Path;

use serde_json::Value;

use super::{file_error, json_document};
use crate::domain::Error;

/// One benchmark as a tool reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The name the tool gives it: hyperfine's command (or `--command-name`),
    /// BMF's `benchmark/measure`, criterion's benchmark id.
    pub name: String,
    /// The unit its statistics are in.
    pub unit: &'static str,
    pub mean: f64,
    pub median: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Series {
    /// The statistic a budget's metric names ("median", "min", "max"),
    /// else the mean.
    pub fn statistic(&self, metric: &str) -> f64 {
        let metric = metric.to_ascii_lowercase();
        let named = if metric.contains("median") {
            self.median
        } else if metric.contains("min") {
            self.min
        } else if metric.contains("max") {
            self.max
        } else {
            None
        };
        named.unwrap_or(self.mean)
    }
}

/// A finite number field, if present.
fn number(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64).filter(|x| x.is_finite())
}

/// hyperfine's `--export-json`: each command's times, in seconds.
pub fn hyperfine(file: &str, text: &str) -> Result<Vec<Series>, Error> {
    let doc = json_document(file, text)?;
    let results = doc
        .get("results")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            file_error(
                file,
                Some("field results".into()),
                "missing or not a list; is this hyperfine's --export-json output?",
            )
        })?;
    let mut out: Vec<Series> = Vec::with_capacity(results.len());
    for (i, r) in results.iter().enumerate() {
        let at = format!("results[{i}]");
        let name = super::req_name(file, &at, r, "command")?;
        let mean = number(r, "mean").ok_or_else(|| {
            file_error(
                file,
                Some(format!("{at} field mean")),
                "missing or not a number",
            )
        })?;
        once(file, &at, &out, &name)?;
        out.push(Series {
            name,
            unit: "s",
            mean,
            median: number(r, "median"),
            min: number(r, "min"),
            max: number(r, "max"),
        });
    }
    Ok(out)
}

/// The Bencher Metric Format: `{"benchmark": {"measure": {"value": …}}}`;
/// a series is `benchmark/measure`, in the measure's unit (latency in
/// nanoseconds, file size in bytes, anything else as it is).
pub fn bmf(file: &str, text: &str) -> Result<Vec<Series>, Error> {
    let doc = json_document(file, text)?;
    let benchmarks = doc.as_object().ok_or_else(|| {
        file_error(
            file,
            None,
            "not a Bencher Metric Format object ({\"benchmark\": {\"measure\": {\"value\": …}}})",
        )
    })?;
    let mut out: Vec<Series> = Vec::new();
    for (bench, measures) in benchmarks {
        let measures = measures.as_object().ok_or_else(|| {
            file_error(
                file,
                Some(format!("benchmark {bench:?}")),
                "not an object of measures",
            )
        })?;
        for (measure, m) in measures {
            let at = format!("{bench}/{measure}");
            let name = super::name_field(file, &at, "name", &at)?;
            let value = number(m, "value").ok_or_else(|| {
                file_error(
                    file,
                    Some(format!("{at} field value")),
                    "missing or not a number",
                )
            })?;
            once(file, &at, &out, &name)?;
            out.push(Series {
                name,
                unit: match measure.as_str() {
                    "latency" => "ns",
                    "file-size" => "B",
                    _ => "",
                },
                mean: value,
                median: None,
                min: number(m, "lower_value"),
                max: number(m, "upper_value"),
            });
        }
    }
    Ok(out)
}

/// The most benchmark folders a criterion import reads.
const MAX_CRITERION_BENCHMARKS: usize = 10_000;

/// criterion's output folder (`target/criterion`): each benchmark's
/// `new/benchmark.json` (its id) and `new/estimates.json` (its times, in
/// nanoseconds).
pub fn criterion(dir: &Path) -> Result<Vec<Series>, Error> {
    let name = dir.display().to_string();
    if !dir.is_dir() {
        return Err(file_error(
            &name,
            None,
            "is not a folder; pass criterion's output folder (target/criterion)",
        ));
    }
    let mut found = Vec::new();
    collect_benchmarks(dir, 0, &mut found)
        .map_err(|e| file_error(&name, None, format!("cannot read it: {e}")))?;
    found.sort();
    if found.len() > MAX_CRITERION_BENCHMARKS {
        return Err(file_error(
            &name,
            None,
            format!("holds more than {MAX_CRITERION_BENCHMARKS} benchmarks"),
        ));
    }
    let mut out: Vec<Series> = Vec::with_capacity(found.len());
    for new in found {
        let read = |file: &str| {
            let path = new.join(file);
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| file_error(&shown, None, format!("cannot read it: {e}")))?;
            Ok::<_, Error>((json_document(&shown, &text)?, shown))
        };
        let (benchmark, shown) = read("benchmark.json")?;
        let id = super::req_name(&shown, "benchmark", &benchmark, "full_id")?;
        let (estimates, shown) = read("estimates.json")?;
        let point = |key: &str| estimates.get(key).and_then(|e| number(e, "point_estimate"));
        let mean = point("mean").ok_or_else(|| {
            file_error(
                &shown,
                Some("field mean".into()),
                "missing or without a point_estimate",
            )
        })?;
        once(&shown, "benchmark", &out, &id)?;
        out.push(Series {
            name: id,
            unit: "ns",
            mean,
            median: point("median"),
            min: None,
            max: None,
        });
    }
    if out.is_empty() {
        return Err(file_error(
            &name,
            None,
            "holds no benchmark (no */new/benchmark.json); run `cargo bench` first",
        ));
    }
    Ok(out)
}

/// Every `new` folder under `dir` holding a `benchmark.json` (criterion's
/// `report` folders and the `base` copies aside), a few levels down.
fn collect_benchmarks(
    dir: &Path,
    depth: usize,
    out: &mut Vec<std::path::PathBuf>,
) -> std::io::Result<()> {
    if depth > 6 {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if !path.is_dir() || path.file_name().is_some_and(|n| n == "report") {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") {
            if path.join("benchmark.json").is_file() {
                out.push(path);
            }
        } else {
            collect_benchmarks(&path, depth + 1, out)?;
        }
    }
    Ok(())
}

/// Refuses a series named twice in one file.
fn once(file: &str, at: &str, seen: &[Series], name: &str) -> Result<(), Error> {
    if seen.iter().any(|s| s.name == name) {
        return Err(file_error(
            file,
            Some(at.to_string()),
            format!("\"{name}\" is reported twice"),
        ));
    }
    Ok(())
}

/// `value` in `from` as a number in `to`: time (ns, us, µs, ms, s) and
/// size (B, KB, KiB, MB, MiB, GB, GiB) convert; otherwise the units must
/// be the same (an empty `from`: the tool did not say, taken as `to`).
pub fn convert(value: f64, from: &str, to: &str) -> Option<f64> {
    fn scale(unit: &str) -> Option<(u8, f64)> {
        Some(match unit.trim() {
            "ns" => (0, 1e-9),
            "us" | "µs" | "μs" => (0, 1e-6),
            "ms" => (0, 1e-3),
            "s" | "sec" | "seconds" => (0, 1.0),
            "B" | "bytes" => (1, 1.0),
            "KB" | "kB" => (1, 1e3),
            "KiB" => (1, 1024.0),
            "MB" => (1, 1e6),
            "MiB" => (1, 1024.0 * 1024.0),
            "GB" => (1, 1e9),
            "GiB" => (1, 1024.0 * 1024.0 * 1024.0),
            _ => return None,
        })
    }
    if from.is_empty() || from == to {
        return Some(value);
    }
    match (scale(from), scale(to)) {
        (Some((a, x)), Some((b, y))) if a == b => Some(value * x / y),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_convert_within_time_and_size_only() {
        assert_eq!(convert(0.25, "s", "ms"), Some(250.0));
        assert_eq!(convert(1500.0, "ns", "us"), Some(1.5));
        assert_eq!(convert(2.0 * 1024.0 * 1024.0, "B", "MiB"), Some(2.0));
        assert_eq!(convert(3.0, "", "ops/s"), Some(3.0));
        assert_eq!(convert(3.0, "ops/s", "ops/s"), Some(3.0));
        assert_eq!(convert(1.0, "s", "MB"), None);
        assert_eq!(convert(1.0, "ns", "widgets"), None);
    }

    #[test]
    fn a_budgets_metric_picks_the_statistic() {
        let s = Series {
            name: "x".into(),
            unit: "s",
            mean: 2.0,
            median: Some(1.5),
            min: Some(1.0),
            max: None,
        };
        assert_eq!(s.statistic("mean wall time"), 2.0);
        assert_eq!(s.statistic("median"), 1.5);
        assert_eq!(s.statistic("min time"), 1.0);
        assert_eq!(s.statistic("max"), 2.0, "no max reported: the mean");
    }
}
