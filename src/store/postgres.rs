//! The PostgreSQL dialect: connecting (with TLS), the shared SQL's `?N`
//! parameters as `$N`, values in and out as SQLite's value types, cursors,
//! and the chain's write lock.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::collections::VecDeque;
use std::error::Error as StdError;
use std::path::PathBuf;
use std::rc::Rc;

use postgres::types::{IsNull, ToSql as PgToSql, Type, to_sql_checked};
use rusqlite::types::{ToSql, Value, ValueRef};

use tokio_postgres_rustls::MakeRustlsConnect;

use super::db::Column;
use super::tls;
use super::{Result, StoreError};
use crate::domain;

type BoxError = Box<dyn StdError + Sync + Send>;

/// The transaction-level advisory lock every write takes first, so the
/// chain's appends happen one at a time across every machine ("LEDG").
pub const WRITE_LOCK: i64 = 0x4c45_4447;

/// A PostgreSQL ledger's address: its URL (which may hold a password, and
/// is never shown), the URL as it may be shown, and TLS settings.
#[derive(Clone, PartialEq, Eq)]
pub struct Target {
    /// The URL handed to the driver (without the settings read here).
    url: String,
    /// The URL with its password masked.
    shown: String,
    tls: TlsMode,
    /// A file of trusted CA certificates (PEM).
    pub ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// `sslmode`, as libpq reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl TlsMode {
    /// What of the server's certificate a connection checks: as libpq
    /// does, a CA file makes `prefer` and `require` check the chain.
    fn checks(self, has_ca: bool) -> tls::Checks {
        match self {
            TlsMode::VerifyFull => tls::Checks::ChainAndName,
            TlsMode::VerifyCa => tls::Checks::Chain,
            _ if has_ca => tls::Checks::Chain,
            _ => tls::Checks::Nothing,
        }
    }
}

impl Target {
    /// Reads a `postgres://` or `postgresql://` URL.
    pub fn parse(url: &str) -> std::result::Result<Target, domain::Error> {
        let shown = mask_password(url);
        let bad = |why: &str| domain::Error::invalid("database URL", &shown, why.to_string());
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut kept = Vec::new();
        let mut tls = TlsMode::Prefer;
        let mut ca_file = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sslmode" => {
                    tls = match value {
                        "disable" => TlsMode::Disable,
                        "allow" | "prefer" => TlsMode::Prefer,
                        "require" => TlsMode::Require,
                        "verify-ca" => TlsMode::VerifyCa,
                        "verify-full" => TlsMode::VerifyFull,
                        _ => {
                            return Err(bad(
                                "an sslmode of disable, prefer, require, verify-ca or verify-full",
                            ));
                        }
                    }
                }
                "sslrootcert" => ca_file = Some(PathBuf::from(percent_decode(value))),
                _ => kept.push(pair),
            }
        }
        let url_for_driver = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let config: postgres::Config = url_for_driver.parse().map_err(|e: postgres::Error| {
            bad(&format!(
                "a URL postgres://user[:password]@host[:port]/dbname[?sslmode=…] ({e})"
            ))
        })?;
        if config.get_hosts().is_empty() {
            return Err(bad(
                "a URL with a host: postgres://user[:password]@host[:port]/dbname",
            ));
        }
        Ok(Target {
            url: url_for_driver,
            shown,
            tls,
            ca_file,
        })
    }

    /// The URL as it may be shown: the password masked.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Opens a connection.
    pub fn connect(&self) -> Result<Pg> {
        let open_error = |message: String| StoreError::Open {
            path: PathBuf::from(&self.shown),
            message,
        };
        let mut config: postgres::Config = self
            .url
            .parse()
            .map_err(|e: postgres::Error| open_error(e.to_string()))?;
        config.ssl_mode(match self.tls {
            TlsMode::Disable => postgres::config::SslMode::Disable,
            TlsMode::Prefer => postgres::config::SslMode::Prefer,
            _ => postgres::config::SslMode::Require,
        });
        if config.get_application_name().is_none() {
            config.application_name("ledger");
        }
        let client = if self.tls == TlsMode::Disable {
            config.connect(postgres::NoTls)
        } else {
            config.connect(self.tls_connector().map_err(open_error)?)
        }
        .map_err(|e| open_error(describe(&e)))?;
        Ok(Pg {
            client: RefCell::new(Some(client)),
            sending: RefCell::new(None),
            copy_types: RefCell::new(HashMap::new()),
            statements: RefCell::new(HashMap::new()),
            in_transaction: Cell::new(false),
            cursors: Cell::new(0),
            pending: RefCell::new(Vec::new()),
            batchable: RefCell::new(HashMap::new()),
        })
    }

    /// TLS as libpq does it: the server's certificate is checked against
    /// the CA file when one is given (or `verify-ca`/`verify-full` asks,
    /// against the platform's CAs when none is given), and its name too
    /// for `verify-full`.
    fn tls_connector(&self) -> std::result::Result<MakeRustlsConnect, String> {
        // Building a connector reads the platform's CA store, which costs
        // far more than a handshake: one per process and settings (the demo
        // and `verify` connect many times).
        type Built = (TlsMode, Option<PathBuf>, MakeRustlsConnect);
        static BUILT: std::sync::Mutex<Vec<Built>> = std::sync::Mutex::new(Vec::new());
        let mut built = BUILT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, _, c)) = built
            .iter()
            .find(|(mode, ca, _)| *mode == self.tls && *ca == self.ca_file)
        {
            return Ok(c.clone());
        }
        let ca = self.ca_file.clone().or_else(|| {
            std::env::var_os("PGSSLROOTCERT")
                .map(PathBuf::from)
                .filter(|p| p.is_file())
        });
        let connector = tls::connector(self.tls.checks(ca.is_some()), ca.as_deref())?;
        built.push((self.tls, self.ca_file.clone(), connector.clone()));
        Ok(connector)
    }
}

/// A driver error as one line, with the server's own message when there
/// is one.
pub fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => match e.source() {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    }
}

/// The objects a schema should have, next to those it has.
pub type SchemaPair = (Vec<super::SchemaObject>, Vec<super::SchemaObject>);

/// The schemas the migrations make, as the catalog of a PostgreSQL major
/// version describes them (see [`Pg::schema_objects`]): (schema version,
/// server major version, one object per line as `kind<TAB>name<TAB>sql`).
/// A test builds each one anew on the server and compares.
pub const REFERENCE_SCHEMAS: &[(i64, i32, &str)] = &[
    (
        4,
        15,
        include_str!("../../migrations/reference/postgres-v4-pg15.tsv"),
    ),
    (
        5,
        15,
        include_str!("../../migrations/reference/postgres-v5-pg15.tsv"),
    ),
];

/// The reference schema of `version` on PostgreSQL `major`, if this build
/// carries one.
pub fn reference_schema(version: i64, major: i32) -> Option<Vec<super::SchemaObject>> {
    let (_, _, text) = REFERENCE_SCHEMAS
        .iter()
        .find(|(v, m, _)| *v == version && *m == major)?;
    Some(
        text.lines()
            .filter(|l| !l.is_empty())
            .map(|line| {
                let mut f = line.splitn(3, '\t');
                let kind = f.next().unwrap_or_default().to_string();
                let name = f.next().unwrap_or_default().to_string();
                let sql = f.next().filter(|s| *s != "\\N").map(str::to_string);
                (kind, name, sql)
            })
            .collect(),
    )
}

/// [`reference_schema`]'s text of `objects`.
#[cfg(test)]
fn reference_text(objects: &[super::SchemaObject]) -> String {
    objects
        .iter()
        .map(|(kind, name, sql)| format!("{kind}\t{name}\t{}\n", sql.as_deref().unwrap_or("\\N")))
        .collect()
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`, and
/// a `password=` query parameter → `password=***`.
pub fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return mask_keyword_password(url);
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => authority.to_string(),
        },
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        format!("{key}=***")
                    }
                    _ => pair.to_string(),
                })
                .collect();
            format!("{path}?{}", pairs.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// libpq's connection keywords, which start a `key=value` connection
/// string.
const KEYWORDS: [&str; 12] = [
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "sslmode",
    "sslrootcert",
    "connect_timeout",
    "application_name",
    "options",
];

/// Whether `text` is a libpq `key=value` connection string
/// (`host=db user=ci password=…`) rather than a path.
pub fn is_keyword_string(text: &str) -> bool {
    text.split_whitespace().next().is_some_and(|first| {
        first
            .split_once('=')
            .is_some_and(|(key, _)| KEYWORDS.contains(&key.to_ascii_lowercase().as_str()))
    })
}

/// `password=secret` in a `key=value` string → `password=***` (a quoted
/// value with spaces too).
fn mask_keyword_password(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let Some(at) = lower.find("password=") else {
        return text.to_string();
    };
    let value_start = at + "password=".len();
    let rest = &text[value_start..];
    let value_len = if let Some(quoted) = rest.strip_prefix('\'') {
        // Up to the closing quote that is not escaped.
        let mut end = quoted.len();
        let mut escaped = false;
        for (i, c) in quoted.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '\'' if !escaped => {
                    end = i;
                    break;
                }
                _ => escaped = false,
            }
        }
        (end + 2).min(rest.len())
    } else {
        rest.find(char::is_whitespace).unwrap_or(rest.len())
    };
    format!(
        "{}***{}",
        &text[..value_start],
        mask_keyword_password(&rest[value_len..])
    )
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An open connection. The driver wants `&mut` for every call; the store
/// shares its handle, so the client sits in a `RefCell`, borrowed for one
/// call at a time (rows are read out before any callback runs). While a
/// batch of held-back rows is on its way, the client is with the thread
/// that sends it ([`Pg::send_in_background`]).
pub struct Pg {
    client: RefCell<Option<postgres::Client>>,
    /// The thread sending a batch, which gives the client back.
    sending: RefCell<Option<Sending>>,
    /// Column types of the tables rows are copied into, by table.
    copy_types: RefCell<HashMap<String, Vec<Type>>>,
    /// Prepared statements by their shared SQL.
    statements: RefCell<HashMap<String, postgres::Statement>>,
    in_transaction: Cell<bool>,
    cursors: Cell<u32>,
    /// Rows a transaction inserted and the server has not seen yet, by
    /// statement, in the order each statement was first used.
    pending: RefCell<Vec<Pending>>,
    /// Which statements are one-row INSERTs that may be held back.
    batchable: RefCell<HashMap<String, Option<InsertShape>>>,
}

/// A one-row INSERT that may be held back: its head and its width.
type InsertShape = (Rc<str>, usize);

type Sending = std::thread::JoinHandle<(postgres::Client, Result<()>)>;

/// The rows of one INSERT statement held back to be sent together, each
/// encoded as it was held (a tuple of PostgreSQL's binary COPY format).
struct Pending {
    /// `INSERT INTO t (columns) VALUES `, shared with the statement cache.
    head: Rc<str>,
    /// The COPY that sends them.
    copy: Copy,
    rows: usize,
}

/// Most rows held back for one statement before they are sent.
const BATCH_ROWS: usize = 10_000;

/// An `INSERT INTO t (columns) VALUES (?1, …, ?N)` of one row, as its head
/// and width: what a transaction may hold back and send with others.
fn batchable(sql: &str) -> Option<(&str, usize)> {
    let sql = sql.trim();
    if !sql.starts_with("INSERT INTO ") || !sql.ends_with(')') {
        return None;
    }
    let at = sql.find(" VALUES (")?;
    let (head, values) = sql.split_at(at + " VALUES ".len());
    let marks = values.trim_start_matches('(').trim_end_matches(')');
    let width = marks.split(',').count();
    let plain = marks
        .split(',')
        .enumerate()
        .all(|(i, m)| m.trim() == format!("?{}", i + 1));
    plain.then_some((head, width))
}

/// The shared SQL for PostgreSQL: `?N` as `$N` (outside quotes).
pub fn dialect(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut quoted: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (Some(q), c) if c == q => quoted = None,
            (None, '\'' | '"') => quoted = Some(c),
            (None, '?') if chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push('$');
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

impl Pg {
    /// The client, back from a sending thread first if one has it; an
    /// error of what that thread sent is this call's error.
    fn client(&self) -> Result<std::cell::RefMut<'_, postgres::Client>> {
        let sending = self.sending.borrow_mut().take();
        if let Some(handle) = sending {
            let (client, sent) = handle.join().map_err(|_| {
                StoreError::Broken("the thread sending rows to the server failed".into())
            })?;
            *self.client.borrow_mut() = Some(client);
            sent?;
        }
        std::cell::RefMut::filter_map(self.client.borrow_mut(), Option::as_mut)
            .map_err(|_| StoreError::Broken("the connection to the server was lost".into()))
    }

    /// The driver's client, for refinery.
    pub fn with_client<T>(&self, f: impl FnOnce(&mut postgres::Client) -> T) -> Result<T> {
        Ok(f(&mut *self.client()?))
    }

    fn statement(&self, sql: &str) -> Result<postgres::Statement> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let stmt = self.client()?.prepare(&dialect(sql))?;
        self.statements
            .borrow_mut()
            .insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }

    pub fn execute(&self, sql: &str, params: &[&dyn ToSql]) -> Result<usize> {
        if self.in_transaction() {
            let known = self.batchable.borrow().get(sql).cloned();
            let shape = match known {
                Some(shape) => shape,
                None => {
                    let shape = batchable(sql).map(|(h, w)| (Rc::from(h), w));
                    self.batchable
                        .borrow_mut()
                        .insert(sql.to_string(), shape.clone());
                    shape
                }
            };
            if let Some((head, width)) = shape
                && width == params.len()
            {
                return self.hold(head, params);
            }
        }
        let n = self.run(sql, params, |c, stmt, refs| c.execute(stmt, refs))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// Runs one statement with its parameters bound, after the rows held
    /// back.
    fn run<T>(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        call: impl FnOnce(
            &mut postgres::Client,
            &postgres::Statement,
            &[&(dyn postgres::types::ToSql + Sync)],
        ) -> std::result::Result<T, postgres::Error>,
    ) -> Result<T> {
        self.flush()?;
        let stmt = self.statement(sql)?;
        let params = bind(params)?;
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params
            .iter()
            .map(|p| p as &(dyn postgres::types::ToSql + Sync))
            .collect();
        Ok(call(&mut *self.client()?, &stmt, &refs)?)
    }

    /// Holds one row of an INSERT back, to be sent with the others of its
    /// statement before the next read or the commit: encoded now, so that
    /// sending it is writing bytes.
    fn hold(&self, head: Rc<str>, params: &[&dyn ToSql]) -> Result<usize> {
        let known = self.pending.borrow().iter().position(|p| p.head == head);
        let i = match known {
            Some(i) => i,
            None => {
                let copy = self.copy_of(&head)?;
                let mut pending = self.pending.borrow_mut();
                pending.push(Pending {
                    head,
                    copy,
                    rows: 0,
                });
                pending.len() - 1
            }
        };
        let full = {
            let mut pending = self.pending.borrow_mut();
            let p = &mut pending[i];
            encode_row(&mut p.copy.data, &p.copy.types, params)?;
            p.rows += 1;
            p.rows >= BATCH_ROWS
        };
        if full {
            self.send_in_background()?;
        }
        Ok(1)
    }

    /// Sends every row held back, statement by statement, each table's
    /// rows in one binary COPY (PostgreSQL's bulk path: no statement to
    /// parse or plan per row).
    fn flush(&self) -> Result<()> {
        let copies = self.copies()?;
        copy_all(&mut *self.client()?, copies)?;
        Ok(())
    }

    /// [`Pg::flush`] on another thread, so the server stores this batch
    /// while the caller makes the next one; the next call that needs the
    /// client waits for it.
    fn send_in_background(&self) -> Result<()> {
        let copies = self.copies()?;
        self.client()?;
        let Some(mut client) = self.client.borrow_mut().take() else {
            return Ok(());
        };
        let handle = std::thread::spawn(move || {
            let sent = copy_all(&mut client, copies);
            (client, sent)
        });
        *self.sending.borrow_mut() = Some(handle);
        Ok(())
    }

    /// The rows held back, each table's as one COPY.
    fn copies(&self) -> Result<Vec<Copy>> {
        let pending = std::mem::take(&mut *self.pending.borrow_mut());
        Ok(pending.into_iter().map(|p| p.copy).collect())
    }

    /// An empty COPY for the rows of an INSERT (`head`): its statement and
    /// its columns' types.
    fn copy_of(&self, head: &str) -> Result<Copy> {
        let (table, columns) = head
            .strip_prefix("INSERT INTO ")
            .and_then(|h| h.trim_end().strip_suffix("VALUES"))
            .and_then(|h| h.trim_end().split_once(' '))
            .ok_or_else(|| StoreError::Broken(format!("{head} is not a one-row INSERT")))?;
        Ok(Copy {
            sql: format!("COPY {table} {columns} FROM STDIN (FORMAT binary)"),
            types: self.column_types(table, columns)?,
            data: bytes::BytesMut::new(),
        })
    }

    /// The types of `columns` (as `(a, b)`) of `table`, read once.
    fn column_types(&self, table: &str, columns: &str) -> Result<Vec<Type>> {
        let key = format!("{table} {columns}");
        if let Some(types) = self.copy_types.borrow().get(&key) {
            return Ok(types.clone());
        }
        let list = columns.trim_start_matches('(').trim_end_matches(')');
        let stmt = self.statement(&format!("SELECT {list} FROM {table} WHERE false"))?;
        let types: Vec<Type> = stmt.columns().iter().map(|c| c.type_().clone()).collect();
        self.copy_types.borrow_mut().insert(key, types.clone());
        Ok(types)
    }

    pub fn query(&self, sql: &str, params: &[&dyn ToSql]) -> Result<Vec<postgres::Row>> {
        self.run(sql, params, |c, stmt, refs| c.query(stmt, refs))
    }

    /// Calls `each` with every row of a query as it arrives, so that the
    /// reader works on the first rows while the server sends the rest;
    /// `each` must not use this connection.
    pub fn stream(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        mut each: impl FnMut(&postgres::Row) -> Result<()>,
    ) -> Result<()> {
        use fallible_iterator::FallibleIterator;
        self.flush()?;
        let stmt = self.statement(sql)?;
        let params = bind(params)?;
        let mut client = self.client()?;
        let mut rows = client.query_raw(&stmt, params.iter())?;
        while let Some(row) = rows.next()? {
            each(&row)?;
        }
        Ok(())
    }

    pub fn batch(&self, sql: &str) -> Result<()> {
        let first = sql.split_whitespace().next().unwrap_or_default();
        let result = if first.eq_ignore_ascii_case("ROLLBACK") {
            self.pending.borrow_mut().clear();
            // What a sending thread failed on is moot once rolled back.
            let client = match self.client() {
                Ok(c) => Ok(c),
                Err(_) => self.client(),
            };
            client?.batch_execute(sql)
        } else {
            self.flush()?;
            self.client()?.batch_execute(sql)
        };
        if first.eq_ignore_ascii_case("BEGIN") {
            self.in_transaction.set(result.is_ok());
        } else if first.eq_ignore_ascii_case("COMMIT") || first.eq_ignore_ascii_case("ROLLBACK") {
            self.in_transaction.set(false);
        }
        Ok(result?)
    }

    pub fn in_transaction(&self) -> bool {
        self.in_transaction.get()
    }

    pub fn columns(&self, sql: &str) -> Result<Vec<Column>> {
        Ok(columns(self.statement(sql)?.columns()))
    }

    /// A server-side cursor over a query without parameters, fetched in
    /// pages; it lives until the transaction ends.
    pub fn cursor(&self, sql: &str) -> Result<Cursor<'_>> {
        if !self.in_transaction() {
            return Err(StoreError::Broken(
                "a cursor was opened outside a transaction".into(),
            ));
        }
        self.flush()?;
        let n = self.cursors.get() + 1;
        self.cursors.set(n);
        let name = format!("ledger_cursor_{n}");
        self.client()?.batch_execute(&format!(
            "DECLARE {name} NO SCROLL CURSOR FOR {}",
            dialect(sql)
        ))?;
        Ok(Cursor {
            pg: self,
            fetch: format!("FETCH 2000 FROM {name}"),
            buffer: VecDeque::new(),
            current: None,
            done: false,
        })
    }
}

pub(super) mod embedded {
    refinery::embed_migrations!("migrations/postgres");
}

/// Whether an error is another writer's: a serialization failure, a
/// deadlock, or the write lock not granted in time. The whole transaction
/// is worth another attempt.
pub fn is_busy(e: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    e.code().is_some_and(|c| {
        [
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
            SqlState::LOCK_NOT_AVAILABLE,
        ]
        .contains(c)
    })
}

impl Pg {
    /// Makes a wait for a lock end after `wait`.
    pub fn set_lock_wait(&self, wait: std::time::Duration) -> Result<()> {
        self.batch(&format!("SET lock_timeout = {}", wait.as_millis().max(1)))
    }

    /// Starts a write: a transaction holding the chain's lock, so appends
    /// from every machine happen one at a time.
    pub fn begin_write(&self) -> Result<()> {
        self.batch("BEGIN ISOLATION LEVEL READ COMMITTED")?;
        // One round trip: the lock, and whether this server can write at
        // all (a hot standby answers reads only).
        let rows = self.query(
            "SELECT pg_is_in_recovery() FROM (SELECT pg_advisory_xact_lock(?1)) AS locked",
            &[&WRITE_LOCK],
        )?;
        if rows.first().is_some_and(|r| r.get::<_, bool>(0)) {
            return Err(StoreError::Replica);
        }
        Ok(())
    }

    /// Brings the schema up to date; several `ledger init` at once wait for
    /// each other on a session lock instead of racing.
    pub fn migrate(&self, target: &Target) -> Result<()> {
        self.execute("SELECT pg_advisory_lock(?1)", &[&(WRITE_LOCK + 1)])?;
        let migrated = self.with_client(|c| {
            embedded::migrations::runner()
                .set_grouped(true)
                .set_abort_divergent(true)
                .set_abort_missing(true)
                .run(c)
                .map(|_| ())
        });
        self.execute("SELECT pg_advisory_unlock(?1)", &[&(WRITE_LOCK + 1)])?;
        migrated?.map_err(|e| StoreError::Schema {
            path: PathBuf::from(target.shown()),
            message: e.to_string(),
        })
    }

    /// The newest applied migration, or `None` when the database holds no
    /// ledger.
    pub fn applied_version(&self) -> Result<Option<i64>> {
        let exists = self.query(
            "SELECT to_regclass('refinery_schema_history') IS NOT NULL",
            &[],
        )?;
        let has_history = exists
            .first()
            .and_then(|r| r.try_get::<_, bool>(0).ok())
            .unwrap_or(false);
        if !has_history {
            return Ok(None);
        }
        let rows = self.query(
            "SELECT coalesce(max(version), 0)::bigint FROM refinery_schema_history",
            &[],
        )?;
        Ok(Some(
            rows.first()
                .and_then(|r| r.try_get::<_, i64>(0).ok())
                .unwrap_or(0),
        ))
    }

    /// The objects of the ledger's schema as the catalog describes them:
    /// each table's columns and constraints, each index, trigger and
    /// function, with the schema's name left out.
    pub fn schema_objects(&self, schema: &str) -> Result<Vec<super::SchemaObject>> {
        const OBJECTS: &str = "
            SELECT 'table', c.relname::text,
                   (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                                      || coalesce(' COLLATE ' || co.collname, '')
                                      || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
                                      ', ' ORDER BY a.attnum)
                      FROM pg_attribute a LEFT JOIN pg_collation co
                        ON co.oid = a.attcollation AND a.attcollation <> 100
                     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
                   || coalesce((SELECT '; ' || string_agg(pg_get_constraintdef(k.oid), '; '
                                                          ORDER BY k.conname)
                                  FROM pg_constraint k WHERE k.conrelid = c.oid), '')
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ?1 AND c.relkind = 'r'
               AND c.relname <> 'refinery_schema_history'
            UNION ALL
            SELECT 'index', i.indexname::text, i.indexdef
              FROM pg_indexes i
             WHERE i.schemaname = ?1 AND i.tablename <> 'refinery_schema_history'
            UNION ALL
            SELECT 'trigger', t.tgname::text, pg_get_triggerdef(t.oid)
              FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ?1 AND NOT t.tgisinternal
            UNION ALL
            SELECT 'function', p.proname::text, p.prosrc
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = ?1
             ORDER BY 1, 2";
        let rows = self.query(OBJECTS, &[&schema])?;
        let qualified = format!("{schema}.");
        Ok(rows
            .iter()
            .map(|r| {
                let sql: Option<String> = r.try_get(2).ok().flatten();
                (
                    r.try_get::<_, String>(0).unwrap_or_default(),
                    r.try_get::<_, String>(1).unwrap_or_default(),
                    sql.map(|s| {
                        s.replace(&qualified, "")
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                    }),
                )
            })
            .collect())
    }

    /// The schema's objects next to those the migrations up to `version`
    /// make: from the reference this build carries for the server's major
    /// version (no DDL, so a reader role or a read-only replica is checked
    /// too), else built in a scratch schema in a transaction that is
    /// rolled back. `Err` says why neither can be had.
    pub fn schema_pair(&self, version: i64) -> Result<std::result::Result<SchemaPair, String>> {
        let rows = self.query(
            "SELECT current_schema()::text, has_database_privilege(current_database(), 'CREATE'),
                    current_setting('server_version_num')::int / 10000, pg_is_in_recovery()",
            &[],
        )?;
        let Some(row) = rows.first() else {
            return Ok(Err("the server did not describe its schema".into()));
        };
        let schema: String = row.try_get::<_, Option<String>>(0)?.unwrap_or_default();
        let may_create: bool = row.try_get(1)?;
        let major: i32 = row.try_get(2)?;
        let replica: bool = row.try_get(3)?;
        let actual = self.schema_objects(&schema)?;
        if let Some(expected) = reference_schema(version, major) {
            return Ok(Ok((expected, actual)));
        }
        if replica {
            return Ok(Err(format!(
                "this server is a read-only replica of PostgreSQL {major}, for which this build carries no reference schema; run verify on the primary for that check"
            )));
        }
        if !may_create {
            return Ok(Err(format!(
                "this role may not create the scratch schema the comparison is built in, and this build carries no reference schema for PostgreSQL {major}; run verify as the ledger's owner for that check"
            )));
        }
        Ok(Ok((self.built_schema(version)?, actual)))
    }

    /// The objects the migrations up to `version` make, built in a
    /// scratch schema in a transaction that is rolled back.
    pub fn built_schema(&self, version: i64) -> Result<Vec<super::SchemaObject>> {
        let scratch = format!("ledger_expected_{}", std::process::id());
        self.batch("BEGIN")?;
        let expected = (|| -> Result<Vec<super::SchemaObject>> {
            self.batch(&format!(
                "CREATE SCHEMA {scratch}; SET LOCAL search_path TO {scratch}"
            ))?;
            for m in embedded::migrations::runner().get_migrations() {
                if i64::from(m.version()) <= version {
                    self.batch(m.sql().unwrap_or_default())?;
                }
            }
            self.schema_objects(&scratch)
        })();
        self.batch("ROLLBACK")?;
        expected
    }

    /// The demo mark: a comment on the journal.
    pub fn demo_mark(&self) -> Result<i64> {
        let rows = self.query(
            "SELECT obj_description('entries'::regclass, 'pg_class')",
            &[],
        )?;
        Ok(rows
            .first()
            .and_then(|r| r.try_get::<_, Option<String>>(0).ok().flatten())
            .and_then(|c| c.strip_prefix("ledger demo ")?.parse().ok())
            .unwrap_or(0))
    }

    pub fn set_demo_mark(&self, mark: i64) -> Result<()> {
        self.batch(&format!("COMMENT ON TABLE entries IS 'ledger demo {mark}'"))
    }

    /// Drops every table of a demo ledger, so the demo can build it anew.
    pub fn drop_ledger(&self) -> Result<()> {
        let mut tables: Vec<&str> = crate::domain::record::Kind::ALL
            .iter()
            .map(|k| k.table())
            .collect();
        tables.extend([
            "merkle_nodes",
            "entry_signatures",
            "entries",
            "refinery_schema_history",
        ]);
        self.batch(&format!(
            "BEGIN; DROP TABLE IF EXISTS {} CASCADE; DROP FUNCTION IF EXISTS ledger_append_only(); COMMIT",
            tables.join(", ")
        ))
    }

    /// Runs a read-only query within `limits`: in a read-only transaction,
    /// under a statement timeout.
    pub fn query_limited(
        &self,
        sql: &str,
        limits: super::QueryLimits,
    ) -> Result<(Vec<String>, Vec<Vec<serde_json::Value>>)> {
        use fallible_iterator::FallibleIterator;
        let invalid = |expected: String| -> StoreError {
            domain::Error::invalid("query", sql.trim(), expected).into()
        };
        self.batch("BEGIN READ ONLY")?;
        let mut client = self.client()?;
        let result = (|| -> std::result::Result<_, postgres::Error> {
            client.batch_execute(&format!(
                "SET LOCAL statement_timeout = {}; SET LOCAL work_mem = '{}MB'",
                limits.timeout.as_millis().max(1),
                limits.max_memory_mb.max(1)
            ))?;
            let stmt = client.prepare(sql)?;
            let columns: Vec<String> = stmt
                .columns()
                .iter()
                .map(|c| c.name().to_string())
                .collect();
            let mut out = Vec::new();
            let mut rows = client.query_raw(&stmt, std::iter::empty::<i32>())?;
            while let Some(row) = rows.next()? {
                if out.len() == limits.max_rows {
                    return Ok((columns, out, false));
                }
                let values = (0..row.len())
                    .map(|i| {
                        row.try_get::<_, Raw<'_>>(i)
                            .map(|v| super::read::plain_json(v.0))
                            .unwrap_or(serde_json::Value::Null)
                    })
                    .collect();
                out.push(values);
            }
            Ok((columns, out, true))
        })();
        drop(client);
        let _ = self.batch("ROLLBACK");
        use postgres::error::SqlState;
        match result {
            Ok((columns, rows, true)) => Ok((columns, rows)),
            Ok(_) => Err(super::too_many_rows(sql, limits)),
            Err(e) if e.code() == Some(&SqlState::QUERY_CANCELED) => {
                Err(super::too_slow(sql, limits))
            }
            Err(e) if e.code() == Some(&SqlState::READ_ONLY_SQL_TRANSACTION) => {
                Err(invalid("a read-only statement such as SELECT".into()))
            }
            Err(e) if e.code() == Some(&SqlState::OUT_OF_MEMORY) => Err(invalid(format!(
                "a query that needs at most {} MB (raise --max-memory)",
                limits.max_memory_mb
            ))),
            Err(e) if e.as_db_error().is_some() => Err(invalid(format!(
                "a query PostgreSQL can run ({})",
                describe(&e)
            ))),
            Err(e) => Err(e.into()),
        }
    }
}

/// One table's held-back rows, ready to be copied.
struct Copy {
    sql: String,
    types: Vec<Type>,
    /// The rows, as binary COPY tuples.
    data: bytes::BytesMut,
}

/// What opens a binary COPY's data: its signature, no flags, no header
/// extension.
const COPY_HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// Copies each table's rows with one binary COPY.
fn copy_all(client: &mut postgres::Client, copies: Vec<Copy>) -> Result<()> {
    use std::io::Write;
    for c in copies {
        let mut writer = client.copy_in(c.sql.as_str())?;
        let written = writer
            .write_all(COPY_HEADER)
            .and_then(|()| writer.write_all(&c.data))
            .and_then(|()| writer.write_all(&(-1i16).to_be_bytes()));
        // The server's error, if it refused the rows, comes with the end.
        writer.finish()?;
        written
            .map_err(|e| StoreError::Broken(format!("sending rows to the server failed: {e}")))?;
    }
    Ok(())
}

/// Appends one row to binary COPY data: its field count, then each value
/// as its length and its bytes in the column's type (`-1` for NULL).
fn encode_row(out: &mut bytes::BytesMut, types: &[Type], params: &[&dyn ToSql]) -> Result<()> {
    use bytes::BufMut;
    let count = i16::try_from(types.len()).map_err(|_| {
        StoreError::Broken(format!("{} columns are too many for one row", types.len()))
    })?;
    out.put_i16(count);
    for (i, (p, ty)) in params.iter().zip(types).enumerate() {
        let output = p.to_sql()?;
        let value = match &output {
            rusqlite::types::ToSqlOutput::Borrowed(v) => *v,
            rusqlite::types::ToSqlOutput::Owned(v) => ValueRef::from(v),
            _ => ValueRef::Null,
        };
        let at = out.len();
        out.put_i32(0);
        let encoded = encode(value, ty, out).map_err(|e| {
            rusqlite::Error::ToSqlConversionFailure(format!("parameter {}: {e}", i + 1).into())
        })?;
        match encoded {
            IsNull::Yes => {
                out.truncate(at);
                out.put_i32(-1);
            }
            IsNull::No => {
                let len = i32::try_from(out.len() - at - 4).map_err(|_| {
                    StoreError::Broken(format!("parameter {} is too long for one value", i + 1))
                })?;
                out[at..at + 4].copy_from_slice(&len.to_be_bytes());
            }
        }
    }
    Ok(())
}

/// A server-side cursor's rows, a page at a time.
pub struct Cursor<'p> {
    pg: &'p Pg,
    fetch: String,
    buffer: VecDeque<postgres::Row>,
    current: Option<postgres::Row>,
    done: bool,
}

impl Cursor<'_> {
    pub fn next(&mut self) -> Result<Option<&postgres::Row>> {
        if self.buffer.is_empty() && !self.done {
            let page = self.pg.client()?.query(self.fetch.as_str(), &[])?;
            self.done = page.is_empty();
            self.buffer.extend(page);
        }
        self.current = self.buffer.pop_front();
        Ok(self.current.as_ref())
    }
}

/// A result's columns under the names SQLite's declared types use.
pub fn columns(columns: &[postgres::Column]) -> Vec<Column> {
    columns
        .iter()
        .map(|c| {
            let ty = c.type_();
            let decl = if *ty == Type::BOOL {
                Some("BOOLEAN")
            } else if *ty == Type::JSON || *ty == Type::JSONB {
                Some("JSON")
            } else if *ty == Type::FLOAT8 || *ty == Type::FLOAT4 {
                Some("REAL")
            } else if *ty == Type::INT8 || *ty == Type::INT4 || *ty == Type::INT2 {
                Some("INTEGER")
            } else if *ty == Type::BYTEA {
                Some("BLOB")
            } else {
                Some("TEXT")
            };
            Column {
                name: c.name().to_string(),
                decl: decl.map(str::to_string),
            }
        })
        .collect()
}

fn bind(params: &[&dyn ToSql]) -> Result<Vec<Param>> {
    params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let value = match p.to_sql()? {
                rusqlite::types::ToSqlOutput::Borrowed(v) => Value::try_from(v).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(i, v.data_type(), Box::new(e))
                })?,
                rusqlite::types::ToSqlOutput::Owned(v) => v,
                _ => Value::Null,
            };
            Ok(Param(value))
        })
        .collect()
}

/// A value bound to a parameter, encoded as the type the server inferred
/// for it.
#[derive(Debug)]
struct Param(Value);

impl PgToSql for Param {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, BoxError> {
        encode(ValueRef::from(&self.0), ty, out)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A value in the binary form of the column type `ty`: what a parameter
/// is bound as, and what a held row is copied as.
fn encode(
    v: ValueRef<'_>,
    ty: &Type,
    out: &mut bytes::BytesMut,
) -> std::result::Result<IsNull, BoxError> {
    let mismatch = || -> BoxError { format!("cannot bind {v:?} as {ty}").into() };
    match v {
        ValueRef::Null => Ok(IsNull::Yes),
        ValueRef::Integer(i) => match *ty {
            Type::INT8 => PgToSql::to_sql(&i, ty, out),
            Type::INT4 => PgToSql::to_sql(&i32::try_from(i)?, ty, out),
            Type::INT2 => PgToSql::to_sql(&i16::try_from(i)?, ty, out),
            Type::BOOL => PgToSql::to_sql(&(i != 0), ty, out),
            Type::FLOAT8 => PgToSql::to_sql(&(i as f64), ty, out),
            Type::TEXT | Type::VARCHAR | Type::UNKNOWN => {
                PgToSql::to_sql(&i.to_string().as_str(), ty, out)
            }
            _ => Err(mismatch()),
        },
        ValueRef::Real(f) => match *ty {
            Type::FLOAT8 => PgToSql::to_sql(&f, ty, out),
            Type::FLOAT4 => PgToSql::to_sql(&(f as f32), ty, out),
            _ => Err(mismatch()),
        },
        ValueRef::Text(s) => match *ty {
            // Text and JSON go as their bytes (checked as UTF-8 when
            // they were made).
            Type::JSON | Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                out.extend_from_slice(s);
                Ok(IsNull::No)
            }
            _ => Err(mismatch()),
        },
        ValueRef::Blob(b) => match *ty {
            Type::BYTEA => PgToSql::to_sql(&b, ty, out),
            _ => Err(mismatch()),
        },
    }
}

/// A column read as SQLite's value types: booleans and integers as
/// integers, floats and numerics as reals, text and JSON as text, bytes as
/// a blob (and any other type as its raw bytes).
pub struct Raw<'a>(pub ValueRef<'a>);

impl<'a> postgres::types::FromSql<'a> for Raw<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Raw<'a>, BoxError> {
        let value = match *ty {
            Type::BOOL => ValueRef::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::INT2 => ValueRef::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::INT4 => ValueRef::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT8 => ValueRef::Integer(i64::from_sql(ty, raw)?),
            Type::OID => ValueRef::Integer(i64::from(u32::from_sql(ty, raw)?)),
            Type::FLOAT4 => ValueRef::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::FLOAT8 => ValueRef::Real(f64::from_sql(ty, raw)?),
            // A whole NUMERIC (`sum` of integers) is an integer, as on SQLite.
            Type::NUMERIC => match (numeric(raw)?, raw.get(6..8)) {
                (n, Some([0, 0])) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
                    ValueRef::Integer(n as i64)
                }
                (n, _) => ValueRef::Real(n),
            },
            Type::BYTEA => ValueRef::Blob(raw),
            // jsonb's binary form is a version byte and the text.
            Type::JSONB => ValueRef::Text(raw.get(1..).unwrap_or_default()),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::JSON | Type::UNKNOWN => {
                ValueRef::Text(raw)
            }
            _ => ValueRef::Blob(raw),
        };
        Ok(Raw(value))
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Raw<'a>, BoxError> {
        Ok(Raw(ValueRef::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A NUMERIC in binary form (base-10000 digits) as a float, as SQLite
/// would hold the value (`sum` of integers is a NUMERIC on PostgreSQL).
fn numeric(raw: &[u8]) -> std::result::Result<f64, BoxError> {
    let word = |i: usize| -> std::result::Result<i16, BoxError> {
        let b = raw.get(i * 2..i * 2 + 2).ok_or("a truncated NUMERIC")?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    };
    let ndigits = usize::try_from(word(0)?).unwrap_or(0);
    let weight = i32::from(word(1)?);
    let sign = word(2)? as u16;
    if sign == 0xC000 {
        return Ok(f64::NAN);
    }
    let mut value = 0.0;
    for d in 0..ndigits {
        let digit = f64::from(word(4 + d)?);
        let power = weight - i32::try_from(d).unwrap_or(0);
        value += digit * 10_000f64.powi(power);
    }
    Ok(if sign == 0x4000 { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference schemas this build carries are what the migrations
    /// make on the server at `LEDGER_TEST_POSTGRES` (which `.ci/run`
    /// starts). `LEDGER_BLESS_SCHEMA=1` writes the file anew after a
    /// migration changes the schema.
    #[test]
    fn the_reference_schema_is_what_the_migrations_make() {
        let Ok(url) = std::env::var("LEDGER_TEST_POSTGRES") else {
            eprintln!("no PostgreSQL server (set LEDGER_TEST_POSTGRES, or run .ci/run)");
            return;
        };
        let admin = Target::parse(&url).unwrap().connect().unwrap();
        let name = format!("ledger_reference_{}", std::process::id());
        admin
            .batch(&format!("DROP DATABASE IF EXISTS {name}"))
            .unwrap();
        admin.batch(&format!("CREATE DATABASE {name}")).unwrap();
        let base = url.rsplit_once('/').unwrap().0;
        let target = Target::parse(&format!("{base}/{name}?sslmode=disable")).unwrap();
        let pg = target.connect().unwrap();
        let major: i32 = pg
            .query(
                "SELECT current_setting('server_version_num')::int / 10000",
                &[],
            )
            .unwrap()[0]
            .get(0);
        let built = pg.built_schema(super::super::SCHEMA_VERSION).unwrap();
        drop(pg);
        admin
            .batch(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .unwrap();
        if std::env::var_os("LEDGER_BLESS_SCHEMA").is_some() {
            let path = format!(
                "{}/migrations/reference/postgres-v{}-pg{major}.tsv",
                env!("CARGO_MANIFEST_DIR"),
                super::super::SCHEMA_VERSION
            );
            std::fs::write(path, reference_text(&built)).unwrap();
            return;
        }
        let Some(reference) = reference_schema(super::super::SCHEMA_VERSION, major) else {
            panic!(
                "no reference schema for version {} on PostgreSQL {major}: run this test with LEDGER_BLESS_SCHEMA=1 and add the file to REFERENCE_SCHEMAS",
                super::super::SCHEMA_VERSION
            );
        };
        let differ: Vec<_> = built
            .iter()
            .filter(|o| !reference.contains(o))
            .chain(reference.iter().filter(|o| !built.contains(o)))
            .take(3)
            .collect();
        assert!(
            differ.is_empty(),
            "the migrations changed the schema (first differences: {differ:?}): run this test with LEDGER_BLESS_SCHEMA=1"
        );
    }

    #[test]
    fn parameters_become_dollar_numbers_outside_quotes() {
        assert_eq!(
            dialect("SELECT '?1', \"a?2\" FROM t WHERE a = ?1 AND b IS ?12"),
            "SELECT '?1', \"a?2\" FROM t WHERE a = $1 AND b IS $12"
        );
    }

    #[test]
    fn a_password_is_never_shown() {
        let t =
            Target::parse("postgres://ci:s3cret@db.example:5433/ledger?sslmode=require").unwrap();
        assert_eq!(
            t.shown(),
            "postgres://ci:***@db.example:5433/ledger?sslmode=require"
        );
        assert!(!format!("{t:?}").contains("s3cret"));
        let e = Target::parse("postgres://ci:s3cret@h/db?sslmode=sometimes").unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
        assert!(e.to_string().contains("verify-full"), "{e}");
        // Every form a password takes.
        for (given, shown) in [
            (
                "postgres://ci@h/db?password=s3cret&sslmode=disable",
                "postgres://ci@h/db?password=***&sslmode=disable",
            ),
            (
                "postgres://ci:s3cret@h/db?PASSWORD=s3cret",
                "postgres://ci:***@h/db?PASSWORD=***",
            ),
            (
                "host=h user=ci password=s3cret dbname=db",
                "host=h user=ci password=*** dbname=db",
            ),
            (
                "host=h password='s3 \\'cret' dbname=db",
                "host=h password=*** dbname=db",
            ),
        ] {
            assert_eq!(mask_password(given), shown);
        }
        assert!(is_keyword_string("host=h user=ci password=s3cret"));
        assert!(!is_keyword_string("ledger.db"));
        assert!(!is_keyword_string("./a=b.db"));
    }

    #[test]
    fn libpq_tls_settings_are_read_here() {
        let t =
            Target::parse("postgresql://u@h/db?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem")
                .unwrap();
        assert_eq!(t.tls, TlsMode::VerifyFull);
        assert_eq!(t.ca_file, Some(PathBuf::from("/tmp/ca.pem")));
        assert_eq!(t.url, "postgresql://u@h/db");
    }

    #[test]
    fn only_plain_one_row_inserts_are_held_back() {
        assert_eq!(
            batchable("INSERT INTO t (a, b) VALUES (?1, ?2)"),
            Some(("INSERT INTO t (a, b) VALUES ", 2))
        );
        assert_eq!(batchable("INSERT INTO t (a) VALUES (?2)"), None);
        assert_eq!(batchable("INSERT INTO t (a) SELECT ?1"), None);
        assert_eq!(batchable("UPDATE t SET a = ?1"), None);
    }

    #[test]
    fn numerics_read_as_sqlite_would_hold_them() {
        // 12345.5: digits [1, 2345, 5000], weight 1, positive, scale 1.
        let raw = [0, 3, 0, 1, 0, 0, 0, 1, 0, 1, 9, 41, 19, 136];
        assert_eq!(numeric(&raw).unwrap(), 12345.5);
    }
}
