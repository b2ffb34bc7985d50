//! Importers on the project's fixtures and on variants of them.

use crate::harness::{Ledger, fixture};

fn import(l: &Ledger, kind: &str, file: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let path = file.to_str().unwrap();
    let mut args = vec!["import", kind, path];
    args.extend_from_slice(extra);
    l.json(&args)
}

#[test]
fn budget_summary_and_events_from_the_fixtures() {
    let l = Ledger::new();
    let s = import(
        &l,
        "budget-summary",
        &fixture("pi-budget_summary.json"),
        &[],
    );
    assert_eq!(
        (s["added"].clone(), s["skipped"].clone()),
        (13.into(), 0.into())
    );
    let budgets = l.json(&["budgets"]);
    let floor = budgets
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["budget"] == "tool_call_throughput_min")
        .unwrap();
    assert_eq!(floor["direction"], "min", "a calls/sec minimum is a floor");
    let e = import(
        &l,
        "budget-events",
        &fixture("pi-budget_events.jsonl"),
        &["--at", "2026-02-08T02:11:50Z"],
    );
    assert_eq!(
        (e["added"].clone(), e["no_data"].clone()),
        (3.into(), 10.into())
    );
    let rss = l
        .json(&["budgets"])
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["budget"] == "idle_memory_rss")
        .unwrap()
        .clone();
    assert_eq!(rss["last_value"], 4.19921875);

    // The same files again change nothing.
    let head = l.head();
    let s = import(
        &l,
        "budget-summary",
        &fixture("pi-budget_summary.json"),
        &[],
    );
    assert_eq!(s["skipped"], 13);
    let e = import(
        &l,
        "budget-events",
        &fixture("pi-budget_events.jsonl"),
        &["--at", "2026-02-08T02:11:50Z"],
    );
    assert_eq!(e["skipped"], 3);
    assert_eq!(l.head(), head);
}

#[test]
fn a_changed_threshold_is_a_new_version_from_generated_at() {
    let l = Ledger::new();
    import(
        &l,
        "budget-summary",
        &fixture("pi-budget_summary.json"),
        &[],
    );
    let text = std::fs::read_to_string(fixture("pi-budget_summary.json"))
        .unwrap()
        .replace("\"threshold\": 100.0", "\"threshold\": 120.0")
        .replace(
            "2026-02-08T02:11:50.551273351+00:00",
            "2026-02-20T00:00:00Z",
        )
        .replace("pi.perf.budget_summary.v1", "pi.perf.budget_summary.v2");
    std::fs::write(l.path("v2.json"), text).unwrap();
    let s = import(&l, "budget-summary", &l.path("v2.json"), &[]);
    assert_eq!(
        (s["updated"].clone(), s["skipped"].clone()),
        (1.into(), 12.into())
    );
    let find = |v: &serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|b| b["budget"] == "startup_version_p95")
            .unwrap()["threshold"]
            .clone()
    };
    assert_eq!(find(&l.json(&["budgets"])), 120.0);
    assert_eq!(
        find(&l.json(&["budgets", "--as-of", "2026-02-10", "--include-late"])),
        100.0,
        "the old threshold held before"
    );
}

#[test]
fn events_for_unknown_budgets_and_broken_lines_write_nothing() {
    let l = Ledger::new();
    l.rejects(
        &[
            "import",
            "budget-events",
            fixture("pi-budget_events.jsonl").to_str().unwrap(),
        ],
        "line 1: unknown budget \"startup_version_p95\"",
    );
    import(
        &l,
        "budget-summary",
        &fixture("pi-budget_summary.json"),
        &[],
    );
    let mut text = std::fs::read_to_string(fixture("pi-budget_events.jsonl")).unwrap();
    text.push_str("{\"budget_name\": \"idle_memory_rss\", \"actual\": \n");
    std::fs::write(l.path("broken.jsonl"), text).unwrap();
    l.rejects(
        &[
            "import",
            "budget-events",
            l.path("broken.jsonl").to_str().unwrap(),
        ],
        "broken.jsonl, line 14: not a JSON object",
    );
}

#[test]
fn conformance_summary_feeds_the_gates_and_tiers() {
    let l = Ledger::new();
    let s = import(
        &l,
        "conformance-summary",
        &fixture("pi-conformance_summary.json"),
        &[],
    );
    assert_eq!(s["added"], 9, "four gates and five tiers: {s}");
    let gates = l.json(&["gates"]);
    let get = |id: &str| {
        gates
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["gate"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(get("corpus-pass-rate")["value"], 100.0);
    assert_eq!(get("corpus-pass-rate")["at"], "2026-02-08T04:05:29Z");
    assert_eq!(get("max-na")["value"], 163.0);
    assert_eq!(get("max-na")["passed"], true);
    assert_eq!(get("policy-negative")["value"], 100.0);
    let head = l.head();
    import(
        &l,
        "conformance-summary",
        &fixture("pi-conformance_summary.json"),
        &[],
    );
    assert_eq!(
        l.head(),
        head,
        "importing the same summary twice changes nothing"
    );
}

#[test]
fn files_of_the_wrong_kind_are_rejected() {
    let l = Ledger::new();
    l.rejects(
        &[
            "import",
            "budget-summary",
            fixture("pi-conformance_summary.json").to_str().unwrap(),
        ],
        "\"pi.ext.conformance_summary.v2\" is not a budget summary",
    );
    l.rejects(
        &[
            "import",
            "changelog",
            fixture("pi-budget_summary.json").to_str().unwrap(),
        ],
        "has no release headings",
    );
    std::fs::write(
        l.path("bad.json"),
        "{\"schema\": \"pi.ext.conformance_summary.v2\", \"counts\": ",
    )
    .unwrap();
    l.rejects(
        &[
            "import",
            "conformance-summary",
            l.path("bad.json").to_str().unwrap(),
        ],
        "not valid JSON",
    );
    std::fs::write(
        l.path("v9.json"),
        "{\"schema\": \"pi.ext.inclusion_list.v9\"}",
    )
    .unwrap();
    l.rejects(
        &[
            "import",
            "inclusion-list",
            l.path("v9.json").to_str().unwrap(),
        ],
        "expected pi.ext.inclusion_list.v1",
    );
    l.rejects(
        &["import", "changelog", "missing.md"],
        "cannot read missing.md",
    );
    l.rejects(
        &["import", "spreadsheet", "x"],
        "invalid value 'spreadsheet'",
    );
}

#[test]
fn the_inclusion_list_keeps_every_entry_and_reports_violations() {
    let l = Ledger::new();
    let s = import(
        &l,
        "inclusion-list",
        &fixture("pi-extension-inclusion-list.json"),
        &[],
    );
    assert_eq!(s["added"], 217);
    assert!(s["violations"].as_array().unwrap().len() > 100);
    let official = l.json(&["extensions", "--tier", "official"]);
    assert_eq!(official.as_array().unwrap().len(), 60);
    let npm = l.json(&["extensions", "--tier", "npm-registry", "--violations"]);
    assert!(
        npm.as_array()
            .unwrap()
            .iter()
            .all(|e| e["license"] == "UNKNOWN" || !e["violations"].as_array().unwrap().is_empty())
    );
    assert_eq!(l.run(&["extensions", "--check"]).code, 1);

    // A newer list without two entries reports them and removes nothing.
    let text = std::fs::read_to_string(fixture("pi-extension-inclusion-list.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let tier1 = doc["tier1"].as_array_mut().unwrap();
    let gone: Vec<String> = tier1
        .drain(..2)
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    doc["generated_at"] = "2026-02-20T00:00:00Z".into();
    std::fs::write(l.path("newer.json"), doc.to_string()).unwrap();
    let s = import(&l, "inclusion-list", &l.path("newer.json"), &[]);
    assert_eq!(s["added"], 0);
    let missing: Vec<String> = s["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .collect();
    assert_eq!(missing, gone);
    assert_eq!(l.json(&["extensions"]).as_array().unwrap().len(), 217);
}

const CHANGELOG: &str = "# Changelog\n\n## [Unreleased]\n\n## [Unreleased] — second note\n\n\
## [v0.4.0] — 2026-02-08 — **Release**\n\n### Breaking Changes\n\n- gone\n\n\
## [v0.3.1] -- 2026-01-20 -- Tag-only\n\n## [v0.3.0] - 2026-01-10\n\n\
## [v0.2.0] — 2025-12-01 — Unpublished milestone\n\n## [v1.0.0-rc.1] — 2026-02-20 — Draft\n\n\
## [v1.0.0] — 2026-06-01 — Draft\n";

#[test]
fn changelog_headings_become_releases_and_conflicts_are_reported() {
    let l = Ledger::new();
    std::fs::write(l.path("CHANGELOG.md"), CHANGELOG).unwrap();
    let s = import(&l, "changelog", &l.path("CHANGELOG.md"), &[]);
    assert_eq!(s["added"], 5);
    assert!(
        s["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().starts_with("1.0.0 is dated 2026-06-01")),
        "a planned release is not recorded: {s}"
    );
    let rows = l.json(&["releases"]);
    let get = |v: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["version"] == v)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            get("0.4.0")["breaking"].clone(),
            get("0.4.0")["status"].clone()
        ),
        (true.into(), "released".into())
    );
    assert_eq!(get("0.3.1")["status"], "tag-only");
    assert_eq!(get("0.3.0")["status"], "released");
    assert_eq!(get("0.2.0")["status"], "unpublished");
    assert_eq!(get("1.0.0-rc.1")["channel"], "pre-release");

    let head = l.head();
    let s = import(&l, "changelog", &l.path("CHANGELOG.md"), &[]);
    assert_eq!(s["skipped"], 5);
    assert_eq!(l.head(), head);

    std::fs::write(
        l.path("changed.md"),
        CHANGELOG.replace("2026-01-20", "2026-01-21"),
    )
    .unwrap();
    let r = l.run(&[
        "import",
        "changelog",
        l.path("changed.md").to_str().unwrap(),
        "--json",
    ]);
    let s = r.json();
    assert_eq!(s["conflicts"].as_array().unwrap().len(), 1);
    assert!(s["conflicts"][0].as_str().unwrap().starts_with("0.3.1"));
    assert_eq!(l.head(), head, "a conflict changes nothing");
    let r = l.run(&[
        "import",
        "changelog",
        l.path("changed.md").to_str().unwrap(),
        "--check",
    ]);
    assert_eq!(r.code, 1);
}

#[test]
fn import_help_says_that_check_still_writes() {
    let l = Ledger::new();
    let r = l.run(&["import", "--help"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("With --check the import is still written"),
        "{}",
        r.stdout
    );
}
