//! One handle over the two backends: the queries the store shares are
//! written once, in SQL both SQLite and PostgreSQL read (`?N` parameters,
//! which PostgreSQL is handed as `$N`), and run through [`Db`]. Values cross
//! it as SQLite's value types, which every record's columns fit; what
//! differs between the backends (opening, migrating, schema checks, locks)
//! lives in [`super::sqlite`] and [`super::postgres`].

use rusqlite::types::{FromSql, ToSql, ValueRef};

use super::postgres::Pg;
use super::{Location, Result, StoreError};

/// An open ledger on either backend.
pub struct Db {
    pub(super) backend: Backend,
    pub(super) location: Location,
}

pub(super) enum Backend {
    Sqlite(rusqlite::Connection),
    Postgres(Box<Pg>),
}

/// A column of a result: its name and declared type (SQLite's declared
/// type, or PostgreSQL's type under the same name: `BOOLEAN`, `JSON`,
/// `REAL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub decl: Option<String>,
}

/// One row of a result, on either backend.
pub enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r postgres::Row),
}

impl<'r> Row<'r> {
    /// Column `i`'s value as stored.
    pub fn value(&self, i: usize) -> Result<ValueRef<'r>> {
        match self {
            Row::Sqlite(r) => Ok(r.get_ref(i)?),
            Row::Postgres(r) => Ok(r.try_get::<_, super::postgres::Raw<'r>>(i)?.0),
        }
    }

    /// Column `i`'s value converted as SQLite converts it.
    pub fn get<T: FromSql>(&self, i: usize) -> Result<T> {
        let value = self.value(i)?;
        T::column_result(value).map_err(|e| {
            StoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
                i,
                value.data_type(),
                Box::new(e),
            ))
        })
    }

    /// How many columns the row has.
    pub fn len(&self) -> usize {
        match self {
            Row::Sqlite(r) => r.as_ref().column_count(),
            Row::Postgres(r) => r.len(),
        }
    }

    /// Whether the row has no columns.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The row's columns.
    pub fn columns(&self) -> Vec<Column> {
        match self {
            Row::Sqlite(r) => sqlite_columns(r.as_ref()),
            Row::Postgres(r) => super::postgres::columns(r.columns()),
        }
    }
}

fn sqlite_columns(stmt: &rusqlite::Statement<'_>) -> Vec<Column> {
    stmt.columns()
        .map(|c| Column {
            name: c.name().to_string(),
            decl: c.decl_type().map(str::to_string),
        })
        .collect()
}

/// How a server's rows reach a reader: all of them first (its `each` may
/// use the connection), or one by one as they arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    Collected,
    AsItArrives,
}

impl Db {
    /// Where the ledger is, as it may be shown (never with a password).
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The SQLite connection, when the ledger is a file.
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.backend {
            Backend::Sqlite(c) => Some(c),
            Backend::Postgres(_) => None,
        }
    }

    pub(super) fn pg(&self) -> Option<&Pg> {
        match &self.backend {
            Backend::Sqlite(_) => None,
            Backend::Postgres(p) => Some(p),
        }
    }

    /// Runs one statement; returns how many rows it changed.
    pub fn execute(&self, sql: &str, params: &[&dyn ToSql]) -> Result<usize> {
        match &self.backend {
            Backend::Sqlite(c) => Ok(c.prepare_cached(sql)?.execute(params)?),
            Backend::Postgres(p) => p.execute(sql, params),
        }
    }

    /// Runs statements without parameters, separated by semicolons.
    pub fn batch(&self, sql: &str) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Backend::Postgres(p) => p.batch(sql),
        }
    }

    /// Calls `each` with every row of a query, in order.
    pub fn rows(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        each: impl FnMut(&Row<'_>) -> Result<()>,
    ) -> Result<()> {
        self.each_row(sql, params, Delivery::Collected, each)
    }

    /// [`Db::rows`] for a reader whose `each` does not use this
    /// connection: on a server, each row is handed on as it arrives.
    pub fn stream(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        each: impl FnMut(&Row<'_>) -> Result<()>,
    ) -> Result<()> {
        self.each_row(sql, params, Delivery::AsItArrives, each)
    }

    fn each_row(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        delivery: Delivery,
        mut each: impl FnMut(&Row<'_>) -> Result<()>,
    ) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(params)?;
                while let Some(r) = rows.next()? {
                    each(&Row::Sqlite(r))?;
                }
                Ok(())
            }
            Backend::Postgres(p) if delivery == Delivery::AsItArrives => {
                p.stream(sql, params, |r| each(&Row::Postgres(r)))
            }
            Backend::Postgres(p) => {
                for r in &p.query(sql, params)? {
                    each(&Row::Postgres(r))?;
                }
                Ok(())
            }
        }
    }

    /// The first row of a query, read by `read`; `None` when it has none.
    pub fn row<T>(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        read: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut read = Some(read);
        let mut out = None;
        self.rows(sql, params, |r| {
            if let Some(f) = read.take() {
                out = Some(f(r)?);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// The first column of the first row of a query that always returns one.
    pub fn value<T: FromSql>(&self, sql: &str, params: &[&dyn ToSql]) -> Result<T> {
        self.row(sql, params, |r| r.get(0))?
            .ok_or_else(|| StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
    }

    /// A query kept open to be read a row at a time beside others (one
    /// cursor per typed table in `verify`). On PostgreSQL it needs a
    /// transaction, which [`Db::read_consistently`] provides.
    pub fn prepare(&self, sql: &str) -> Result<Prepared<'_>> {
        match &self.backend {
            Backend::Sqlite(c) => Ok(Prepared::Sqlite(c.prepare(sql)?)),
            Backend::Postgres(p) => Ok(Prepared::Postgres {
                pg: p,
                sql: sql.to_string(),
            }),
        }
    }

    /// Runs `f` over one consistent view of the ledger: every read in it
    /// sees the same moment, whatever writers do meanwhile.
    pub fn read_consistently<T>(&self, f: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        let begin = match &self.backend {
            Backend::Sqlite(_) => "BEGIN DEFERRED",
            Backend::Postgres(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        };
        if !self.in_transaction() {
            self.batch(begin)?;
            let result = f(self);
            let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
            let ended = self.batch(end);
            return result.and_then(|v| ended.map(|()| v));
        }
        f(self)
    }

    /// Whether a transaction is open on this connection.
    pub fn in_transaction(&self) -> bool {
        match &self.backend {
            Backend::Sqlite(c) => !c.is_autocommit(),
            Backend::Postgres(p) => p.in_transaction(),
        }
    }
}

/// A statement prepared to be streamed.
pub enum Prepared<'c> {
    Sqlite(rusqlite::Statement<'c>),
    Postgres { pg: &'c Pg, sql: String },
}

impl Prepared<'_> {
    /// The statement's columns.
    pub fn columns(&self) -> Result<Vec<Column>> {
        match self {
            Prepared::Sqlite(s) => Ok(sqlite_columns(s)),
            Prepared::Postgres { pg, sql } => pg.columns(sql),
        }
    }

    /// Starts reading the statement's rows.
    pub fn stream(&mut self) -> Result<Stream<'_>> {
        match self {
            Prepared::Sqlite(s) => Ok(Stream::Sqlite(s.query([])?)),
            Prepared::Postgres { pg, sql } => Ok(Stream::Postgres(pg.cursor(sql)?)),
        }
    }
}

/// The rows of a prepared statement, read one at a time.
pub enum Stream<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Postgres(super::postgres::Cursor<'s>),
}

impl Stream<'_> {
    /// The next row, or `None` after the last.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>> {
        match self {
            Stream::Sqlite(rows) => Ok(rows.next()?.map(Row::Sqlite)),
            Stream::Postgres(c) => Ok(c.next()?.map(Row::Postgres)),
        }
    }
}
