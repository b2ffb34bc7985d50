//! The SQLite dialect: opening and migrating the file, its schema as
//! SQLite records it, the demo mark, backups, and `ledger sql`'s limits.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, config::DbConfig};

use super::{BUSY_TIMEOUT, QueryLimits, Result, SchemaObject, StoreError, read};
use crate::domain;

pub(super) mod embedded {
    refinery::embed_migrations!("migrations/sqlite");
}

pub fn is_busy(e: &rusqlite::Error) -> bool {
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

/// How a file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    ReadWrite,
    ReadOnly,
}

fn open_error(path: &Path, e: rusqlite::Error) -> StoreError {
    if is_busy(&e) {
        return StoreError::Sqlite(e);
    }
    StoreError::Open {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Why a ledger opened for reading cannot be written: the file or its
/// folder is read-only for this user, or on a read-only mount.
pub const READ_ONLY: &str = "the file (or its folder, where SQLite keeps the -wal and -shm files) is read-only for this user, or on a read-only mount";

/// Whether an error says the file could not be opened for writing.
fn is_read_only(e: &StoreError) -> bool {
    let StoreError::Open { message, .. } = e else {
        return false;
    };
    [
        "readonly database",
        "unable to open",
        "read-only",
        "permission",
    ]
    .iter()
    .any(|m| message.to_ascii_lowercase().contains(m))
}

/// Opens the file (see [`connect`]); a file this user can only read is
/// opened for reading alone, with the reason no write can be made.
pub fn connect_or_read(path: &Path, mode: Mode) -> Result<(Connection, Option<&'static str>)> {
    let first = match connect(path, mode) {
        Ok(conn) => return Ok((conn, None)),
        Err(e) if mode != Mode::Create && is_read_only(&e) => e,
        Err(e) => return Err(e),
    };
    // Read-only WAL access: through the -shm file if it can be read, else
    // as an immutable file (nobody can write it through this mount).
    for options in ["mode=ro", "immutable=1"] {
        if let Ok(conn) = connect_uri(path, options) {
            return Ok((conn, Some(READ_ONLY)));
        }
    }
    Err(first)
}

/// `file:` URI of `path` with `options`, opened read-only.
fn connect_uri(path: &Path, options: &str) -> Result<Connection> {
    let Some(text) = path.to_str() else {
        return Err(
            domain::Error::invalid("ledger path", path.display(), "a path in UTF-8").into(),
        );
    };
    let mut uri = format!("file:{}", domain::text::uri_path(text));
    uri.push('?');
    uri.push_str(options);
    let flags = OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(&uri, flags).map_err(|e| open_error(path, e))?;
    set_up(conn, path, true)
}

/// Opens the file and checks it is a database.
pub fn connect(path: &Path, mode: Mode) -> Result<Connection> {
    if mode != Mode::Create && !path.exists() {
        return Err(StoreError::Missing {
            path: path.to_path_buf(),
        });
    }
    let flags = OpenFlags::SQLITE_OPEN_NO_MUTEX
        | match mode {
            Mode::Create => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            Mode::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE,
            Mode::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
        };
    let conn = Connection::open_with_flags(path, flags).map_err(|e| open_error(path, e))?;
    set_up(conn, path, mode == Mode::ReadOnly)
}

/// What every connection to a ledger file gets once opened; `read_only`
/// makes it refuse writes.
fn set_up(conn: Connection, path: &Path, read_only: bool) -> Result<Connection> {
    let fail = |e| open_error(path, e);
    conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
    // Stable plans: the ones `EXPLAIN QUERY PLAN` is tested on, and no
    // recompiling a statement each time a value is bound to it (which
    // SQLite otherwise does where a value could change the plan).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map_err(fail)?;
    // A file that is not a database fails on its first read, here.
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")
        .map_err(fail)?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
        .map_err(fail)?;
    if read_only {
        conn.pragma_update(None, "query_only", true)?;
    }
    Ok(conn)
}

/// Brings a file's schema up to date (in WAL mode, which is a property of
/// the file: set once here, kept by every opener).
pub fn migrate(path: &Path, conn: &mut Connection) -> Result<()> {
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| open_error(path, e))?;
    }
    // A migration that rebuilds a table drops the old one, which foreign
    // keys would refuse: SQLite's procedure is to turn them off (outside
    // any transaction) while the schema changes.
    conn.pragma_update(None, "foreign_keys", false)?;
    let migrated = embedded::migrations::runner()
        .set_grouped(true)
        .set_abort_divergent(true)
        .set_abort_missing(true)
        .run(conn);
    conn.pragma_update(None, "foreign_keys", true)?;
    if let Err(e) = migrated {
        // Several `ledger init` at once on a new file: one migrates, the
        // others fail on its tables; the schema is then what they want.
        if applied_version(conn)?.is_none() {
            return Err(StoreError::Schema {
                path: path.to_path_buf(),
                message: e.to_string(),
            });
        }
    }
    Ok(())
}

/// The newest applied migration, or `None` when the file has no schema
/// history (it is not a ledger).
pub fn applied_version(conn: &Connection) -> Result<Option<i64>> {
    let has_history: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'refinery_schema_history')",
        [],
        |r| r.get(0),
    )?;
    if !has_history {
        return Ok(None);
    }
    let applied: Option<i64> = conn.query_row(
        "SELECT max(version) FROM refinery_schema_history",
        [],
        |r| r.get(0),
    )?;
    Ok(Some(applied.unwrap_or_default()))
}

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
            path: ":memory:".into(),
            message: e.to_string(),
        })?;
    schema_objects(&conn)
}

/// Writes a consistent copy of the file to `target`, which must not exist,
/// in an existing folder.
pub fn backup(conn: &Connection, target: &Path) -> Result<()> {
    // SQL text is UTF-8, so VACUUM INTO cannot name any other path.
    let Some(text) = target.to_str() else {
        return Err(
            domain::Error::invalid("backup target", target.display(), "a path in UTF-8").into(),
        );
    };
    conn.execute("VACUUM INTO ?1", [text])?;
    let copy = Connection::open(target).map_err(|e| open_error(target, e))?;
    copy.pragma_update(None, "journal_mode", "WAL")?;
    Ok(())
}

/// Removes a ledger file with its WAL and shared-memory files.
pub fn remove_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(p));
    }
}

/// The demo mark: `PRAGMA user_version`.
pub fn demo_mark(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

pub fn set_demo_mark(conn: &Connection, mark: i64) -> Result<()> {
    Ok(conn.pragma_update(None, "user_version", mark)?)
}

/// Runs a read-only query within `limits`; see [`super::Store::query`].
pub fn query(
    conn: &Connection,
    sql: &str,
    limits: QueryLimits,
) -> Result<(Vec<String>, Vec<Vec<serde_json::Value>>)> {
    let invalid = |expected: String| -> StoreError {
        domain::Error::invalid("query", sql.trim(), expected).into()
    };
    let mut stmt = conn
        .prepare(sql)
        .map_err(|e| invalid(format!("valid SQLite SQL ({e})")))?;
    if !stmt.readonly() {
        return Err(invalid("a read-only statement such as SELECT".into()));
    }
    // SQLite's heap for this process; SQLITE_NOMEM past it.
    let bytes = i64::try_from(limits.max_memory_mb.saturating_mul(1 << 20)).unwrap_or(i64::MAX);
    conn.pragma_update(None, "hard_heap_limit", bytes)?;
    // A watchdog interrupts the query once its time is up.
    let handle = conn.get_interrupt_handle();
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
        Ok(false) => Err(super::too_many_rows(sql, limits)),
        Err(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::OperationInterrupted && expired =>
        {
            Err(super::too_slow(sql, limits))
        }
        Err(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::OutOfMemory => {
            Err(invalid(format!(
                "a query that needs at most {} MB (raise --max-memory)",
                limits.max_memory_mb
            )))
        }
        Err(e) if is_busy(&e) || is_broken(&e) => Err(e.into()),
        Err(e) => Err(invalid(format!("a query SQLite can run ({e})"))),
    }
}
