//! The demo: the README's main command.

use crate::harness::Ledger;

#[test]
fn the_demo_dashboard_is_stable() {
    let mut l = Ledger::empty();
    l.now = "2026-11-20T12:00:00Z".into();
    // A relative path, so the printed commands do not name the temp dir;
    // a database's URL is taken out of them.
    let db = if l.is_file() {
        "ledger.db".to_string()
    } else {
        l.location()
    };
    let out = l.cmd().env("LEDGER_DB", &db).arg("demo").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = String::from_utf8_lossy(&out.stdout).replace(&format!(" --db '{db}'"), "");
    insta::assert_snapshot!("demo_dashboard", shown);
    // The demo ledger verifies and tells its story.
    assert_eq!(l.json(&["verify"])["ok"], true);
    let statuses: Vec<String> = l
        .json(&["deprecations"])
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap().to_string())
        .collect();
    for s in ["active", "overdue", "removed", "premature"] {
        assert!(
            statuses.iter().any(|x| x == s),
            "no {s} deprecation in {statuses:?}"
        );
    }
    // Running it again rebuilds the demo file.
    assert_eq!(l.run(&["demo"]).code, 0);
}

#[test]
fn the_demo_never_overwrites_a_real_ledger() {
    let l = Ledger::new();
    let head = l.head();
    let r = l.run(&["demo"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("holds entries the demo did not write"),
        "{}",
        r.stderr
    );
    assert_eq!(l.head(), head);
}

/// A demo ledger that has been written to since is a real ledger: the
/// demo refuses to rebuild it and the entry written into it stays.
#[test]
fn the_demo_keeps_an_entry_written_into_its_ledger() {
    let mut l = Ledger::empty();
    l.now = "2026-11-20T12:00:00Z".into();
    assert_eq!(l.run(&["demo"]).code, 0);
    l.ok(&["init"]);
    assert_eq!(
        l.run(&["demo"]).code,
        0,
        "init wrote nothing: still the demo's"
    );
    l.ok(&["record-budget", "cold-load-p95", "--value", "5"]);
    let head = l.head();
    l.rejects(&["demo"], "holds entries the demo did not write");
    assert_eq!(l.head(), head);
    let budgets = l.json(&["budgets"]);
    let cold = budgets
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["budget"] == "cold-load-p95")
        .unwrap();
    assert_eq!(cold["last_value"], 5.0);
}

/// The story has fixed dates, so it is written at its own clock: a
/// LEDGER_NOW after its waivers expire, or before its first entry, used to
/// stop it halfway and leave a ledger the demo then refused to rebuild.
#[test]
fn the_demo_tells_its_story_whatever_the_clock_says() {
    for now in ["2027-03-01T00:00:00Z", "2026-01-01T00:00:00Z"] {
        let mut l = Ledger::empty();
        l.now = now.into();
        let r = l.run(&["demo"]);
        assert_eq!(r.code, 0, "LEDGER_NOW={now}: {}", r.stderr);
        assert!(r.stderr.contains("2026-11-20T12:00:00Z"), "{}", r.stderr);
        l.now = "2026-11-20T12:00:00Z".into();
        let verified = l.json(&["verify"]);
        assert_eq!(verified["ok"], true, "{verified}");
        assert_eq!(verified["entries"], 497, "the whole story");
        assert_eq!(l.run(&["demo"]).code, 0, "still the demo's: rebuilt");
    }
}
