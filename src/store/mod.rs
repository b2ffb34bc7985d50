//! The store: opening and migrating a ledger, the write path, and every
//! query. All SQL in the crate lives under this module.
//!
//! A ledger is a SQLite file or a PostgreSQL database ([`Location`]). The
//! queries are shared and run through [`Db`]; what differs between the two
//! lives in [`sqlite`] and [`postgres`].
//!
//! Writes run in transactions that hold the chain's write lock (SQLite's
//! `BEGIN IMMEDIATE`, a PostgreSQL advisory lock); a writer that finds the
//! lock held past the busy timeout, or loses a serialization race, retries
//! the whole transaction a bounded number of times, so several CI jobs can
//! record into one ledger at once without failing or losing an entry.

mod db;
mod journal;
mod postgres;
mod question;
mod read;
mod row;
mod sqlite;
mod tls;
mod verify;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::domain;

pub use db::{Column, Db, Prepared, Row, Stream};
pub use journal::{
    Copied, Entry, Head, Line, RawEntry, Rebase, append, append_signed, for_each_raw_entry,
    link_hash, raw_entry,
};
pub use postgres::Target;
pub use question::{Question, question};
pub use read::{
    AsOf, FIRST_CAPABILITY_REMOVAL, Key, OPEN_INCIDENTS, PolicyInForce, Reader, Span,
    UNREMOVED_DEPRECATIONS, entry, latest_policy, own_policy, project_policy, projects,
    require_project, select_sql,
};
pub use sqlite::remove_files;
pub use verify::{VerifyReport, verify, verify_with};

pub mod tree;

/// The newest migration's version: what every opener checks the ledger
/// against (without building the migration runner, which parses them all).
/// Both backends' migrations carry the same numbers.
pub(crate) const SCHEMA_VERSION: i64 = 5;

/// The longest a `ledger sql` query may run, in seconds.
pub const MAX_QUERY_SECONDS: f64 = 300.0;

/// The demo mark of a ledger built by `ledger demo` is this plus the
/// number of entries the demo wrote: one written since is not the demo's,
/// and makes the ledger a real one.
const DEMO_MARK: i64 = 0x4445_4d4f;

/// How long one attempt waits for a lock before SQLite reports busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a writer waits for the write lock in all, unless told
/// otherwise ([`Store::waiting`]).
pub const LOCK_WAIT: Duration = Duration::from_secs(30);

/// Where a ledger is: a SQLite file, or a PostgreSQL database named by a
/// `postgres://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(Target),
}

impl Location {
    /// A `postgres://` or `postgresql://` URL names a PostgreSQL database;
    /// anything else is a file path.
    pub fn parse(text: &str) -> std::result::Result<Location, domain::Error> {
        let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Target::parse(text).map(Location::Postgres);
        }
        if postgres::is_keyword_string(text) {
            return Err(domain::Error::invalid(
                "--db",
                postgres::mask_password(text),
                "a SQLite file or a postgres:// URL; a key=value connection string is not read here, so write it as postgres://user:password@host:port/dbname",
            ));
        }
        Ok(Location::Sqlite(PathBuf::from(text)))
    }

    /// [`Location::parse`] for an argument as the system gives it: a path
    /// keeps its bytes, UTF-8 or not.
    pub fn from_arg(arg: &std::ffi::OsStr) -> std::result::Result<Location, domain::Error> {
        match arg.to_str() {
            Some(text) => Location::parse(text),
            None => Ok(Location::Sqlite(PathBuf::from(arg))),
        }
    }

    /// The file, for a SQLite ledger.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Location::Sqlite(p) => Some(p),
            Location::Postgres(_) => None,
        }
    }

    /// The location as errors name it (a password masked).
    fn shown(&self) -> PathBuf {
        match self {
            Location::Sqlite(p) => p.clone(),
            Location::Postgres(t) => PathBuf::from(t.shown()),
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(p) => write!(f, "{}", p.display()),
            Location::Postgres(t) => f.write_str(t.shown()),
        }
    }
}

impl std::str::FromStr for Location {
    type Err = domain::Error;

    fn from_str(s: &str) -> std::result::Result<Location, domain::Error> {
        Location::parse(s)
    }
}

impl From<&Path> for Location {
    fn from(p: &Path) -> Location {
        Location::Sqlite(p.to_path_buf())
    }
}

impl From<&PathBuf> for Location {
    fn from(p: &PathBuf) -> Location {
        Location::Sqlite(p.clone())
    }
}

impl From<PathBuf> for Location {
    fn from(p: PathBuf) -> Location {
        Location::Sqlite(p)
    }
}

impl From<&Location> for Location {
    fn from(l: &Location) -> Location {
        l.clone()
    }
}

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Invalid input or a refused action, found while writing.
    #[error(transparent)]
    Domain(#[from] domain::Error),
    /// No ledger at the location.
    #[error("no ledger at {path}; create one with `ledger init`")]
    Missing { path: PathBuf },
    /// The ledger cannot be opened or is not a database.
    #[error("cannot open {path}: {message}")]
    Open { path: PathBuf, message: String },
    /// Other writers held the ledger for longer than every attempt waited.
    #[error(
        "waited {:.1} s ({attempts} attempts) for the write lock on {path}, which other writers held throughout; try again once they finish",
        waited.as_secs_f64()
    )]
    Busy {
        path: PathBuf,
        attempts: u32,
        waited: Duration,
    },
    /// The ledger could be opened for reading only.
    #[error(
        "cannot write to {path}: {why}; reads work, but a write needs write permission on the file and its folder"
    )]
    ReadOnly { path: PathBuf, why: &'static str },
    /// The PostgreSQL server is a read-only replica.
    #[error(
        "this server is a read-only replica (a hot standby) of the ledger's database: it answers every question, but write to the primary"
    )]
    Replica,
    /// The ledger's schema is not the one this build expects.
    #[error("schema mismatch in {path}: {message}")]
    Schema { path: PathBuf, message: String },
    /// A row that should exist does not.
    #[error("no {what} {value} in the ledger")]
    NotFound { what: &'static str, value: String },
    /// A walk over the journal was stopped by its caller.
    #[error("interrupted")]
    Interrupted,
    /// The ledger or the connection to it is not in a state to go on.
    #[error("storage failure: {0}")]
    Broken(String),
    /// Any other SQLite failure.
    #[error("storage failure: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Any other PostgreSQL failure.
    #[error("storage failure: {}", postgres::describe(.0))]
    Postgres(#[from] ::postgres::Error),
}

impl StoreError {
    fn is_busy(&self) -> bool {
        match self {
            StoreError::Sqlite(e) => sqlite::is_busy(e),
            StoreError::Postgres(e) => postgres::is_busy(e),
            _ => false,
        }
    }
}

/// One object of a schema: its type, name and the SQL that made it
/// (whitespace collapsed; `None` for SQLite's own automatic indexes).
pub type SchemaObject = (String, String, Option<String>);

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

/// An open ledger.
pub struct Store {
    db: Db,
    /// How long a write waits for the lock in all.
    lock_wait: Duration,
    /// Why this ledger cannot be written, when it was opened for reading
    /// alone.
    read_only: Option<&'static str>,
}

impl Store {
    /// Creates the ledger if needed and brings its schema up to date. Other
    /// processes may be doing the same: a locked file is retried.
    pub fn create(location: impl Into<Location>, lock_wait: Duration) -> Result<Store> {
        let location = location.into();
        let started = std::time::Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            match Store::try_create(&location, lock_wait) {
                Err(e) if e.is_busy() && started.elapsed() < lock_wait => {
                    pause(attempt, started, lock_wait);
                }
                Err(e) if e.is_busy() => {
                    return Err(StoreError::Busy {
                        path: location.shown(),
                        attempts: attempt,
                        waited: started.elapsed(),
                    });
                }
                other => return other,
            }
        }
    }

    fn try_create(location: &Location, lock_wait: Duration) -> Result<Store> {
        let mut store = match location {
            Location::Sqlite(path) => {
                let mut conn = sqlite::connect(path, sqlite::Mode::Create)?;
                conn.busy_timeout(lock_wait.min(BUSY_TIMEOUT))?;
                sqlite::migrate(path, &mut conn)?;
                Store::on(db::Backend::Sqlite(conn), location)
            }
            Location::Postgres(target) => {
                let pg = target.connect()?;
                pg.migrate(target)?;
                Store::on(db::Backend::Postgres(Box::new(pg)), location)
            }
        }
        .waiting(lock_wait)?;
        store.check_schema()?;
        // A ledger from before the Merkle tree gets its tree, once.
        store.write(tree::backfill)?;
        Ok(store)
    }

    fn on(backend: db::Backend, location: &Location) -> Store {
        Store {
            db: Db {
                backend,
                location: location.clone(),
            },
            lock_wait: LOCK_WAIT,
            read_only: None,
        }
    }

    /// Opens an existing ledger whose schema matches this build.
    pub fn open(location: impl Into<Location>) -> Result<Store> {
        Store::open_as(location.into(), sqlite::Mode::ReadWrite)
    }

    /// Opens an existing ledger for reading only (`ledger sql`).
    pub fn open_read_only(location: impl Into<Location>) -> Result<Store> {
        Store::open_as(location.into(), sqlite::Mode::ReadOnly)
    }

    fn open_as(location: Location, mode: sqlite::Mode) -> Result<Store> {
        let (backend, read_only) = match &location {
            Location::Sqlite(path) => {
                let (conn, read_only) = sqlite::connect_or_read(path, mode)?;
                (db::Backend::Sqlite(conn), read_only)
            }
            Location::Postgres(target) => {
                (db::Backend::Postgres(Box::new(target.connect()?)), None)
            }
        };
        let mut store = Store::on(backend, &location);
        store.read_only = read_only;
        store.check_schema()?;
        Ok(store)
    }

    /// Whether a ledger exists at `location` (a file, or a database with a
    /// ledger's schema history).
    pub fn exists(location: &Location) -> bool {
        match location {
            Location::Sqlite(path) => path.exists(),
            Location::Postgres(target) => target
                .connect()
                .and_then(|pg| pg.applied_version())
                .is_ok_and(|v| v.is_some()),
        }
    }

    fn applied_version(&self) -> Result<Option<i64>> {
        match &self.db.backend {
            db::Backend::Sqlite(c) => sqlite::applied_version(c),
            db::Backend::Postgres(p) => p.applied_version(),
        }
    }

    fn check_schema(&mut self) -> Result<()> {
        let expected = SCHEMA_VERSION;
        let schema_error = |message: String| StoreError::Schema {
            path: self.db.location.shown(),
            message,
        };
        let Some(applied) = self.applied_version()? else {
            return Err(match self.db.location {
                Location::Sqlite(_) => schema_error(
                    "it is not a ledger file (no schema history); create one with `ledger init`"
                        .into(),
                ),
                // An empty database is where a ledger is yet to be made.
                Location::Postgres(_) => StoreError::Missing {
                    path: self.db.location.shown(),
                },
            });
        };
        if applied < expected {
            return Err(schema_error(format!(
                "schema version {applied} is older than {expected}; upgrade it with `ledger init`"
            )));
        }
        if applied > expected {
            return Err(schema_error(format!(
                "schema version {applied} was written by a newer ledger (this one knows {expected})"
            )));
        }
        Ok(())
    }

    /// Makes writes wait at most `lock_wait` in all for the write lock.
    pub fn waiting(mut self, lock_wait: Duration) -> Result<Store> {
        match &self.db.backend {
            db::Backend::Sqlite(c) => c.busy_timeout(lock_wait.min(BUSY_TIMEOUT))?,
            db::Backend::Postgres(p) => p.set_lock_wait(lock_wait.min(BUSY_TIMEOUT))?,
        }
        self.lock_wait = lock_wait;
        Ok(self)
    }

    /// Where the ledger is.
    pub fn location(&self) -> &Location {
        &self.db.location
    }

    /// The connection, for reads.
    pub fn conn(&self) -> &Db {
        &self.db
    }

    /// Runs `f` in one transaction holding the write lock and commits it;
    /// if the lock is held or the transaction loses a race, the whole
    /// transaction is retried with backoff. Any error rolls everything
    /// back, so a rejected command writes nothing.
    pub fn write<T>(&mut self, mut f: impl FnMut(&Db) -> Result<T>) -> Result<T> {
        if let Some(why) = self.read_only {
            return Err(StoreError::ReadOnly {
                path: self.db.location.shown(),
                why,
            });
        }
        let started = std::time::Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = (|| -> Result<T> {
                match &self.db.backend {
                    db::Backend::Sqlite(c) => c.execute_batch("BEGIN IMMEDIATE")?,
                    db::Backend::Postgres(p) => {
                        if p.in_transaction() {
                            p.batch("COMMIT")?;
                        }
                        p.begin_write()?;
                    }
                }
                let value = f(&self.db)?;
                self.db.batch("COMMIT")?;
                Ok(value)
            })();
            if result.is_err() && self.db.in_transaction() {
                let _ = self.db.batch("ROLLBACK");
            }
            match result {
                Err(e) if e.is_busy() && started.elapsed() < self.lock_wait => {
                    pause(attempt, started, self.lock_wait);
                }
                Err(e) if e.is_busy() => {
                    return Err(StoreError::Busy {
                        path: self.db.location.shown(),
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
        self.db
            .read_consistently(|db| journal::for_each_raw_entry(db, |e| each(&e.parsed())))
    }

    /// Writes a consistent copy of the ledger to `target`, a new SQLite
    /// file in an existing folder; other writers may go on meanwhile. The
    /// copy is in WAL mode, like every ledger, so CI can write to it too.
    pub fn backup(&self, target: &Path) -> Result<()> {
        new_file("backup target", target)?;
        match &self.db.backend {
            db::Backend::Sqlite(c) => sqlite::backup(c, target),
            db::Backend::Postgres(_) => self
                .copy_to(&Location::Sqlite(target.to_path_buf()))
                .map(|_| ()),
        }
    }

    /// Copies the whole ledger, entry by entry as stored, into an empty
    /// ledger at `target` (on either backend), in one transaction there;
    /// returns how many entries it copied. The target's chain, tree and
    /// typed rows are the source's, byte for byte.
    pub fn copy_to(&self, target: &Location) -> Result<usize> {
        self.copy_rebased(target, None).map(|c| c.entries)
    }

    /// [`Store::copy_to`], re-recording the entries stamped in the future
    /// as `rebase` says.
    pub fn copy_rebased(&self, target: &Location, rebase: Option<&Rebase>) -> Result<Copied> {
        if *target == self.db.location {
            return Err(domain::Error::invalid(
                "copy target",
                target,
                "a ledger other than the one copied",
            )
            .into());
        }
        if let Location::Sqlite(path) = target {
            new_file("copy target", path)?;
        }
        let copied = self.copy_into(target, rebase);
        // A new file made for a copy that failed goes again: a refused
        // copy leaves nothing behind.
        if let (Err(_), Location::Sqlite(path)) = (&copied, target) {
            sqlite::remove_files(path);
        }
        copied
    }

    /// Every entry as [`Line`]s, in order, read in one snapshot.
    pub fn lines(&self) -> Result<Vec<Line>> {
        self.db.read_consistently(journal::lines)
    }

    /// Appends `theirs` as they are and re-records `ours` after them, in
    /// one transaction (see [`journal::append_lines`]).
    pub fn append_lines(
        &mut self,
        theirs: &[Line],
        ours: &[Line],
        rebase: &Rebase,
    ) -> Result<Copied> {
        self.write(|tx| journal::append_lines(tx, theirs, ours, rebase))
    }

    fn copy_into(&self, target: &Location, rebase: Option<&Rebase>) -> Result<Copied> {
        let mut to = Store::create(target, self.lock_wait)?;
        let mut copied = Copied::default();
        to.write(|tx| {
            if tree::size(tx)? > 0 {
                return Err(domain::Error::State(format!(
                    "the copy target {target} already holds entries; copy into a new, empty ledger"
                ))
                .into());
            }
            copied = self
                .db
                .read_consistently(|from| journal::copy_entries(from, tx, rebase))?;
            Ok(())
        })?;
        // A server plans by its statistics, which a bulk load outdates
        // until autovacuum comes by: gather them now, so the first
        // questions asked of the copy are planned on its real shape.
        if let Some(pg) = to.db.pg() {
            pg.batch("ANALYZE")?;
        }
        Ok(copied)
    }

    /// Runs a read-only query within `limits` and returns its column names
    /// and rows. Whatever the query does wrong (a write, ATTACH, a missing
    /// function, a limit reached) is the query's fault, an input error;
    /// only a busy or broken ledger is a storage failure.
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
        // Writers append one at a time under an advisory lock: a reader
        // that took it would hold every writer up. Quotes and a schema
        // prefix do not hide the function's name.
        let bare = sql
            .to_ascii_lowercase()
            .replace(['"', ' ', '\t', '\n', '\r'], "");
        if bare.contains("pg_advisory") || bare.contains("pg_try_advisory") {
            return Err(invalid(
                "a query that takes no lock (advisory lock functions are refused: writers append one at a time under one)".into(),
            ));
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
        match &self.db.backend {
            db::Backend::Sqlite(c) => sqlite::query(c, sql, limits),
            db::Backend::Postgres(p) => p.query_limited(sql, limits),
        }
    }

    /// Marks the ledger as a demo ledger holding only what the demo wrote,
    /// which `ledger demo` may rebuild.
    pub fn mark_demo(&self) -> Result<()> {
        let mark = DEMO_MARK + self.entry_count()?;
        match &self.db.backend {
            db::Backend::Sqlite(c) => sqlite::set_demo_mark(c, mark),
            db::Backend::Postgres(p) => p.set_demo_mark(mark),
        }
    }

    /// When the last entry was recorded; `None` for an empty ledger.
    pub fn last_recorded(&self) -> Result<Option<String>> {
        let head = Head::read(&self.db)?;
        Ok((head.seq > 0).then_some(head.recorded_at))
    }

    /// The entries recorded after `after` (in its stored form): the first
    /// one's number, how many, and the latest recording time; `None` when
    /// there are none.
    pub fn recorded_after(&self, after: &str) -> Result<Option<(i64, i64, String)>> {
        let found = self.db.row(
            "SELECT min(seq), count(*), max(recorded_at) FROM entries WHERE recorded_at > ?1",
            &[&after],
            |r| {
                Ok((
                    r.get::<Option<i64>>(0)?,
                    r.get::<i64>(1)?,
                    r.get::<Option<String>>(2)?,
                ))
            },
        )?;
        Ok(match found {
            Some((Some(first), n, Some(latest))) => Some((first, n, latest)),
            _ => None,
        })
    }

    fn entry_count(&self) -> Result<i64> {
        self.db
            .value("SELECT coalesce(max(seq), 0) FROM entries", &[])
    }

    /// Whether the ledger is a demo ledger with nothing written since the
    /// demo built it.
    pub fn is_demo(&self) -> bool {
        let mark = match &self.db.backend {
            db::Backend::Sqlite(c) => sqlite::demo_mark(c),
            db::Backend::Postgres(p) => p.demo_mark(),
        };
        matches!((mark, self.entry_count()), (Ok(m), Ok(n)) if m == DEMO_MARK + n)
    }

    /// Removes a demo ledger, so the demo can build it anew; refuses
    /// anything else.
    pub fn remove_demo(self) -> Result<()> {
        if !self.is_demo() {
            return Err(domain::Error::State(format!(
                "{} holds entries the demo did not write",
                self.db.location
            ))
            .into());
        }
        match self.db.backend {
            db::Backend::Sqlite(conn) => {
                drop(conn);
                if let Location::Sqlite(path) = &self.db.location {
                    sqlite::remove_files(path);
                }
                Ok(())
            }
            db::Backend::Postgres(p) => p.drop_ledger(),
        }
    }

    /// Starts a question about a project as of a time.
    pub fn question<'s>(
        &'s self,
        project: &'s str,
        as_of: impl Into<AsOf>,
    ) -> Result<Question<'s>> {
        question(&self.db, project, as_of)
    }
}

/// Refuses a target that is not a new file in an existing folder (a copy
/// never writes into an existing file).
fn new_file(what: &'static str, target: &Path) -> Result<()> {
    if target.exists() {
        return Err(domain::Error::State(format!(
            "{what} {} already exists; choose a new path",
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
            what,
            target.display(),
            format!(
                "a new file in an existing folder ({} does not exist; create it first)",
                folder.display()
            ),
        )
        .into());
    }
    Ok(())
}

/// A `ledger sql` query that returned more rows than allowed.
fn too_many_rows(sql: &str, limits: QueryLimits) -> StoreError {
    domain::Error::invalid(
        "query",
        sql.trim(),
        format!(
            "a query of at most {} rows (raise --max-rows, or narrow it with WHERE or LIMIT)",
            limits.max_rows
        ),
    )
    .into()
}

/// A `ledger sql` query that ran out of time.
fn too_slow(sql: &str, limits: QueryLimits) -> StoreError {
    domain::Error::invalid(
        "query",
        sql.trim(),
        format!(
            "a query that finishes within {} s (raise --timeout)",
            limits.timeout.as_secs_f64()
        ),
    )
    .into()
}

#[cfg(test)]
mod tests;
