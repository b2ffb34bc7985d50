//! Hardening: no input can brick a ledger, lose data or rewrite a past
//! answer. Each test is a way in which that once happened.

use crate::harness::Ledger;

/// A changelog date before 1970 is never recorded: the one definition of a
/// valid time lists it as not recorded (exit 1 under --check), and
/// --strict refuses the file.
#[test]
fn a_changelog_date_before_1970_is_never_recorded() {
    let l = Ledger::new();
    for date in ["1969-12-31", "0000-01-01"] {
        let file = l.path("CHANGELOG.md");
        std::fs::write(&file, format!("# Changelog\n\n## [v0.1.0] - {date}\n")).unwrap();
        let path = file.to_str().unwrap();
        let head = l.head();
        let r = l.run(&["import", "changelog", path, "--check"]);
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("line 3: release 0.1.0"), "{}", r.stdout);
        assert!(
            r.stdout.contains("from 1970 to the end of 9999"),
            "{}",
            r.stdout
        );
        assert_eq!(l.head(), head);
        let r = l.rejects(
            &["import", "changelog", path, "--strict"],
            "expected a time from 1970 to the end of 9999",
        );
        assert!(r.stderr.contains("line 3"), "{}", r.stderr);
    }
    // The ledger still answers.
    assert_eq!(l.run(&["status"]).code, 0);
}

/// Out-of-range policy numbers are refused with file, line and field.
#[test]
fn a_policy_with_out_of_range_numbers_is_refused() {
    let l = Ledger::new();
    let seed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/policy.toml"),
    )
    .unwrap();
    for (from, to, field) in [
        ("weekly = 7", "weekly = 4294967295", "weekly"),
        (
            "within_hours = 24",
            "within_hours = 4294967295",
            "within_hours",
        ),
        (
            "consistency_days = 30",
            "consistency_days = 4294967295",
            "consistency_days",
        ),
        ("drift_days = 30", "drift_days = 4294967295", "drift_days"),
        (
            "blocking_over_pct = 20.0",
            "blocking_over_pct = nan",
            "blocking_over_pct",
        ),
    ] {
        let file = l.path("policy.toml");
        std::fs::write(&file, seed.replacen(from, to, 1)).unwrap();
        let r = l.rejects(
            &["init", "--policy", file.to_str().unwrap()],
            "policy.toml, line ",
        );
        assert!(r.stderr.contains(&format!("{field}: ")), "{}", r.stderr);
    }
    for cmd in ["maintenance", "incidents", "status", "readiness", "drift"] {
        assert_eq!(l.run(&[cmd]).code, 0, "{cmd}");
    }
}

/// Build metadata does not make a second release beside the first.
#[test]
fn build_metadata_does_not_make_a_new_release() {
    let l = Ledger::new();
    l.ok(&["record-release", "1.2.0", "--date", "2026-01-05"]);
    l.rejects(
        &["record-release", "1.2.0+build.5", "--date", "2026-01-06"],
        "without build metadata",
    );
    l.rejects(
        &["deprecate", "a", "--kind", "api", "--in", "1.2.0+x"],
        "use 1.2.0",
    );
}

/// A budget measures an amount: a negative or infinite value is refused,
/// by hand and in an events file.
#[test]
fn negative_budget_values_are_refused() {
    let l = Ledger::new();
    l.rejects(
        &["record-budget", "cold-load-p95", "--value", "-5"],
        "a finite number from 0",
    );
    let events = l.path("events.jsonl");
    std::fs::write(
        &events,
        "{\"budget_name\":\"cold-load-p95\",\"actual\":3.5}\n{\"budget_name\":\"binary-size\",\"actual\":-1}\n",
    )
    .unwrap();
    let r = l.rejects(
        &["import", "budget-events", events.to_str().unwrap()],
        "a finite number from 0",
    );
    assert!(r.stderr.contains("line 2"), "{}", r.stderr);
}

/// Arguments are read as the operating system gives them: a text that is
/// not UTF-8 is an input error that writes nothing, and a path keeps its
/// bytes.
#[cfg(unix)]
#[test]
fn non_utf8_arguments_are_input_errors_and_paths_keep_their_bytes() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let l = Ledger::file();
    let head = l.head();
    let bad = OsStr::from_bytes(b"\xff");
    let out = l
        .cmd()
        .args(["attest", "docs-complete", "--by"])
        .arg(bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid UTF-8"));
    let out = l
        .cmd()
        .env("LEDGER_NOW", bad)
        .arg("status")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid LEDGER_NOW"));
    assert_eq!(l.head(), head);

    let name = OsStr::from_bytes(b"l\xffger.db");
    let out = l.cmd().arg("--db").arg(name).arg("init").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        l.dir.path().join(name).exists(),
        "the file has the exact name"
    );
    let out = l
        .cmd()
        .env("LEDGER_DB", name)
        .arg("verify")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "LEDGER_DB keeps the bytes too");
}

/// `ledger sql` runs within limits a user can raise, and whatever a query
/// does wrong is an input error (exit 2), never a storage failure.
#[test]
fn sql_runs_within_limits_and_refusals_are_input_errors() {
    let l = Ledger::new();
    let forever =
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";
    let started = std::time::Instant::now();
    l.rejects(
        &["sql", forever, "--timeout", "0.3"],
        "finishes within 0.3 s",
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    l.rejects(
        &["sql", "SELECT seq FROM entries", "--max-rows", "1"],
        "at most 1 rows",
    );
    l.rejects(
        &["sql", "ATTACH 'other.db' AS o"],
        "ATTACH and DETACH are refused",
    );
    l.rejects(&["sql", "DELETE FROM entries"], "a read-only statement");
    if l.is_file() {
        l.rejects(
            &[
                "sql",
                "SELECT length(randomblob(50000000))",
                "--max-memory",
                "16",
            ],
            "needs at most 16 MB",
        );
        assert_eq!(
            l.run(&[
                "sql",
                "SELECT length(randomblob(50000000))",
                "--max-memory",
                "128"
            ])
            .code,
            0
        );
        l.rejects(&["sql", "SELECT load_extension('x')"], "not authorized");
        l.rejects(&["sql", "SELECT json('{')"], "malformed JSON");
    } else {
        // The query is the server's dialect; what it does wrong is still
        // the query's fault.
        l.rejects(&["sql", "CREATE EXTENSION x"], "a read-only statement");
        l.rejects(&["sql", "SELECT '{'::json"], "invalid input syntax");
    }
}

/// A writer that cannot get the lock in time exits 3 saying how long it
/// waited, and writes nothing.
#[test]
fn a_writer_waits_for_the_lock_as_long_as_it_is_told_and_says_so() {
    let l = Ledger::new();
    let head = l.head();
    // Another writer holds the write lock: a transaction on the file, the
    // advisory lock on PostgreSQL.
    let holder: Box<dyn FnOnce()> = if l.is_file() {
        let holder = rusqlite::Connection::open(l.db()).unwrap();
        holder.execute_batch("BEGIN IMMEDIATE").unwrap();
        Box::new(move || holder.execute_batch("ROLLBACK").unwrap())
    } else {
        let mut holder = postgres::Client::connect(&l.location(), postgres::NoTls).unwrap();
        holder
            .batch_execute("SELECT pg_advisory_lock(1279607879)")
            .unwrap();
        Box::new(move || drop(holder))
    };
    let started = std::time::Instant::now();
    let r = l.run(&[
        "record-budget",
        "cold-load-p95",
        "--value",
        "5",
        "--lock-wait",
        "0.5",
    ]);
    let took = started.elapsed();
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("waited 0."), "{}", r.stderr);
    assert!(r.stderr.contains("for the write lock"), "{}", r.stderr);
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
    holder();
    assert_eq!(l.head(), head);
    // Once the lock is free, the same write goes through.
    l.ok(&[
        "record-budget",
        "cold-load-p95",
        "--value",
        "5",
        "--lock-wait",
        "0.5",
    ]);
}

/// Time is honest: a clock behind the ledger's last entry cannot record
/// (beyond a few minutes of skew), so nothing slips into the past.
#[test]
fn a_clock_behind_the_ledger_cannot_record() {
    let mut l = Ledger::new();
    l.ok(&["record-budget", "cold-load-p95", "--value", "5"]);
    let head = l.head();
    l.now = "2026-01-01T00:00:00Z".into();
    let stricter = l.path("stricter.toml");
    let seed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/policy.toml"),
    )
    .unwrap();
    std::fs::write(
        &stricter,
        seed.replacen("drift_days = 30", "drift_days = 7", 1),
    )
    .unwrap();
    let r = l.run(&["init", "--policy", stricter.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("invalid clock \"2026-01-01T00:00:00Z\""),
        "{}",
        r.stderr
    );
    l.now = "2026-03-01T11:57:00Z".into();
    assert_eq!(l.head(), head, "nothing was written");
    // Within the allowed skew the entry is recorded at the last one's time.
    // An answer as of that time was already provisional, so none given as
    // final changes.
    let before = l.json(&["status", "--as-of", "2026-03-01T12:00:00Z"]);
    assert_eq!(before["provisional"], true, "at the last entry's time");
    let settled = l.run(&["status", "--as-of", "2026-03-01T11:59:59Z", "--json"]);
    assert!(
        settled.json().get("provisional").is_none(),
        "{}",
        settled.stdout
    );
    assert!(
        !settled.stderr.contains("provisional"),
        "{}",
        settled.stderr
    );
    l.ok(&["record-budget", "cold-load-p95", "--value", "6"]);
    let recorded = l.json(&[
        "sql",
        "SELECT recorded_at FROM entries ORDER BY seq DESC LIMIT 1",
    ]);
    assert_eq!(recorded[0]["recorded_at"], "2026-03-01T12:00:00Z");
    assert_eq!(l.json(&["verify"])["ok"], true);
    let after = l.run(&["status", "--as-of", "2026-03-01T11:59:59Z", "--json"]);
    assert_eq!(
        after.stdout, settled.stdout,
        "a final answer did not change"
    );
    for t in ["2026-03-01T12:00:00Z", "2026-03-02"] {
        let r = l.run(&["status", "--as-of", t, "--json"]);
        assert_eq!(r.json()["provisional"], true, "{t}");
        assert!(
            r.stderr.contains(
                "provisional: the ledger's last entry was recorded at 2026-03-01T12:00:00Z"
            ),
            "{}",
            r.stderr
        );
    }
    // A transaction of many entries is recorded at one time.
    l.ok(&[
        "import",
        "budget-summary",
        crate::harness::fixture("pi-budget_summary.json")
            .to_str()
            .unwrap(),
    ]);
    let times = l.json(&[
        "sql",
        "SELECT count(DISTINCT recorded_at) AS n FROM entries WHERE seq > 4",
    ]);
    assert_eq!(times[0]["n"], 1, "{times}");
}

/// `--as-of` answers with what the ledger knew then: a sign-off recorded
/// later and back-dated does not change it; `--include-late` counts it.
#[test]
fn a_back_dated_entry_cannot_change_a_past_answer() {
    let mut l = Ledger::new();
    let review = |l: &Ledger, extra: &[&str]| {
        let mut args = vec!["readiness", "1.0", "--as-of", "2026-03-05"];
        args.extend_from_slice(extra);
        let r = l.json(&args);
        r["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "docs-complete")
            .unwrap()["met"]
            .clone()
    };
    l.now = "2026-03-10T00:00:00Z".into();
    assert_eq!(review(&l, &[]), false);
    l.now = "2026-03-20T00:00:00Z".into();
    l.ok(&["attest", "docs-complete", "--by", "x", "--at", "2026-03-01"]);
    assert_eq!(
        review(&l, &[]),
        false,
        "the ledger did not know it on 03-05"
    );
    assert_eq!(review(&l, &["--include-late"]), true);
    let r = l.run(&["readiness", "1.0", "--as-of", "2026-03-05"]);
    assert!(
        r.stderr.contains("as the ledger knew it then"),
        "{}",
        r.stderr
    );
    let r = l.run(&[
        "readiness",
        "1.0",
        "--as-of",
        "2026-03-05",
        "--include-late",
    ]);
    assert!(r.stderr.contains("by effective time"), "{}", r.stderr);
    // A retraction takes effect when it is recorded: an answer about a
    // time before it still counts the entry.
    l.ok(&[
        "record-budget",
        "cold-load-p95",
        "--value",
        "5",
        "--at",
        "2026-03-15",
    ]);
    let seq = l.head().0.to_string();
    l.now = "2026-03-25T00:00:00Z".into();
    l.ok(&["retract", &seq, "--reason", "wrong build"]);
    let before = l.json(&["budgets", "--as-of", "2026-03-22"]);
    let cold = |v: &serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|b| b["budget"] == "cold-load-p95")
            .unwrap()["last_value"]
            .clone()
    };
    assert_eq!(cold(&before), 5.0);
    assert_eq!(cold(&l.json(&["budgets"])), serde_json::Value::Null);
}

/// Names and free texts follow one definition: a name is one line without
/// control characters, a text has no control characters but lines and tabs.
#[test]
fn names_and_texts_are_checked_before_anything_is_written() {
    let l = Ledger::new();
    l.rejects(
        &["deprecate", "a\nb", "--kind", "api", "--in", "0.1.0"],
        "a name of 1 to 200 characters on one line",
    );
    l.rejects(
        &["attest", "docs-complete", "--by", "x\u{7}y"],
        "invalid signer",
    );
    l.rejects(
        &[
            "open-incident",
            "--kind",
            "other",
            "--severity",
            "low",
            "--title",
            "a\u{1b}b",
        ],
        "without control characters",
    );
    l.ok(&[
        "open-incident",
        "--kind",
        "other",
        "--severity",
        "low",
        "--title",
        "two\nlines",
    ]);
}

/// No command that writes a file writes over the ledger, its companions
/// or a device: each is refused (exit 2) and the ledger still verifies
/// with the same head. A file that is written replaces the old one whole.
#[test]
fn no_command_writes_over_the_ledger_or_a_device() {
    let l = Ledger::file();
    l.ok(&["record-release", "0.1.0", "--date", "2026-01-05"]);
    let db = l.db();
    let db = db.to_str().unwrap();
    let wal = format!("{db}-wal");
    let shm = format!("{db}-shm");
    let link = l.path("link.html");
    std::os::unix::fs::symlink(l.db(), &link).unwrap();
    let link = link.to_str().unwrap();
    let relative = "./ledger.db";
    for target in [db, wal.as_str(), shm.as_str(), link, relative] {
        let r = l.rejects(
            &["report", "--out", target],
            "writing there would destroy the ledger",
        );
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        l.rejects(
            &["backup", target],
            "writing there would destroy the ledger",
        );
        l.rejects(
            &["copy", "--to", target],
            "writing there would destroy the ledger",
        );
        l.rejects(
            &["keygen", "--out", target],
            "writing there would destroy the ledger",
        );
    }
    l.rejects(&["report", "--out", "/dev/null"], "not a regular file");
    l.rejects(&["backup", "/dev/null"], "not a regular file");
    // The ledger is a ledger still.
    assert_eq!(l.run(&["status"]).code, 0);

    // An existing report is replaced whole, and nothing is left beside it.
    let out = l.path("report.html");
    std::fs::write(&out, "old").unwrap();
    l.ok(&["report", "--out", out.to_str().unwrap()]);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    let backup = l.path("copy.db");
    l.ok(&["backup", backup.to_str().unwrap()]);
    let names: Vec<String> = std::fs::read_dir(l.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("partial")), "{names:?}");
    // A backup never goes over an existing file either.
    l.rejects(&["backup", out.to_str().unwrap()], "already exists");
}

/// Every number of the policy has a range, checked at load with the field
/// and the range in the error; the largest window allowed answers at once
/// (no computation allocates in proportion to a policy number).
#[test]
fn every_policy_number_has_a_range() {
    let l = Ledger::new();
    let seed = crate::harness::seed_policy();
    for (from, to, expected) in [
        (
            "api = 2",
            "api = 2147483648",
            "api: 2147483648 is out of range; expected a whole number from 0 to 1000",
        ),
        (
            "cli-flag = 0",
            "cli-flag = 4294967295",
            "cli-flag: 4294967295 is out of range",
        ),
        (
            "count = 60",
            "count = 4294967295",
            "count: 4294967295 is out of range; expected a whole number from 0 to 1000000",
        ),
        (
            "max_days = 90",
            "max_days = 0",
            "max_days: 0 is out of range; expected a whole number from 1 to 36500",
        ),
        (
            "warn_days = 7",
            "warn_days = 99999999",
            "warn_days: 99999999 is out of range",
        ),
        (
            "window_days = 90",
            "window_days = 4000000000",
            "window_days: 4000000000 days is out of range",
        ),
        (
            "elite = 24",
            "elite = nan",
            "elite: NaN is not a finite number",
        ),
        (
            "drift_days = 30",
            "drift_days = 30\ndrift_min_samples = 1000000000000",
            "drift_min_samples: 1000000000000 is out of range",
        ),
    ] {
        assert!(seed.contains(from), "{from}");
        let file = l.path("policy.toml");
        std::fs::write(&file, seed.replacen(from, to, 1)).unwrap();
        let r = l.rejects(&["init", "--policy", file.to_str().unwrap()], expected);
        assert!(r.stderr.contains("policy.toml, line "), "{}", r.stderr);
    }
    // The widest windows load, and every question answers.
    let file = l.path("policy.toml");
    let wide = seed
        .replacen("api = 2", "api = 1000", 1)
        .replacen("api = 1", "api = 1000", 1)
        .replacen("extension-api = 2", "extension-api = 1000", 1);
    std::fs::write(&file, wide).unwrap();
    l.ok(&["init", "--policy", file.to_str().unwrap()]);
    l.ok(&["record-release", "1.0.0", "--date", "2026-01-05"]);
    l.ok(&["deprecate", "ctx.old", "--kind", "api", "--in", "1.0.0"]);
    l.ok(&["record-release", "1.1.0", "--date", "2026-02-05"]);
    for cmd in ["status", "deprecations", "readiness"] {
        l.ok(&[cmd]);
    }
    l.ok(&["report", "--out", l.path("r.html").to_str().unwrap()]);
}

/// One wrong clock cannot brick the ledger: a clock far ahead of the
/// machine's is refused, `verify` reports an entry already recorded in the
/// future, and `copy --rebase-future` is the way out of such a ledger.
#[test]
fn a_clock_in_the_future_cannot_brick_the_ledger() {
    let real = chrono::Utc::now();
    let at = |d: chrono::Duration| (real + d).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut l = Ledger::new();
    l.now = "2099-01-01T00:00:00Z".into();
    let r = l.rejects(
        &["record-budget", "cold-load-p95", "--value", "5"],
        "ahead of this machine's real clock",
    );
    assert!(
        r.stderr.contains("LEDGER_NOW is for tests and demos"),
        "{}",
        r.stderr
    );
    // A read with such a clock is answered, with a note.
    let r = l.run(&["status"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("note: LEDGER_NOW (2099-01-01T00:00:00Z) is ahead of this machine's clock"),
        "{}",
        r.stderr
    );

    // A ledger bricked before this check: a day ahead, let in by a wide
    // allowance.
    l.now = at(chrono::Duration::hours(20));
    l.ok(&[
        "--clock-allowance",
        "86400",
        "record-budget",
        "cold-load-p95",
        "--value",
        "7",
        "--at",
        "2026-03-01",
    ]);
    l.now = at(chrono::Duration::zero());
    let r = l.run(&["record-budget", "cold-load-p95", "--value", "8"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--rebase-future"), "{}", r.stderr);
    let r = l.run(&["verify", "--json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let problems = r.json()["problems"].to_string();
    assert!(
        problems.contains("1 entries from entry 3 on are recorded in the future"),
        "{problems}"
    );

    let fixed = l.path("fixed.db");
    let r = l.run(&[
        "copy",
        "--to",
        fixed.to_str().unwrap(),
        "--rebase-future",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let copied = r.json();
    assert_eq!(
        (copied["rebased"].as_i64(), copied["first_rebased"].as_i64()),
        (Some(1), Some(3)),
        "{copied}"
    );
    let mut fixed_ledger = Ledger::empty_file();
    fixed_ledger.now = l.now.clone();
    std::fs::copy(&fixed, fixed_ledger.db()).unwrap();
    assert_eq!(fixed_ledger.json(&["verify"])["ok"], true);
    fixed_ledger.ok(&["record-budget", "cold-load-p95", "--value", "8"]);
    let kept = fixed_ledger.json(&[
        "sql",
        "SELECT effective_at, value FROM measurements ORDER BY entry_seq",
    ]);
    assert_eq!(kept[0]["effective_at"], "2026-03-01T00:00:00Z", "{kept}");
    assert_eq!(kept[0]["value"], 7.0, "{kept}");
}

/// A password never appears in a message, whatever form it takes: URL
/// userinfo, a `password=` parameter, or a `key=value` connection string
/// (which is refused with the URL form to use instead).
#[test]
fn a_password_in_any_form_is_never_shown() {
    let l = Ledger::empty_file();
    for db in [
        "postgres://ci:s3cret@127.0.0.1:1/ledger?connect_timeout=2",
        "postgres://ci@127.0.0.1:1/ledger?password=s3cret&connect_timeout=2",
        "postgres://ci@127.0.0.1:1/ledger?sslmode=sometimes&password=s3cret",
        "host=127.0.0.1 port=1 user=ci password=s3cret dbname=ledger",
        "host=127.0.0.1 password='s3cret word' dbname=ledger",
    ] {
        for json in [false, true] {
            let mut args = vec!["--db", db, "status"];
            if json {
                args.push("--json");
            }
            let r = l.run(&args);
            assert_ne!(r.code, 0, "{db}");
            let all = format!("{}{}", r.stdout, r.stderr);
            assert!(!all.contains("s3cret"), "{db}: {all}");
            if db.starts_with("host=") {
                assert_eq!(r.code, 2, "{all}");
                assert!(
                    all.contains("write it as postgres://user:password@host:port/dbname"),
                    "{all}"
                );
            }
        }
    }
    assert!(
        !l.path("host=127.0.0.1 port=1 user=ci password=s3cret dbname=ledger")
            .exists()
    );
}

/// Names are one line of printable text of at most 200 characters, free
/// texts at most 10,000, and neither may hold a line a CI runner reads as
/// a command (`::error::…`, `##vso[…]`): from the command line, from an
/// imported file, or from a policy. Each is refused with nothing written.
#[test]
fn names_and_texts_are_bounded_and_never_a_runner_command() {
    let l = Ledger::new();
    for project in ["a\nb", "::error::owned", &"p".repeat(201)] {
        l.rejects(
            &[
                "--project",
                project,
                "record-gate",
                "fmt",
                "--value",
                "0",
                "--platform",
                "linux",
            ],
            "invalid project",
        );
    }
    l.rejects(
        &[
            "record-release",
            "0.2.0",
            "--notes",
            "fine\n::error file=x::owned",
        ],
        "no line starting with `::` or `##`",
    );
    l.rejects(
        &[
            "open-incident",
            "--kind",
            "security",
            "--severity",
            "low",
            "--title",
            "##vso[task.setvariable variable=x]1",
        ],
        "which CI runners read as commands",
    );
    l.ok(&[
        "import",
        "budget-summary",
        crate::harness::fixture("pi-budget_summary.json")
            .to_str()
            .unwrap(),
    ]);
    let events = l.path("events.jsonl");
    let huge = "s".repeat(300_000);
    for (line, expected) in [
        (
            "{\"budget_name\":\"::error::owned\",\"actual\":1}".to_string(),
            "line 1 field budget_name",
        ),
        (
            format!("{{\"budget_name\":\"cold_load_p95\",\"actual\":1,\"source\":\"{huge}\"}}"),
            "line 1 field source",
        ),
        (
            "{\"budget_name\":\"cold\\nload\",\"actual\":1}".to_string(),
            "line 1 field budget_name",
        ),
    ] {
        std::fs::write(&events, &line).unwrap();
        let r = l.rejects(
            &["import", "budget-events", events.to_str().unwrap()],
            expected,
        );
        assert!(
            r.stderr.len() < 1_000,
            "the error shows a bounded value: {} bytes",
            r.stderr.len()
        );
    }
    let seed = crate::harness::seed_policy();
    let policy = l.path("policy.toml");
    std::fs::write(
        &policy,
        seed.replacen("id = \"fmt\"", "id = \"::error::fmt\"", 1),
    )
    .unwrap();
    l.rejects(
        &["init", "--policy", policy.to_str().unwrap()],
        "gates: invalid id",
    );
}

/// A ledger the user can only read answers every question that reads
/// (opened read-only, without creating its -wal and -shm files), and a
/// write says why it cannot be made (exit 3, nothing written).
#[test]
fn a_read_only_ledger_answers_reads_and_says_why_it_cannot_write() {
    use std::os::unix::fs::PermissionsExt;
    let l = Ledger::file();
    l.ok(&["record-release", "0.1.0", "--date", "2026-01-05"]);
    let head = l.head();
    // Checkpointed into the file, so no -wal or -shm is left beside it.
    l.sqlite("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    for companion in ["ledger.db-wal", "ledger.db-shm"] {
        let _ = std::fs::remove_file(l.path(companion));
    }
    let set = |p: &std::path::Path, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    set(&l.db(), 0o444);
    set(l.dir.path(), 0o555);
    // Root may write anything: run as nobody then, as a user without
    // write permission would.
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .unwrap()
        .stdout
        == b"0\n";
    let run = |args: &[&str]| {
        let mut c = if root {
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(assert_cmd::cargo::cargo_bin("ledger"));
            c
        } else {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("ledger"))
        };
        let out = c
            .args(["--db", l.db().to_str().unwrap()])
            .args(args)
            .env("LEDGER_NOW", &l.now)
            .env("NO_COLOR", "1")
            .current_dir("/")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for args in [
        &["status"][..],
        &["verify"],
        &["export"],
        &["releases", "--json"],
        &["sql", "SELECT count(*) AS n FROM entries"],
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, 0, "{args:?}: {out}{err}");
        assert!(!out.is_empty(), "{args:?}");
    }
    let (code, _, err) = run(&["record-gate", "fmt", "--value", "0", "--platform", "linux"]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("is read-only for this user, or on a read-only mount"),
        "{err}"
    );
    assert!(!l.path("ledger.db-wal").exists() && !l.path("ledger.db-shm").exists());
    set(l.dir.path(), 0o755);
    set(&l.db(), 0o644);
    assert_eq!(l.head(), head);
}
