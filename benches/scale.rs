//! The ten-year benchmark: figures for a person to read, not assertions
//! (timings on a shared machine vary).
//!
//! `cargo bench --bench scale` builds a synthetic ten-year ledger through
//! the store's write path — 20 budgets over 3,650 days, 200,000 gate
//! results, 5,000 releases, 10,000 deprecations (a third removed), 20,000
//! incidents with their triage and resolve events, 2,000 extensions — at
//! 10,000, 100,000 and 1,000,000 measurements (the other kinds stay at
//! their ten-year size, so growth is what the measurements cost). For each
//! key question it prints the ledger's time, the time of hand-written SQL
//! run through rusqlite on the same file for the same question (the floor:
//! the rows the answer rests on, read through the same indexes), their
//! ratio (medians of interleaved runs), and the command's peak resident
//! memory, read from a child process that runs only that command.
//!
//! `LEDGER_BENCH_SCALES=10000,100000` picks the scales; `LEDGER_BENCH_RUNS`
//! the runs per figure (default 5); `LEDGER_BENCH_DIR` keeps the ledgers
//! in a folder of your choice. `LEDGER_BENCH_POSTGRES=postgres://…` (an
//! administrator's URL) also copies each ledger into a new database on
//! that server and runs the same questions there, each next to the same
//! hand-written SQL through the same driver.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ledger::domain::{
    Time,
    budget::Direction,
    deprecation::DeprecationKind,
    incident::{IncidentKind, Severity},
    policy::Policy,
    record::*,
    release::ReleaseStatus,
    time,
};
use ledger::store::{self, Store};
use rusqlite::{Connection, OpenFlags, params};

/// The benchmark's "now": the end of the ten years.
const NOW: &str = "2026-11-27T00:00:00Z";
const DAYS: i64 = 3650;
const EXTRA_BUDGETS: usize = 16;
const GATE_RESULTS: usize = 200_000;
const RELEASES: usize = 5_000;
const DEPRECATIONS: usize = 10_000;
const INCIDENTS: usize = 20_000;
const EXTENSIONS: usize = 2_000;
const IMPORT_LINES: usize = 100_000;

fn main() {
    if std::env::var_os("LEDGER_BENCH_CHILD").is_some() {
        child();
        return;
    }
    let scales: Vec<usize> = std::env::var("LEDGER_BENCH_SCALES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000, 1_000_000]);
    let runs: usize = std::env::var("LEDGER_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    // LEDGER_BENCH_DIR keeps the ledgers for a closer look (a profiler).
    let temp = tempfile::TempDir::new().expect("temp dir");
    let kept = std::env::var_os("LEDGER_BENCH_DIR").map(PathBuf::from);
    let dir = Dir(kept.as_deref().unwrap_or(temp.path()));
    let events = dir.path().join("events.jsonl");
    write_events(&events);
    println!("ledger scale benchmark: {} cores; now = {NOW}", cores());
    for &n in &scales {
        let db = dir.path().join(format!("ten-years-{n}.db"));
        let _ = std::fs::remove_file(&db);
        let start = Instant::now();
        let entries = build(&db, n);
        let built = start.elapsed().as_secs_f64();
        if kept.is_some() {
            // The ledger as built, before the writes below add to it.
            std::fs::copy(&db, db.with_extension("built.db")).expect("copy");
        }
        // The same ledger on PostgreSQL, copied before the writes below.
        let server = postgres_database(n).map(|url| {
            let start = Instant::now();
            assert_eq!(code(&db, &["copy", "--to", &url]), 0, "copy to {url}");
            (url, start.elapsed().as_secs_f64())
        });
        let mb = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
        println!();
        println!(
            "## {n} measurements: {entries} entries, {mb:.0} MB, built in {built:.1} s ({:.0} entries/s)",
            entries as f64 / built
        );
        ask_questions(&(&db).into(), runs);
        // Writes last: each adds to the file.
        let (ledger_ms, floor_ms) = interleaved(
            runs,
            || {
                ledger(
                    &db,
                    &["record-gate", "fmt", "--pass", "--platform", "linux"],
                )
            },
            || floor_two_row_transaction(&db),
        );
        let rss = peak_rss(
            &db,
            &["record-gate", "fmt", "--pass", "--platform", "linux"],
        );
        println!(
            "{:<26} {ledger_ms:>11.1} {floor_ms:>11.1} {:>6.2}x {:>7.1} MB",
            "record-gate",
            ledger_ms / floor_ms,
            rss
        );
        let ev = events.display().to_string();
        let args = ["import", "budget-events", ev.as_str(), "--at", "2026-11-26"];
        let rows_ms = floor_ledger_rows(&db, &dir.path().join(format!("rows-{n}.db")));
        let import_ms = ledger(&db, &args);
        let floor_ms = floor_import(&dir.path().join(format!("import-{n}.db")), &events);
        println!(
            "{:<26} {import_ms:>11.1} {floor_ms:>11.1} {:>6.2}x {:>7}    ({:.0} lines/s; floor: .import of the same rows as CSV)",
            "import 100k lines",
            import_ms / floor_ms,
            "",
            IMPORT_LINES as f64 / import_ms * 1000.0
        );
        println!(
            "{:<26} {import_ms:>11.1} {rows_ms:>11.1} {:>6.2}x {:>7}    (floor: the same journal, typed and tree rows by plain SQL)",
            "  against the schema",
            import_ms / rows_ms,
            ""
        );
        let again_ms = ledger(&db, &args);
        let rss = peak_rss(&db, &args);
        println!(
            "{:<26} {again_ms:>11.1} {:>11} {:>7} {rss:>7.1} MB   (all duplicates)",
            "re-import 100k lines", "", ""
        );
        let (verify_ms, floor_ms) =
            interleaved(1, || ledger(&db, &["verify"]), || floor_verify(&db));
        let rss = peak_rss(&db, &["verify"]);
        println!(
            "{:<26} {verify_ms:>11.1} {floor_ms:>11.1} {:>6.2}x {rss:>7.1} MB",
            "verify",
            verify_ms / floor_ms
        );
        if let Some((url, copied)) = server {
            on_postgres(&url, entries, copied, runs, &events);
        }
    }
    // A fresh ledger: what import costs with nothing in the file.
    let fresh = dir.path().join("fresh.db");
    let _ = std::fs::remove_file(&fresh);
    assert_eq!(code(&fresh, &["init"]), 0);
    let ev = events.display().to_string();
    let ms = ledger(
        &fresh,
        &["import", "budget-events", ev.as_str(), "--at", "2026-11-26"],
    );
    let floor_ms = floor_import(&dir.path().join("import-fresh.db"), &events);
    println!();
    println!(
        "import 100k lines into a fresh ledger: {ms:.1} ms ({:.0} lines/s); floor {floor_ms:.1} ms ({:.2}x)",
        IMPORT_LINES as f64 / ms * 1000.0,
        ms / floor_ms
    );
}

/// Prints the key questions' figures on `db`: the ledger's time next to
/// its floor's, their ratio and the command's peak memory.
fn ask_questions(db: &Db, runs: usize) {
    println!(
        "{:<26} {:>11} {:>11} {:>7} {:>10}",
        "question", "ledger ms", "floor ms", "ratio", "peak RSS"
    );
    for q in questions() {
        let (ledger_ms, floor_ms) = interleaved(runs, || ledger(db, &q.args), || (q.floor)(db));
        let rss = peak_rss(db, &q.args);
        println!(
            "{:<26} {ledger_ms:>11.1} {floor_ms:>11.1} {:>6.2}x {:>7.1} MB",
            q.name,
            ledger_ms / floor_ms,
            rss
        );
    }
}

/// A new database for the ledger of `n` measurements on the server
/// `LEDGER_BENCH_POSTGRES` names (an administrator's URL), if it is set.
fn postgres_database(n: usize) -> Option<String> {
    let admin = std::env::var("LEDGER_BENCH_POSTGRES").ok()?;
    let name = format!("ledger_bench_{n}");
    let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("connect to the server");
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let base = admin.split('?').next().unwrap_or(&admin);
    let server = base.rsplit_once('/').map_or(base, |(s, _)| s);
    Some(format!("{server}/{name}?sslmode=disable"))
}

/// The same questions on the PostgreSQL copy, each next to the same
/// hand-written SQL through the same driver; the write next to `psql`.
fn on_postgres(url: &str, entries: i64, copied: f64, runs: usize, events: &Path) {
    let db = Db::Server(url.to_string());
    println!();
    println!(
        "### on PostgreSQL (the same {entries} entries, copied in {copied:.1} s, {:.0} entries/s)",
        entries as f64 / copied
    );
    ask_questions(&db, runs);
    // One write, as CI runs it: a process each, connection included.
    let binary = env!("CARGO_BIN_EXE_ledger");
    let (ledger_ms, floor_ms) = interleaved(
        runs,
        || {
            process_ms(
                std::process::Command::new(binary)
                    .args([
                        "--db",
                        url,
                        "record-gate",
                        "fmt",
                        "--pass",
                        "--platform",
                        "linux",
                    ])
                    .env("LEDGER_NOW", NOW),
            )
        },
        || psql_two_row_transaction(url),
    );
    println!(
        "{:<26} {ledger_ms:>11.1} {floor_ms:>11.1} {:>6.2}x {:>10}  (processes; floor: psql, BEGIN, two INSERTs and the tree nodes, COMMIT)",
        "record-gate",
        ledger_ms / floor_ms,
        ""
    );
    let ev = events.display().to_string();
    let import_ms = ledger(
        &db,
        &["import", "budget-events", ev.as_str(), "--at", "2026-11-26"],
    );
    let floor_ms = psql_copy_events(url, events);
    println!(
        "{:<26} {import_ms:>11.1} {floor_ms:>11.1} {:>6.2}x {:>10}  ({:.0} lines/s; floor: psql \\copy of the same rows as CSV)",
        "import 100k lines",
        import_ms / floor_ms,
        "",
        IMPORT_LINES as f64 / import_ms * 1000.0
    );
    let (verify_ms, floor_ms) =
        interleaved(1, || ledger(&db, &["verify"]), || floor_verify_pg(url));
    let rss = peak_rss(&db, &["verify"]);
    println!(
        "{:<26} {verify_ms:>11.1} {floor_ms:>11.1} {:>6.2}x {rss:>7.1} MB",
        "verify",
        verify_ms / floor_ms
    );
}

/// A process's run time in ms; it must succeed.
fn process_ms(c: &mut std::process::Command) -> f64 {
    let start = Instant::now();
    let out = c.output().expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed().as_secs_f64() * 1000.0
}

/// The rows one gate result writes, in one transaction through `psql`.
fn psql_two_row_transaction(url: &str) -> f64 {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let seq: i64 = c
        .query_one("SELECT max(seq) + 1 FROM entries", &[])
        .unwrap()
        .get(0);
    drop(c);
    let mut sql = format!(
        "BEGIN;
         INSERT INTO entries VALUES ({seq}, 'pi', 'gate-result', '{NOW}', '{NOW}', '{{}}', 'x', 'y');
         INSERT INTO gate_results (entry_seq, project, effective_at, recorded_at, gate, platform, passed)
         VALUES ({seq}, 'pi', '{NOW}', '{NOW}', 'fmt', 'linux', true);"
    );
    for (level, position) in ledger::domain::merkle::closed_by(seq as u64 - 1).skip(1) {
        sql.push_str(&format!(
            "INSERT INTO merkle_nodes VALUES ({level}, {position}, '\\x{}');",
            "00".repeat(32)
        ));
    }
    sql.push_str("COMMIT;");
    process_ms(
        std::process::Command::new("psql")
            .args([url, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", &sql])
            .stdout(std::process::Stdio::null()),
    )
}

/// The events as CSV, loaded into a plain table by `psql \copy` in one
/// transaction: what PostgreSQL's bulk path does with the same rows.
fn psql_copy_events(url: &str, events: &Path) -> f64 {
    let csv = events.with_extension("csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
    for line in std::fs::read_to_string(events).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        writeln!(
            out,
            "{},{},{}",
            v["budget_name"].as_str().unwrap(),
            v["actual"].as_f64().unwrap(),
            v["source"].as_str().unwrap()
        )
        .unwrap();
    }
    drop(out);
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    c.batch_execute("DROP TABLE IF EXISTS bench_events; CREATE TABLE bench_events (budget_name text, actual double precision, source text)")
        .unwrap();
    drop(c);
    process_ms(std::process::Command::new("psql").args([
        url,
        "-qAtX",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        &format!("\\copy bench_events FROM '{}' CSV", csv.display()),
    ]))
}

/// Every entry read in order and every link hashed, every typed row read:
/// verify's least work, through the postgres driver.
fn floor_verify_pg(url: &str) -> f64 {
    use postgres::fallible_iterator::FallibleIterator;
    let start = Instant::now();
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let mut rows_ = c
        .query_raw(
            "SELECT seq, project, kind, effective_at, recorded_at, body, prev_hash, hash FROM entries ORDER BY seq",
            std::iter::empty::<i32>(),
        )
        .unwrap();
    while let Some(r) = rows_.next().unwrap() {
        let h = ledger::store::link_hash(
            r.get(0),
            r.get(1),
            r.get(2),
            r.get(3),
            r.get(4),
            r.get(6),
            r.get(5),
        );
        std::hint::black_box(h);
    }
    drop(rows_);
    for kind in Kind::ALL {
        let mut rows_ = c
            .query_raw(
                &format!("SELECT * FROM {} ORDER BY entry_seq", kind.table()),
                std::iter::empty::<i32>(),
            )
            .unwrap();
        while let Some(r) = rows_.next().unwrap() {
            let owned: Vec<rusqlite::types::Value> =
                (0..r.len()).map(|i| pg_value(&r, i)).collect();
            std::hint::black_box(owned);
        }
    }
    start.elapsed().as_secs_f64() * 1000.0
}

/// Where the ledgers are written.
struct Dir<'a>(&'a Path);

impl Dir<'_> {
    fn path(&self) -> &Path {
        self.0
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Medians of `runs` interleaved runs of `a` and `b`, in ms.
fn interleaved(runs: usize, mut a: impl FnMut() -> f64, mut b: impl FnMut() -> f64) -> (f64, f64) {
    // One untimed round warms the page cache for both.
    a();
    b();
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for _ in 0..runs {
        xs.push(a());
        ys.push(b());
    }
    (median(&mut xs), median(&mut ys))
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// A ledger the questions run on: a file, or a database by URL.
#[derive(Debug, Clone)]
enum Db {
    File(PathBuf),
    Server(String),
}

impl std::fmt::Display for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Db::File(p) => write!(f, "{}", p.display()),
            Db::Server(url) => f.write_str(url),
        }
    }
}

impl From<&Path> for Db {
    fn from(p: &Path) -> Db {
        Db::File(p.to_path_buf())
    }
}

impl From<&Db> for Db {
    fn from(d: &Db) -> Db {
        d.clone()
    }
}

impl From<&PathBuf> for Db {
    fn from(p: &PathBuf) -> Db {
        Db::File(p.clone())
    }
}

fn argv(db: &Db, args: &[&str]) -> Vec<String> {
    let mut v = vec!["ledger".to_string(), "--db".into(), db.to_string()];
    v.extend(args.iter().map(|a| a.to_string()));
    v
}

fn code(db: &Path, args: &[&str]) -> u8 {
    ledger::cli::run(
        argv(&db.into(), args),
        Some(NOW),
        &mut Vec::new(),
        &mut Vec::new(),
    )
}

/// One in-process run of the CLI, in ms; it must not fail for storage.
fn ledger(db: impl Into<Db>, args: &[&str]) -> f64 {
    let db = db.into();
    let db = &db;
    let start = Instant::now();
    let mut err = Vec::new();
    let c = ledger::cli::run(argv(db, args), Some(NOW), &mut std::io::sink(), &mut err);
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    assert!(
        c <= 1,
        "{args:?} exited {c}: {}",
        String::from_utf8_lossy(&err)
    );
    ms
}

/// Runs one command in a child process and returns its peak resident
/// memory in MB (the child reads its own high-water mark).
fn peak_rss(db: impl Into<Db>, args: &[&str]) -> f64 {
    let db = &db.into();
    let out = std::process::Command::new(std::env::current_exe().expect("exe"))
        .env("LEDGER_BENCH_CHILD", "1")
        .args(argv(db, args))
        .output()
        .expect("child");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse::<f64>()
        .unwrap_or(f64::NAN)
        / 1024.0
}

fn child() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let c = ledger::cli::run(args, Some(NOW), &mut std::io::sink(), &mut std::io::sink());
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .map(|v| v.trim().trim_end_matches("kB").trim().to_string())
        .unwrap_or_default();
    println!("{kb}");
    std::process::exit(i32::from(c > 1));
}

fn at(day: f64) -> Time {
    let t0 = time::parse(NOW).unwrap() - chrono::Duration::days(DAYS);
    t0 + chrono::Duration::seconds((day * 86_400.0) as i64)
}

fn version_of(i: usize) -> String {
    format!("{}.{}.{}", i / 1000, (i % 1000) / 10, i % 10)
}

fn budget_ids(policy: &Policy) -> Vec<String> {
    let mut ids: Vec<String> = policy
        .budgets
        .definitions
        .iter()
        .map(|d| d.id.clone())
        .collect();
    ids.extend((0..EXTRA_BUDGETS).map(|i| format!("extra-{i:02}")));
    ids
}

/// Builds the ledger through the store's write path, in batches of one
/// transaction each (as an import writes); returns the number of entries.
fn build(db: &Path, measurements: usize) -> i64 {
    assert_eq!(code(db, &["init"]), 0);
    let policy = Policy::builtin();
    let mut store = Store::open(db).expect("open");
    let ids = budget_ids(&policy);
    let extra: Vec<String> = ids[policy.budgets.definitions.len()..].to_vec();
    let mut w = |f: &dyn Fn(&mut Batch<'_>)| {
        store
            .write(|tx| {
                let mut b = Batch {
                    tx,
                    head: store::Head::read(tx)?,
                    err: None,
                };
                f(&mut b);
                b.err.map_or(Ok(()), Err)
            })
            .expect("write");
    };
    w(&|b| {
        for id in &extra {
            b.add(
                at(0.0),
                &BudgetRec {
                    budget: id.clone(),
                    category: "synthetic".into(),
                    metric: "p95 latency".into(),
                    unit: "ms".into(),
                    threshold: 100.0,
                    direction: Direction::Max,
                    ci_enforced: false,
                    source: None,
                },
            );
        }
    });
    // Releases, one every 0.73 days; every 25th a draft.
    w(&|b| {
        for i in 0..RELEASES {
            let t = at(i as f64 * DAYS as f64 / RELEASES as f64);
            b.add(
                t,
                &ReleaseRec {
                    version: version_of(i),
                    date: time::format(t),
                    commit_sha: None,
                    status: if i % 25 == 24 {
                        ReleaseStatus::Draft
                    } else {
                        ReleaseStatus::Released
                    },
                    breaking: false,
                    notes: None,
                    committed_at: Some(time::format(t - chrono::Duration::hours(30))),
                    fixes: None,
                    tag: None,
                },
            );
        }
    });
    // Deprecations in the release of their day; a third removed later.
    // The built-in policy's kinds.
    let kinds = [
        DeprecationKind::API,
        DeprecationKind::EXTENSION_API,
        DeprecationKind::CLI_FLAG,
        DeprecationKind::CAPABILITY_POLICY,
    ]
    .map(DeprecationKind::named);
    w(&|b| {
        for i in 0..DEPRECATIONS {
            let r = i * RELEASES / DEPRECATIONS;
            let t = at(r as f64 * DAYS as f64 / RELEASES as f64 + 0.1);
            b.add(
                t,
                &DeprecationRec {
                    item: format!("api.item{i:05}"),
                    kind: kinds[i % kinds.len()],
                    version: version_of(r),
                    replacement: Some(format!("api.next{i:05}")),
                    note: None,
                    kept: None,
                },
            );
            if i % 3 == 0 && r + 40 < RELEASES {
                let rt = at((r + 40) as f64 * DAYS as f64 / RELEASES as f64 + 0.2);
                b.add(
                    rt,
                    &RemovalRec {
                        item: format!("api.item{i:05}"),
                        version: version_of(r + 40),
                    },
                );
            }
        }
    });
    // Gate results: every policy gate on its platforms, round robin.
    let mut keys: Vec<(String, Option<String>)> = Vec::new();
    for g in &policy.gates {
        if g.per_platform {
            keys.extend(
                policy
                    .platforms
                    .iter()
                    .map(|p| (g.id.clone(), Some(p.clone()))),
            );
        } else {
            keys.push((g.id.clone(), None));
        }
    }
    for chunk in 0..GATE_RESULTS / 50_000 {
        w(&|b| {
            for j in 0..50_000 {
                let i = chunk * 50_000 + j;
                let (gate, platform) = &keys[i % keys.len()];
                let t = at(i as f64 * DAYS as f64 / GATE_RESULTS as f64);
                b.add(
                    t,
                    &GateResultRec {
                        gate: gate.clone(),
                        platform: platform.clone(),
                        value: None,
                        passed: i % 97 != 0,
                        comparator: None,
                        threshold: None,
                        commit_sha: None,
                        release: None,
                        source: None,
                    },
                );
            }
        });
    }
    // Incidents with a triage and a resolution each, the last few open.
    w(&|b| {
        // The built-in policy's kinds, as the closed list once had them.
        let kinds = [
            "conformance-regression",
            "security",
            "performance-regression",
            "other",
        ]
        .map(IncidentKind::named);
        let severities = Severity::ALL;
        for i in 0..INCIDENTS {
            let t = at(i as f64 * DAYS as f64 / INCIDENTS as f64);
            let id = b.add(
                t,
                &IncidentRec {
                    kind: kinds[i % kinds.len()],
                    severity: severities[(i / 4) % severities.len()],
                    title: format!("incident {i}"),
                    over_pct: None,
                    introduced_in: None,
                },
            );
            if i + 10 < INCIDENTS {
                for (h, action) in [(6, IncidentAction::Triage), (30, IncidentAction::Resolve)] {
                    b.add(
                        t + chrono::Duration::hours(h),
                        &IncidentEventRec {
                            incident: id,
                            action,
                            release: None,
                        },
                    );
                }
            }
        }
    });
    w(&|b| {
        for i in 0..EXTENSIONS {
            b.add(
                at(i as f64),
                &ExtensionRec {
                    extension: format!("ext-{i:04}"),
                    name: format!("Extension {i}"),
                    tier: ["official", "community", "npm", "third-party", "agent"][i % 5].into(),
                    source_tier: None,
                    license: "MIT".into(),
                    provenance: format!("npm:ext-{i:04}@1.0.{i}"),
                    doctor: Some("pass".into()),
                    patched: false,
                    score: Some(90.0),
                    capabilities: vec!["read".into()],
                    origin: "cli".into(),
                },
            );
        }
        for (i, task) in policy.maintenance.tasks.iter().enumerate() {
            b.add(
                at(DAYS as f64 - 3.0 - i as f64),
                &MaintenanceRec {
                    task: task.id.clone(),
                },
            );
        }
        for c in &policy.attestations.criteria {
            b.add(
                at(DAYS as f64 - 20.0),
                &AttestationRec {
                    criterion: c.id.clone(),
                    signed_by: Some("bench".into()),
                    note: None,
                },
            );
        }
    });
    // Measurements: every budget sampled evenly over the ten years.
    let per = 100_000;
    for chunk in 0..measurements.div_ceil(per) {
        let ids = &ids;
        w(&|b| {
            for j in 0..per.min(measurements - chunk * per) {
                let i = chunk * per + j;
                let t = at(i as f64 * DAYS as f64 / measurements as f64);
                b.add(
                    t,
                    &MeasurementRec {
                        budget: ids[i % ids.len()].clone(),
                        value: 5.0 + (i % 13) as f64 * 0.5,
                        commit_sha: None,
                        source: None,
                    },
                );
            }
        });
    }
    let conn = Connection::open(db).unwrap();
    conn.query_row("SELECT max(seq) FROM entries", [], |r| r.get(0))
        .unwrap()
}

struct Batch<'a> {
    tx: &'a store::Db,
    head: store::Head,
    err: Option<store::StoreError>,
}

impl Batch<'_> {
    /// Appends an entry effective at `t`, recorded at the build's clock
    /// (the history is written at once, as an import of it would be).
    fn add<R: Record>(&mut self, t: Time, rec: &R) -> i64 {
        let recorded = time::parse(NOW).expect("now");
        match self.head.append(self.tx, "pi", t, recorded, rec) {
            Ok(seq) => seq,
            Err(e) => {
                self.err.get_or_insert(e);
                0
            }
        }
    }
}

/// 100,000 budget events, as CI writes them.
fn write_events(path: &Path) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..IMPORT_LINES {
        let budget = [
            "cold-load-p95",
            "warm-load-p95",
            "event-dispatch-p95",
            "binary-size",
        ][i % 4];
        writeln!(
            f,
            r#"{{"budget_name":"{budget}","actual":{},"source":"ci-run-{}"}}"#,
            1.0 + (i % 1000) as f64 / 8.0,
            i / 4
        )
        .unwrap();
    }
}

/// A named question, its arguments and its floor.
struct Question {
    name: &'static str,
    args: Vec<&'static str>,
    floor: fn(&Db) -> f64,
}

fn questions() -> Vec<Question> {
    vec![
        Question {
            name: "deprecations --overdue",
            args: vec!["deprecations", "--overdue"],
            floor: floor_deprecations,
        },
        Question {
            name: "drift --days 30",
            args: vec!["drift", "--days", "30"],
            floor: floor_drift,
        },
        Question {
            name: "readiness 1.0",
            args: vec!["readiness", "1.0"],
            floor: floor_readiness,
        },
        Question {
            name: "status",
            args: vec!["status"],
            floor: floor_status,
        },
        Question {
            name: "check-release 4.99.9",
            args: vec!["check-release", "4.99.9"],
            floor: floor_check_release,
        },
    ]
}

fn open(db: &Path) -> Connection {
    Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .unwrap()
}

/// Times `f` on a fresh connection, opened and closed inside the timing
/// (the CLI opens one per command too, and closing the last connection
/// checkpoints the WAL).
fn timed_file(db: &Path, f: impl FnOnce(&Connection) -> usize) -> f64 {
    let start = Instant::now();
    let conn = open(db);
    let n = f(&conn);
    std::hint::black_box(n);
    drop(conn);
    start.elapsed().as_secs_f64() * 1000.0
}

/// [`timed_file`] on either backend: the floor opens its own connection
/// inside the timing, as the CLI does.
fn timed(db: &Db, f: impl FnOnce(&Conn) -> usize) -> f64 {
    let start = Instant::now();
    let conn = match db {
        Db::File(path) => Conn::Lite(open(path)),
        Db::Server(url) => Conn::Pg(std::cell::RefCell::new(
            postgres::Client::connect(url, postgres::NoTls).unwrap(),
        )),
    };
    let n = f(&conn);
    std::hint::black_box(n);
    drop(conn);
    start.elapsed().as_secs_f64() * 1000.0
}

/// A hand-written query's connection: rusqlite on a file, the postgres
/// driver on a server (the driver the ledger uses on each).
enum Conn {
    Lite(Connection),
    Pg(std::cell::RefCell<postgres::Client>),
}

/// A parameter as the postgres driver takes it.
fn pg_param(p: &dyn rusqlite::ToSql) -> Box<dyn postgres::types::ToSql + Sync> {
    use rusqlite::types::{ToSqlOutput, Value};
    let v = match p.to_sql().unwrap() {
        ToSqlOutput::Borrowed(v) => Value::try_from(v).unwrap(),
        ToSqlOutput::Owned(v) => v,
        _ => Value::Null,
    };
    match v {
        Value::Integer(i) => Box::new(i),
        Value::Real(f) => Box::new(f),
        Value::Text(t) => Box::new(t),
        _ => Box::new(Option::<String>::None),
    }
}

/// `?N` as `$N`, as PostgreSQL writes parameters.
fn dollars(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// A PostgreSQL column read into an owned value.
fn pg_value(r: &postgres::Row, i: usize) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    if let Ok(v) = r.try_get::<_, Option<String>>(i) {
        return v.map_or(Value::Null, Value::Text);
    }
    if let Ok(v) = r.try_get::<_, Option<i64>>(i) {
        return v.map_or(Value::Null, Value::Integer);
    }
    if let Ok(v) = r.try_get::<_, Option<f64>>(i) {
        return v.map_or(Value::Null, Value::Real);
    }
    if let Ok(v) = r.try_get::<_, Option<bool>>(i) {
        return v.map_or(Value::Null, |b| Value::Integer(i64::from(b)));
    }
    r.try_get::<_, Option<Vec<u8>>>(i)
        .ok()
        .flatten()
        .map_or(Value::Null, Value::Blob)
}

/// Every row of a query, read into owned values.
fn select(conn: &Conn, sql: &str, p: &[&dyn rusqlite::ToSql]) -> Vec<Vec<rusqlite::types::Value>> {
    match conn {
        Conn::Lite(c) => {
            let mut stmt = c.prepare_cached(sql).unwrap();
            let mut rows = stmt.query(p).unwrap();
            let mut out = Vec::new();
            while let Some(r) = rows.next().unwrap() {
                let width = r.as_ref().column_count();
                out.push((0..width).map(|i| r.get(i).unwrap()).collect());
            }
            out
        }
        Conn::Pg(c) => {
            let params: Vec<Box<dyn postgres::types::ToSql + Sync>> =
                p.iter().map(|v| pg_param(*v)).collect();
            let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                params.iter().map(|b| b.as_ref()).collect();
            let mut client = c.borrow_mut();
            let stmt = client.prepare(&dollars(sql)).unwrap();
            client
                .query(&stmt, &refs)
                .unwrap()
                .iter()
                .map(|r| (0..r.len()).map(|i| pg_value(r, i)).collect())
                .collect()
        }
    }
}

/// Rows of a query, each read into owned values, counted.
fn rows(conn: &Conn, sql: &str, p: &[&dyn rusqlite::ToSql]) -> usize {
    std::hint::black_box(select(conn, sql, p)).len()
}

/// A row of the table read as `t` that is visible at `?1`: of the project,
/// effective by then, and named by no retraction effective by then. The
/// retraction is matched to `t.entry_seq`, qualified: unqualified, the name
/// is the retraction's own `entry_seq`, and the check no longer looks at
/// the row at all.
const VISIBLE: &str = "project = 'pi' AND effective_at <= ?1
    AND NOT EXISTS (SELECT 1 FROM retractions r WHERE r.target = t.entry_seq AND r.effective_at <= ?1)";

fn policy_row(conn: &Conn) -> usize {
    rows(
        conn,
        "SELECT content FROM policy_versions WHERE effective_at <= ?1 ORDER BY effective_at DESC LIMIT 1",
        &[&NOW],
    )
}

fn sql_deprecations(conn: &Conn) -> usize {
    policy_row(conn)
        + rows(
            conn,
            &format!("SELECT version, status, effective_at FROM releases t WHERE {VISIBLE}"),
            &[&NOW],
        )
        + rows(
            conn,
            &format!(
                "SELECT item, kind, version, effective_at FROM deprecations t WHERE {VISIBLE}"
            ),
            &[&NOW],
        )
        + rows(
            conn,
            &format!("SELECT item, version FROM removals t WHERE {VISIBLE}"),
            &[&NOW],
        )
}

/// The waivers every judging question reads (whether a finding is
/// waived).
fn sql_waivers(conn: &Conn) -> usize {
    rows(
        conn,
        &format!("SELECT rule, subject, expires_at FROM waivers t WHERE {VISIBLE}"),
        &[&NOW],
    )
}

/// The accepted shifts (the baseline drift judges from) and the releases
/// of the window (which release shipped a shift).
fn sql_drift_context(conn: &Conn, days: i64) -> usize {
    let since = time::format(time::parse(NOW).unwrap() - chrono::Duration::days(days));
    rows(
        conn,
        &format!("SELECT budget, shift_at FROM shift_acceptances t WHERE {VISIBLE}"),
        &[&NOW],
    ) + rows(
        conn,
        &format!(
            "SELECT version, status, effective_at FROM releases t WHERE {VISIBLE}
             AND effective_at > ?2"
        ),
        &[&NOW, &since],
    )
}

fn floor_deprecations(db: &Db) -> f64 {
    timed(db, |c| sql_deprecations(c) + sql_waivers(c))
}

fn sql_window(conn: &Conn, days: i64, ci_only: bool) -> usize {
    let since = time::format(time::parse(NOW).unwrap() - chrono::Duration::days(days));
    let mut n = policy_row(conn)
        + rows(
            conn,
            &format!(
                "SELECT budget, threshold, direction FROM budget_definitions t WHERE {VISIBLE}"
            ),
            &[&NOW],
        );
    let policy = Policy::builtin();
    let ids = budget_ids(&policy);
    let ids = if ci_only {
        &ids[..policy.budgets.definitions.len()]
    } else {
        &ids[..]
    };
    for id in ids {
        n += rows(
            conn,
            &format!(
                "SELECT effective_at, value FROM measurements t
                 WHERE {VISIBLE} AND budget = ?2 AND effective_at > ?3 ORDER BY effective_at"
            ),
            &[&NOW, id, &since],
        );
        if ci_only {
            n += rows(
                conn,
                &format!(
                    "SELECT effective_at FROM measurements t WHERE {VISIBLE} AND budget = ?2
                     ORDER BY effective_at LIMIT 1"
                ),
                &[&NOW, id],
            );
        }
    }
    n
}

fn floor_drift(db: &Db) -> f64 {
    timed(db, |c| {
        sql_window(c, 30, false) + sql_drift_context(c, 30) + sql_waivers(c)
    })
}

fn sql_latest_gates(conn: &Conn) -> usize {
    let policy = Policy::builtin();
    let mut n = 0;
    for g in &policy.gates {
        let platforms: Vec<Option<&str>> = if g.per_platform {
            policy.platforms.iter().map(|p| Some(p.as_str())).collect()
        } else {
            vec![None]
        };
        for p in platforms {
            // The platform leads the order too: PostgreSQL does not take
            // `platform IS NULL` as fixing it, and would sort every result
            // of the gate instead of reading the index backwards.
            let sql = |platform: &str| {
                format!(
                    "SELECT passed, value, effective_at FROM gate_results t
                     WHERE {VISIBLE} AND gate = ?2 AND {platform}
                     ORDER BY platform DESC, effective_at DESC LIMIT 1"
                )
            };
            n += match p {
                Some(p) => rows(conn, &sql("platform = ?3"), &[&NOW, &g.id, &p]),
                None => rows(conn, &sql("platform IS NULL"), &[&NOW, &g.id]),
            };
        }
    }
    n
}

fn sql_attestations(conn: &Conn) -> usize {
    let policy = Policy::builtin();
    let mut n = 0;
    for c in &policy.attestations.criteria {
        n += rows(
            conn,
            &format!(
                "SELECT signed_by, effective_at FROM attestations t WHERE {VISIBLE} AND criterion = ?2
                 ORDER BY effective_at DESC LIMIT 1"
            ),
            &[&NOW, &c.id],
        );
    }
    n + rows(
        conn,
        &format!(
            "SELECT item FROM deprecations t WHERE {VISIBLE} AND kind = 'capability-policy'
             AND effective_at > ?2 LIMIT 1"
        ),
        &[
            &NOW,
            &time::format(time::parse(NOW).unwrap() - chrono::Duration::days(20)),
        ],
    )
}

fn floor_readiness(db: &Db) -> f64 {
    timed(db, |c| {
        sql_latest_gates(c) + sql_window(c, 30, true) + sql_attestations(c) + sql_waivers(c)
    })
}

/// The incidents open now and their events: what the dashboard and the
/// release check judge.
fn sql_open_incidents(conn: &Conn) -> usize {
    let open: Vec<i64> = select(
        conn,
        &format!(
            "SELECT entry_seq, kind, severity, title, effective_at FROM incidents t
             WHERE {VISIBLE} AND NOT EXISTS (
               SELECT 1 FROM incident_events v
               WHERE v.project = 'pi' AND v.incident = t.entry_seq
                 AND v.effective_at <= ?1 AND v.action = 'resolve')"
        ),
        &[&NOW],
    )
    .into_iter()
    .map(|r| match r[0] {
        rusqlite::types::Value::Integer(i) => i,
        _ => 0,
    })
    .collect();
    let mut n = open.len();
    for id in open {
        n += rows(
            conn,
            &format!(
                "SELECT action, effective_at FROM incident_events t WHERE {VISIBLE} AND incident = ?2"
            ),
            &[&NOW, &id],
        );
    }
    n
}

fn sql_maintenance(conn: &Conn) -> usize {
    let policy = Policy::builtin();
    let mut n = 0;
    for t in &policy.maintenance.tasks {
        n += rows(
            conn,
            &format!(
                "SELECT effective_at FROM maintenance t WHERE {VISIBLE} AND task = ?2
                 ORDER BY effective_at DESC LIMIT 1"
            ),
            &[&NOW, &t.id],
        );
    }
    n
}

/// What the dashboard's delivery metrics read beyond the rest: of the
/// policy's delivery window, the incidents opened in it, the incident
/// events in it, and each task's completions in it with the one before.
fn sql_delivery_window(conn: &Conn) -> usize {
    let policy = Policy::builtin();
    let now = time::parse(NOW).expect("NOW");
    let since = time::format(time::days_before(now, policy.delivery.window_days));
    let mut n = rows(
        conn,
        &format!("SELECT * FROM incidents t WHERE {VISIBLE} AND effective_at > ?2"),
        &[&NOW, &since],
    );
    n += rows(
        conn,
        &format!("SELECT * FROM incident_events t WHERE {VISIBLE} AND effective_at > ?2"),
        &[&NOW, &since],
    );
    for t in &policy.maintenance.tasks {
        n += rows(
            conn,
            &format!(
                "SELECT effective_at FROM maintenance t WHERE {VISIBLE} AND task = ?2
                 AND effective_at <= ?3 ORDER BY effective_at DESC LIMIT 1"
            ),
            &[&NOW, &t.id, &since],
        );
        n += rows(
            conn,
            &format!(
                "SELECT effective_at FROM maintenance t WHERE {VISIBLE} AND task = ?2
                 AND effective_at > ?3"
            ),
            &[&NOW, &t.id, &since],
        );
    }
    n
}

fn floor_status(db: &Db) -> f64 {
    timed(db, |c| {
        sql_deprecations(c)
            + sql_latest_gates(c)
            + sql_window(c, 30, false)
            + sql_open_incidents(c)
            + sql_maintenance(c)
            + sql_attestations(c)
            + sql_delivery_window(c)
            + sql_waivers(c)
    })
}

/// Every sample after the latest shipped release, budget by budget: the
/// shifts the release check judges.
fn sql_since_last_release(conn: &Conn) -> usize {
    let last = select(
        conn,
        &format!(
            "SELECT max(effective_at) FROM releases t
             WHERE {VISIBLE} AND status IN ('released', 'tag-only')"
        ),
        &[&NOW],
    );
    let since = match last.first().and_then(|r| r.first()) {
        Some(rusqlite::types::Value::Text(t)) => t.clone(),
        _ => return 0,
    };
    let mut n = 0;
    for id in budget_ids(&Policy::builtin()) {
        n += rows(
            conn,
            &format!(
                "SELECT value, effective_at FROM measurements t
                 WHERE {VISIBLE} AND budget = ?2 AND effective_at > ?3"
            ),
            &[&NOW, &id, &since],
        );
    }
    n
}

fn floor_check_release(db: &Db) -> f64 {
    timed(db, |c| {
        let mut n = sql_deprecations(c)
            + sql_latest_gates(c)
            + sql_open_incidents(c)
            + sql_since_last_release(c)
            + sql_waivers(c);
        for id in budget_ids(&Policy::builtin()) {
            n += rows(
                c,
                &format!(
                    "SELECT value FROM measurements t WHERE {VISIBLE} AND budget = ?2
                     ORDER BY effective_at DESC LIMIT 1"
                ),
                &[&NOW, &id],
            );
        }
        n
    })
}

/// A durable transaction on the same file of the rows one gate result
/// writes: the journal row, the typed row, and the Merkle tree nodes the
/// entry closes (none for half the entries, one or more for the others).
fn floor_two_row_transaction(db: &Path) -> f64 {
    timed_file(db, |c| {
        c.execute_batch("PRAGMA synchronous = FULL; BEGIN IMMEDIATE")
            .unwrap();
        let seq: i64 = c
            .query_row("SELECT max(seq) + 1 FROM entries", [], |r| r.get(0))
            .unwrap();
        c.execute(
            "INSERT INTO entries VALUES (?1, 'pi', 'gate-result', ?2, ?2, '{}', 'x', 'y')",
            params![seq, NOW],
        )
        .unwrap();
        c.execute(
            "INSERT INTO gate_results (entry_seq, project, effective_at, recorded_at, gate, platform, passed)
             VALUES (?1, 'pi', ?2, ?2, 'fmt', 'linux', 1)",
            params![seq, NOW],
        )
        .unwrap();
        // The tree nodes the entry closes (their values do not matter to the
        // timing; later writes only need them to be there).
        for (level, position) in ledger::domain::merkle::closed_by(seq as u64 - 1).skip(1) {
            c.execute(
                "INSERT INTO merkle_nodes (level, position, hash) VALUES (?1, ?2, zeroblob(32))",
                params![level, position as i64],
            )
            .unwrap();
        }
        c.execute_batch("COMMIT").unwrap();
        1
    })
}

/// What `sqlite3 .import` does with the same rows as CSV: one prepared
/// insert per row into a plain table, in one transaction.
fn floor_import(db: &PathBuf, events: &Path) -> f64 {
    let text = std::fs::read_to_string(events).unwrap();
    let csv: Vec<(String, f64, String)> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["budget_name"].as_str().unwrap().to_string(),
                v["actual"].as_f64().unwrap(),
                v["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let _ = std::fs::remove_file(db);
    let start = Instant::now();
    let c = Connection::open(db).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE events (budget_name TEXT, actual REAL, source TEXT); BEGIN",
    )
    .unwrap();
    {
        let mut stmt = c.prepare("INSERT INTO events VALUES (?1, ?2, ?3)").unwrap();
        for (b, v, s) in &csv {
            stmt.execute(params![b, v, s]).unwrap();
        }
    }
    c.execute_batch("COMMIT").unwrap();
    start.elapsed().as_secs_f64() * 1000.0
}

/// The rows an import of the events writes (a journal entry and a typed
/// measurement each, hashes included), inserted by plain SQL in one
/// transaction into a copy of the ledger: what the schema costs with no
/// parsing, hashing or checking at all.
fn floor_ledger_rows(db: &Path, copy: &Path) -> f64 {
    let _ = std::fs::remove_file(copy);
    std::fs::copy(db, copy).unwrap();
    timed_file(copy, |c| {
        let before: i64 = c
            .query_row("SELECT max(seq) FROM entries", [], |r| r.get(0))
            .unwrap();
        c.execute_batch(&format!(
            "PRAGMA synchronous = FULL; BEGIN;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {IMPORT_LINES})
             INSERT INTO entries
             SELECT (SELECT max(seq) FROM entries) + i, 'pi', 'measurement', '2026-11-26T00:00:00Z', '{NOW}',
                    '{{\"budget\":\"cold-load-p95\",\"value\":12.5,\"commit_sha\":null,\"source\":\"ci-run-1\"}}',
                    hex(randomblob(32)), hex(randomblob(32))
             FROM n;
             INSERT INTO measurements
             SELECT seq, 'pi', effective_at, recorded_at, 'cold-load-p95', 12.5, NULL, 'ci-run-1'
             FROM entries WHERE kind = 'measurement'
               AND seq > (SELECT coalesce(max(entry_seq), 0) FROM measurements t);
"
        ))
        .unwrap();
        // The tree nodes those entries close.
        {
            let mut insert = c
                .prepare("INSERT INTO merkle_nodes (level, position, hash) VALUES (?1, ?2, zeroblob(32))")
                .unwrap();
            for seq in before + 1..=before + IMPORT_LINES as i64 {
                for (level, position) in ledger::domain::merkle::closed_by(seq as u64 - 1).skip(1) {
                    insert.execute(params![level, position as i64]).unwrap();
                }
            }
        }
        c.execute_batch("COMMIT").unwrap();
        IMPORT_LINES
    })
}

/// Every entry and every typed row read in order, and every link hashed:
/// what verify must do at the least.
fn floor_verify(db: &Path) -> f64 {
    timed_file(db, |c| {
        let mut n = 0;
        let mut stmt = c
            .prepare("SELECT seq, project, kind, effective_at, recorded_at, body, prev_hash, hash FROM entries ORDER BY seq")
            .unwrap();
        let mut rows_ = stmt.query([]).unwrap();
        while let Some(r) = rows_.next().unwrap() {
            let h = ledger::store::link_hash(
                r.get(0).unwrap(),
                &r.get::<_, String>(1).unwrap(),
                &r.get::<_, String>(2).unwrap(),
                &r.get::<_, String>(3).unwrap(),
                &r.get::<_, String>(4).unwrap(),
                &r.get::<_, String>(6).unwrap(),
                &r.get::<_, String>(5).unwrap(),
            );
            std::hint::black_box(h);
            n += 1;
        }
        for kind in Kind::ALL {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT * FROM {} ORDER BY entry_seq",
                    kind.table()
                ))
                .unwrap();
            let mut rows_ = stmt.query([]).unwrap();
            while let Some(r) = rows_.next().unwrap() {
                let width = r.as_ref().column_count();
                let owned: Vec<rusqlite::types::Value> =
                    (0..width).map(|i| r.get(i).unwrap()).collect();
                std::hint::black_box(owned);
                n += 1;
            }
        }
        n
    })
}
