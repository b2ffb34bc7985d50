//! Reliability figures for the README: concurrent writers, imports killed
//! mid-write, and generated inputs (the last from `tests/cli/fuzz.rs`).
//!
//! `cargo bench --bench reliability` (env: `LEDGER_WRITERS`,
//! `LEDGER_RECORDS`, `LEDGER_KILLS`, `LEDGER_RELEASES`,
//! `LEDGER_REIMPORT`; `LEDGER_ONLY=releases` runs the release imports
//! alone).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const NOW: &str = "2026-11-27T00:00:00Z";

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ledger(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ledger"));
    c.env("LEDGER_DB", db)
        .env("LEDGER_NOW", NOW)
        .env_remove("LEDGER_FORMAT")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn ok(db: &Path, args: &[&str]) {
    assert!(
        ledger(db).args(args).status().unwrap().success(),
        "{args:?}"
    );
}

fn entries(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT count(*) FROM entries", [], |r| r.get(0))
        .unwrap()
}

fn verifies(db: &Path) -> bool {
    ledger(db).arg("verify").status().unwrap().success()
}

fn main() {
    let dir = tempfile::TempDir::new().unwrap();
    println!("ledger reliability run; now = {NOW}\n");
    let only = std::env::var("LEDGER_ONLY").unwrap_or_default();
    if only.is_empty() || only == "writers" {
        writers(dir.path());
    }
    if only.is_empty() || only == "kills" {
        kills(dir.path());
    }
    if only.is_empty() || only == "releases" {
        release_imports(dir.path());
    }
}

/// The `i`-th of a history's distinct releases, and its date (a day per
/// fifty releases from 1971 on, so every date is in the past).
fn release(i: usize) -> (String, String) {
    let version = format!("{}.{}.{}", i / 10_000, (i / 100) % 100, i % 100);
    let day = chrono::NaiveDate::from_ymd_opt(1971, 1, 1).unwrap()
        + chrono::Duration::days(i64::try_from(i / 50).unwrap());
    (version, day.to_string())
}

/// A changelog of `n` releases, newest first.
fn changelog(path: &Path, n: usize) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "# Changelog\n").unwrap();
    for i in (0..n).rev() {
        let (v, d) = release(i);
        writeln!(f, "## [{v}] - {d}\n\n- a change\n").unwrap();
    }
}

/// `gh release list --json …` of `n` releases.
fn github_releases(path: &Path, n: usize) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    write!(f, "[").unwrap();
    for i in 0..n {
        let (v, d) = release(i);
        let sep = if i == 0 { "" } else { "," };
        write!(
            f,
            "{sep}{{\"tagName\":\"v{v}\",\"name\":\"v{v}\",\"publishedAt\":\"{d}T12:00:00Z\",\"isDraft\":false,\"isPrerelease\":false}}"
        )
        .unwrap();
    }
    write!(f, "]").unwrap();
}

/// Seconds one import of `file` takes into the ledger at `db`.
fn timed_import(db: &Path, kind: &str, file: &Path) -> f64 {
    let started = Instant::now();
    ok(db, &["import", kind, file.to_str().unwrap()]);
    started.elapsed().as_secs_f64()
}

/// Release imports take time in proportion to the releases: each size is
/// imported into a fresh ledger (twice the releases should take about
/// twice the time), and a file of releases all recorded already is
/// imported again.
fn release_imports(dir: &Path) {
    let n = env("LEDGER_RELEASES", 1_000_000);
    let again = env("LEDGER_REIMPORT", 160_000);
    println!("release imports (changelog and GitHub releases), into a fresh ledger each:");
    println!("| source | releases | seconds | releases/s | vs half as many |");
    println!("|---|---:|---:|---:|---:|");
    for (kind, write) in [
        ("changelog", changelog as fn(&Path, usize)),
        ("github-releases", github_releases),
    ] {
        let mut previous: Option<f64> = None;
        for size in [n / 8, n / 4, n / 2, n] {
            let file = dir.join(format!("{kind}-{size}"));
            write(&file, size);
            let db = dir.join(format!("{kind}-{size}.db"));
            ok(&db, &["init"]);
            let secs = timed_import(&db, kind, &file);
            let rate = size as f64 / secs;
            let growth = previous.map_or("".to_string(), |p| format!("{:.2}×", secs / p));
            println!("| {kind} | {size} | {secs:.2} | {rate:.0} | {growth} |");
            previous = Some(secs);
            let _ = std::fs::remove_file(&file);
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
        }
        let file = dir.join(format!("{kind}-again"));
        write(&file, again);
        let db = dir.join(format!("{kind}-again.db"));
        ok(&db, &["init"]);
        let first = timed_import(&db, kind, &file);
        let before = entries(&db);
        let secs = timed_import(&db, kind, &file);
        assert_eq!(entries(&db), before, "a re-import records nothing");
        println!(
            "| {kind}, all {again} already recorded | {again} | {secs:.2} | {:.0} | (first import {first:.2} s) |",
            again as f64 / secs
        );
    }
    println!();
}

/// Many writers on one file at once: every record lands, once.
fn writers(dir: &Path) {
    let (n, each) = (env("LEDGER_WRITERS", 16), env("LEDGER_RECORDS", 200));
    let db = dir.join("writers.db");
    ok(&db, &["init"]);
    let before = entries(&db);
    let started = Instant::now();
    let children: Vec<_> = (0..n)
        .map(|w| {
            let script = format!(
                "i=0; while [ $i -lt {each} ]; do \"$LEDGER\" record-budget warm-load-p95 --value {w}.$i || exit 1; i=$((i+1)); done"
            );
            Command::new("sh")
                .arg("-c")
                .arg(script)
                .env("LEDGER", env!("CARGO_BIN_EXE_ledger"))
                .env("LEDGER_DB", &db)
                .env("LEDGER_NOW", NOW)
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let failed = children
        .into_iter()
        .map(|mut c| c.wait().unwrap().success())
        .filter(|ok| !ok)
        .count();
    let written = entries(&db) - before;
    println!(
        "writers: {n} processes x {each} records in {:.1} s: {written} of {} written, {failed} writers failed, verify {}",
        started.elapsed().as_secs_f64(),
        n * each,
        if verifies(&db) { "ok" } else { "FAILED" }
    );
}

/// An import killed with SIGKILL at a random point: the file holds either
/// none of it or all of it, and verifies.
fn kills(dir: &Path) {
    let rounds = env("LEDGER_KILLS", 40);
    let db = dir.join("kills.db");
    ok(&db, &["init"]);
    let events: PathBuf = dir.join("events.jsonl");
    let lines: Vec<String> = (0..60_000)
        .map(|i| {
            format!(
                "{{\"budget_name\":\"cold-load-p95\",\"actual\":{}.{}}}",
                i / 100,
                i % 100
            )
        })
        .collect();
    std::fs::write(&events, lines.join("\n")).unwrap();
    // How long one whole import takes, on a copy, so the kills can spread
    // over all of it: parsing, writing and the commit.
    let probe = dir.join("probe.db");
    std::fs::copy(&db, &probe).unwrap();
    let started = Instant::now();
    ok(
        &probe,
        &["import", "budget-events", events.to_str().unwrap()],
    );
    let whole = started.elapsed();
    let (mut none, mut all, mut broken) = (0, 0, 0);
    for round in 0..rounds {
        let before = entries(&db);
        let at = format!("2026-01-{:02}T{:02}:00:00Z", 1 + round % 28, round % 24);
        let mut child = ledger(&db)
            .args([
                "import",
                "budget-events",
                events.to_str().unwrap(),
                "--at",
                &at,
            ])
            .spawn()
            .unwrap();
        // Spread from the start to just past the end of a whole import.
        let fraction = (round as f64 + 0.5) / rounds as f64 * 1.1;
        std::thread::sleep(whole.mul_f64(fraction));
        let _ = child.kill();
        let _ = child.wait();
        let added = entries(&db) - before;
        if !verifies(&db) {
            broken += 1;
        } else if added == 0 {
            none += 1;
        } else if added == lines.len() as i64 {
            all += 1;
        } else {
            broken += 1;
        }
    }
    println!(
        "kills: {rounds} imports of {} lines ({:.2} s each) killed with SIGKILL from start to end: {none} left nothing, {all} had committed, {broken} partial or failing verify",
        lines.len(),
        whole.as_secs_f64()
    );
}
