//! A ledger in a temporary directory and the helpers to drive it.
//!
//! Every test runs on the backend `LEDGER_TEST_BACKEND` names: `sqlite`
//! (the default: a file in the directory) or `postgres` (a new database on
//! the server at `LEDGER_TEST_POSTGRES`, dropped afterwards). `.ci/run`
//! runs the suite once on each.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// The clock every test runs at unless it says otherwise.
pub const NOW: &str = "2026-03-01T12:00:00Z";

/// A fixture: a real CI artifact of the governed project (see
/// tests/fixtures/README.md).
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The built-in policy's text (seed/policy.toml), to derive variants from.
pub fn seed_policy() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seed/policy.toml");
    std::fs::read_to_string(path).expect("read seed/policy.toml")
}

/// A template's text (seed/templates/NAME.toml) for `project`.
pub fn template(name: &str, project: &str) -> String {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("seed/templates/{name}.toml"));
    std::fs::read_to_string(path)
        .expect("read a template")
        .replacen(
            "project = \"my-project\"",
            &format!("project = \"{project}\""),
            1,
        )
}

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The stdout as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

/// Which backend the suite runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backend of this run: `LEDGER_TEST_BACKEND`, SQLite by default.
pub fn backend() -> Backend {
    match std::env::var("LEDGER_TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        Ok("sqlite") | Err(_) => Backend::Sqlite,
        Ok(other) => panic!("LEDGER_TEST_BACKEND is {other:?}; use sqlite or postgres"),
    }
}

/// The server the PostgreSQL tests use, as an administrator's URL. Under
/// `CI=true` a missing server fails the run: CI must not pass by skipping.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("LEDGER_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
            "CI=true but LEDGER_TEST_POSTGRES is not set: point it at a PostgreSQL server (.ci/run starts one with .ci/postgres)"
        ),
        _ => None,
    }
}

/// A connection to the test server (TLS not required on loopback).
pub fn postgres_admin() -> postgres::Client {
    let url = postgres_admin_url().expect("LEDGER_TEST_POSTGRES");
    postgres::Client::connect(&url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot reach the test server at {url}: {e}"))
}

/// The URL of database `name` on the test server.
pub fn postgres_url(name: &str) -> String {
    let admin = postgres_admin_url().expect("LEDGER_TEST_POSTGRES");
    let base = admin.split('?').next().unwrap_or(&admin);
    let server = base.rsplit_once('/').map_or(base, |(s, _)| s);
    format!("{server}/{name}")
}

/// A new, empty database on the test server, named after this process
/// and a counter.
pub fn new_postgres_database() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "ledger_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = postgres_admin();
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .expect("drop an old test database");
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create a test database");
    name
}

/// Whether commands may run in this process: not when a variable the
/// binary's runs remove is set here (it would change their answers).
fn in_process() -> bool {
    [
        "LEDGER_DB",
        "LEDGER_PROJECT",
        "LEDGER_FORMAT",
        "LEDGER_DB_CA",
        "LEDGER_LOCK_WAIT",
        "LEDGER_CLOCK_ALLOWANCE",
        "LEDGER_SIGNING_KEY",
        "LEDGER_SPAWN_ONLY",
    ]
    .iter()
    .all(|v| std::env::var_os(v).is_none())
}

/// Whether `args` need a process of their own: the binary runs in the
/// ledger's directory, where a relative path (`./ledger.db`) points, and
/// `sql` sets SQLite's heap limit, which holds for a whole process.
fn needs_a_process(args: &[&str]) -> bool {
    args.first() == Some(&"sql")
        || args
            .iter()
            .any(|a| a.starts_with("./") || a.starts_with("../"))
}

/// A ledger (a file, or a database) in its own temporary directory.
pub struct Ledger {
    pub dir: TempDir,
    pub now: String,
    /// The PostgreSQL database, when the suite runs on PostgreSQL.
    database: Option<String>,
}

impl Drop for Ledger {
    fn drop(&mut self) {
        if let Some(name) = &self.database
            && let Ok(mut admin) = std::panic::catch_unwind(postgres_admin)
        {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

impl Ledger {
    /// A fresh, initialized ledger.
    pub fn new() -> Ledger {
        let l = Ledger::empty();
        l.ok(&["init"]);
        l
    }

    /// A directory with no ledger yet (on PostgreSQL: an empty database).
    pub fn empty() -> Ledger {
        Ledger {
            dir: TempDir::new().expect("temp dir"),
            now: NOW.to_string(),
            database: match backend() {
                Backend::Sqlite => None,
                Backend::Postgres => Some(new_postgres_database()),
            },
        }
    }

    /// A fresh, initialized ledger on PostgreSQL whatever the suite's
    /// backend.
    pub fn postgres() -> Ledger {
        let l = Ledger {
            dir: TempDir::new().expect("temp dir"),
            now: NOW.to_string(),
            database: Some(new_postgres_database()),
        };
        l.ok(&["init"]);
        l
    }

    /// The demo's ledger, at the demo story's clock.
    pub fn demo() -> Ledger {
        let mut l = Ledger::empty();
        l.now = "2026-11-20T12:00:00Z".into();
        // As the binary: the demo writes hundreds of entries, and a
        // process of its own allocates without the locks a process with
        // many test threads takes.
        let r = l.spawn(&["demo"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        l
    }

    /// A ledger on SQLite whatever the suite's backend: for what only a
    /// file has (its bytes, its path, its locks).
    pub fn file() -> Ledger {
        let l = Ledger::empty_file();
        l.ok(&["init"]);
        l
    }

    /// A directory with no ledger file yet, whatever the suite's backend.
    pub fn empty_file() -> Ledger {
        Ledger {
            dir: TempDir::new().expect("temp dir"),
            now: NOW.to_string(),
            database: None,
        }
    }

    /// Removes the ledger: the file, or the database.
    pub fn remove(&self) {
        match &self.database {
            None => std::fs::remove_file(self.db()).expect("remove the ledger file"),
            Some(name) => postgres_admin()
                .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .expect("drop the test database"),
        }
    }

    /// Whether a ledger exists: the file, or a schema in the database.
    pub fn exists(&self) -> bool {
        match &self.database {
            None => self.db().exists(),
            Some(name) => postgres::Client::connect(&postgres_url(name), postgres::NoTls)
                .expect("connect")
                .query_one("SELECT to_regclass('entries') IS NOT NULL", &[])
                .expect("query")
                .get(0),
        }
    }

    /// Whether this ledger is a SQLite file.
    pub fn is_file(&self) -> bool {
        self.database.is_none()
    }

    /// The ledger file (SQLite).
    pub fn db(&self) -> PathBuf {
        assert!(self.is_file(), "a PostgreSQL ledger has no file");
        self.dir.path().join("ledger.db")
    }

    /// What `--db` names: the file, or the database's URL.
    pub fn location(&self) -> String {
        match &self.database {
            Some(name) => postgres_url(name),
            None => self.dir.path().join("ledger.db").display().to_string(),
        }
    }

    /// A path inside the temporary directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The binary, pointed at this ledger, with a fixed clock.
    pub fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }

    /// [`Ledger::cmd`] as a plain process, to spawn and wait for.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("ledger"));
        c.current_dir(self.dir.path())
            .env("LEDGER_DB", self.location())
            .env("LEDGER_NOW", &self.now)
            .env_remove("LEDGER_PROJECT")
            .env_remove("LEDGER_FORMAT")
            .env_remove("COLUMNS")
            .env_remove("GITHUB_STEP_SUMMARY")
            .env("NO_COLOR", "1");
        c
    }

    /// `writers` processes at once, each recording `each` budget samples
    /// one after another into the ledger at `db`; asserts none failed.
    pub fn record_at_once(&self, db: &str, writers: usize, each: usize) {
        let children: Vec<std::process::Child> = (0..writers)
            .map(|w| {
                let script = format!(
                    "i=0; while [ $i -lt {each} ]; do \"$LEDGER\" record-budget warm-load-p95 --value {}.$i || exit 1; i=$((i+1)); done",
                    30 + w
                );
                std::process::Command::new("sh")
                    .arg("-c")
                    .arg(script)
                    .env("LEDGER", assert_cmd::cargo::cargo_bin("ledger"))
                    .env("LEDGER_DB", db)
                    .env("LEDGER_NOW", &self.now)
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .expect("spawn writer")
            })
            .collect();
        for mut c in children {
            assert!(c.wait().expect("writer").success(), "a writer failed");
        }
    }

    /// Runs `ledger` with `args`: in this process, through the library's
    /// entry point as the binary calls it, unless this process's
    /// environment would leak into the answer (then as the binary).
    pub fn run(&self, args: &[&str]) -> Run {
        if !in_process() || needs_a_process(args) {
            return self.spawn(args);
        }
        let mut argv: Vec<String> = vec!["ledger".into()];
        if !args.contains(&"--db") {
            argv.extend(["--db".into(), self.location()]);
        }
        argv.extend(args.iter().map(|a| a.to_string()));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let host = ledger::cli::Host::piped(Some(&self.now));
        let code = ledger::cli::run_in(argv, &host, &mut out, &mut err);
        Run {
            code: i32::from(code),
            stdout: String::from_utf8_lossy(&out).into_owned(),
            stderr: String::from_utf8_lossy(&err).into_owned(),
        }
    }

    /// Runs the binary with `args`, as a process of its own.
    pub fn spawn(&self, args: &[&str]) -> Run {
        let out = self.cmd().args(args).output().expect("run ledger");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and asserts exit 0; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, 0,
            "ledger {args:?} failed: {}{}",
            r.stdout, r.stderr
        );
        r.stdout
    }

    /// Runs with `--json` and asserts exit 0.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.push("--json");
        let r = self.run(&a);
        assert_eq!(r.code, 0, "ledger {a:?} failed: {}{}", r.stdout, r.stderr);
        r.json()
    }

    /// The number of entries and the chain head.
    pub fn head(&self) -> (i64, String) {
        let v = self.json(&["verify"]);
        assert_eq!(v["ok"], true, "ledger does not verify: {v}");
        (
            v["entries"].as_i64().expect("entries"),
            v["head"].as_str().expect("head").to_string(),
        )
    }

    /// Asserts that `args` is rejected with exit 2, a stderr that contains
    /// `expected`, and no change to the ledger.
    pub fn rejects(&self, args: &[&str], expected: &str) -> Run {
        let before = self.head();
        let r = self.run(args);
        assert_eq!(
            r.code, 2,
            "ledger {args:?} should exit 2: {}{}",
            r.stdout, r.stderr
        );
        assert!(
            r.stderr.contains(expected),
            "stderr of {args:?} lacks {expected:?}: {}",
            r.stderr
        );
        assert_eq!(
            self.head(),
            before,
            "ledger {args:?} wrote something although rejected"
        );
        r
    }

    /// Writes `text` to `file` beside the ledger and loads it as a policy.
    pub fn load_policy(&self, file: &str, text: impl AsRef<str>) {
        std::fs::write(self.path(file), text.as_ref()).unwrap();
        self.ok(&["init", "--policy", self.path(file).to_str().unwrap()]);
    }

    /// Runs SQL on the file directly, behind the ledger's back.
    pub fn sqlite(&self, sql: &str) -> rusqlite::Result<()> {
        let conn = rusqlite::Connection::open(self.db())?;
        conn.execute_batch(sql)
    }

    /// Runs SQL on the ledger directly, behind its back: `sqlite` on a
    /// file, `postgres` on a database (as its owner). An error is returned
    /// as its text.
    pub fn tamper(&self, sqlite: &str, postgres: &str) -> Result<(), String> {
        match &self.database {
            None => self.sqlite(sqlite).map_err(|e| e.to_string()),
            Some(name) => {
                let mut c = postgres::Client::connect(&postgres_url(name), postgres::NoTls)
                    .map_err(|e| e.to_string())?;
                c.batch_execute(postgres).map_err(|e| {
                    e.as_db_error()
                        .map_or_else(|| e.to_string(), |d| d.message().to_string())
                })
            }
        }
    }

    /// Changes rows behind the ledger's back with its append-only triggers
    /// bypassed, leaving the schema as it is: the same DML on both backends.
    pub fn rewrite(&self, dml: &str) {
        let result = match &self.database {
            None => {
                // SQLite cannot switch triggers off: drop them and put the
                // same ones back.
                let conn = rusqlite::Connection::open(self.db()).expect("open");
                let triggers: Vec<(String, String)> = conn
                    .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'")
                    .and_then(|mut s| {
                        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                            .collect::<rusqlite::Result<Vec<_>>>()
                    })
                    .expect("triggers");
                let mut sql = String::from("BEGIN;");
                for (name, _) in &triggers {
                    sql.push_str(&format!("DROP TRIGGER {name};"));
                }
                sql.push_str(dml);
                sql.push(';');
                for (_, create) in &triggers {
                    sql.push_str(create);
                    sql.push(';');
                }
                sql.push_str("COMMIT;");
                conn.execute_batch(&sql).map_err(|e| e.to_string())
            }
            Some(_) => self.tamper(
                "",
                &format!("BEGIN; SET LOCAL session_replication_role = replica; {dml}; COMMIT;"),
            ),
        };
        result.unwrap_or_else(|e| panic!("{dml}: {e}"));
    }
}
