//! The CI formats: what a command judged ([`Check`]s), as SARIF 2.1.0 for
//! code scanning, JUnit XML for test-report readers, and a GitHub step
//! summary with workflow annotations.

use std::fmt::Write as _;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::domain::finding::{Check, Finding, Level, Outcome};
use crate::domain::rule::{Answered, Code, Waivable};

/// What a CI format needs beyond the checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged<'a> {
    /// The command that judged: `check-release`, `gates`, …
    pub command: &'a str,
    /// The files findings point at.
    pub files: &'a Files,
    pub checks: &'a [Check],
}

/// The files of the project's repository that findings point at, as
/// paths from its root: what a maintainer changes to answer one. Never
/// the ledger itself, which nobody edits.
#[derive(Debug, Clone, PartialEq)]
pub struct Files {
    /// The policy file.
    pub policy: String,
    /// The policy as it was loaded, to find a section's line in.
    pub policy_text: Option<String>,
    pub changelog: String,
}

impl Files {
    /// Where a finding of `rule` is answered: a file, and its line when
    /// one is known.
    pub fn location(&self, rule: Code) -> (&str, Option<usize>) {
        match rule.about().answered_in {
            Answered::Policy(section) => (
                &self.policy,
                self.policy_text.as_deref().and_then(|t| section.line_in(t)),
            ),
            Answered::PolicyFile => (&self.policy, None),
            Answered::Changelog => (&self.changelog, None),
        }
    }
}

/// A path from the repository's root as a URI reference: `/` separators,
/// and the characters a URI cannot hold as they are, percent-encoded.
fn uri(path: &str) -> String {
    crate::domain::text::uri_path(&path.replace('\\', "/"))
}

/// The SARIF `ruleId` of a rule.
pub fn rule_id(rule: Code) -> String {
    format!("ledger/{rule}")
}

fn sarif_level(severity: Level) -> &'static str {
    match severity {
        Level::Blocking => "error",
        Level::Warning => "warning",
        Level::Info => "note",
    }
}

/// A finding's identity across runs: its rule, its subject and the entry
/// that caused it, hashed. The same finding read again (another run, the
/// same ledger) gets the same fingerprint, so code scanning keeps one alert.
pub fn fingerprint(f: &Finding) -> String {
    let key = format!(
        "{}\u{0}{}\u{0}{}",
        f.rule,
        f.subject.as_deref().unwrap_or_default(),
        f.entry.map(|e| e.to_string()).unwrap_or_default()
    );
    format!("{:x}", Sha256::digest(key.as_bytes()))
}

/// The checks as one SARIF 2.1.0 log: one rule per kind of finding, one
/// result per failed check; a waived finding is a result with an external
/// suppression, so code scanning shows it dismissed.
pub fn sarif(j: &Judged<'_>) -> Value {
    let rules: Vec<Value> = Code::ALL.iter().map(|&rule| sarif_rule(rule)).collect();
    let results: Vec<Value> = j
        .checks
        .iter()
        .filter_map(Check::finding)
        .map(|f| {
            let index = Code::ALL.iter().position(|r| *r == f.rule);
            let (path, line) = j.files.location(f.rule);
            let mut physical = json!({
                "artifactLocation": {"uri": uri(path), "uriBaseId": "%SRCROOT%"},
            });
            if let Some(line) = line {
                physical["region"] = json!({"startLine": line});
            }
            let mut location = json!({"physicalLocation": physical});
            if let Some(subject) = &f.subject {
                location["logicalLocations"] = json!([{
                    "name": subject,
                    "fullyQualifiedName": format!("{}/{subject}", f.rule),
                }]);
            }
            let mut result = json!({
                "ruleId": rule_id(f.rule),
                "level": sarif_level(f.level),
                "message": {"text": f.message},
                "locations": [location],
                "partialFingerprints": {"ledgerFinding/v1": fingerprint(f)},
                "properties": {"severity": f.level, "entry": f.entry},
            });
            if let Some(i) = index {
                result["ruleIndex"] = json!(i);
            }
            if let Some(w) = &f.waived {
                result["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": w.describe(),
                }]);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ledger",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "automationDetails": {"id": format!("ledger/{}/", j.command)},
            "originalUriBaseIds": {"%SRCROOT%": {
                "description": {"text": "The root of the project's repository."},
            }},
            "results": results,
        }],
    })
}

/// The open findings as GitLab's Code Quality report: a JSON array of
/// Code Climate issues, each at the file and line that answers it. A
/// waived finding is left out (the report has no way to say waived), and
/// so is a passed check.
pub fn codeclimate(j: &Judged<'_>) -> Value {
    let issues: Vec<Value> = j
        .checks
        .iter()
        .filter_map(Check::finding)
        .filter(|f| f.waived.is_none())
        .map(|f| {
            let (path, line) = j.files.location(f.rule);
            json!({
                "type": "issue",
                "check_name": rule_id(f.rule),
                "description": f.message,
                "fingerprint": fingerprint(f),
                "severity": match f.level {
                    Level::Blocking => "blocker",
                    Level::Warning => "major",
                    Level::Info => "info",
                },
                "location": {"path": path.replace('\\', "/"), "lines": {"begin": line.unwrap_or(1)}},
            })
        })
        .collect();
    Value::Array(issues)
}

/// A rule of SARIF's rule table, as the registry describes it.
fn sarif_rule(rule: Code) -> Value {
    let about = rule.about();
    let (help, governance) = (about.help, about.governance);
    let waiving = match about.waivable {
        Waivable::Yes => format!(
            "A finding can be waived for a while with `ledger waive {rule} SUBJECT --until DATE --reason TEXT` where the policy allows it."
        ),
        Waivable::Never(why) => format!("A finding cannot be waived: {why}."),
    };
    json!({
        "id": rule_id(rule),
        "name": rule,
        "shortDescription": {"text": help},
        "fullDescription": {"text": format!("{help} Governance: {governance}.")},
        "help": {
            "text": format!("{help} It enforces the governance's {governance}. {waiving}"),
            "markdown": format!("{help}\n\nIt enforces the governance's **{governance}**. {waiving}"),
        },
        "properties": {"tags": ["governance"]},
    })
}

/// The checks as JUnit XML: one test suite per kind of thing judged, one
/// test case per check, each finding's message said once. Only a blocking
/// finding fails its case (its rule as the type, the finding as the
/// message, the evidence as the text). A warning or information passes,
/// with the finding in its `system-out`: it does not stop a release, and
/// readers count a skipped case as not run, which it was not. A waived
/// finding and a check that could not be judged are skipped, saying why.
pub fn junit(j: &Judged<'_>) -> String {
    let mut report = Report::new(format!("ledger {}", j.command));
    let mut suites: Vec<TestSuite> = Vec::new();
    for check in j.checks {
        let (status, out) = junit_status(check);
        let mut case = TestCase::new(check.name.clone(), status);
        case.set_classname(format!("ledger.{}", check.group));
        if let Some(out) = out {
            case.set_system_out(out);
        }
        let suite_name = format!("ledger.{}", check.group);
        match suites.iter_mut().find(|s| s.name.as_str() == suite_name) {
            Some(s) => {
                s.add_test_case(case);
            }
            None => {
                let mut s = TestSuite::new(suite_name);
                s.add_test_case(case);
                suites.push(s);
            }
        }
    }
    report.add_test_suites(suites);
    let xml = report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- JUnit XML could not be written: {e} -->\n"));
    defuse(&xml, |c| if c == ':' { "&#58;" } else { "&#35;" })
}

/// A check as a JUnit case's status, and what its `system-out` says.
fn junit_status(check: &Check) -> (TestCaseStatus, Option<String>) {
    // The evidence, unless it only repeats the message.
    let evidence = |f: &Finding| Some(check.evidence.clone()).filter(|e| *e != f.message);
    match &check.outcome {
        Outcome::Passed => (TestCaseStatus::success(), Some(check.evidence.clone())),
        Outcome::Failed(f) if f.waived.is_some() => {
            let waiver = f.waived.as_ref().map(|w| w.describe()).unwrap_or_default();
            let mut s = TestCaseStatus::skipped();
            s.set_message(format!("{} ({waiver})", f.message))
                .set_type(rule_id(f.rule));
            if let Some(e) = evidence(f) {
                s.set_description(e);
            }
            (s, None)
        }
        Outcome::Failed(f) if f.level == Level::Blocking => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(&f.message).set_type(rule_id(f.rule));
            if let Some(e) = evidence(f) {
                s.set_description(e);
            }
            (s, None)
        }
        Outcome::Failed(f) | Outcome::Noted(f) => {
            let mut note = format!("{} ({}): {}", f.level.as_str(), rule_id(f.rule), f.message);
            if let Some(e) = evidence(f) {
                note = format!("{note}\n{e}");
            }
            (TestCaseStatus::success(), Some(note))
        }
        Outcome::NotJudged(why) => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(why.clone());
            (s, None)
        }
    }
}

/// `text` with every line a CI runner would read as a command (see
/// [`crate::domain::text::runner_command`]) made inert: its first `:` or
/// `#` written as `escape` says (a character reference in XML, a
/// backslash escape in Markdown), so it reads the same to a person and
/// to a parser of the format.
fn defuse(text: &str, escape: impl Fn(char) -> &'static str) -> String {
    if !text.lines().any(crate::domain::text::runner_command) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        if crate::domain::text::runner_command(line) {
            let start = line.len() - line.trim_start().len();
            let first = line[start..].chars().next().unwrap_or(':');
            out.push_str(&line[..start]);
            out.push_str(escape(first));
            out.push_str(&line[start + first.len_utf8()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// At most this many annotations of one level: GitHub shows no more per
/// step, so the last one says how many more there are.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

/// The step summary stays under this size (GitHub refuses more than 1 MiB
/// per step); findings past it are counted, not listed.
pub const SUMMARY_BUDGET: usize = 256 * 1024;

/// The GitHub format: a Markdown step summary and workflow annotations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Github {
    pub summary: String,
    pub annotations: String,
}

/// The checks as a GitHub step summary (a table of findings, the waived
/// ones apart, and the count of checks that passed) and `::error::` /
/// `::warning::` / `::notice::` annotations, at most
/// [`ANNOTATIONS_PER_LEVEL`] of each.
pub fn github(j: &Judged<'_>) -> Github {
    let findings: Vec<&Finding> = j.checks.iter().filter_map(Check::finding).collect();
    let (waived, open): (Vec<&Finding>, Vec<&Finding>) =
        findings.iter().partition(|f| f.waived.is_some());
    let count = |s| open.iter().filter(|f| f.level == s).count();
    let blocking = count(Level::Blocking);
    let warnings = count(Level::Warning);
    let info = count(Level::Info);
    // A noted check passed, but is counted with its information.
    let passed = j
        .checks
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Passed))
        .count();
    let not_judged = j
        .checks
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::NotJudged(_)))
        .count();

    let mut md = String::new();
    let verdict = if blocking > 0 {
        "❌"
    } else if warnings > 0 {
        "⚠️"
    } else {
        "✅"
    };
    let _ = writeln!(
        md,
        "## {verdict} ledger {}: {blocking} blocking, {warnings} warning(s), {} waived\n",
        j.command,
        waived.len()
    );
    // Every check is counted once, in the tables' words: passed, or a
    // finding (open by level, or waived), or not judged.
    let info = if info > 0 {
        format!(", {info} info")
    } else {
        String::new()
    };
    let _ = writeln!(
        md,
        "{} check(s): {passed} passed, {blocking} blocking, {warnings} warning(s){info}, {} waived, {not_judged} not judged.\n",
        j.checks.len(),
        waived.len(),
    );
    finding_tables(&mut md, j.command, &open, &waived);

    let annotations = annotations(j.command, &open);
    Github {
        summary: defuse(&md, |c| if c == ':' { "\\:" } else { "\\#" }),
        annotations,
    }
}

/// The step summary's tables of open and waived findings, cut to keep
/// the summary within GitHub's size.
fn finding_tables(md: &mut String, command: &str, open: &[&Finding], waived: &[&Finding]) {
    let mut left_out = 0;
    for (title, list) in [("Findings", open), ("Waived", waived)] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(md, "### {title}\n");
        md.push_str("| severity | rule | subject | finding |\n|---|---|---|---|\n");
        for f in list.iter() {
            let row = format!(
                "| {} | `{}` | {} | {}{} |\n",
                f.level.as_str(),
                rule_id(f.rule),
                super::markdown_cell(f.subject.as_deref().unwrap_or("")),
                super::markdown_cell(&f.message),
                f.waived
                    .as_ref()
                    .map(|w| format!(" ({})", super::markdown_cell(&w.describe())))
                    .unwrap_or_default()
            );
            if md.len() + row.len() > SUMMARY_BUDGET {
                left_out += 1;
                continue;
            }
            md.push_str(&row);
        }
        md.push('\n');
    }
    if left_out > 0 {
        let _ = writeln!(
            md,
            "…and {left_out} more finding(s) not listed to keep this summary small; `ledger {} --json` lists them all.\n",
            command
        );
    }
}

/// The workflow annotations of the open findings: at most a few of each
/// level, then one that says how many more there are.
fn annotations(command: &str, open: &[&Finding]) -> String {
    let mut annotations = String::new();
    for (severity, kind) in [
        (Level::Blocking, "error"),
        (Level::Warning, "warning"),
        (Level::Info, "notice"),
    ] {
        let of_level: Vec<&&Finding> = open.iter().filter(|f| f.level == severity).collect();
        let shown = if of_level.len() > ANNOTATIONS_PER_LEVEL {
            ANNOTATIONS_PER_LEVEL - 1
        } else {
            of_level.len()
        };
        for f in &of_level[..shown] {
            let _ = writeln!(
                annotations,
                "::{kind} title={}::{}",
                escape_property(&rule_id(f.rule)),
                escape_data(&f.message)
            );
        }
        if of_level.len() > shown {
            let _ = writeln!(
                annotations,
                "::{kind} title=ledger::and {} more {kind}(s); see the step summary or `ledger {command} --json`",
                of_level.len() - shown
            );
        }
    }
    annotations
}

/// A workflow command's message (GitHub's escaping of `%`, CR and LF).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value (also `:` and `,`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line that a CI runner would read as a command is made inert in
    /// JUnit (a character reference) and Markdown (a backslash escape);
    /// other lines are left as they are.
    #[test]
    fn a_runner_command_in_a_ci_format_is_made_inert() {
        let xml = "<a>\n::error file=x::owned\n  ##vso[task.complete]\nfine :: here\n</a>\n";
        assert_eq!(
            defuse(xml, |c| if c == ':' { "&#58;" } else { "&#35;" }),
            "<a>\n&#58;:error file=x::owned\n  &#35;#vso[task.complete]\nfine :: here\n</a>\n"
        );
        assert_eq!(defuse("| a | b |\n", |_| "x"), "| a | b |\n");
        assert!(
            !defuse("::warning::x", |_| "\\:")
                .lines()
                .any(crate::domain::text::runner_command)
        );
    }

    fn failed(severity: Level, n: usize) -> Check {
        Check {
            group: "gates".into(),
            name: format!("gate-{n}"),
            evidence: "1 failure".into(),
            outcome: Outcome::Failed(Finding {
                level: severity,
                rule: Code::GateFailing,
                subject: Some(format!("gate-{n}")),
                message: format!("gate-{n} fails: 100% of\nthe corpus"),
                entry: Some(n as i64),
                waived: None,
            }),
        }
    }

    fn files() -> &'static Files {
        static FILES: std::sync::OnceLock<Files> = std::sync::OnceLock::new();
        FILES.get_or_init(|| Files {
            policy: "ci/ledger policy.toml".into(),
            policy_text: Some("project = \"rg\"\n\n[[gates]]\nid = \"fmt\"\n".into()),
            changelog: "CHANGELOG.md".into(),
        })
    }

    fn judged(checks: &[Check]) -> Judged<'_> {
        Judged {
            command: "gates",
            files: files(),
            checks,
        }
    }

    #[test]
    fn annotations_stop_at_ten_per_level_and_say_how_many_more() {
        let checks: Vec<Check> = (0..25)
            .map(|n| failed(Level::Blocking, n))
            .chain((0..3).map(|n| failed(Level::Warning, 100 + n)))
            .collect();
        let g = github(&judged(&checks));
        let errors: Vec<&str> = g
            .annotations
            .lines()
            .filter(|l| l.starts_with("::error"))
            .collect();
        assert_eq!(errors.len(), ANNOTATIONS_PER_LEVEL);
        assert!(errors[9].contains("and 16 more error(s)"), "{}", errors[9]);
        assert_eq!(
            g.annotations
                .lines()
                .filter(|l| l.starts_with("::warning"))
                .count(),
            3
        );
        // A message is one line: its newline and percent are escaped.
        assert!(errors[0].ends_with("gate-0 fails: 100%25 of%0Athe corpus"));
        assert!(errors[0].contains("title=ledger/gate-failing::"));
    }

    #[test]
    fn the_summary_stays_small_however_many_findings() {
        let checks: Vec<Check> = (0..20_000).map(|n| failed(Level::Warning, n)).collect();
        let g = github(&judged(&checks));
        assert!(
            g.summary.len() <= SUMMARY_BUDGET + 1024,
            "{}",
            g.summary.len()
        );
        assert!(g.summary.contains("more finding(s) not listed"));
        assert!(g.summary.contains("0 blocking, 20000 warning(s)"));
    }

    #[test]
    fn a_fingerprint_is_the_findings_identity() {
        let a = failed(Level::Blocking, 1);
        let b = failed(Level::Warning, 1);
        let c = failed(Level::Blocking, 2);
        let fp = |c: &Check| fingerprint(c.finding().unwrap());
        assert_eq!(fp(&a), fp(&b), "the severity is not its identity");
        assert_ne!(fp(&a), fp(&c));
    }
}
