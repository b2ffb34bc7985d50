//! A ledger in a temporary directory and the helpers to drive it.

use std::path::PathBuf;

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

/// A ledger file in its own temporary directory.
pub struct Ledger {
    pub dir: TempDir,
    pub now: String,
}

impl Ledger {
    /// A fresh, initialized ledger.
    pub fn new() -> Ledger {
        let l = Ledger::empty();
        l.ok(&["init"]);
        l
    }

    /// A directory with no ledger file yet.
    pub fn empty() -> Ledger {
        Ledger {
            dir: TempDir::new().expect("temp dir"),
            now: NOW.to_string(),
        }
    }

    /// The ledger file.
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("ledger.db")
    }

    /// A path inside the temporary directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The binary, pointed at this ledger, with a fixed clock.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("ledger").expect("binary");
        c.current_dir(self.dir.path())
            .env("LEDGER_DB", self.db())
            .env("LEDGER_NOW", &self.now)
            .env_remove("LEDGER_PROJECT")
            .env_remove("LEDGER_FORMAT")
            .env_remove("COLUMNS")
            .env("NO_COLOR", "1");
        c
    }

    /// Runs the binary with `args`.
    pub fn run(&self, args: &[&str]) -> Run {
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

    /// Runs SQL on the file directly, behind the ledger's back.
    pub fn sqlite(&self, sql: &str) -> rusqlite::Result<()> {
        let conn = rusqlite::Connection::open(self.db())?;
        conn.execute_batch(sql)
    }
}
