//! Several CI jobs recording into one file at once.

use std::process::Child;

use crate::harness::Ledger;

#[test]
fn concurrent_writers_lose_nothing() {
    let l = Ledger::new();
    let (writers, each) = (6, 15);
    l.record_at_once(&l.location(), writers, each);
    let rows = l.json(&["sql", "SELECT count(*) AS n FROM measurements"]);
    assert_eq!(rows[0]["n"], writers * each);
    let (entries, _) = l.head();
    assert_eq!(entries, (2 + writers * each) as i64);
}

#[test]
fn concurrent_inits_agree_on_one_policy() {
    let l = crate::harness::Ledger::empty();
    let children: Vec<Child> = (0..4)
        .map(|_| {
            let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("ledger"));
            c.arg("init")
                .env("LEDGER_DB", l.location())
                .env("LEDGER_NOW", &l.now)
                .stdout(std::process::Stdio::null());
            c.spawn().expect("spawn init")
        })
        .collect();
    for mut c in children {
        assert!(c.wait().expect("init").success(), "an init failed");
    }
    let v = l.json(&["sql", "SELECT count(*) AS policies FROM policy_versions"]);
    assert_eq!(v[0]["policies"], 1);
    assert_eq!(l.head().0, 2, "one project entry and one policy entry");
}

/// A writer killed in the middle of its transaction (a CI job cancelled,
/// a runner lost) leaves nothing behind: not a row, not a held lock.
#[test]
fn a_writer_killed_mid_transaction_leaves_nothing_behind() {
    use std::io::Write;
    let l = Ledger::new();
    let file = l.path("events.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
    for i in 0..300_000 {
        writeln!(
            f,
            r#"{{"budget_name":"cold-load-p95","actual":{}.5,"source":"run-{i}"}}"#,
            100 + i % 50
        )
        .unwrap();
    }
    drop(f);
    let before = l.head();
    let mut child = l
        .std_cmd()
        .args(["import", "budget-events", file.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        None,
        "the import finished before it was killed"
    );
    assert_eq!(l.head(), before, "the killed import left entries behind");
    // The lock went with it: the next writer records at once.
    let r = l.run(&[
        "record-budget",
        "cold-load-p95",
        "--value",
        "5",
        "--lock-wait",
        "5",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(l.head().0, before.0 + 1);
}
