//! Waivers: an expiring exception for one finding, through the binary.

use crate::harness::Ledger;

/// A ledger (now 2026-03-01 12:00) with one overdue deprecation and one
/// budget over by 10%: findings of two rules that may be waived.
fn with_findings() -> Ledger {
    let l = Ledger::new();
    l.ok(&["record-release", "0.3.0", "--date", "2026-01-05"]);
    l.ok(&[
        "deprecate",
        "--no-sandbox",
        "--kind",
        "cli-flag",
        "--in",
        "0.3.0",
        "--at",
        "2026-01-05",
    ]);
    l.ok(&["record-release", "0.3.1", "--date", "2026-01-20"]);
    l.ok(&[
        "record-budget",
        "cold-load-p95",
        "--value",
        "220",
        "--at",
        "2026-02-20",
    ]);
    l
}

#[test]
fn a_waived_finding_is_shown_but_no_longer_fails_the_check_until_it_expires() {
    let mut l = with_findings();
    assert_eq!(l.run(&["deprecations", "--overdue", "--check"]).code, 1);
    let w = l.json(&[
        "waive",
        "deprecation-overdue",
        "--no-sandbox",
        "--until",
        "2026-03-15",
        "--reason",
        "removal ships in 0.4",
        "--by",
        "ana",
    ]);
    assert_eq!(w["entry_kind"], "waiver");
    assert_eq!(w["rule"], "deprecation-overdue");
    assert_eq!(w["subject"], "--no-sandbox");
    assert_eq!(w["expires_at"], "2026-03-15T00:00:00Z");
    let entry = w["entry"].as_i64().unwrap();

    // Still listed, marked waived, and the check passes.
    let rows = l.json(&["deprecations", "--overdue"]);
    assert_eq!(rows[0]["status"], "overdue");
    assert_eq!(rows[0]["waived"]["reason"], "removal ships in 0.4");
    assert_eq!(rows[0]["waived"]["waived_by"], "ana");
    assert_eq!(rows[0]["waived"]["entry"], entry);
    assert_eq!(l.run(&["deprecations", "--overdue", "--check"]).code, 0);
    let table = l.ok(&["deprecations", "--overdue"]);
    assert!(
        table.contains("waived until 2026-03-15 by ana: removal ships in 0.4"),
        "{table}"
    );

    // Seven days before it ends, the dashboard warns.
    let status = l.json(&["status"]);
    assert_eq!(status["expiring_waivers"].as_array().unwrap().len(), 0);
    l.now = "2026-03-08T00:00:00Z".into();
    let status = l.json(&["status"]);
    assert_eq!(status["expiring_waivers"][0]["subject"], "--no-sandbox");
    assert!(
        l.ok(&["status"])
            .contains("Waivers expiring within 7 days (1)")
    );

    // Expiring exactly now: the finding is back.
    l.now = "2026-03-15T00:00:00Z".into();
    assert!(l.json(&["deprecations", "--overdue"])[0]["waived"].is_null());
    assert_eq!(l.run(&["deprecations", "--overdue", "--check"]).code, 1);
    assert!(l.json(&["waivers"]).as_array().unwrap().is_empty());
}

#[test]
fn a_waiver_unblocks_a_release_and_retracting_it_blocks_again() {
    let l = with_findings();
    l.ok(&[
        "record-gate",
        "unit-tests",
        "--fail",
        "--platform",
        "windows",
        "--at",
        "2026-02-28",
    ]);
    let c = l.json(&["check-release", "0.4.0"]);
    assert_eq!(c["allowed"], false);
    let w = l.json(&[
        "waive",
        "gate-failing",
        "unit-tests",
        "--until",
        "2026-03-10",
        "--reason",
        "flaky runner, rerun queued",
    ]);
    let c = l.json(&["check-release", "0.4.0"]);
    assert_eq!(c["allowed"], true, "{c}");
    let gate = c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "gate-failing")
        .expect("the waived finding is still listed");
    assert_eq!(gate["subject"], "unit-tests");
    assert_eq!(gate["severity"], "blocking");
    assert_eq!(gate["waived"]["reason"], "flaky runner, rerun queued");
    assert_eq!(l.run(&["check-release", "0.4.0", "--check"]).code, 0);
    assert_eq!(l.run(&["gates", "--failing", "--check"]).code, 0);

    // As things stood before the waiver: blocked.
    let before = l.json(&[
        "check-release",
        "0.4.0",
        "--as-of",
        "2026-02-28T12:00:00Z",
        "--include-late",
    ]);
    assert_eq!(before["allowed"], false);

    let entry = w["entry"].as_i64().unwrap().to_string();
    l.ok(&["retract", &entry, "--reason", "the rerun failed too"]);
    assert_eq!(l.run(&["check-release", "0.4.0", "--check"]).code, 1);
    assert_eq!(l.run(&["gates", "--failing", "--check"]).code, 1);
}

#[test]
fn a_waived_criterion_does_not_block_the_milestone_release() {
    let l = Ledger::new();
    let c = l.json(&["check-release", "1.0.0"]);
    assert_eq!(c["allowed"], false);
    let r = l.json(&["readiness"]);
    let unmet: Vec<String> = r["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["met"] == false)
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    for id in &unmet {
        l.ok(&[
            "waive",
            "readiness-criterion",
            id,
            "--until",
            "2026-04-01",
            "--reason",
            "accepted for the 1.0 cut",
        ]);
    }
    let r = l.json(&["readiness"]);
    assert_eq!(r["ready"], false, "a waiver does not make a criterion met");
    assert!(r["criteria"][0]["waived"].is_object());
    assert_eq!(l.run(&["readiness", "--check"]).code, 0);
    // What still blocks 1.0.0 is the gates' missing evidence alone (an
    // empty ledger has no result for any gate), not a criterion.
    let c = l.json(&["check-release", "1.0.0"]);
    let blocking: Vec<&str> = c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "blocking" && f["waived"].is_null())
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(!blocking.is_empty());
    assert!(blocking.iter().all(|r| *r == "gate-no-evidence"), "{c}");
}

#[test]
fn waivers_the_policy_does_not_allow_are_refused_and_write_nothing() {
    let l = with_findings();
    l.ok(&[
        "open-incident",
        "--kind",
        "security",
        "--severity",
        "critical",
        "--title",
        "sandbox escape",
    ]);
    let id = l.json(&["incidents"])[0]["id"].to_string();
    l.rejects(
        &[
            "waive",
            "security-open",
            &id,
            "--until",
            "2026-03-05",
            "--reason",
            "x",
        ],
        "never allows waiving security-open",
    );
    l.rejects(
        &[
            "waive",
            "integrity",
            "1",
            "--until",
            "2026-03-05",
            "--reason",
            "x",
        ],
        "integrity findings cannot be waived: an altered ledger is restored from a backup",
    );
    // The cap: 90 days from now (2026-03-01 12:00).
    l.rejects(
        &[
            "waive",
            "budget-over",
            "cold-load-p95",
            "--until",
            "2026-06-01",
            "--reason",
            "x",
        ],
        "at most 90 days",
    );
    l.ok(&[
        "waive",
        "budget-over",
        "cold-load-p95",
        "--until",
        "2026-05-30T12:00:00Z",
        "--reason",
        "exactly 90 days",
    ]);
    l.rejects(
        &[
            "waive",
            "budget-over",
            "cold-load-p95",
            "--until",
            "2026-02-01",
            "--reason",
            "x",
        ],
        "expected a time after now",
    );
    l.rejects(
        &[
            "waive",
            "budget-over",
            "cold-load",
            "--until",
            "2026-03-05",
            "--reason",
            "x",
        ],
        "unknown budget \"cold-load\"; known budgets:",
    );
    l.rejects(
        &[
            "waive",
            "budget-overdue",
            "cold-load-p95",
            "--until",
            "2026-03-05",
            "--reason",
            "x",
        ],
        "unknown waivable rule \"budget-overdue\"",
    );
    l.rejects(
        &[
            "waive",
            "budget-over",
            "cold-load-p95",
            "--until",
            "2026-03-05",
            "--reason",
            " ",
        ],
        "reason",
    );
}

#[test]
fn a_policy_can_forbid_more_rules_and_shorten_the_cap() {
    let l = with_findings();
    let policy = crate::harness::seed_policy().replace(
        "forbidden = [\"security-open\", \"integrity\"]",
        "forbidden = [\"security-open\", \"integrity\", \"deprecation-overdue\"]",
    );
    let policy = policy.replace("max_days = 90", "max_days = 14");
    l.load_policy("policy.toml", policy);
    l.rejects(
        &[
            "waive",
            "deprecation-overdue",
            "--no-sandbox",
            "--until",
            "2026-03-05",
            "--reason",
            "x",
        ],
        "never allows waiving deprecation-overdue",
    );
    l.rejects(
        &[
            "waive",
            "budget-over",
            "cold-load-p95",
            "--until",
            "2026-03-20",
            "--reason",
            "x",
        ],
        "at most 14 days",
    );
}

/// A waive of `rule` about `subject` until 2026-03-15.
fn waive<'a>(rule: &'a str, subject: &'a str) -> [&'a str; 7] {
    [
        "waive",
        rule,
        subject,
        "--until",
        "2026-03-15",
        "--reason",
        "known",
    ]
}

#[test]
fn budget_over_covers_the_finding_at_either_level_and_the_old_id_still_reads() {
    let l = with_findings();
    // 260 against 200: 30% over, past the blocking margin.
    l.ok(&[
        "record-budget",
        "cold-load-p95",
        "--value",
        "260",
        "--at",
        "2026-02-25",
    ]);
    let check = l.json(&["check-release", "0.4.0"]);
    let over = &check["findings"][0];
    assert_eq!(
        (&over["severity"], &over["rule"]),
        (&"blocking".into(), &"budget-over".into()),
        "{check}"
    );
    assert_eq!(check["allowed"], false);
    let r = l.run(&waive("budget-over-blocking", "cold-load-p95"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("budget-over-blocking is now budget-over"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("no budget-over finding"), "{}", r.stderr);
    let check = l.json(&["check-release", "0.4.0"]);
    assert_eq!(check["allowed"], true, "{check}");
    assert_eq!(l.json(&["waivers"])[0]["rule"], "budget-over");
}

#[test]
fn a_waiver_that_matches_no_finding_today_is_recorded_and_says_so() {
    let l = with_findings();
    // warm-load-p95 is within its budget: nothing to waive today.
    let r = l.run(&waive("budget-over", "warm-load-p95"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("no budget-over finding about warm-load-p95 stands today; the waiver will apply if one appears"),
        "{}",
        r.stderr
    );
    // One that does match says nothing of the kind.
    let r = l.run(&waive("deprecation-overdue", "--no-sandbox"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    // Later over its budget: the waiver already covers it.
    l.ok(&[
        "record-budget",
        "warm-load-p95",
        "--value",
        "90",
        "--at",
        "2026-02-26",
    ]);
    assert_eq!(
        l.run(&["budgets", "--check"]).code,
        1,
        "cold-load is still over"
    );
    let rows = l.json(&["budgets"]);
    let warm = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["budget"] == "warm-load-p95")
        .unwrap();
    assert_eq!(warm["waived"]["reason"], "known", "{warm}");
}

#[test]
fn waive_takes_exactly_the_waivable_rules() {
    let l = with_findings();
    for rule in [
        "version-order",
        "already-recorded",
        "breaking-needs-major",
        "shift-accepted",
        "integrity",
    ] {
        l.rejects(
            &waive(rule, "0.3.0"),
            &format!("{rule} findings cannot be waived: "),
        );
    }
    l.rejects(
        &waive("budget-overdue", "cold-load-p95"),
        "unknown waivable rule \"budget-overdue\"; known waivable rules: deprecation-overdue",
    );
    // What `policy` lists as waivable is what `waive` takes, and every
    // rule that is not says why.
    let policy = l.json(&["policy"]);
    for rule in policy["rules"].as_array().unwrap() {
        let (id, waivable) = (
            rule["id"].as_str().unwrap(),
            rule["waivable"].as_str().unwrap(),
        );
        let subject = if id == "tier-conformance" {
            "official"
        } else {
            "cold-load-p95"
        };
        let r = l.run(&[
            "waive",
            id,
            subject,
            "--until",
            "2026-03-15",
            "--reason",
            "x",
            "--json",
        ]);
        match waivable {
            "yes" => assert!(
                r.code == 0 || !r.stderr.contains("cannot be waived"),
                "{id}: {}",
                r.stderr
            ),
            "no: forbidden by the policy" => assert!(
                r.stderr.contains("never allows waiving"),
                "{id}: {}",
                r.stderr
            ),
            why => {
                assert!(
                    why.len() > "never: ".len() && why.starts_with("never: "),
                    "{id}: {why}"
                );
                assert!(r.stderr.contains("cannot be waived"), "{id}: {}", r.stderr);
            }
        }
    }
}

#[test]
fn every_rule_a_command_emits_is_listed_with_whether_it_can_be_waived() {
    let l = Ledger::demo();
    let listed: Vec<String> = l.json(&["policy"])["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for command in [
        &["check-release", "1.3.0"][..],
        &["check-release", "0.9.0", "--breaking"],
        &["check-release", "1.2.0"],
        &["status"],
        &["gates"],
        &["budgets"],
        &["drift"],
        &["deprecations"],
        &["extensions"],
        &["incidents"],
        &["maintenance"],
        &["readiness"],
    ] {
        let mut args = command.to_vec();
        args.extend(["--format", "sarif"]);
        let r = l.run(&args);
        assert!(r.code <= 1, "{args:?}: {}", r.stderr);
        let sarif = r.json();
        let run = &sarif["runs"][0];
        let rules: Vec<&str> = run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(rules, listed, "SARIF's rule table is the registry");
        for result in run["results"].as_array().unwrap() {
            let id = result["ruleId"]
                .as_str()
                .unwrap()
                .trim_start_matches("ledger/");
            assert!(
                listed.iter().any(|l| l == id),
                "{id} is emitted but not listed"
            );
            seen.insert(id.to_string());
        }
    }
    assert!(seen.len() >= 8, "the demo shows most rules: {seen:?}");
}

#[test]
fn a_tier_below_its_conformance_can_be_waived() {
    let l = Ledger::new();
    let summary = l.path("conformance.json");
    let mut doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate::harness::fixture("pi-conformance_summary.json")).unwrap(),
    )
    .unwrap();
    doc["per_tier"]["official-pi-mono"] =
        serde_json::json!({"pass": 55, "fail": 5, "na": 6, "total": 66});
    std::fs::write(&summary, doc.to_string()).unwrap();
    l.ok(&["import", "conformance-summary", summary.to_str().unwrap()]);
    assert_eq!(l.json(&["check-release", "0.5.0"])["allowed"], false);
    l.rejects(
        &waive("tier-conformance", "officia"),
        "unknown tier \"officia\"",
    );
    let r = l.run(&waive("tier-conformance", "official"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let check = l.json(&["check-release", "0.5.0"]);
    assert_eq!(check["allowed"], true, "{check}");
    let tier = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "tier-conformance")
        .unwrap();
    assert_eq!(tier["waived"]["reason"], "known", "{check}");
}

/// An open critical or high security incident is fixed within 48 hours,
/// never waived: no finding about one can be, whatever its rule.
#[test]
fn no_finding_about_an_open_critical_or_high_security_incident_can_be_waived() {
    let l = Ledger::new();
    let open = |severity: &str, at: &str| {
        l.json(&[
            "open-incident",
            "--kind",
            "security",
            "--severity",
            severity,
            "--title",
            "sandbox escape",
            "--at",
            at,
        ])["id"]
            .to_string()
    };
    // Opened three days ago: past its 48-hour SLA.
    let critical = open("critical", "2026-02-26T12:00:00Z");
    assert_eq!(l.run(&["incidents", "--overdue", "--check"]).code, 1);
    l.rejects(
        &waive("incident-sla", &critical),
        &format!("incident {critical} is an open critical security incident, and no finding about one can be waived while it is open"),
    );
    assert_eq!(
        l.run(&["incidents", "--overdue", "--check"]).code,
        1,
        "still failing"
    );
    // A medium one may be waived, and so may the critical one once it is
    // resolved.
    let medium = open("medium", "2026-02-28T12:00:00Z");
    assert_eq!(l.run(&waive("incident-sla", &medium)).code, 0);
    l.ok(&["resolve-incident", &critical]);
    assert_eq!(l.run(&waive("incident-sla", &critical)).code, 0);
    // The policy names the classes it protects.
    let policy = l.json(&["policy"]);
    assert_eq!(
        policy["waivers"]["never_open_incidents"][0]["severities"],
        serde_json::json!(["critical", "high"])
    );
}
