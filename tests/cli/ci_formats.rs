//! The CI formats: SARIF checked against the official 2.1.0 schema, JUnit
//! parsed back, the GitHub step summary and annotations.

use quick_xml::events::Event;
use serde_json::Value;

use crate::harness::{Ledger, fixture};

/// Every command that judges something, with the arguments it needs.
const JUDGING: &[&[&str]] = &[
    &["status"],
    &["check-release", "1.3.1"],
    &["readiness"],
    &["gates"],
    &["budgets"],
    &["drift"],
    &["deprecations"],
    &["extensions", "--violations"],
    &["incidents"],
    &["maintenance"],
    &["verify"],
];

/// The demo's ledger, with one finding waived.
fn demo() -> Ledger {
    let l = Ledger::demo();
    l.ok(&[
        "waive",
        "maintenance-overdue",
        "docs-staleness",
        "--until",
        "2026-12-01",
        "--reason",
        "docs sprint next week",
    ]);
    l
}

fn run_format(l: &Ledger, args: &[&str], format: &str) -> String {
    let mut a = args.to_vec();
    a.extend(["--format", format]);
    let r = l.run(&a);
    assert!(
        r.code == 0 && r.stderr.is_empty(),
        "ledger {a:?} exited {}: {}",
        r.code,
        r.stderr
    );
    r.stdout
}

/// The official SARIF 2.1.0 schema, compiled, with format assertions on
/// (a `uri` must be a URI).
fn sarif_schema() -> (boon::Schemas, boon::SchemaIndex) {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    let path = fixture("sarif-schema-2.1.0.json");
    let index = compiler
        .compile(path.to_str().unwrap(), &mut schemas)
        .unwrap();
    (schemas, index)
}

#[test]
fn sarif_of_every_judging_command_validates_against_the_2_1_0_schema() {
    let l = demo();
    let (schemas, index) = sarif_schema();
    let mut rule_ids = std::collections::BTreeSet::new();
    for args in JUDGING {
        let doc: Value = serde_json::from_str(&run_format(&l, args, "sarif")).unwrap();
        if let Err(e) = schemas.validate(&doc, index) {
            panic!("SARIF of {args:?} does not validate: {e:#}");
        }
        let run = &doc["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        for r in run["results"].as_array().unwrap() {
            let id = r["ruleId"].as_str().unwrap();
            assert!(id.starts_with("ledger/"), "{id}");
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], id, "ruleIndex of {id}");
            assert!(
                rules[i]["help"]["text"]
                    .as_str()
                    .unwrap()
                    .contains("governance"),
                "{id} has no help naming the governance"
            );
            rule_ids.insert(id.to_string());
        }
    }
    // The demo's story has a finding of each of these kinds.
    for id in [
        "ledger/gate-failing",
        "ledger/budget-over",
        "ledger/budget-drift",
        "ledger/deprecation-overdue",
        "ledger/deprecation-premature",
        "ledger/incident-sla",
        "ledger/security-open",
        "ledger/maintenance-overdue",
        "ledger/readiness-criterion",
    ] {
        assert!(rule_ids.contains(id), "no {id} in {rule_ids:?}");
    }
}

#[test]
fn sarif_levels_follow_blocking_and_a_waiver_is_a_suppression() {
    let l = demo();
    let release: Value =
        serde_json::from_str(&run_format(&l, &["check-release", "1.3.1"], "sarif")).unwrap();
    let check = l.json(&["check-release", "1.3.1"]);
    let results = release["runs"][0]["results"].as_array().unwrap();
    let findings = check["findings"].as_array().unwrap();
    // Information (an accepted shift) is a note; every finding is a result.
    assert_eq!(results.len(), findings.len());
    for (r, f) in results.iter().zip(findings) {
        let level = match f["severity"].as_str().unwrap() {
            "blocking" => "error",
            "warning" => "warning",
            _ => "note",
        };
        assert_eq!(r["level"], level, "{r}");
        assert_eq!(r["message"]["text"], f["message"]);
    }

    let tasks: Value = serde_json::from_str(&run_format(&l, &["maintenance"], "sarif")).unwrap();
    let results = tasks["runs"][0]["results"].as_array().unwrap();
    let waived: Vec<&Value> = results
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(waived.len(), 1, "{results:?}");
    assert_eq!(
        waived[0]["locations"][0]["logicalLocations"][0]["name"],
        "docs-staleness"
    );
    assert!(
        waived[0]["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .contains("docs sprint next week")
    );
    assert!(
        waived[0]["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .starts_with("waived until 2026-12-01")
    );
}

#[test]
fn sarif_fingerprints_are_stable_across_runs_and_distinct_per_finding() {
    let l = demo();
    let prints = |l: &Ledger| -> Vec<String> {
        let doc: Value = serde_json::from_str(&run_format(l, &["status"], "sarif")).unwrap();
        doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["ledgerFinding/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let first = prints(&l);
    // Another run, after something unrelated was recorded.
    l.ok(&["record-budget", "warm-load-p95", "--value", "40"]);
    let second = prints(&l);
    assert_eq!(first, second);
    let distinct: std::collections::BTreeSet<&String> = first.iter().collect();
    assert_eq!(
        distinct.len(),
        first.len(),
        "two findings share a fingerprint"
    );
}

/// A test case read back from JUnit XML: its suite, name, and the element
/// inside it (failure, skipped) with its message.
#[derive(Debug)]
struct Case {
    suite: String,
    name: String,
    outcome: Option<(String, String)>,
    /// The text of the failure or skipped element.
    text: String,
    /// Its system-out.
    out: String,
}

/// Parses JUnit XML with a plain XML reader, checking the counts each
/// suite declares against the cases it holds.
fn parse_junit(xml: &str) -> Vec<Case> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut cases: Vec<Case> = Vec::new();
    let mut suite = String::new();
    let mut declared: Vec<(String, usize, usize)> = Vec::new();
    // Where text goes: the case's element text or its system-out.
    let mut into_out = false;
    let attr = |e: &quick_xml::events::BytesStart<'_>, name: &str| -> String {
        e.try_get_attribute(name)
            .unwrap()
            .map(|a| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .unwrap()
                    .into_owned()
            })
            .unwrap_or_default()
    };
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"testsuite" => {
                    suite = attr(&e, "name");
                    declared.push((
                        suite.clone(),
                        attr(&e, "tests").parse().unwrap(),
                        attr(&e, "failures").parse().unwrap(),
                    ));
                }
                b"testcase" => cases.push(Case {
                    suite: suite.clone(),
                    name: attr(&e, "name"),
                    outcome: None,
                    text: String::new(),
                    out: String::new(),
                }),
                b"system-out" => into_out = true,
                tag @ (b"failure" | b"skipped") => {
                    into_out = false;
                    let case = cases.last_mut().unwrap();
                    case.outcome = Some((
                        String::from_utf8_lossy(tag).into_owned(),
                        attr(&e, "message"),
                    ));
                }
                _ => {}
            },
            Event::End(e) if e.name().as_ref() == b"system-out" => into_out = false,
            Event::Text(t) => {
                if let Some(case) = cases.last_mut() {
                    let text = t.xml_content(quick_xml::XmlVersion::Implicit1_0).unwrap();
                    if into_out {
                        case.out.push_str(&text);
                    } else {
                        case.text.push_str(&text);
                    }
                }
            }
            Event::GeneralRef(r) => {
                if let Some(case) = cases.last_mut() {
                    let c = match &*r {
                        b"lt" => "<",
                        b"gt" => ">",
                        b"amp" => "&",
                        b"quot" => "\"",
                        _ => "'",
                    };
                    if into_out {
                        case.out.push_str(c);
                    } else {
                        case.text.push_str(c);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    for (name, tests, failures) in declared {
        let of: Vec<&Case> = cases.iter().filter(|c| c.suite == name).collect();
        assert_eq!(of.len(), tests, "tests= of {name}");
        let failed = of
            .iter()
            .filter(|c| matches!(&c.outcome, Some((t, _)) if t == "failure"))
            .count();
        assert_eq!(failed, failures, "failures= of {name}");
    }
    cases
}

#[test]
fn junit_has_a_case_per_gate_platform_and_criterion_and_failures_carry_the_evidence() {
    let l = demo();
    let gates = l.json(&["gates"]);
    let cases = parse_junit(&run_format(&l, &["gates"], "junit"));
    assert_eq!(cases.len(), gates.as_array().unwrap().len());
    for g in gates.as_array().unwrap() {
        let name = match g["platform"].as_str() {
            Some(p) => format!("{} on {p}", g["gate"].as_str().unwrap()),
            None => g["gate"].as_str().unwrap().to_string(),
        };
        let case = cases.iter().find(|c| c.name == name).unwrap();
        match g["passed"].as_bool() {
            Some(false) => {
                let (tag, message) = case.outcome.as_ref().unwrap();
                assert_eq!(tag, "failure");
                assert!(message.contains("gate fails"), "{message}");
            }
            Some(true) => assert!(case.outcome.is_none(), "{case:?}"),
            None => assert_eq!(case.outcome.as_ref().unwrap().0, "skipped"),
        }
    }

    let readiness = l.json(&["readiness"]);
    let cases = parse_junit(&run_format(&l, &["readiness"], "junit"));
    let criteria = readiness["criteria"].as_array().unwrap();
    assert_eq!(cases.len(), criteria.len());
    for (c, case) in criteria.iter().zip(&cases) {
        assert_eq!(case.suite, "ledger.criteria");
        assert!(case.name.ends_with(c["id"].as_str().unwrap()), "{case:?}");
        assert_eq!(case.outcome.is_none(), c["met"] == true, "{case:?}");
    }

    // A waived finding is skipped, saying so, its message said once.
    let cases = parse_junit(&run_format(&l, &["maintenance"], "junit"));
    let docs = cases.iter().find(|c| c.name == "docs-staleness").unwrap();
    let (tag, message) = docs.outcome.as_ref().unwrap();
    assert_eq!(tag, "skipped");
    assert!(
        message.ends_with("(waived until 2026-12-01: docs sprint next week)"),
        "{message}"
    );
    assert_eq!(message.matches("is overdue").count(), 1, "{message}");
    assert!(!docs.text.contains("is overdue"), "{docs:?}");
}

/// How many of a command's SARIF results are open at `level` (error,
/// warning, note), or waived (`waived`).
fn open_results(l: &Ledger, args: &[&str], level: &str) -> usize {
    let sarif: Value = serde_json::from_str(&run_format(l, args, "sarif")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    results
        .iter()
        .filter(|r| match level {
            "waived" => r["suppressions"].is_array(),
            _ => r["level"] == level && r["suppressions"].is_null(),
        })
        .count()
}

/// Only a blocking finding fails its case: a warning passes with the
/// finding in its system-out, so JUnit's failures are the tables'
/// blocking count, and no case says its message twice.
#[test]
fn junit_fails_only_what_blocks_and_says_each_message_once() {
    let l = demo();
    for args in [
        &["status"][..],
        &["check-release", "1.3.1"],
        &["deprecations"],
    ] {
        let open = |level: &str| open_results(&l, args, level);
        let cases = parse_junit(&run_format(&l, args, "junit"));
        let failed = cases
            .iter()
            .filter(|c| matches!(&c.outcome, Some((t, _)) if t == "failure"))
            .count();
        assert_eq!(failed, open("error"), "{args:?}");
        let warned = cases
            .iter()
            .filter(|c| c.outcome.is_none() && c.out.starts_with("warning (ledger/"))
            .count();
        assert_eq!(warned, open("warning"), "{args:?}");
        assert!(
            open("warning") > 0 || args[0] == "check-release",
            "{args:?}"
        );
        for c in &cases {
            if let Some((_, message)) = &c.outcome {
                assert!(!c.text.contains(message.as_str()), "{args:?}: {c:?}");
            }
        }
    }
}

#[test]
fn junit_escapes_recorded_text() {
    let l = Ledger::new();
    l.ok(&[
        "open-incident",
        "--kind",
        "security",
        "--severity",
        "critical",
        "--title",
        "<script>\"&'</script>\nsecond line",
        "--at",
        "2026-02-01",
    ]);
    let xml = run_format(&l, &["incidents"], "junit");
    let cases = parse_junit(&xml);
    let (_, message) = cases[0].outcome.as_ref().unwrap();
    assert!(message.contains("<script>\"&'</script>"), "{message}");
    assert!(!xml.contains("<script>"));
}

#[test]
fn github_writes_the_step_summary_and_annotates_at_most_ten_of_each_kind() {
    let l = demo();
    let summary = l.path("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = l
        .cmd()
        .args(["status", "--format", "github"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let written = std::fs::read_to_string(&summary).unwrap();
    // Appended after the earlier step's, not over it.
    assert!(written.starts_with("earlier step\n## "), "{written}");
    assert!(written.contains("| `ledger/gate-failing` | unit-tests |"));
    assert!(written.contains("### Waived"));
    assert!(written.contains("(waived until 2026-12-01"), "{written}");
    assert!(written.len() < 1024 * 1024);
    // Stdout holds the annotations only.
    assert!(stdout.lines().all(|l| l.starts_with("::")), "{stdout}");
    let status = l.json(&["status"]);
    let errors = stdout.lines().filter(|l| l.starts_with("::error ")).count();
    let warnings = stdout
        .lines()
        .filter(|l| l.starts_with("::warning "))
        .count();
    assert!(errors <= 10 && warnings <= 10, "{stdout}");
    // The demo has more than ten blocking findings: the tenth says so.
    assert!(status["readiness"][0]["criteria"].as_array().unwrap().len() > 5);
    assert_eq!(errors, 10, "{stdout}");
    assert!(stdout.contains("::error title=ledger::and "), "{stdout}");
    // The waived finding is not annotated.
    assert!(!stdout.contains("docs-staleness"), "{stdout}");

    // The summary's counts are the tables' words and agree with them:
    // every check counted once, no "failed" beside "blocking".
    let open = |level: &str| open_results(&l, &["status"], level);
    let waived = open_results(&l, &["status"], "waived");
    let heading = format!(
        "ledger status: {} blocking, {} warning(s), {waived} waived",
        open("error"),
        open("warning")
    );
    assert!(written.contains(&heading), "{heading}\n{written}");
    let counts = format!(
        "check(s): 0 passed, {} blocking, {} warning(s), {waived} waived, 0 not judged.",
        open("error"),
        open("warning")
    );
    assert!(written.contains(&counts), "{counts}\n{written}");
    assert!(!written.contains("failed") && !written.contains("| error |"));
    assert!(written.contains("| blocking | `ledger/gate-failing` |"));

    // Without the variable, the summary comes first on stdout.
    let printed = run_format(&l, &["gates"], "github");
    assert!(
        printed.starts_with("## ❌ ledger gates: 1 blocking"),
        "{printed}"
    );
}

/// SARIF and GitLab's Code Quality point a finding at the file of the
/// repository that answers it: the policy file at the rule's section, the
/// changelog for a release's version; never the ledger itself.
#[test]
fn ci_formats_point_at_the_file_that_answers_a_finding() {
    let l = Ledger::new();
    let text = crate::harness::template("rust-cli", "ripgrep");
    l.load_policy("ripgrep.toml", &text);
    let gates_line = text.lines().position(|l| l == "[[gates]]").unwrap() + 1;
    l.ok(&["record-gate", "clippy", "--value", "3"]);
    l.ok(&["record-release", "1.0.0", "--date", "2026-01-10"]);

    let sarif: Value = serde_json::from_str(&run_format(&l, &["gates"], "sarif")).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    let physical = &result["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], "ripgrep.toml");
    assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(physical["region"]["startLine"], gates_line);

    let quality: Value = serde_json::from_str(&run_format(&l, &["gates"], "codeclimate")).unwrap();
    let issues = quality.as_array().unwrap();
    assert_eq!(issues.len(), 1, "{quality:#}");
    let issue = &issues[0];
    assert_eq!(issue["check_name"], "ledger/gate-failing");
    assert_eq!(issue["severity"], "blocker");
    assert_eq!(issue["location"]["path"], "ripgrep.toml");
    assert_eq!(issue["location"]["lines"]["begin"], gates_line);
    assert_eq!(
        issue["fingerprint"],
        result["partialFingerprints"]["ledgerFinding/v1"]
    );
    assert_eq!(issue["description"], result["message"]["text"]);

    // A release's finding points at the changelog.
    let sarif: Value =
        serde_json::from_str(&run_format(&l, &["check-release", "0.9.0"], "sarif")).unwrap();
    let uris: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "ledger/version-order")
        .map(|r| &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        .collect();
    assert_eq!(uris, ["CHANGELOG.md"], "{sarif:#}");

    // The demo's every judging command: no location is the ledger.
    let demo = demo();
    for args in JUDGING {
        let doc = run_format(&demo, args, "sarif");
        assert!(!doc.contains(&demo.location()), "{args:?}");
        let doc: Value = serde_json::from_str(&doc).unwrap();
        for r in doc["runs"][0]["results"].as_array().unwrap() {
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert!(["ledger.toml", "CHANGELOG.md"].contains(&uri), "{uri}");
        }
    }
}

#[test]
fn a_ci_format_on_a_command_that_judges_nothing_is_refused_and_writes_nothing() {
    let l = Ledger::new();
    for format in ["sarif", "junit", "github", "codeclimate"] {
        l.rejects(
            &[
                "record-budget",
                "warm-load-p95",
                "--value",
                "40",
                "--format",
                format,
            ],
            "`record-budget` judges nothing",
        );
        l.rejects(&["releases", "--format", format], "use it with status");
        l.rejects(&["export", "--format", format], "`export` judges nothing");
    }
    // Asked for by environment too.
    let r = l
        .cmd()
        .args(["delivery"])
        .env("LEDGER_FORMAT", "sarif")
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
}

#[test]
fn check_still_decides_the_exit_code_in_a_ci_format() {
    let l = demo();
    assert_eq!(
        l.run(&["check-release", "1.3.1", "--format", "sarif", "--check"])
            .code,
        1
    );
    assert_eq!(
        l.run(&["check-release", "1.3.1", "--format", "junit"]).code,
        0
    );
}
