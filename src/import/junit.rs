//! JUnit XML (what test runners and `cargo nextest` write): how many test
//! cases passed, failed or were skipped, for the gate the policy gives
//! `source = "junit"`.

use quick_xml::events::{BytesStart, Event};

use super::file_error;
use crate::domain::Error;

/// The cases of a JUnit report, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub passed: u64,
    /// With a `<failure>` or an `<error>`.
    pub failed: u64,
    pub skipped: u64,
    /// The first few failed cases, `suite::case`.
    pub failures: Vec<String>,
}

impl Tally {
    /// The share of the cases run that passed, in percent; `None` when
    /// none ran.
    pub fn pass_pct(&self) -> Option<f64> {
        let run = self.passed + self.failed;
        (run > 0).then(|| self.passed as f64 * 100.0 / run as f64)
    }
}

/// How many failed cases a tally names.
const NAMED: usize = 10;

/// Counts the test cases of a JUnit XML report (`<testsuites>` or a lone
/// `<testsuite>`, suites nested or not).
pub fn parse(file: &str, text: &str) -> Result<Tally, Error> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut tally = Tally::default();
    let mut suite = String::new();
    // The case being read, and what it holds so far.
    let mut case: Option<(String, Outcome)> = None;
    let mut seen_root = false;
    loop {
        let event = reader.read_event().map_err(|e| {
            let at = text[..(reader.error_position() as usize).min(text.len())]
                .matches('\n')
                .count()
                + 1;
            file_error(
                file,
                Some(format!("line {at}")),
                format!("not valid XML ({e})"),
            )
        })?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) if !seen_root => {
                let name = e.name();
                if !matches!(name.as_ref(), b"testsuites" | b"testsuite") {
                    return Err(file_error(
                        file,
                        None,
                        "is not a JUnit report (its root is not <testsuites> or <testsuite>)",
                    ));
                }
                seen_root = true;
                if name.as_ref() == b"testsuite" {
                    suite = attribute(&e, "name");
                }
                if empty {
                    break;
                }
            }
            Event::Start(e) => match e.name().as_ref() {
                b"testsuite" => suite = attribute(&e, "name"),
                b"testcase" => case = Some((attribute(&e, "name"), Outcome::Passed)),
                tag => mark(&mut case, tag),
            },
            Event::Empty(e) => match e.name().as_ref() {
                b"testcase" => tally.count(&suite, attribute(&e, "name"), Outcome::Passed),
                tag => mark(&mut case, tag),
            },
            Event::End(e) if e.name().as_ref() == b"testcase" => {
                if let Some((name, outcome)) = case.take() {
                    tally.count(&suite, name, outcome);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err(file_error(
            file,
            None,
            "holds no JUnit report (no <testsuites> or <testsuite>)",
        ));
    }
    Ok(tally)
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Passed,
    Failed,
    Skipped,
}

/// A `<failure>`, `<error>` or `<skipped>` inside the case being read.
fn mark(case: &mut Option<(String, Outcome)>, tag: &[u8]) {
    if let Some((_, outcome)) = case {
        match tag {
            b"failure" | b"error" => *outcome = Outcome::Failed,
            b"skipped" if *outcome == Outcome::Passed => *outcome = Outcome::Skipped,
            _ => {}
        }
    }
}

impl Tally {
    fn count(&mut self, suite: &str, case: String, outcome: Outcome) {
        match outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Skipped => self.skipped += 1,
            Outcome::Failed => {
                self.failed += 1;
                if self.failures.len() < NAMED {
                    self.failures.push(if suite.is_empty() {
                        case
                    } else {
                        format!("{suite}::{case}")
                    });
                }
            }
        }
    }
}

/// An attribute's value, unescaped; empty when absent or unreadable.
fn attribute(e: &BytesStart<'_>, name: &str) -> String {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
        .map(|v| v.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_are_counted_by_how_they_ended() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nextest-run" tests="5" failures="1" errors="1">
  <testsuite name="ledger::cli" tests="5">
    <testcase name="a" classname="x" time="0.1"/>
    <testcase name="b"><failure message="boom" type="panic">trace</failure></testcase>
    <testcase name="c"><error message="crash"/></testcase>
    <testcase name="d"><skipped/></testcase>
    <testcase name="e &amp; f"><system-out>ok</system-out></testcase>
  </testsuite>
</testsuites>"#;
        let t = parse("r.xml", xml).unwrap();
        assert_eq!((t.passed, t.failed, t.skipped), (2, 2, 1));
        assert_eq!(t.failures, ["ledger::cli::b", "ledger::cli::c"]);
        assert_eq!(t.pass_pct(), Some(50.0));
    }

    #[test]
    fn a_lone_suite_reads_and_anything_else_is_refused() {
        let t = parse(
            "r.xml",
            r#"<testsuite name="s"><testcase name="a"/></testsuite>"#,
        )
        .unwrap();
        assert_eq!(t.passed, 1);
        assert_eq!(t.pass_pct(), Some(100.0));
        let empty = parse("r.xml", "<testsuites/>").unwrap();
        assert_eq!(empty.pass_pct(), None);
        let e = parse("r.xml", "<html><body/></html>")
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not a JUnit report"), "{e}");
        let e = parse(
            "r.xml",
            "<testsuites><testsuite name=\"s\">\n<testcase name=\"a\"></testsuite>",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("not valid XML") && e.contains("line 2"), "{e}");
        let e = parse("r.xml", "").unwrap_err().to_string();
        assert!(e.contains("holds no JUnit report"), "{e}");
    }

    proptest::proptest! {
        /// Whatever the text, a report is read or refused, never a panic.
        #[test]
        fn any_text_is_read_or_refused(text in "(<testsuites>|<testsuite name=\"s\">|<testcase name=\"[a-z&;]*\"/?>|<failure/>|<skipped/>|</testcase>|</testsuite>|</testsuites>|<!--|-->|<!\\[CDATA\\[|\\]\\]>|[a-z <>/=\"&;]){0,40}") {
            let _ = parse("r.xml", &text);
        }
    }
}
