//! Recording: every record command validates before it writes.

use crate::harness::Ledger;

#[test]
fn init_twice_is_harmless_and_a_changed_policy_is_a_new_version() {
    let l = Ledger::new();
    let before = l.head();
    let v = l.json(&["init"]);
    assert_eq!(v["policy_changed"], false);
    assert_eq!(l.head(), before, "a second init must not write");

    let policy = include_str!("../../seed/policy.toml").replace("threshold = 36", "threshold = 40");
    std::fs::write(l.path("p.toml"), policy).unwrap();
    let v = l.json(&["init", "--policy", l.path("p.toml").to_str().unwrap()]);
    assert_eq!(
        (v["policy_changed"].clone(), v["policy_version"].clone()),
        (true.into(), 2.into())
    );
    let p = l.json(&["policy"]);
    let max_failures = p["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "max-failures")
        .unwrap();
    assert_eq!(max_failures["threshold"], 40.0);
    assert_eq!(p["version"], 2);
}

#[test]
fn a_broken_policy_is_rejected_with_file_line_and_field() {
    let l = Ledger::new();
    let policy = include_str!("../../seed/policy.toml").replacen("unit = \"warnings\"\n", "", 1);
    std::fs::write(l.path("p.toml"), policy).unwrap();
    let r = l.rejects(
        &["init", "--policy", l.path("p.toml").to_str().unwrap()],
        "p.toml, line ",
    );
    assert!(r.stderr.contains("unit"), "{}", r.stderr);
}

#[test]
fn commands_before_init_name_the_missing_file_and_exit_3() {
    let l = Ledger::empty();
    let r = l.run(&["releases"]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.contains("no ledger at") && r.stderr.contains("ledger init"),
        "{}",
        r.stderr
    );
    assert!(!l.exists(), "a query must not create a ledger");
}

#[test]
fn releases_are_recorded_once_with_their_channel_and_tag() {
    let l = Ledger::new();
    l.ok(&[
        "record-release",
        "v0.4.0",
        "--date",
        "2026-02-08",
        "--commit",
        "9C41E07",
    ]);
    l.ok(&[
        "record-release",
        "1.0.0-rc.1",
        "--date",
        "2026-02-20",
        "--status",
        "draft",
    ]);
    let rows = l.json(&["releases"]);
    assert_eq!(rows[0]["version"], "1.0.0-rc.1");
    assert_eq!(rows[0]["channel"], "pre-release");
    assert_eq!(rows[1]["tag"], "v0.4.0");
    assert_eq!(rows[1]["date"], "2026-02-08");
    assert_eq!(rows[1]["commit"], "9c41e07");

    l.rejects(
        &["record-release", "0.4.0"],
        "release \"0.4.0\" is already recorded",
    );
    l.rejects(&["record-release", "0.4"], "invalid version \"0.4\"");
    l.rejects(
        &["record-release", "0.5.0", "--status", "shipped"],
        "known release statuses: released, tag-only",
    );
    l.rejects(
        &["record-release", "0.5.0", "--date", "2027-01-01"],
        "is in the future",
    );
    l.rejects(
        &["record-release", "0.5.0", "--commit", "xyz"],
        "invalid commit \"xyz\"",
    );
}

#[test]
fn gate_values_are_judged_against_the_policy() {
    let l = Ledger::new();
    let v = l.json(&["record-gate", "corpus-pass-rate", "--value", "79.9"]);
    assert_eq!(
        (v["passed"].clone(), v["threshold"].clone()),
        (false.into(), 80.0.into())
    );
    let v = l.json(&["record-gate", "max-failures", "--value", "36"]);
    assert_eq!(v["passed"], true);
    let v = l.json(&["record-gate", "clippy", "--fail", "--platform", "macos"]);
    assert_eq!(v["passed"], false);

    l.rejects(
        &["record-gate", "clipy", "--pass"],
        "unknown gate \"clipy\"; known gates: fmt, clippy,",
    );
    l.rejects(
        &["record-gate", "clippy", "--value", "0"],
        "runs per platform; pass --platform",
    );
    l.rejects(
        &["record-gate", "clippy", "--pass", "--platform", "beos"],
        "unknown platform \"beos\"",
    );
    l.rejects(
        &["record-gate", "max-na", "--pass", "--platform", "linux"],
        "does not run per platform",
    );
    l.rejects(
        &[
            "record-gate",
            "fmt",
            "--pass",
            "--fail",
            "--platform",
            "linux",
        ],
        "cannot be used with",
    );
    l.rejects(&["record-gate", "fmt", "--platform", "linux"], "required");
}

#[test]
fn budget_measurements_need_a_known_budget() {
    let l = Ledger::new();
    l.ok(&[
        "record-budget",
        "cold-load-p95",
        "--value",
        "240",
        "--at",
        "2026-02-28",
    ]);
    let rows = l.json(&["budgets"]);
    let cold = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["budget"] == "cold-load-p95")
        .unwrap();
    assert_eq!(
        (cold["last_value"].clone(), cold["over_pct"].clone()),
        (240.0.into(), 20.0.into())
    );
    assert_eq!(cold["standing"], "over");
    l.rejects(
        &["record-budget", "cold-load", "--value", "1"],
        "unknown budget \"cold-load\"; known budgets: cold-load-p95",
    );
    l.rejects(
        &["record-budget", "cold-load-p95", "--value", "fast"],
        "invalid value 'fast'",
    );
}

#[test]
fn deprecations_and_removals_are_checked() {
    let l = Ledger::new();
    l.ok(&[
        "deprecate",
        "ctx.legacyLog",
        "--kind",
        "api",
        "--in",
        "0.3.0",
        "--replacement",
        "ctx.log",
    ]);
    l.rejects(
        &[
            "deprecate",
            "ctx.legacyLog",
            "--kind",
            "api",
            "--in",
            "0.3.0",
        ],
        "already recorded",
    );
    l.rejects(
        &["deprecate", "x", "--kind", "abi", "--in", "0.3.0"],
        "known deprecation kinds: api, capability-policy, cli-flag, extension-api",
    );
    l.rejects(
        &["remove", "ctx.nope", "--in", "0.4.0"],
        "unknown deprecated item \"ctx.nope\"; known deprecated items: ctx.legacyLog",
    );
    l.rejects(
        &["remove", "ctx.legacyLog", "--in", "0.2.0"],
        "a version after 0.3.0",
    );
    // A flag can be deprecated by name.
    l.ok(&[
        "deprecate",
        "--no-sandbox",
        "--kind",
        "cli-flag",
        "--in",
        "0.3.0",
        "--replacement",
        "--sandbox=off",
    ]);
    // Removing before the window is recorded as it happened, with a warning.
    let r = l.run(&["remove", "ctx.legacyLog", "--in", "0.3.1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("premature"), "{}", r.stderr);
    let rows = l.json(&["deprecations", "--premature"]);
    assert_eq!(rows[0]["item"], "ctx.legacyLog");
    assert_eq!(rows[0]["status"], "premature");
}

#[test]
fn adding_an_extension_lists_every_failing_rule() {
    let l = Ledger::new();
    let r = l.rejects(
        &[
            "add-extension",
            "bad",
            "--tier",
            "community",
            "--license",
            "GPL-3.0",
            "--provenance",
            "npm:bad",
            "--doctor",
            "fail",
            "--patched",
        ],
        "adding extension \"bad\" is refused",
    );
    for rule in [
        "doctor verdict fail",
        "license GPL-3.0",
        "provenance not pinnable",
        "patches",
    ] {
        assert!(r.stderr.contains(rule), "missing {rule:?}: {}", r.stderr);
    }
    l.rejects(
        &[
            "add-extension",
            "x",
            "--tier",
            "gold",
            "--license",
            "MIT",
            "--provenance",
            "npm:x@1.0.0",
        ],
        "unknown tier \"gold\"",
    );
    l.rejects(
        &[
            "add-extension",
            "x",
            "--tier",
            "npm",
            "--license",
            "MIT",
            "--provenance",
            "npm:x@1.0.0",
        ],
        "doctor verdict missing",
    );

    l.ok(&[
        "add-extension",
        "good",
        "--tier",
        "npm",
        "--license",
        "MIT",
        "--provenance",
        "npm:good@1.2.3",
        "--doctor",
        "pass",
    ]);
    l.rejects(
        &[
            "add-extension",
            "good",
            "--tier",
            "npm",
            "--license",
            "MIT",
            "--provenance",
            "npm:good@1.2.3",
            "--doctor",
            "pass",
        ],
        "already recorded",
    );
    l.rejects(
        &["remove-extension", "good", "--reason", "boredom"],
        "known removal reasons: license-change",
    );
    l.rejects(
        &["remove-extension", "nope", "--reason", "license-change"],
        "unknown extension \"nope\"",
    );
    l.ok(&["remove-extension", "good", "--reason", "license-change"]);
    // Removed twice: the message names what happened, not "unknown".
    l.rejects(
        &["remove-extension", "good", "--reason", "license-change"],
        "it was removed from it already",
    );
    let removed = l.json(&["extensions", "--removed"]);
    assert_eq!(removed[0]["id"], "good");
    assert_eq!(l.json(&["extensions"]).as_array().unwrap().len(), 0);
}

#[test]
fn incidents_move_through_triage_and_resolution() {
    let l = Ledger::new();
    let id = l.ok(&[
        "open-incident",
        "--kind",
        "security",
        "--severity",
        "high",
        "--title",
        "escape",
        "--at",
        "2026-02-27",
    ]);
    let id = id.trim();
    assert!(
        id.parse::<i64>().is_ok(),
        "open-incident prints the id alone: {id:?}"
    );
    l.ok(&["triage-incident", id, "--at", "2026-02-27T06:00:00Z"]);
    l.rejects(&["triage-incident", id], "already triaged");
    l.rejects(
        &["resolve-incident", id, "--at", "2026-02-26"],
        "after incident",
    );
    // The fix must ship in a release the ledger knows.
    l.rejects(
        &["resolve-incident", id, "--release", "0.4.1"],
        "invalid fix release \"0.4.1\"",
    );
    l.ok(&["record-release", "0.4.1", "--date", "2026-02-28"]);
    l.ok(&["resolve-incident", id, "--release", "0.4.1"]);
    l.rejects(&["resolve-incident", id], "already resolved");
    l.rejects(&["triage-incident", "999"], "unknown incident \"999\"");
    l.rejects(
        &[
            "open-incident",
            "--kind",
            "security",
            "--severity",
            "urgent",
            "--title",
            "x",
        ],
        "known severities: critical",
    );
    l.rejects(
        &[
            "open-incident",
            "--kind",
            "security",
            "--severity",
            "low",
            "--title",
            "x",
            "--over-pct",
            "30",
        ],
        "--over-pct applies to performance-regression",
    );
    l.rejects(
        &[
            "open-incident",
            "--kind",
            "other",
            "--severity",
            "low",
            "--title",
            "  ",
        ],
        "invalid title",
    );
    let rows = l.json(&["incidents"]);
    assert_eq!(rows[0]["fix_release"], "0.4.1");
    assert_eq!(
        rows[0]["sla_state"], "breached",
        "resolved 84 h after opening, 48 h allowed"
    );
    assert_eq!(
        rows[0]["overdue"], false,
        "a resolved incident is not overdue"
    );
}

#[test]
fn maintenance_and_attestations_need_known_names() {
    let l = Ledger::new();
    l.ok(&[
        "record-maintenance",
        "dependency-audit",
        "--at",
        "2026-02-28",
    ]);
    l.rejects(
        &["record-maintenance", "dep-audit"],
        "unknown task \"dep-audit\"; known tasks: dependency-audit",
    );
    l.ok(&["attest", "docs-complete", "--by", "alice", "--note", "done"]);
    l.rejects(
        &["attest", "docs"],
        "unknown criterion \"docs\"; known criteria: docs-complete, security-review",
    );
}

#[test]
fn a_retracted_entry_stops_counting_but_stays_in_the_journal() {
    let mut l = Ledger::new();
    l.now = "2026-03-01T12:00:00Z".into();
    let v = l.json(&["record-release", "0.4.0", "--date", "2026-02-08"]);
    let entry = v["entry"].as_i64().unwrap().to_string();
    l.now = "2026-03-02T12:00:00Z".into();
    l.ok(&["retract", &entry, "--reason", "wrong version"]);
    assert_eq!(l.json(&["releases"]).as_array().unwrap().len(), 0);
    let then = l.json(&["releases", "--as-of", "2026-03-01T18:00:00Z"]);
    assert_eq!(
        then[0]["version"], "0.4.0",
        "as of before the retraction it still counts"
    );
    l.rejects(
        &["retract", &entry, "--reason", "again"],
        "already retracted",
    );
    l.rejects(&["retract", "9999", "--reason", "x"], "no entry 9999");
    l.rejects(&["retract", "2", "--reason", "x"], "cannot be retracted");
    // The version can be recorded again once the mistake is retracted.
    l.ok(&["record-release", "0.4.1", "--date", "2026-02-08"]);
}

#[test]
fn query_flags_are_refused_on_writes_and_json_errors_go_to_stdout() {
    let l = Ledger::new();
    l.rejects(
        &[
            "record-maintenance",
            "dependency-audit",
            "--as-of",
            "2026-01-01",
        ],
        "--as-of answers queries",
    );
    let r = l.rejects(&["record-gate", "nope", "--pass", "--json"], "unknown gate");
    let v = r.json();
    assert_eq!(v["error"]["code"], "unknown-name");
    assert!(v["error"]["message"].as_str().unwrap().contains("\"nope\""));
    let r = l.run(&["no-such-command", "--json"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.json()["error"]["code"], "invalid-input");
    // However JSON was asked for, a usage error is JSON too.
    for args in [
        &["drift", "--days", "x", "--format", "json"][..],
        &["drift", "--days", "x", "--format=json"][..],
    ] {
        let r = l.run(args);
        assert_eq!(r.code, 2);
        assert_eq!(r.json()["error"]["code"], "invalid-input", "{args:?}");
    }
}

#[test]
fn a_bad_clock_is_invalid_input() {
    let mut l = Ledger::new();
    l.now = "yesterday".into();
    let r = l.run(&["releases"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("invalid time \"yesterday\""),
        "{}",
        r.stderr
    );
}

#[test]
fn unknown_projects_are_listed_and_init_registers_one() {
    let l = Ledger::new();
    l.rejects(
        &["--project", "asupersync", "record-release", "0.1.0"],
        "unknown project \"asupersync\"; known projects: pi",
    );
    l.ok(&["--project", "asupersync", "init"]);
    l.ok(&[
        "--project",
        "asupersync",
        "record-release",
        "0.1.0",
        "--date",
        "2026-02-01",
    ]);
    assert_eq!(
        l.json(&["--project", "asupersync", "releases"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        l.json(&["releases"]).as_array().unwrap().len(),
        0,
        "projects are separate"
    );
}

/// A write result names the journal kind `entry_kind`, beside the record's
/// own fields under their own names.
#[test]
fn write_results_keep_the_records_own_kind() {
    let l = Ledger::new();
    let v = l.json(&[
        "open-incident",
        "--kind",
        "security",
        "--severity",
        "low",
        "--title",
        "t",
    ]);
    assert_eq!(v["entry_kind"], "incident");
    assert_eq!(v["kind"], "security");
    let v = l.json(&["record-gate", "fmt", "--value", "0", "--platform", "linux"]);
    assert_eq!(v["entry_kind"], "gate-result");
    assert!(v.get("kind").is_none(), "{v}");
}
