//! Delivery metrics through the binary, and the links they read.

use crate::harness::Ledger;

#[test]
fn an_empty_ledger_has_no_delivery_figures_yet() {
    let l = Ledger::new();
    let d = l.json(&["delivery"]);
    assert_eq!(d["window_days"], 90);
    assert_eq!(d["releases"], 0);
    assert_eq!(d["release_frequency_bucket"], "yearly");
    for key in [
        "lead_time_median_hours",
        "change_failure_rate_pct",
        "time_to_restore_median_hours",
        "incidents_within_sla_pct",
    ] {
        assert!(d[key].is_null(), "{key}: {}", d[key]);
    }
}

#[test]
fn delivery_reads_commit_dates_fixes_and_introducing_releases() {
    // Now: 2026-03-01 12:00.
    let l = Ledger::new();
    l.ok(&[
        "record-release",
        "0.4.0",
        "--date",
        "2026-02-02",
        "--commit-date",
        "2026-02-01T00:00:00Z",
    ]);
    l.ok(&[
        "record-release",
        "0.4.1",
        "--date",
        "2026-02-04",
        "--commit-date",
        "2026-02-03T12:00:00Z",
        "--fixes",
        "0.4.0",
    ]);
    l.ok(&["record-release", "0.5.0", "--date", "2026-02-20"]);
    l.ok(&["record-release", "0.5.1", "--date", "2026-02-25"]);
    let id = l.json(&[
        "open-incident",
        "--kind",
        "conformance-regression",
        "--severity",
        "medium",
        "--title",
        "shim regression",
        "--introduced-in",
        "0.5.0",
        "--at",
        "2026-02-21T00:00:00Z",
    ])["id"]
        .to_string();
    l.ok(&["resolve-incident", &id, "--at", "2026-02-21T06:00:00Z"]);

    let d = l.json(&["delivery", "--days", "60"]);
    assert_eq!(d["window_days"], 60);
    assert_eq!(d["releases"], 4);
    // Median of 24 h and 12 h; the two without a commit date do not count.
    assert_eq!(d["lead_time_median_hours"], 18.0);
    assert_eq!(d["lead_time_releases"], 2);
    assert_eq!(d["change_failure_rate_pct"], 50.0);
    assert_eq!(d["failed_releases"], serde_json::json!(["0.4.0", "0.5.0"]));
    assert_eq!(d["time_to_restore_median_hours"], 6.0);
    assert_eq!(d["incidents_within_sla_pct"], 100.0);
    assert_eq!(d["release_frequency_bucket"], "monthly");
    assert_eq!(d["lead_time_level"], "elite", "18 h is within a day");
    assert_eq!(d["change_failure_level"], "low");
    let table = l.ok(&["delivery", "--days", "60"]);
    assert!(table.contains("50% (0.4.0, 0.5.0)"), "{table}");
    assert!(table.contains("2026-Q1"), "{table}");
    // The dashboard carries them too.
    assert_eq!(l.json(&["status"])["delivery"]["releases"], 4);
}

#[test]
fn links_to_releases_are_checked_and_a_refused_one_writes_nothing() {
    let l = Ledger::new();
    l.ok(&["record-release", "0.4.0", "--date", "2026-02-02"]);
    l.rejects(
        &[
            "record-release",
            "0.4.1",
            "--date",
            "2026-02-04",
            "--commit-date",
            "2026-02-05",
        ],
        "at or before the release date",
    );
    l.rejects(
        &["record-release", "0.4.1", "--fixes", "0.3.9"],
        "release 0.3.9 is not recorded",
    );
    l.rejects(
        &["record-release", "0.4.1", "--fixes", "0.5.0"],
        "a release older than 0.4.1",
    );
    l.rejects(&["record-release", "0.4.1", "--fixes", "banana"], "banana");
    l.rejects(
        &[
            "open-incident",
            "--kind",
            "security",
            "--severity",
            "low",
            "--title",
            "t",
            "--introduced-in",
            "0.9.0",
        ],
        "release 0.9.0 is not recorded",
    );
    l.rejects(&["delivery", "--format", "csv"], "use --format json");
    l.rejects(&["delivery", "--days", "0"], "0");
}
