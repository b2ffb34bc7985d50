//! The governance rules at their edges, each through the binary: the cases
//! where a simpler reading of the rule gives the wrong answer.

use serde_json::Value;

use crate::harness::Ledger;

fn finding_rules(check: &Value) -> Vec<(String, String)> {
    check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["severity"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(check: &Value, severity: &str, rule: &str) -> bool {
    finding_rules(check)
        .iter()
        .any(|(s, r)| s == severity && r == rule)
}

/// One criterion of `readiness 1.0`.
fn criterion(l: &Ledger, id: &str) -> Value {
    let r = l.json(&["readiness", "1.0"]);
    r["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
        .clone()
}

fn open(l: &Ledger, kind: &str, severity: &str, at: &str) -> String {
    let v = l.json(&[
        "open-incident",
        "--kind",
        kind,
        "--severity",
        severity,
        "--title",
        "t",
        "--at",
        at,
    ]);
    v["entry"].as_i64().unwrap().to_string()
}

/// Rule 1: A late triage is recorded as breached and keeps blocking while open.
#[test]
fn a_breached_sla_keeps_blocking_after_a_late_triage() {
    let mut l = Ledger::new();
    let id = open(
        &l,
        "conformance-regression",
        "medium",
        "2026-03-01T00:00:00Z",
    );
    l.now = "2026-03-02T12:00:00Z".into();
    assert!(has(
        &l.json(&["check-release", "0.5.0"]),
        "blocking",
        "incident-sla"
    ));
    l.now = "2026-03-04T00:00:00Z".into();
    l.ok(&["triage-incident", &id, "--at", "2026-03-03T00:00:00Z"]);
    let check = l.json(&["check-release", "0.5.0"]);
    assert!(has(&check, "blocking", "incident-sla"), "{check}");
    let rows = l.json(&["incidents", "--open", "--overdue"]);
    assert_eq!(rows[0]["sla_state"], "breached");
    assert_eq!(rows[0]["overdue_by_hours"], 24.0);
    assert_eq!(
        l.run(&["incidents", "--open", "--overdue", "--check"]).code,
        1
    );
    l.ok(&["resolve-incident", &id, "--at", "2026-03-04T00:00:00Z"]);
    assert_eq!(l.run(&["incidents", "--overdue", "--check"]).code, 0);
}

/// Rule 2: License expressions are parsed as SPDX, parentheses included.
#[test]
fn license_expressions_with_parentheses_are_judged_as_spdx() {
    let l = Ledger::new();
    let add = |id: &str, license: &str| {
        vec![
            "add-extension".to_string(),
            id.to_string(),
            "--tier".into(),
            "community".into(),
            "--license".into(),
            license.to_string(),
            "--provenance".into(),
            "npm:x@1.0.0".into(),
            "--doctor".into(),
            "pass".into(),
        ]
    };
    for (i, bad) in [
        "GPL-3.0-only AND (MIT OR Apache-2.0)",
        "(MIT OR GPL-3.0-only) AND GPL-2.0-only",
    ]
    .iter()
    .enumerate()
    {
        let args = add(&format!("c/bad{i}"), bad);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        l.rejects(&args, "not permissive");
    }
    let args = add("c/good", "GPL-3.0-only OR (MIT AND Apache-2.0)");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    l.ok(&args);
}

/// Rule 3: A removal in a pre-release is judged as the release it leads to.
#[test]
fn a_removal_in_a_release_candidate_is_judged_as_its_release() {
    let l = Ledger::new();
    l.ok(&["record-release", "0.3.0", "--date", "2026-01-05"]);
    l.ok(&[
        "deprecate",
        "a",
        "--kind",
        "api",
        "--in",
        "0.3.0",
        "--at",
        "2026-01-05",
    ]);
    l.ok(&["record-release", "0.4.0", "--date", "2026-02-01"]);
    l.ok(&["remove", "a", "--in", "0.5.0-rc.1", "--at", "2026-02-20"]);
    assert_eq!(l.json(&["deprecations"])[0]["status"], "removed");
    let check = l.json(&["check-release", "0.5.0-rc.1"]);
    assert!(!has(&check, "blocking", "deprecation-premature"), "{check}");
    // Before 1.0 a premature removal is not told it needs a new major.
    l.ok(&[
        "deprecate",
        "b",
        "--kind",
        "api",
        "--in",
        "0.4.0",
        "--at",
        "2026-02-01",
    ]);
    let r = l.run(&["remove", "b", "--in", "0.4.1-rc.1", "--at", "2026-02-21"]);
    assert!(
        r.stderr
            .contains("premature: its window is 1 minor line(s)\n"),
        "{}",
        r.stderr
    );
}

/// Rule 4: Once 1.0.0 has shipped, a pre-1.0 item needs a new major.
#[test]
fn after_1_0_a_pre_1_0_item_cannot_be_removed_in_a_minor() {
    let l = Ledger::new();
    l.ok(&["record-release", "0.9.0", "--date", "2026-01-05"]);
    l.ok(&[
        "deprecate",
        "a",
        "--kind",
        "api",
        "--in",
        "0.9.0",
        "--at",
        "2026-01-05",
    ]);
    l.ok(&["record-release", "1.0.0", "--date", "2026-02-01"]);
    let rows = l.json(&["deprecations"]);
    assert_eq!(rows[0]["status"], "overdue", "1.0.0 was its opportunity");
    assert_eq!(rows[0]["overdue_since"], "2026-02-01T00:00:00Z");
    let r = l.run(&["remove", "a", "--in", "1.1.0", "--at", "2026-02-20"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.contains("premature") && r.stderr.contains("and a new major"),
        "{}",
        r.stderr
    );
    assert_eq!(l.json(&["deprecations"])[0]["status"], "premature");
    let check = l.json(&["check-release", "1.1.0"]);
    assert!(has(&check, "blocking", "deprecation-premature"), "{check}");
}

/// Rule 5: Readiness reads the latest corpus result, not the latest value.
#[test]
fn a_failing_corpus_result_makes_conformance_unmet() {
    let l = Ledger::new();
    l.ok(&[
        "record-gate",
        "corpus-pass-rate",
        "--value",
        "95",
        "--at",
        "2026-02-01",
    ]);
    let met = |l: &Ledger| criterion(l, "conformance")["met"].clone();
    assert_eq!(met(&l), true);
    l.ok(&[
        "record-gate",
        "corpus-pass-rate",
        "--fail",
        "--at",
        "2026-02-02",
    ]);
    assert_eq!(met(&l), false);
    let gates = l.json(&["gates", "--failing"]);
    assert_eq!(gates[0]["gate"], "corpus-pass-rate");
}

/// Rule 6: A release shipped later does not rewrite a past answer.
#[test]
fn a_release_shipped_later_does_not_make_the_past_overdue() {
    let l = Ledger::new();
    l.ok(&["record-release", "1.3.0", "--date", "2026-01-05"]);
    l.ok(&[
        "deprecate",
        "x",
        "--kind",
        "api",
        "--in",
        "1.3.0",
        "--at",
        "2026-01-05",
    ]);
    l.ok(&["record-release", "2.0.0", "--date", "2026-02-01"]);
    l.ok(&["record-release", "1.4.0", "--date", "2026-02-20"]);
    let past = l.json(&["deprecations", "--as-of", "2026-02-15", "--include-late"]);
    let now = l.json(&["deprecations"]);
    assert_eq!(past[0]["status"], "active");
    assert_eq!(
        now[0]["status"], "active",
        "2.0.0 shipped with one line behind it"
    );
    assert_eq!(now[0]["earliest_removal"], "3.0.0");
    l.ok(&["record-release", "2.1.0", "--date", "2026-02-25"]);
    assert_eq!(l.json(&["deprecations"])[0]["earliest_removal"], "3.0.0");
}

/// Rule 7: A pre-release is only reminded of "next release" SLAs.
#[test]
fn next_release_slas_warn_a_pre_release() {
    let l = Ledger::new();
    open(&l, "security", "low", "2026-02-01T00:00:00Z");
    let rc = l.json(&["check-release", "0.5.0-rc.1"]);
    assert!(has(&rc, "warning", "incident-sla"), "{rc}");
    assert!(!has(&rc, "blocking", "incident-sla"), "{rc}");
    assert_eq!(l.run(&["check-release", "0.5.0-rc.1"]).code, 0);
    let release = l.json(&["check-release", "0.5.0"]);
    assert!(has(&release, "blocking", "incident-sla"), "{release}");
}

/// Rule 8: a fix shipped in the next release meets a "next release" SLA, however
/// late its resolution is recorded.
#[test]
fn a_fix_in_the_next_release_meets_its_sla() {
    let mut l = Ledger::new();
    let id = open(&l, "security", "medium", "2026-03-01T00:00:00Z");
    l.now = "2026-03-12T00:00:00Z".into();
    l.ok(&["record-release", "0.4.1", "--date", "2026-03-10T00:00:00Z"]);
    l.ok(&[
        "resolve-incident",
        &id,
        "--release",
        "0.4.1",
        "--at",
        "2026-03-10T01:00:00Z",
    ]);
    let rows = l.json(&["incidents"]);
    assert_eq!(rows[0]["sla_state"], "met", "{rows}");
}

/// Rule 9: Removing a capability stales the security review.
#[test]
fn removing_a_capability_stales_the_security_review() {
    let l = Ledger::new();
    l.ok(&["record-release", "0.3.0", "--date", "2026-01-05"]);
    l.ok(&[
        "deprecate",
        "net.raw",
        "--kind",
        "capability-policy",
        "--in",
        "0.3.0",
        "--at",
        "2026-01-05",
    ]);
    l.ok(&[
        "attest",
        "security-review",
        "--by",
        "a",
        "--at",
        "2026-01-10",
    ]);
    let review = |l: &Ledger| criterion(l, "security-review");
    assert_eq!(review(&l)["met"], true);
    l.ok(&["remove", "net.raw", "--in", "0.3.1", "--at", "2026-01-20"]);
    let c = review(&l);
    assert_eq!(c["met"], false);
    assert!(
        c["blockers"][0]
            .as_str()
            .unwrap()
            .contains("removal of \"net.raw\""),
        "{c}"
    );
}

/// Rule 10: tier rules: an official extension needs MIT, and an official tier
/// below 100% conformance blocks a release.
#[test]
fn tier_license_and_conformance_rules_are_enforced() {
    let l = Ledger::new();
    l.rejects(
        &[
            "add-extension",
            "official/x",
            "--tier",
            "official",
            "--license",
            "Apache-2.0",
            "--provenance",
            "npm:x@1.0.0",
            "--doctor",
            "pass",
        ],
        "not allowed in the official tier (needs MIT)",
    );
    let summary = l.path("conformance.json");
    let mut doc: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::harness::fixture("pi-conformance_summary.json")).unwrap(),
    )
    .unwrap();
    doc["per_tier"]["official-pi-mono"] =
        serde_json::json!({"pass": 55, "fail": 5, "na": 6, "total": 66});
    doc["per_tier"]["community"] = serde_json::json!({"pass": 50, "fail": 8, "na": 0, "total": 58});
    std::fs::write(&summary, doc.to_string()).unwrap();
    l.ok(&["import", "conformance-summary", summary.to_str().unwrap()]);
    let check = l.json(&["check-release", "0.5.0"]);
    let tier: Vec<&Value> = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "tier-conformance")
        .collect();
    assert_eq!(tier.len(), 2, "{check}");
    assert_eq!(tier[0]["severity"], "blocking");
    assert!(
        tier[0]["message"]
            .as_str()
            .unwrap()
            .contains("official tier passes 91.67%")
    );
    assert_eq!(tier[1]["severity"], "warning");
    let r = l.run(&["extensions", "--violations", "--check"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("below-required"), "{}", r.stdout);
}

/// A policy whose milestones each need one sign-off: 1.0 (docs) and 2.0
/// (stable CLI modes), so a test can make them ready or not at will.
fn two_milestones(l: &Ledger) {
    let seed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/policy.toml"),
    )
    .unwrap();
    let head = &seed[..seed.find("[[milestones]]").unwrap()];
    let policy = format!(
        r#"{head}
[[milestones]]
id = "2.0"
title = "2.0 release"

[[milestones.criteria]]
id = "cli-modes-stable"
rule = "attestation"
title = "CLI modes stable"

[[milestones]]
id = "1.0"
title = "1.0 release"

[[milestones.criteria]]
id = "docs-complete"
rule = "attestation"
title = "Docs complete"
"#
    );
    let file = l.path("milestones.toml");
    std::fs::write(&file, policy).unwrap();
    l.ok(&["init", "--policy", file.to_str().unwrap()]);
}

/// Once a milestone ships, readiness answers as of its release; the next
/// one is the default; a milestone version is blocked while unready.
#[test]
fn a_shipped_milestone_is_judged_as_of_its_release() {
    let l = Ledger::new();
    two_milestones(&l);
    let r = l.json(&["readiness"]);
    assert_eq!(
        (r["milestone"].as_str(), r["ready"].as_bool()),
        (Some("1.0"), Some(false))
    );
    assert!(r["shipped_before_ready"].is_null(), "{r}");

    // Cutting 1.0.0 now would ship 1.0 unready.
    let c = l.run(&["check-release", "1.0.0", "--json"]);
    let c: Value = serde_json::from_str(&c.stdout).unwrap();
    assert_eq!(c["allowed"], false, "{c}");
    assert!(has(&c, "blocking", "readiness-criterion"), "{c}");
    assert!(!has(
        &l.json(&["check-release", "0.9.0"]),
        "blocking",
        "readiness-criterion"
    ));

    // It shipped anyway; the sign-off came a week later.
    l.ok(&["record-release", "1.0.0", "--date", "2026-02-01"]);
    l.ok(&[
        "attest",
        "docs-complete",
        "--by",
        "ana",
        "--at",
        "2026-02-08",
    ]);
    let r = l.json(&["readiness", "1.0"]);
    assert_eq!(r["shipped"]["version"], "1.0.0");
    assert_eq!(r["shipped_before_ready"], true, "{r}");
    assert_eq!(r["criteria"][0]["met"], false, "unmet when it shipped");
    // History, not a gate: --check passes it; --check-retrospective fails it.
    assert_eq!(l.run(&["readiness", "1.0", "--check"]).code, 0);
    assert_eq!(
        l.run(&["readiness", "1.0", "--check-retrospective"]).code,
        1
    );
    let out = l.ok(&["readiness", "1.0"]);
    assert!(
        out.contains("shipped as 1.0.0 on 2026-02-01 before it was ready"),
        "{out}"
    );
    // The default is now the next milestone, judged now.
    let r = l.json(&["readiness"]);
    assert_eq!(r["milestone"], "2.0");
    assert!(r["shipped_before_ready"].is_null());
    // The dashboard shows the next milestone and the last one's retrospective.
    let status = l.ok(&["status"]);
    assert!(status.contains("Readiness for 2.0: not ready"), "{status}");
    assert!(
        status.contains("Readiness for 1.0: shipped as 1.0.0 on 2026-02-01 before it was ready"),
        "{status}"
    );
    // 1.0.0 is shipped now: checking it again is about the release, not the milestone.
    assert!(!has(
        &l.json(&["check-release", "1.0.1"]),
        "blocking",
        "readiness-criterion"
    ));

    // 2.0 is made ready first, then ships: ready when it shipped.
    l.ok(&[
        "attest",
        "cli-modes-stable",
        "--by",
        "ana",
        "--at",
        "2026-02-10",
    ]);
    let c = l.json(&["check-release", "2.0.0"]);
    assert!(!has(&c, "blocking", "readiness-criterion"), "{c}");
    l.ok(&["record-release", "2.0.0", "--date", "2026-02-20"]);
    let r = l.json(&["readiness", "2.0"]);
    assert_eq!(
        (r["ready"].as_bool(), r["shipped_before_ready"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(l.run(&["readiness", "2.0", "--check"]).code, 0);
    let status = l.ok(&["status"]);
    assert!(
        !status.contains("Readiness for 2.0"),
        "a milestone shipped ready leaves the dashboard: {status}"
    );
}

/// A shipped milestone judged `--as-of` a time reads what the ledger knew
/// then: a sign-off back-dated before the release but recorded after that
/// time does not make it ready "as of" then (unless `--include-late`).
#[test]
fn a_shipped_milestone_as_of_a_time_reads_what_was_recorded_by_then() {
    let mut l = Ledger::new();
    two_milestones(&l);
    l.ok(&["record-release", "1.0.0", "--date", "2026-02-01"]);
    l.now = "2026-03-05T12:00:00Z".into();
    l.ok(&[
        "attest",
        "docs-complete",
        "--by",
        "ana",
        "--at",
        "2026-01-20",
    ]);
    let shipped_before_ready = |args: &[&str]| {
        let mut a = vec!["readiness", "1.0"];
        a.extend(args);
        l.json(&a)["shipped_before_ready"].as_bool()
    };
    assert_eq!(
        shipped_before_ready(&[]),
        Some(false),
        "signed off before it shipped"
    );
    assert_eq!(
        shipped_before_ready(&["--as-of", "2026-03-02"]),
        Some(true),
        "not known then"
    );
    assert_eq!(
        shipped_before_ready(&["--as-of", "2026-03-02", "--include-late"]),
        Some(false)
    );
    let status = l.ok(&["status", "--as-of", "2026-03-02"]);
    assert!(
        status.contains("Readiness for 1.0: shipped as 1.0.0 on 2026-02-01 before it was ready"),
        "{status}"
    );
    let status = l.ok(&["status"]);
    assert!(!status.contains("Readiness for 1.0"), "{status}");
}

/// A negative number is read as a number, not as an unknown flag: taken
/// where it means something (a measured value), refused in a plain
/// sentence where it does not (a window, how far over budget).
#[test]
fn negative_numbers_are_numbers_and_refused_where_they_mean_nothing() {
    let l = Ledger::new();
    for args in [
        &["drift", "--days", "-5"][..],
        &["delivery", "--days", "-1"],
    ] {
        let r = l.run(args);
        assert_eq!(r.code, 2, "{args:?}");
        assert!(
            r.stderr
                .contains("expected a whole number of days from 1 to 3650"),
            "{args:?}: {}",
            r.stderr
        );
    }
    l.rejects(
        &[
            "open-incident",
            "--kind",
            "performance-regression",
            "--severity",
            "low",
            "--title",
            "slower",
            "--over-pct",
            "-5",
        ],
        "expected a percentage above 0",
    );
    l.ok(&["record-gate", "fmt", "--platform", "linux", "--value", "-1"]);
}
