//! `ledger sync`: the ledger kept on a branch of a git repository, with a
//! local bare repository standing in for the project's.

use std::path::Path;
use std::process::Command;

use crate::harness::{Backend, Ledger, backend};

/// A bare repository in the ledger's folder.
fn bare_repo(l: &Ledger) -> String {
    let remote = l.path("remote.git");
    let ok = Command::new("git")
        .args(["init", "--quiet", "--bare"])
        .arg(&remote)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git init");
    remote.display().to_string()
}

/// Runs the binary on the ledger file `db`.
fn run_on(l: &Ledger, db: &Path, args: &[&str]) -> std::process::Output {
    l.std_cmd()
        .env("LEDGER_DB", db)
        .args(args)
        .output()
        .unwrap()
}

fn ok_on(l: &Ledger, db: &Path, args: &[&str]) -> String {
    let out = run_on(l, db, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The journal on the branch, line by line.
fn branch_journal(remote: &str) -> Vec<serde_json::Value> {
    let out = Command::new("git")
        .args(["--git-dir", remote, "show", "ledger:ledger.jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Eight jobs, each recording and syncing 25 entries to one repository
/// at once: every entry ends up on the branch exactly once, the chain
/// verifies, and no job fails for want of retries.
#[test]
fn eight_jobs_syncing_at_once_lose_nothing_and_repeat_nothing() {
    if backend() == Backend::Postgres {
        // sync keeps SQLite files; the SQLite pass runs this.
        return;
    }
    let l = Ledger::empty_file();
    let remote = bare_repo(&l);
    let seed = l.path("seed.db");
    ok_on(&l, &seed, &["init"]);
    ok_on(&l, &seed, &["sync", "--git", &remote]);
    let (jobs, each) = (8, 25);
    let most_attempts = std::sync::atomic::AtomicU64::new(0);
    std::thread::scope(|s| {
        for job in 0..jobs {
            let (l, remote, most) = (&l, remote.as_str(), &most_attempts);
            s.spawn(move || {
                let db = l.path(&format!("job{job}.db"));
                ok_on(l, &db, &["sync", "--git", remote]);
                for i in 0..each {
                    let value = format!("{}", 1000 * (job + 1) + i);
                    ok_on(
                        l,
                        &db,
                        &["record-budget", "warm-load-p95", "--value", &value],
                    );
                    let out = ok_on(l, &db, &["--format", "json", "sync", "--git", remote]);
                    let synced: serde_json::Value = serde_json::from_str(&out).unwrap();
                    let attempts = synced["attempts"].as_u64().unwrap();
                    most.fetch_max(attempts, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    // Printed, not asserted: how close the busiest sync came to --attempts.
    eprintln!(
        "sync: at most {} attempts of the default 100",
        most_attempts.into_inner()
    );
    let journal = branch_journal(&remote);
    let mut values: Vec<i64> = journal
        .iter()
        .filter(|e| e["kind"] == "measurement")
        .map(|e| {
            let body: serde_json::Value =
                serde_json::from_str(e["body"].as_str().unwrap()).unwrap();
            body["value"].as_f64().unwrap() as i64
        })
        .collect();
    values.sort_unstable();
    let expected: Vec<i64> = (0..jobs)
        .flat_map(|job| (0..each).map(move |i| (1000 * (job + 1) + i) as i64))
        .collect();
    assert_eq!(values, expected, "each entry on the branch exactly once");
    // A new job takes the whole branch, and it verifies.
    let fresh = l.path("fresh.db");
    ok_on(&l, &fresh, &["sync", "--git", &remote]);
    let verified = run_on(&l, &fresh, &["verify"]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    let export = ok_on(&l, &fresh, &["export"]);
    assert_eq!(export.lines().count(), journal.len());
}

/// Entries another job pushed first are taken; this job's are recorded
/// again after them; a signed one only with the key, and a branch whose
/// chain was altered is refused with nothing written.
#[test]
fn a_sync_after_another_jobs_push_records_again_and_refuses_what_it_cannot_check() {
    if backend() == Backend::Postgres {
        return;
    }
    let l = Ledger::empty_file();
    let remote = bare_repo(&l);
    let (a, b) = (l.path("a.db"), l.path("b.db"));
    ok_on(&l, &a, &["init"]);
    ok_on(&l, &a, &["sync", "--git", &remote]);
    ok_on(&l, &b, &["sync", "--git", &remote]);
    ok_on(&l, &a, &["record-budget", "warm-load-p95", "--value", "41"]);
    ok_on(&l, &a, &["sync", "--git", &remote]);
    // b signs its entry; a pushed first, so b's must be signed again.
    let key = l.path("ci.key");
    ok_on(&l, &b, &["keygen", "--out", key.to_str().unwrap()]);
    let key = key.to_str().unwrap();
    ok_on(
        &l,
        &b,
        &[
            "--sign",
            key,
            "record-budget",
            "warm-load-p95",
            "--value",
            "42",
        ],
    );
    let before = std::fs::read(&b).unwrap();
    let refused = run_on(&l, &b, &["sync", "--git", &remote]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("--sign"), "{stderr}");
    assert_eq!(std::fs::read(&b).unwrap(), before, "nothing written");
    let out = ok_on(&l, &b, &["--sign", key, "sync", "--git", &remote]);
    assert!(out.contains("recorded again"), "{out}");
    let journal = branch_journal(&remote);
    let last = journal.last().unwrap();
    assert!(last["body"].as_str().unwrap().contains("42"));
    assert!(last["signature"].is_string(), "{last}");
    assert_eq!(run_on(&l, &b, &["verify"]).status.code(), Some(0));

    // An altered line on the branch: its link does not hold.
    let altered = l.path("altered.git");
    let ok = Command::new("git")
        .args(["clone", "--quiet", "--bare", &remote])
        .arg(&altered)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let work = l.path("work");
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .arg("-C")
            .arg(&work)
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@t")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@t")
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    };
    let ok = Command::new("git")
        .args(["clone", "--quiet", "--branch", "ledger"])
        .arg(&altered)
        .arg(&work)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let file = work.join("ledger.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("41", "14", 1)).unwrap();
    git(&["commit", "--quiet", "-am", "alter"]);
    git(&["push", "--quiet", "origin", "ledger"]);
    let c = l.path("c.db");
    let r = run_on(&l, &c, &["sync", "--git", altered.to_str().unwrap()]);
    assert_ne!(r.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("does not link"),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(!c.exists(), "no ledger made from an altered branch");
}

/// A ledger that is not a file is refused, with nothing written: every
/// job shares a PostgreSQL ledger already.
#[test]
fn sync_refuses_a_ledger_that_is_not_a_file() {
    let l = Ledger::new();
    let remote = bare_repo(&l);
    if l.is_file() {
        // A branch name git refuses fails the sync with nothing written.
        let before = l.head();
        let r = l.run(&["sync", "--git", &remote, "--branch", "no..good"]);
        assert_ne!(r.code, 0, "{}", r.stdout);
        assert!(r.stderr.contains("no..good"), "{}", r.stderr);
        assert_eq!(l.head(), before);
        return;
    }
    l.rejects(&["sync", "--git", &remote], "PostgreSQL ledger");
}
