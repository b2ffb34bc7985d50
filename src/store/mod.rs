//! The SQLite store: opening and migrating the file, the write path, and
//! every query. All SQL in the crate lives under this module.
//!
//! Writes run in `BEGIN IMMEDIATE` transactions; a writer that finds the
//! file busy past SQLite's busy timeout retries the whole transaction a
//! bounded number of times, so several CI jobs can record into one file at
//! once without failing or losing an entry.

mod journal;
mod read;
mod row;
mod verify;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior, config::DbConfig};

use crate::domain;

pub use journal::{
    Entry, Head, RawEntry, append, append_signed, for_each_raw_entry, link_hash, raw_entry,
};
pub use read::{
    AsOf, FIRST_CAPABILITY_REMOVAL, Key, OPEN_INCIDENTS, PolicyInForce, Reader, Span, entry,
    latest_policy, load_snapshot, projects, require_project, select_sql,
};
pub use verify::{VerifyReport, verify, verify_with};

pub mod tree;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// The newest migration's version: what every opener checks the file
/// against (without building the migration runner, which parses them all).
const SCHEMA_VERSION: i64 = 3;

/// `PRAGMA user_version` of a ledger built by `ledger demo` is this plus
/// the number of entries the demo wrote: one written since is not the
/// demo's, and makes the file a real ledger.
const DEMO_MARK: i64 = 0x4445_4d4f;

/// How long one attempt waits for a lock before SQLite reports busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a writer waits for the write lock in all, unless told
/// otherwise ([`Store::waiting`]).
pub const LOCK_WAIT: Duration = Duration::from_secs(30);

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Invalid input or a refused action, found while writing.
    #[error(transparent)]
    Domain(#[from] domain::Error),
    /// No ledger file at the path.
    #[error("no ledger at {path}; create one with `ledger init`")]
    Missing { path: PathBuf },
    /// The file cannot be opened or is not a database.
    #[error("cannot open {path}: {message}")]
    Open { path: PathBuf, message: String },
    /// Other writers held the file for longer than every attempt waited.
    #[error(
        "waited {:.1} s ({attempts} attempts) for the write lock on {path}, which other writers held throughout; try again once they finish",
        waited.as_secs_f64()
    )]
    Busy {
        path: PathBuf,
        attempts: u32,
        waited: Duration,
    },
    /// The file's schema is not the one this build expects.
    #[error("schema mismatch in {path}: {message}")]
    Schema { path: PathBuf, message: String },
    /// A row that should exist does not.
    #[error("no {what} {value} in the ledger")]
    NotFound { what: &'static str, value: String },
    /// A walk over the journal was stopped by its caller.
    #[error("interrupted")]
    Interrupted,
    /// Any other SQLite failure.
    #[error("storage failure: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    fn is_busy(&self) -> bool {
        matches!(self, StoreError::Sqlite(e) if is_busy(e))
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Whether an error says the file itself is unreadable or damaged.
fn is_broken(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::SystemIoFailure
                    | rusqlite::ErrorCode::DatabaseCorrupt
                    | rusqlite::ErrorCode::NotADatabase
                    | rusqlite::ErrorCode::CannotOpen
            )
    )
}

/// One object of a schema: its type, name and the SQL that made it
/// (whitespace collapsed; `None` for SQLite's own automatic indexes).
pub type SchemaObject = (String, String, Option<String>);

/// The objects of a file's schema, by type and name.
pub fn schema_objects(conn: &Connection) -> Result<Vec<SchemaObject>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, sql FROM sqlite_schema
         WHERE name NOT LIKE 'sqlite\\_stat%' ESCAPE '\\' ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |r| {
        let sql: Option<String> = r.get(2)?;
        Ok((
            r.get(0)?,
            r.get(1)?,
            sql.map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")),
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The schema the migrations up to `version` make: what a ledger of that
/// version must hold, object for object, SQL for SQL.
pub fn expected_schema(version: i64) -> Result<Vec<SchemaObject>> {
    let mut conn = Connection::open_in_memory()?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let target = i32::try_from(version).unwrap_or(i32::MAX);
    embedded::migrations::runner()
        .set_grouped(true)
        .set_target(refinery::Target::Version(target))
        .run(&mut conn)
        .map_err(|e| StoreError::Schema {
            path: PathBuf::from(":memory:"),
            message: e.to_string(),
        })?;
    schema_objects(&conn)
}

/// Sleeps before another attempt at a busy file: longer each time, spread
/// out between processes so waiting writers do not collide again, and
/// never past the end of the wait.
fn pause(attempt: u32, started: std::time::Instant, lock_wait: Duration) {
    let jitter = u64::from(std::process::id() % 50);
    let backoff = Duration::from_millis(25 * u64::from(attempt.min(40)) + jitter);
    std::thread::sleep(backoff.min(lock_wait.saturating_sub(started.elapsed())));
}

/// The limits a `ledger sql` query runs within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    pub timeout: Duration,
    pub max_rows: usize,
    pub max_memory_mb: u64,
}

/// Store results.
pub type Result<T> = std::result::Result<T, StoreError>;

/// An open ledger file.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// How long a write waits for the lock in all.
    lock_wait: Duration,
}

impl Store {
    /// Creates the file if needed and brings its schema up to date. Other
    /// processes may be doing the same: a locked file is retried.
    pub fn create(path: &Path, lock_wait: Duration) -> Result<Store> {
        let started = std::time::Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            match Store::try_create(path, lock_wait) {
                Err(e) if e.is_busy() && started.elapsed() < lock_wait => {
                    pause(attempt, started, lock_wait);
                }
                Err(e) if e.is_busy() => {
                    return Err(StoreError::Busy {
                        path: path.to_path_buf(),
                        attempts: attempt,
                        waited: started.elapsed(),
                    });
                }
                other => return other,
            }
        }
    }

    fn try_create(path: &Path, lock_wait: Duration) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut store = Store::connect(path, flags)?.waiting(lock_wait)?;
        // WAL is a property of the file: set once here, kept by every opener.
        let mode: String = store
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            store
                .conn
                .pragma_update(None, "journal_mode", "WAL")
                .map_err(|e| store.open_error(e))?;
        }
        // A migration that rebuilds a table drops the old one, which foreign
        // keys would refuse: SQLite's procedure is to turn them off (outside
        // any transaction) while the schema changes.
        store.conn.pragma_update(None, "foreign_keys", false)?;
        let migrated = embedded::migrations::runner()
            .set_grouped(true)
            .set_abort_divergent(true)
            .set_abort_missing(true)
            .run(&mut store.conn);
        store.conn.pragma_update(None, "foreign_keys", true)?;
        if let Err(e) = migrated {
            // Several `ledger init` at once on a new file: one migrates, the
            // others fail on its tables; the schema is then what they want.
            if store.check_schema().is_err() {
                return Err(StoreError::Schema {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                });
            }
        }
        // A ledger from before the Merkle tree gets its tree, once.
        store.write(|tx| tree::backfill(tx))?;
        Ok(store)
    }

    /// Opens an existing ledger whose schema matches this build.
    pub fn open(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut store = Store::connect(path, flags)?;
        store.check_schema()?;
        Ok(store)
    }

    /// Opens an existing ledger for reading only (`ledger sql`).
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut store = Store::connect(path, flags)?;
        store.conn.pragma_update(None, "query_only", true)?;
        store.check_schema()?;
        Ok(store)
    }

    fn connect(path: &Path, flags: OpenFlags) -> Result<Store> {
        let open_error = |e: rusqlite::Error| {
            if is_busy(&e) {
                return StoreError::Sqlite(e);
            }
            StoreError::Open {
                path: path.to_path_buf(),
                message: e.to_string(),
            }
        };
        let conn = Connection::open_with_flags(path, flags).map_err(open_error)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        // Stable plans: the ones `EXPLAIN QUERY PLAN` is tested on, and no
        // recompiling a statement each time a value is bound to it (which
        // SQLite otherwise does where a value could change the plan).
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map_err(open_error)?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            lock_wait: LOCK_WAIT,
        };
        // A file that is not a database fails on its first read, here.
        store
            .conn
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")
            .map_err(|e| store.open_error(e))?;
        store
            .conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
            .map_err(|e| store.open_error(e))?;
        Ok(store)
    }

    fn open_error(&self, e: rusqlite::Error) -> StoreError {
        if is_busy(&e) {
            return StoreError::Sqlite(e);
        }
        StoreError::Open {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }

    fn check_schema(&mut self) -> Result<()> {
        let expected = SCHEMA_VERSION;
        let has_history: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'refinery_schema_history')",
            [],
            |r| r.get(0),
        )?;
        if !has_history {
            return Err(StoreError::Schema {
                path: self.path.clone(),
                message:
                    "it is not a ledger file (no schema history); create one with `ledger init`"
                        .into(),
            });
        }
        let applied: Option<i64> = self.conn.query_row(
            "SELECT max(version) FROM refinery_schema_history",
            [],
            |r| r.get(0),
        )?;
        let applied = applied.unwrap_or_default();
        if applied < expected {
            return Err(StoreError::Schema {
                path: self.path.clone(),
                message: format!(
                    "schema version {applied} is older than {expected}; upgrade it with `ledger init`"
                ),
            });
        }
        if applied > expected {
            return Err(StoreError::Schema {
                path: self.path.clone(),
                message: format!(
                    "schema version {applied} was written by a newer ledger (this one knows {expected})"
                ),
            });
        }
        Ok(())
    }

    /// Makes writes wait at most `lock_wait` in all for the write lock.
    pub fn waiting(mut self, lock_wait: Duration) -> Result<Store> {
        self.conn.busy_timeout(lock_wait.min(BUSY_TIMEOUT))?;
        self.lock_wait = lock_wait;
        Ok(self)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection, for reads.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction and commits it; if the
    /// file is busy, the whole transaction is retried with backoff. Any error
    /// rolls everything back, so a rejected command writes nothing.
    pub fn write<T>(&mut self, mut f: impl FnMut(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let started = std::time::Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = (|| -> Result<T> {
                let tx = self
                    .conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)?;
                let value = f(&tx)?;
                tx.commit()?;
                Ok(value)
            })();
            match result {
                Err(e) if e.is_busy() && started.elapsed() < self.lock_wait => {
                    pause(attempt, started, self.lock_wait);
                }
                Err(e) if e.is_busy() => {
                    return Err(StoreError::Busy {
                        path: self.path.clone(),
                        attempts: attempt,
                        waited: started.elapsed(),
                    });
                }
                other => return other,
            }
        }
    }

    /// Calls `each` with every entry as it is stored, in journal order, one
    /// at a time (`ledger export`).
    pub fn for_each_entry(&self, mut each: impl FnMut(&Entry) -> Result<()>) -> Result<()> {
        journal::for_each_raw_entry(&self.conn, |e| each(&e.parsed()))
    }

    /// Writes a consistent copy of the ledger to `target`, which must not
    /// exist, in an existing folder; other writers may go on meanwhile. The
    /// copy is in WAL mode, like every ledger, so CI can write to it too.
    pub fn backup(&self, target: &Path) -> Result<()> {
        if target.exists() {
            return Err(domain::Error::State(format!(
                "backup target {} already exists; choose a new path",
                target.display()
            ))
            .into());
        }
        let folder = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if !folder.is_dir() {
            return Err(domain::Error::invalid(
                "backup target",
                target.display(),
                format!(
                    "a new file in an existing folder ({} does not exist; create it first)",
                    folder.display()
                ),
            )
            .into());
        }
        // SQL text is UTF-8, so VACUUM INTO cannot name any other path.
        let Some(text) = target.to_str() else {
            return Err(domain::Error::invalid(
                "backup target",
                target.display(),
                "a path in UTF-8",
            )
            .into());
        };
        self.conn.execute("VACUUM INTO ?1", [text])?;
        let copy = Connection::open(target).map_err(|e| self.open_error(e))?;
        copy.pragma_update(None, "journal_mode", "WAL")?;
        Ok(())
    }

    /// Runs a read-only query within `limits` and returns its column names
    /// and rows. Whatever the query does wrong (a write, ATTACH, a missing
    /// function, a limit reached) is the query's fault, an input error;
    /// only a busy or broken file is a storage failure.
    pub fn query(
        &self,
        sql: &str,
        limits: QueryLimits,
    ) -> Result<(Vec<String>, Vec<Vec<serde_json::Value>>)> {
        let invalid = |expected: String| -> StoreError {
            domain::Error::invalid("query", sql.trim(), expected).into()
        };
        if sql.trim().is_empty() {
            return Err(invalid("a SELECT statement".into()));
        }
        let first = sql.split_whitespace().next().unwrap_or_default();
        if ["ATTACH", "DETACH"]
            .iter()
            .any(|k| first.eq_ignore_ascii_case(k))
        {
            return Err(invalid(
                "a statement that reads this ledger only (ATTACH and DETACH are refused)".into(),
            ));
        }
        let mut stmt = self
            .conn
            .prepare(sql)
            .map_err(|e| invalid(format!("valid SQLite SQL ({e})")))?;
        if !stmt.readonly() {
            return Err(invalid("a read-only statement such as SELECT".into()));
        }
        // SQLite's heap for this process; SQLITE_NOMEM past it.
        let bytes = i64::try_from(limits.max_memory_mb.saturating_mul(1 << 20)).unwrap_or(i64::MAX);
        self.conn.pragma_update(None, "hard_heap_limit", bytes)?;
        // A watchdog interrupts the query once its time is up.
        let handle = self.conn.get_interrupt_handle();
        let (done, wait) = std::sync::mpsc::channel::<()>();
        let timeout = limits.timeout;
        let watchdog = std::thread::spawn(move || {
            let expired = wait
                .recv_timeout(timeout)
                .is_err_and(|e| e == std::sync::mpsc::RecvTimeoutError::Timeout);
            if expired {
                handle.interrupt();
            }
            expired
        });
        let columns: Vec<String> = stmt.column_names().map(str::to_string).collect();
        let n = columns.len();
        let mut out = Vec::new();
        let result = (|| -> rusqlite::Result<bool> {
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                if out.len() == limits.max_rows {
                    return Ok(false);
                }
                let mut values = Vec::with_capacity(n);
                for i in 0..n {
                    values.push(read::plain_json(row.get_ref(i)?));
                }
                out.push(values);
            }
            Ok(true)
        })();
        drop(done);
        let expired = watchdog.join().unwrap_or(false);
        match result {
            Ok(true) => Ok((columns, out)),
            Ok(false) => Err(invalid(format!(
                "a query of at most {} rows (raise --max-rows, or narrow it with WHERE or LIMIT)",
                limits.max_rows
            ))),
            Err(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::OperationInterrupted && expired =>
            {
                Err(invalid(format!(
                    "a query that finishes within {} s (raise --timeout)",
                    limits.timeout.as_secs_f64()
                )))
            }
            Err(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::OutOfMemory =>
            {
                Err(invalid(format!(
                    "a query that needs at most {} MB (raise --max-memory)",
                    limits.max_memory_mb
                )))
            }
            Err(e) if is_busy(&e) || is_broken(&e) => Err(e.into()),
            Err(e) => Err(invalid(format!("a query SQLite can run ({e})"))),
        }
    }

    /// Marks the file as a demo ledger holding only what the demo wrote,
    /// which `ledger demo` may rebuild.
    pub fn mark_demo(&self) -> Result<()> {
        let entries = self.entry_count()?;
        self.conn
            .pragma_update(None, "user_version", DEMO_MARK + entries)?;
        Ok(())
    }

    fn entry_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(seq), 0) FROM entries", [], |r| {
                r.get(0)
            })?)
    }

    /// Whether the file is a demo ledger with nothing written since the
    /// demo built it.
    pub fn is_demo(&self) -> bool {
        let mark = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0));
        matches!((mark, self.entry_count()), (Ok(m), Ok(n)) if m == DEMO_MARK + n)
    }

    /// What `need` asks for of a project as of a time.
    pub fn snapshot(
        &self,
        project: &str,
        as_of: impl Into<AsOf>,
        need: domain::snapshot::Need<'_>,
    ) -> Result<domain::Snapshot> {
        load_snapshot(&self.conn, project, as_of, need)
    }
}

#[cfg(test)]
mod tests;
