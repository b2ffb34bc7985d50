//! Governance answers and `--check` exit codes on small histories.

use crate::harness::Ledger;

#[test]
fn an_overdue_deprecation_fails_the_check_from_the_first_opportunity() {
    let l = Ledger::new();
    l.ok(&["record-release", "0.3.0", "--date", "2026-01-05"]);
    l.ok(&["record-release", "0.3.1", "--date", "2026-01-20"]);
    l.ok(&[
        "deprecate",
        "api.old",
        "--kind",
        "api",
        "--in",
        "0.3.0",
        "--at",
        "2026-01-05",
    ]);
    assert_eq!(l.run(&["deprecations", "--check"]).code, 0);
    assert_eq!(l.json(&["deprecations"])[0]["status"], "active");
    // A draft of the next minor does not count.
    l.ok(&[
        "record-release",
        "0.4.0",
        "--date",
        "2026-02-01",
        "--status",
        "draft",
    ]);
    assert_eq!(l.json(&["deprecations"])[0]["status"], "active");
    l.ok(&["record-release", "0.4.1", "--date", "2026-02-10"]);
    let rows = l.json(&["deprecations", "--overdue"]);
    assert_eq!(rows[0]["status"], "overdue");
    assert_eq!(rows[0]["overdue_since"], "2026-02-10T00:00:00Z");
    assert_eq!(l.run(&["deprecations", "--check"]).code, 1);
    assert_eq!(
        l.run(&[
            "deprecations",
            "--check",
            "--as-of",
            "2026-02-05",
            "--include-late"
        ])
        .code,
        0
    );
}

#[test]
fn drift_flags_a_budget_that_worsens_and_a_floor_that_falls() {
    let l = Ledger::new();
    let summary = r#"{"schema":"pi.perf.budget_summary.v1","generated_at":"2026-01-01T00:00:00Z",
        "budgets":[{"name":"throughput","category":"tool_call","metric":"minimum calls/sec",
        "threshold":5000,"unit":"calls/sec","ci_enforced":true}]}"#;
    std::fs::write(l.path("s.json"), summary).unwrap();
    l.ok(&[
        "import",
        "budget-summary",
        l.path("s.json").to_str().unwrap(),
    ]);
    for (day, cold, thr) in [
        (10, 100, 8000),
        (13, 101, 7800),
        (16, 104, 7000),
        (19, 112, 6600),
        (22, 118, 6200),
        (25, 121, 6000),
    ] {
        let at = format!("2026-02-{day}");
        l.ok(&[
            "record-budget",
            "cold-load-p95",
            "--value",
            &cold.to_string(),
            "--at",
            &at,
        ]);
        l.ok(&[
            "record-budget",
            "throughput",
            "--value",
            &thr.to_string(),
            "--at",
            &at,
        ]);
    }
    // Six samples are too few for the change-point detector to judge.
    let rows = l.json(&["drift", "--days", "30"]);
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["samples"] == 6)
            .all(|r| r["status"] == "too-few-samples"),
        "{rows}"
    );
    // The thirds method judges them as it always did.
    let rows = l.json(&["drift", "--days", "30", "--method", "thirds"]);
    let get = |b: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["budget"] == b)
            .unwrap()
            .clone()
    };
    let cold = get("cold-load-p95");
    assert_eq!(cold["status"], "drifting");
    assert_eq!(cold["samples"], 6);
    assert!(
        (cold["change_pct"].as_f64().unwrap() - 18.906).abs() < 0.01,
        "{cold}"
    );
    let thr = get("throughput");
    assert_eq!(
        (thr["direction"].clone(), thr["status"].clone()),
        ("min".into(), "drifting".into())
    );
    assert_eq!(get("binary-size")["status"], "no-data");
    assert_eq!(rows[0]["status"], "drifting", "worst first");
    assert_eq!(l.run(&["drift", "--check", "--method", "thirds"]).code, 1);
    assert_eq!(l.run(&["drift", "--check"]).code, 0);
    l.rejects(
        &["drift", "--method", "median"],
        "unknown drift method \"median\"",
    );
    // A short window holds only the last samples.
    assert_eq!(
        l.json(&["drift", "--days", "7"])
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["budget"] == "cold-load-p95")
            .unwrap()["samples"],
        1
    );
    l.rejects(&["drift", "--days", "0"], "0");
    let table = l.ok(&["drift"]);
    assert!(
        table.contains('▁') && table.contains('█'),
        "a trend line per budget: {table}"
    );
}

#[test]
fn drift_finds_a_step_says_when_and_names_the_release_that_shipped_it() {
    let l = Ledger::new();
    // Nightly samples through February: the cold load steps from about
    // 100 ms to about 125 ms on the 16th, after 1.3.0 shipped.
    l.ok(&["record-release", "1.3.0", "--date", "2026-02-01T12:00:00Z"]);
    for day in 1..=28 {
        let wobble = [0.0, 1.5, -1.0, 0.5, -1.5, 1.0][day % 6];
        let value = if day >= 16 { 125.0 } else { 100.0 } + wobble;
        l.ok(&[
            "record-budget",
            "cold-load-p95",
            "--value",
            &value.to_string(),
            "--at",
            &format!("2026-02-{day:02}T03:00:00Z"),
        ]);
    }
    // Checked before 1.4.0 is cut, the shift since 1.3.0 is a warning.
    let c = l.json(&["check-release", "1.4.0"]);
    let warning = c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "budget-drift")
        .expect("a budget-drift warning");
    assert_eq!(warning["severity"], "warning");
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("on 2026-02-16 after 1.3.0, so 1.4.0 would ship it"),
        "{warning}"
    );
    // 1.4.0 ships it.
    l.ok(&["record-release", "1.4.0", "--date", "2026-02-20T12:00:00Z"]);
    let rows = l.json(&["drift", "--days", "30"]);
    let cold = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["budget"] == "cold-load-p95")
        .unwrap()
        .clone();
    assert_eq!(cold["status"], "drifting", "{cold}");
    let shift = &cold["shifts"][0];
    assert_eq!(shift["at"], "2026-02-16T03:00:00Z");
    assert_eq!(shift["release"], "1.4.0", "{shift}");
    assert!(
        (shift["change_pct"].as_f64().unwrap() - 25.0).abs() < 2.0,
        "{shift}"
    );
    assert!(shift["p_value"].as_f64().unwrap() <= 0.001, "{shift}");
    assert_eq!(shift["accepted"], false);
    assert_eq!(l.run(&["drift", "--check"]).code, 1);
    // Shipped, it is no longer news to the next release's check.
    let c = l.json(&["check-release", "1.5.0"]);
    assert!(
        !c["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "budget-drift"),
        "{c}"
    );

    // Expected: accepted, it is the new baseline and no longer flagged.
    l.rejects(
        &[
            "accept-shift",
            "cold-load",
            "--at",
            "2026-02-16T03:00:00Z",
            "--reason",
            "x",
        ],
        "unknown budget \"cold-load\"",
    );
    l.rejects(
        &[
            "accept-shift",
            "cold-load-p95",
            "--at",
            "2026-03-05",
            "--reason",
            "x",
        ],
        "a time not after now",
    );
    // A time with no shift near it (more than 5 samples away) accepts
    // nothing, so it records nothing.
    l.rejects(
        &[
            "accept-shift",
            "cold-load-p95",
            "--at",
            "2026-02-05T03:00:00Z",
            "--reason",
            "x",
        ],
        "no shift of cold-load-p95 within 5 samples of 2026-02-05T03:00:00Z to accept",
    );
    let accepted = l.json(&[
        "accept-shift",
        "cold-load-p95",
        "--at",
        "2026-02-16T03:00:00Z",
        "--reason",
        "sandbox checks added on every load",
    ]);
    assert_eq!(accepted["entry_kind"], "shift-acceptance");
    let cold = |l: &Ledger| {
        l.json(&["drift"])
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["budget"] == "cold-load-p95")
            .unwrap()
            .clone()
    };
    assert_eq!(cold(&l)["status"], "ok");
    assert_eq!(cold(&l)["shifts"][0]["accepted"], true);
    assert_eq!(l.run(&["drift", "--check"]).code, 0);
    // The release check names it, as information.
    let c = l.json(&["check-release", "1.5.0"]);
    let info = c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "shift-accepted")
        .expect("the accepted shift is listed");
    assert_eq!(info["severity"], "info");
    assert_eq!(c["allowed"], true);
    // Retracted, the shift is flagged again.
    let entry = accepted["entry"].to_string();
    l.ok(&["retract", &entry, "--reason", "the runner, not the code"]);
    assert_eq!(cold(&l)["status"], "drifting");
}

#[test]
fn incidents_report_overdue_hours() {
    let l = Ledger::new();
    l.ok(&[
        "open-incident",
        "--kind",
        "conformance-regression",
        "--severity",
        "medium",
        "--title",
        "regressed",
        "--at",
        "2026-02-27T12:00:00Z",
    ]);
    let rows = l.json(&["incidents", "--overdue"]);
    assert_eq!(rows[0]["overdue"], true);
    assert_eq!(
        rows[0]["overdue_by_hours"], 24.0,
        "due 24 h after opening, now is 48 h after"
    );
    assert_eq!(l.run(&["incidents", "--check"]).code, 1);
    assert_eq!(
        l.json(&[
            "incidents",
            "--overdue",
            "--as-of",
            "2026-02-28T12:00:00Z",
            "--include-late"
        ])
        .as_array()
        .unwrap()
        .len(),
        0
    );
}

#[test]
fn readiness_lists_blockers_until_every_criterion_is_met() {
    let l = Ledger::new();
    let r = l.json(&["readiness", "1.0"]);
    assert_eq!(r["ready"], false);
    assert_eq!(r["criteria"].as_array().unwrap().len(), 7);
    assert!(
        r["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["met"] == false)
    );
    assert_eq!(l.run(&["readiness", "--check"]).code, 1);
    l.rejects(
        &["readiness", "2.0"],
        "unknown milestone \"2.0\"; known milestones: 1.0",
    );
    // Sign-offs meet their criteria; a later capability-policy deprecation stales the review.
    l.ok(&["attest", "security-review", "--at", "2026-02-01"]);
    let met = |r: &serde_json::Value, id: &str| {
        r["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()["met"]
            .clone()
    };
    assert_eq!(met(&l.json(&["readiness"]), "security-review"), true);
    l.ok(&[
        "deprecate",
        "balanced-net",
        "--kind",
        "capability-policy",
        "--in",
        "0.4.0",
        "--at",
        "2026-02-10",
    ]);
    let r = l.json(&["readiness"]);
    assert_eq!(met(&r, "security-review"), false);
    let c = r["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "security-review")
        .unwrap();
    assert!(c["blockers"][0].as_str().unwrap().contains("stale"), "{c}");
}

#[test]
fn check_release_blocks_on_failing_gates_and_open_security_incidents() {
    let l = Ledger::new();
    let v = l.json(&["check-release", "0.5.0"]);
    assert_eq!(v["allowed"], true);
    assert_eq!(l.run(&["check-release", "0.5.0", "--check"]).code, 0);
    l.ok(&[
        "record-gate",
        "unit-tests",
        "--value",
        "98",
        "--platform",
        "windows",
    ]);
    l.ok(&[
        "open-incident",
        "--kind",
        "security",
        "--severity",
        "critical",
        "--title",
        "rce",
        "--at",
        "2026-03-01",
    ]);
    l.ok(&[
        "record-budget",
        "binary-size",
        "--value",
        "55",
        "--at",
        "2026-02-28",
    ]);
    let v = l.json(&["check-release", "v0.5.0"]);
    assert_eq!(v["allowed"], false);
    let rules: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["severity"].as_str().unwrap(), f["rule"].as_str().unwrap()))
        .collect();
    assert!(rules.contains(&("blocking", "gate-failing")), "{rules:?}");
    assert!(rules.contains(&("blocking", "security-open")), "{rules:?}");
    assert!(
        rules.contains(&("warning", "budget-over")),
        "10% over warns: {rules:?}"
    );
    assert_eq!(l.run(&["check-release", "0.5.0", "--check"]).code, 1);
    l.rejects(&["check-release", "five"], "invalid version \"five\"");
}

#[test]
fn status_is_one_screen_of_everything() {
    let mut l = Ledger::new();
    l.ok(&["record-release", "0.4.0", "--date", "2026-02-08"]);
    let out = l.ok(&["status"]);
    for part in [
        "Latest release: v0.4.0",
        "Failing gates",
        "Deprecations",
        "Incidents",
        "Maintenance overdue (0)",
        "Readiness for 1.0: not ready",
    ] {
        assert!(out.contains(part), "status lacks {part:?}:\n{out}");
    }
    let v = l.json(&["status"]);
    assert_eq!(v["latest_release"]["version"], "0.4.0");
    assert_eq!(
        l.run(&["status", "--check"]).code,
        0,
        "nothing is overdue on the day the ledger starts"
    );
    // A week and a day later, the three weekly tasks never done are.
    l.now = "2026-03-09T12:00:00Z".into();
    assert!(l.ok(&["status"]).contains("Maintenance overdue (3)"));
    assert_eq!(
        l.run(&["status", "--check"]).code,
        1,
        "maintenance is overdue"
    );
}

/// A task never done is due one cadence after it came under the policy:
/// the project's start, or the policy version that added it.
#[test]
fn a_task_is_due_one_cadence_after_it_came_under_the_policy() {
    let mut l = Ledger::new();
    let weekly = |l: &Ledger| -> Vec<String> {
        l.json(&["maintenance", "--overdue"])
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["task"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(weekly(&l).is_empty(), "nothing overdue on day one");
    // Five days in, a policy version adds a weekly task.
    l.now = "2026-03-06T12:00:00Z".into();
    let added = format!(
        "{}\n[[maintenance.tasks]]\nid = \"fuzz-run\"\ntitle = \"Fuzz run\"\ncadence = \"weekly\"\n",
        include_str!("../../seed/policy.toml")
    );
    l.load_policy("p.toml", added);
    // Eight days in: the first weekly tasks are overdue, the added one is
    // due on the 13th.
    l.now = "2026-03-09T12:00:00Z".into();
    let overdue = weekly(&l);
    assert_eq!(overdue.len(), 3, "{overdue:?}");
    assert!(!overdue.contains(&"fuzz-run".to_string()));
    let rows = l.json(&["maintenance"]);
    let fuzz = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["task"] == "fuzz-run")
        .unwrap();
    assert_eq!(fuzz["next_due"], "2026-03-13T12:00:00Z");
    l.now = "2026-03-14T12:00:00Z".into();
    assert!(weekly(&l).contains(&"fuzz-run".to_string()));
}

/// check-release does not fail open: an overdue deprecation is a warning
/// naming the release it was due in, blocking in a major; a gate with no
/// result is "no evidence", blocking in a major and the milestone's
/// version (or always, when the policy says so).
#[test]
fn check_release_sees_overdue_deprecations_and_missing_evidence() {
    let l = Ledger::demo();
    let findings = |version: &str| -> Vec<serde_json::Value> {
        l.json(&["check-release", version])["findings"]
            .as_array()
            .unwrap()
            .clone()
    };
    let overdue = |version: &str| {
        findings(version)
            .into_iter()
            .find(|f| f["rule"] == "deprecation-overdue" && f["subject"] == "--no-sandbox")
            .unwrap()
    };
    let minor = overdue("1.3.0");
    assert_eq!(minor["severity"], "warning");
    assert!(
        minor["message"]
            .as_str()
            .unwrap()
            .contains("was due for removal in 0.5.1 and 1.3.0 still ships it"),
        "{minor}"
    );
    assert_eq!(overdue("2.0.0")["severity"], "blocking");
    assert_eq!(l.run(&["check-release", "2.0.0", "--check"]).code, 1);

    // A fresh ledger: every gate is without evidence.
    let fresh = Ledger::new();
    let r = fresh.run(&["check-release", "0.1.0", "--check"]);
    assert_eq!(r.code, 0, "a warning does not fail the check");
    let c = fresh.json(&["check-release", "0.1.0"]);
    assert!(
        c["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] == "gate-no-evidence")
    );
    assert_eq!(fresh.run(&["check-release", "1.0.0", "--check"]).code, 1);

    // A policy may make missing evidence block any release.
    let strict = Ledger::empty();
    let text = crate::harness::template("rust-cli", "demo-app").replacen(
        "[releases]\n",
        "[releases]\nmissing_evidence = \"block\"\n",
        1,
    );
    strict.load_policy("ledger.toml", &text);
    let r = strict.run(&["check-release", "0.1.0", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("gate-no-evidence"), "{}", r.stdout);
}
