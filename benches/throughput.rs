//! Throughput figures for the write path and the queries, printed for a
//! person to read (not asserted: timings on a shared machine vary).
//!
//! `cargo bench` builds a ledger of N budget measurements and reports how
//! long one more record, a drift query and a full verify take at each size.

#![allow(clippy::expect_used)]

use std::time::Instant;

use ledger::domain::{record::MeasurementRec, time};
use ledger::store::{self, Store};

fn run(db: &std::path::Path, args: &[&str]) -> (u8, f64) {
    let mut argv = vec![
        "ledger".to_string(),
        "--db".into(),
        db.display().to_string(),
    ];
    argv.extend(args.iter().map(|a| a.to_string()));
    let start = Instant::now();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = ledger::cli::run(
        argv,
        Some("2026-12-31T00:00:00Z".into()),
        &mut out,
        &mut err,
    );
    (code, start.elapsed().as_secs_f64() * 1000.0)
}

fn main() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    println!(
        "{:>9} | {:>12} | {:>10} | {:>10} | {:>10} | {:>9}",
        "entries", "bulk ins/s", "record ms", "drift ms", "verify ms", "file MB"
    );
    let mut total = 0usize;
    for target in [1_000usize, 10_000, 100_000] {
        let db = dir.path().join(format!("bench-{target}.db"));
        assert_eq!(run(&db, &["init"]).0, 0);
        let mut store = Store::open(&db).expect("open");
        let start = Instant::now();
        let t0 = time::parse("2026-01-01").expect("time");
        let budgets = [
            "cold-load-p95",
            "warm-load-p95",
            "event-dispatch-p95",
            "binary-size",
        ];
        // One transaction per 1000 entries, as an import would batch them.
        for chunk in 0..target / 1000 {
            store
                .write(|tx| {
                    for i in 0..1000 {
                        let n = chunk * 1000 + i;
                        let at = t0 + chrono::Duration::minutes(n as i64 * 5);
                        let rec = MeasurementRec {
                            budget: budgets[n % 4].to_string(),
                            value: 10.0 + (n % 97) as f64,
                            commit_sha: None,
                            source: None,
                        };
                        store::append(tx, "pi", at, at, &rec)?;
                    }
                    Ok(())
                })
                .expect("write");
        }
        total = target;
        let bulk = target as f64 / start.elapsed().as_secs_f64();
        // The first write after the bulk load also checkpoints the WAL;
        // the figure is the steady state, the second write.
        assert_eq!(
            run(&db, &["record-budget", "binary-size", "--value", "40"]).0,
            0
        );
        let (code, record_ms) = run(&db, &["record-budget", "binary-size", "--value", "41"]);
        assert_eq!(code, 0);
        let (code, drift_ms) = run(&db, &["drift", "--json"]);
        assert_eq!(code, 0);
        let (code, verify_ms) = run(&db, &["verify", "--json"]);
        assert_eq!(code, 0);
        let mb = std::fs::metadata(&db)
            .map(|m| m.len() as f64 / 1e6)
            .unwrap_or_default();
        println!(
            "{target:>9} | {bulk:>12.0} | {record_ms:>10.1} | {drift_ms:>10.1} | {verify_ms:>10.1} | {mb:>9.1}"
        );
    }
    println!("({total} measurements at most; each figure is one run of the in-process CLI)");
}
