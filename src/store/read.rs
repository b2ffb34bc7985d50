//! Question-shaped reads: typed rows narrowed by project, key and time in
//! SQL, through the index each typed table has for its key, and read
//! straight into their records.
//!
//! Every typed table starts with the columns of its entry that a question
//! filters by (`entry_seq, project, effective_at, recorded_at`), followed by
//! the record's fields. A row is visible at `now` when it is effective by
//! then and no retraction effective by then names it.

use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};

use super::{Db, Result, Row, StoreError, row};
use crate::domain::{
    self, Time,
    inputs::{ReleaseVersion, Sample},
    policy::Policy,
    record::{DeprecationRec, IncidentRec, Kind, PolicyRec, Record, RemovalRec, Stamped},
    time,
};

/// The entry's columns that lead every typed table, before the record's.
pub const STAMP_COLUMNS: [&str; 4] = ["entry_seq", "project", "effective_at", "recorded_at"];

/// The condition that a row of the table read as `$t` is named by no
/// retraction effective by `?2` and recorded by `?3`: how every read of
/// the store tells a visible row, written once.
macro_rules! unretracted {
    ($t:literal) => {
        concat!(
            "NOT EXISTS (SELECT 1 FROM retractions r WHERE r.target = ",
            $t,
            ".entry_seq AND r.effective_at <= ?2 AND r.recorded_at <= ?3)"
        )
    };
}

/// Stored text as a string: checked as UTF-8 (fast), and only where it is
/// not, decoded with replacement characters, so nothing fails to read.
pub fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// A column value as plain JSON, with no type hints.
pub fn plain_json(v: ValueRef<'_>) -> serde_json::Value {
    match v {
        ValueRef::Null => serde_json::Value::Null,
        ValueRef::Integer(i) => i.into(),
        ValueRef::Real(f) => serde_json::Number::from_f64(f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
        ValueRef::Blob(b) => format!("<{} bytes>", b.len()).into(),
    }
}

/// A column value as JSON, read by its declared type.
pub fn typed_json(v: ValueRef<'_>, decl: Option<&str>) -> serde_json::Value {
    match (v, decl) {
        (ValueRef::Integer(i), Some("BOOLEAN")) => (i != 0).into(),
        (ValueRef::Integer(i), Some("REAL")) => serde_json::Number::from_f64(i as f64)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        (ValueRef::Text(t), Some("JSON")) => serde_json::from_slice(t)
            .unwrap_or_else(|_| String::from_utf8_lossy(t).into_owned().into()),
        (v, _) => plain_json(v),
    }
}

fn parse_time(index: usize, text: &str) -> Result<Time> {
    time::parse_stored(text).map_err(|e| {
        StoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            Box::new(e),
        ))
    })
}

/// A typed row (`SELECT *`) as a stamped record.
fn stamped<R: Record>(conn: &Db, row: &Row<'_>) -> Result<Stamped<R>> {
    let shape = row::Shape::of(&row.columns(), STAMP_COLUMNS.len());
    stamped_shaped(conn, row, &shape)
}

/// A typed row of a statement whose shape is known, as a stamped record.
fn stamped_shaped<R: Record>(conn: &Db, row: &Row<'_>, shape: &row::Shape) -> Result<Stamped<R>> {
    let rec: R = row::record_shaped(row, shape).map_err(|e| StoreError::Schema {
        path: conn.location().to_string().into(),
        message: format!(
            "a {} row does not read back: {e}; run `ledger verify`",
            R::KIND
        ),
    })?;
    Ok(Stamped {
        seq: row.get(0)?,
        at: time_at(row, 2)?,
        recorded_at: time_at(row, 3)?,
        rec,
    })
}

/// Column `i` of a row, a stored time, read in place: every row a question
/// reads carries one or two.
fn time_at(row: &Row<'_>, i: usize) -> Result<Time> {
    let text = row.value(i)?.as_str().map_err(rusqlite::Error::from)?;
    parse_time(i, text)
}

/// The time a question is about, and which entries it may see.
///
/// By default a question sees every entry recorded so far, each at the
/// time it took effect. Asked about a past time, it sees only what the
/// ledger knew then (`recorded_by`): an entry recorded later, even one
/// back-dated to before that time, cannot change a past answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf {
    /// The effective time judged at.
    pub now: Time,
    /// Only entries recorded by this time (`None`: every entry).
    pub recorded_by: Option<Time>,
}

impl AsOf {
    /// What the ledger knew at `now`: entries recorded by then.
    pub fn known_at(now: Time) -> AsOf {
        AsOf {
            now,
            recorded_by: Some(now),
        }
    }

    /// The same knowledge judged at an earlier effective time (a shipped
    /// milestone as of its release, as the ledger knew it at `self`).
    pub fn back_at(self, now: Time) -> AsOf {
        AsOf {
            now: now.min(self.now),
            recorded_by: self.recorded_by,
        }
    }

    /// The latest time an entry may have been recorded to be seen.
    fn known_by(self) -> String {
        match self.recorded_by {
            Some(t) => time::format(t),
            None => time::LATEST.to_string(),
        }
    }
}

/// Every entry recorded so far, placed at the time it took effect.
impl From<Time> for AsOf {
    fn from(now: Time) -> AsOf {
        AsOf {
            now,
            recorded_by: None,
        }
    }
}

/// The rows of one project visible at one time, read by question.
pub struct Reader<'c> {
    conn: &'c Db,
    project: &'c str,
    now: String,
    /// Rows recorded after this are not seen.
    known_by: String,
}

/// One equality of a key: a column (a name from the code, never from
/// input) and its value; a `None` value matches NULL.
pub type Key<'k> = (&'static str, &'k dyn ToSql);
/// Which effective times a read takes, besides being visible at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Every time up to `now`.
    UpTo,
    /// After a time (exclusive), up to `now`.
    After,
    /// Exactly one time (not after `now`).
    At,
    /// Up to a time (inclusive), not after `now`.
    Through,
}

/// The SQL of one read of `columns` of `table`: rows of project `?1` visible at `?2`
/// (effective by then and recorded by `?3`, no retraction effective by
/// then and recorded by `?3` names them), whose `key` columns equal
/// `?4…` and whose `null_key` columns are NULL, in the `span`'s times (its
/// time is the next parameter), `having` a non-NULL column, in `order`
/// (one direction throughout).
/// Names come from the code, never from input. (A key is `=` or `IS
/// NULL`, never `IS ?`: PostgreSQL's `IS NOT DISTINCT FROM` cannot use an
/// index.)
pub fn select_sql(
    table: &str,
    columns: &str,
    key: &[&str],
    null_key: &[&str],
    span: Span,
    having: Option<&str>,
    order: &str,
) -> String {
    let n = key.len() + 4;
    let time = match span {
        Span::UpTo => "t.effective_at <= ?2".to_string(),
        Span::After => format!("t.effective_at > ?{n} AND t.effective_at <= ?2"),
        // Equality alone, so the index serves it as a key.
        Span::At => format!("t.effective_at = ?{n}"),
        Span::Through => format!("t.effective_at <= ?{n} AND t.effective_at <= ?2"),
    };
    let mut sql = format!(
        "SELECT {columns} FROM {table} t WHERE t.project = ?1 AND {time} AND t.recorded_at <= ?3
           AND {}",
        unretracted!("t")
    );
    for (i, column) in key.iter().enumerate() {
        sql.push_str(&format!(" AND t.{column} = ?{}", i + 4));
    }
    for column in null_key {
        sql.push_str(&format!(" AND t.{column} IS NULL"));
    }
    if let Some(c) = having {
        sql.push_str(&format!(" AND t.{c} IS NOT NULL"));
    }
    sql.push_str(" ORDER BY ");
    // A NULL key fixes its column, but PostgreSQL does not take `IS NULL`
    // so: unless the column leads the order too (in the order's
    // direction), it cannot read the key's index in order and sorts every
    // matching row to find the latest.
    let direction = if order.contains(" DESC") { " DESC" } else { "" };
    for column in null_key {
        sql.push_str(&format!("t.{column}{direction}, "));
    }
    sql.push_str(order);
    sql
}

/// [`unretracted!`] for a read of thousands of rows: the retractions are
/// read once per query (PostgreSQL hashes them, SQLite builds an index of
/// them) instead of looked up row by row, which on PostgreSQL costs an
/// executor step per row. A retraction's `target` is never NULL, so
/// `NOT IN` says what `NOT EXISTS` says.
macro_rules! unretracted_in_bulk {
    ($t:literal) => {
        concat!(
            $t,
            ".entry_seq NOT IN (SELECT r.target FROM retractions r
                               WHERE r.effective_at <= ?2 AND r.recorded_at <= ?3)"
        )
    };
}

/// Incidents of project `?1` open at `?2` (seeing entries recorded by
/// `?3`): each checked for a visible resolve event through the events' key
/// index.
pub const OPEN_INCIDENTS: &str = concat!(
    "SELECT t.* FROM incidents t
    WHERE t.project = ?1 AND t.effective_at <= ?2 AND t.recorded_at <= ?3
      AND ",
    unretracted_in_bulk!("t"),
    "
      AND NOT EXISTS (SELECT 1 FROM incident_events v
                      WHERE v.project = t.project AND v.incident = t.entry_seq
                        AND v.effective_at <= ?2 AND v.recorded_at <= ?3
                        AND v.action = 'resolve' AND ",
    unretracted_in_bulk!("v"),
    ")
    ORDER BY t.effective_at, t.entry_seq"
);

/// The first removal of project `?1` visible at `?2` (seeing entries
/// recorded by `?3`), effective after `?4`, of an item deprecated as a
/// capability policy (visible likewise).
pub const FIRST_CAPABILITY_REMOVAL: &str = concat!(
    "SELECT t.* FROM removals t
    WHERE t.project = ?1 AND t.effective_at > ?4 AND t.effective_at <= ?2
      AND t.recorded_at <= ?3 AND ",
    unretracted!("t"),
    "
      AND EXISTS (SELECT 1 FROM deprecations d
                  WHERE d.project = t.project AND d.item = t.item
                    AND d.kind = 'capability-policy' AND d.effective_at <= ?2
                    AND d.recorded_at <= ?3 AND ",
    unretracted!("d"),
    ")
    ORDER BY t.effective_at, t.entry_seq LIMIT 1"
);

/// Deprecations of project `?1` visible at `?2` (seeing entries recorded
/// by `?3`) that no visible removal of their item has followed: each
/// checked through the removals' item index. Unordered: thousands of rows
/// sort faster in the reader than on a server.
pub const UNREMOVED_DEPRECATIONS: &str = concat!(
    "SELECT t.* FROM deprecations t
    WHERE t.project = ?1 AND t.effective_at <= ?2 AND t.recorded_at <= ?3
      AND ",
    unretracted_in_bulk!("t"),
    "
      AND NOT EXISTS (SELECT 1 FROM removals m
                      WHERE m.project = t.project AND m.item = t.item
                        AND m.entry_seq > t.entry_seq
                        AND m.effective_at <= ?2 AND m.recorded_at <= ?3 AND ",
    unretracted_in_bulk!("m"),
    ")"
);

/// Oldest first, as the journal orders time.
const FORWARD: &str = "t.effective_at, t.entry_seq";
/// The earliest row alone.
const FIRST: &str = "t.effective_at, t.entry_seq LIMIT 1";
/// The latest row alone.
const LATEST: &str = "t.effective_at DESC, t.entry_seq DESC LIMIT 1";

impl<'c> Reader<'c> {
    /// Reads `project` as it stood at `now`.
    pub fn new(conn: &'c Db, project: &'c str, as_of: impl Into<AsOf>) -> Reader<'c> {
        let as_of = as_of.into();
        Reader {
            conn,
            project,
            now: time::format(as_of.now),
            known_by: as_of.known_by(),
        }
    }

    /// The visible rows of a kind whose key matches, in `span`'s times, in
    /// `order`, as records.
    fn query<R: Record>(
        &self,
        key: &[Key<'_>],
        span: (Span, Option<Time>),
        having: Option<&'static str>,
        order: &str,
    ) -> Result<Vec<Stamped<R>>> {
        let read = (R::KIND.table(), "t.*");
        self.records(|each| self.select(read, key, span, having, order, each))
    }

    /// Calls `each` with every visible row of `read` (a table and the
    /// columns read of it) whose key matches, in `span`'s times, in
    /// `order`.
    fn select(
        &self,
        read: (&str, &str),
        key: &[Key<'_>],
        span: (Span, Option<Time>),
        having: Option<&'static str>,
        order: &str,
        each: impl FnMut(&Row<'_>) -> Result<()>,
    ) -> Result<()> {
        let (valued, null): (Vec<&Key<'_>>, Vec<&Key<'_>>) =
            key.iter().partition(|(_, v)| !is_null(*v));
        let columns: Vec<&str> = valued.iter().map(|(c, _)| *c).collect();
        let null_columns: Vec<&str> = null.iter().map(|(c, _)| *c).collect();
        let (table, read) = read;
        let sql = select_sql(table, read, &columns, &null_columns, span.0, having, order);
        let bound = span.1.map(time::format);
        let mut params: Vec<&dyn ToSql> = vec![&self.project, &self.now, &self.known_by];
        params.extend(valued.iter().map(|(_, v)| *v));
        if let Some(b) = &bound {
            params.push(b);
        }
        self.conn.stream(&sql, &params, each)
    }

    /// Every row of a `SELECT t.*` over a typed table, as records.
    fn rows<R: Record>(&self, sql: &str, params: &[&dyn ToSql]) -> Result<Vec<Stamped<R>>> {
        self.records(|each| self.conn.stream(sql, params, each))
    }

    /// The rows a `read` of a typed table (`SELECT t.*`) hands on, as
    /// records: the statement's shape is read from its first row.
    fn records<R: Record>(
        &self,
        read: impl FnOnce(&mut dyn FnMut(&Row<'_>) -> Result<()>) -> Result<()>,
    ) -> Result<Vec<Stamped<R>>> {
        let mut shape = None;
        let mut out = Vec::new();
        read(&mut |row| {
            let shape =
                shape.get_or_insert_with(|| row::Shape::of(&row.columns(), STAMP_COLUMNS.len()));
            out.push(stamped_shaped(self.conn, row, shape)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// One budget's visible samples in `span`'s times, in `order`: only
    /// what a judgement reads of a measurement (a window of a 10-year
    /// ledger holds thousands), read by position.
    fn samples(
        &self,
        budget: &str,
        span: (Span, Option<Time>),
        order: &str,
    ) -> Result<Vec<Sample>> {
        let mut out = Vec::new();
        let read = (
            Kind::Measurement.table(),
            "t.entry_seq, t.effective_at, t.value",
        );
        self.select(read, &[("budget", &budget)], span, None, order, |row| {
            out.push(Sample {
                seq: row.get(0)?,
                at: time_at(row, 1)?,
                value: row.get(2)?,
            });
            Ok(())
        })?;
        Ok(out)
    }

    /// Every visible release's version, status and time, in time order:
    /// what judging deprecations reads of thousands of releases, read by
    /// position.
    pub fn release_versions(&self) -> Result<Vec<ReleaseVersion>> {
        let mut out = Vec::new();
        let read = (Kind::Release.table(), "t.effective_at, t.version, t.status");
        self.select(read, &[], (Span::UpTo, None), None, FORWARD, |row| {
            let status = row.value(2)?.as_str().map_err(rusqlite::Error::from)?;
            out.push(ReleaseVersion {
                version: row.get(1)?,
                status: status.parse()?,
                at: time_at(row, 0)?,
            });
            Ok(())
        })?;
        Ok(out)
    }

    /// One budget's samples effective after `since`, oldest first.
    pub fn samples_after(&self, budget: &str, since: Time) -> Result<Vec<Sample>> {
        self.samples(budget, (Span::After, Some(since)), FORWARD)
    }

    /// One budget's first sample.
    pub fn first_sample(&self, budget: &str) -> Result<Option<Sample>> {
        Ok(self.samples(budget, (Span::UpTo, None), FIRST)?.pop())
    }

    /// One budget's latest sample.
    pub fn latest_sample(&self, budget: &str) -> Result<Option<Sample>> {
        Ok(self.samples(budget, (Span::UpTo, None), LATEST)?.pop())
    }

    /// The project's policy in force at `at`.
    pub fn policy_at(&self, at: Time) -> Result<PolicyInForce> {
        project_policy(self.conn, self.project, at)
    }

    /// Every visible row of a kind, in time order.
    pub fn all<R: Record>(&self) -> Result<Vec<Stamped<R>>> {
        self.query(&[], (Span::UpTo, None), None, FORWARD)
    }

    /// The visible rows of a kind whose key matches, in time order.
    pub fn find<R: Record>(&self, key: &[Key<'_>]) -> Result<Vec<Stamped<R>>> {
        self.query(key, (Span::UpTo, None), None, FORWARD)
    }

    /// The visible rows whose key matches, effective exactly at `at`.
    pub fn at<R: Record>(&self, key: &[Key<'_>], at: Time) -> Result<Vec<Stamped<R>>> {
        if time::format(at) > self.now {
            return Ok(Vec::new());
        }
        self.query(key, (Span::At, Some(at)), None, FORWARD)
    }

    /// The latest visible row whose key matches; with `having`, the latest
    /// whose `having` column is not NULL.
    pub fn latest<R: Record>(
        &self,
        key: &[Key<'_>],
        having: Option<&'static str>,
    ) -> Result<Option<Stamped<R>>> {
        let rows = self.query(key, (Span::UpTo, None), having, LATEST)?;
        Ok(rows.into_iter().next())
    }

    /// The latest visible row whose key matches, effective at or before
    /// `at`.
    pub fn latest_through<R: Record>(
        &self,
        key: &[Key<'_>],
        at: Time,
    ) -> Result<Option<Stamped<R>>> {
        let rows = self.query(key, (Span::Through, Some(at)), None, LATEST)?;
        Ok(rows.into_iter().next())
    }

    /// The latest visible row of each value of one key column, in time
    /// order (the latest completion of each task, sign-off of each
    /// criterion).
    pub fn latest_of_each<'k, R: Record>(
        &self,
        column: &'static str,
        values: impl IntoIterator<Item = &'k String>,
    ) -> Result<Vec<Stamped<R>>> {
        let mut out = Vec::new();
        for value in values {
            out.extend(self.latest(&[(column, value)], None)?);
        }
        Ok(in_time_order(out))
    }

    /// The earliest visible row whose key matches.
    pub fn first<R: Record>(&self, key: &[Key<'_>]) -> Result<Option<Stamped<R>>> {
        let rows = self.query(key, (Span::UpTo, None), None, FIRST)?;
        Ok(rows.into_iter().next())
    }

    /// The earliest visible row whose key matches, effective after `since`.
    pub fn first_after<R: Record>(
        &self,
        key: &[Key<'_>],
        since: Time,
    ) -> Result<Option<Stamped<R>>> {
        let rows = self.query(key, (Span::After, Some(since)), None, FIRST)?;
        Ok(rows.into_iter().next())
    }

    /// The incidents not resolved at `now`: visible, and no resolve event
    /// visible for them.
    pub fn open_incidents(&self) -> Result<Vec<Stamped<IncidentRec>>> {
        self.rows(OPEN_INCIDENTS, &[&self.project, &self.now, &self.known_by])
    }

    /// The deprecations no removal of their item has followed, in time
    /// order.
    pub fn unremoved_deprecations(&self) -> Result<Vec<Stamped<DeprecationRec>>> {
        let rows = self.rows(
            UNREMOVED_DEPRECATIONS,
            &[&self.project, &self.now, &self.known_by],
        )?;
        Ok(in_time_order(rows))
    }

    /// The first removal of a capability-policy item effective after
    /// `since`.
    pub fn first_capability_removal_after(
        &self,
        since: Time,
    ) -> Result<Option<Stamped<RemovalRec>>> {
        let since = time::format(since);
        let rows = self.rows(
            FIRST_CAPABILITY_REMOVAL,
            &[&self.project, &self.now, &self.known_by, &since],
        )?;
        Ok(rows.into_iter().next())
    }

    /// The visible rows whose key matches, effective after `since`.
    pub fn after<R: Record>(&self, key: &[Key<'_>], since: Time) -> Result<Vec<Stamped<R>>> {
        self.query(key, (Span::After, Some(since)), None, FORWARD)
    }
}

/// The registered projects, by name.
pub fn projects(conn: &Db) -> Result<Vec<String>> {
    let mut names = Vec::new();
    conn.rows("SELECT name FROM projects ORDER BY name", &[], |r| {
        names.push(r.get(0)?);
        Ok(())
    })?;
    Ok(names)
}

/// The policy in force at some time.
#[derive(Debug, Clone)]
pub struct PolicyInForce {
    pub policy: Policy,
    /// Its place among the policy versions, from 1.
    pub version: usize,
    pub entry: Stamped<PolicyRec>,
    /// When each later version came into force, up to the time asked about.
    pub changes: Vec<Time>,
}

/// The policy loaded last, of any project, in force at `as_of`: what
/// picks the project a command is about when `--project` is not given.
pub fn latest_policy(conn: &Db, as_of: impl Into<AsOf>) -> Result<PolicyInForce> {
    policy_in_force(conn, None, as_of.into())?.ok_or_else(|| no_policy(conn))
}

/// The policy `project` is judged by at `as_of`: the project's own
/// versions, so loading another project's policy changes none of its
/// answers; a project that has loaded none is judged by the policy
/// loaded last.
pub fn project_policy(conn: &Db, project: &str, as_of: impl Into<AsOf>) -> Result<PolicyInForce> {
    let as_of = as_of.into();
    match policy_in_force(conn, Some(project), as_of)? {
        Some(p) => Ok(p),
        None => latest_policy(conn, as_of),
    }
}

/// The policy versions of `project` alone: `None` when it has loaded none.
pub fn own_policy(
    conn: &Db,
    project: &str,
    as_of: impl Into<AsOf>,
) -> Result<Option<PolicyInForce>> {
    policy_in_force(conn, Some(project), as_of.into())
}

fn no_policy(conn: &Db) -> StoreError {
    StoreError::Schema {
        path: conn.location().to_string().into(),
        message: "no policy is loaded; run `ledger init`".into(),
    }
}

/// The version in force at `as_of` of the policies of `project` (of every
/// project when `None`), numbered among them; `None` when there is none.
fn policy_in_force(conn: &Db, project: Option<&str>, as_of: AsOf) -> Result<Option<PolicyInForce>> {
    let now = as_of.now;
    let mut all: Vec<(i64, Time, bool)> = Vec::new();
    let mut push = |r: &Row<'_>| {
        all.push((
            r.get::<i64>(0)?,
            parse_time(1, &r.get::<String>(1)?)?,
            r.get::<bool>(2)?,
        ));
        Ok(())
    };
    let known_by = as_of.known_by();
    match project {
        None => conn.rows(
            "SELECT entry_seq, effective_at, recorded_at <= ?1 FROM policy_versions
             ORDER BY effective_at, entry_seq",
            &[&known_by],
            &mut push,
        )?,
        Some(project) => conn.rows(
            "SELECT entry_seq, effective_at, recorded_at <= ?1 FROM policy_versions
             WHERE project = ?2 ORDER BY effective_at, entry_seq",
            &[&known_by, &project],
            &mut push,
        )?,
    };
    // Before any policy was recorded, the first one judges (as it does for
    // times before any took effect).
    let known: Vec<(i64, Time)> = all.iter().filter(|v| v.2).map(|v| (v.0, v.1)).collect();
    let versions = if known.is_empty() {
        all.iter().take(1).map(|v| (v.0, v.1)).collect()
    } else {
        known
    };
    let index = versions.iter().rposition(|v| v.1 <= now).unwrap_or(0);
    let Some((seq, _)) = versions.get(index) else {
        return Ok(None);
    };
    let entry: Stamped<PolicyRec> = conn
        .row(
            "SELECT * FROM policy_versions WHERE entry_seq = ?1",
            &[seq],
            |r| stamped(conn, r),
        )?
        .ok_or_else(|| no_policy(conn))?;
    let policy = parsed_policy(&entry.rec, index + 1)?;
    let changes = versions
        .iter()
        .skip(1)
        .filter(|v| v.1 <= now)
        .map(|v| v.1)
        .collect();
    Ok(Some(PolicyInForce {
        policy,
        version: index + 1,
        entry,
        changes,
    }))
}

/// How many parsed policy documents a process remembers.
const PARSED_KEPT: usize = 4;

/// A policy document parsed, remembered by its text (not by its stored
/// digest, which a tampered file could repeat): one command asks for the
/// policy in force several times (the project, the question).
pub(super) fn parsed_policy(rec: &PolicyRec, version: usize) -> Result<Policy> {
    static PARSED: std::sync::Mutex<Vec<(String, Policy)>> = std::sync::Mutex::new(Vec::new());
    let mut cache = PARSED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, p)) = cache.iter().find(|(text, _)| *text == rec.content) {
        return Ok(p.clone());
    }
    let policy = Policy::parse(&rec.content, &format!("version {version}"))?;
    // A few documents at most: a process that lives long (a library user,
    // the test suite) reads many, and each lookup compares whole texts.
    if cache.len() >= PARSED_KEPT {
        cache.remove(0);
    }
    cache.push((rec.content.clone(), policy.clone()));
    Ok(policy)
}

/// The kind and project of one entry, and whether it is retracted.
pub fn entry(conn: &Db, seq: i64) -> Result<Option<(Kind, String, bool)>> {
    let row: Option<(String, String, bool)> = conn.row(
        "SELECT kind, project, EXISTS (SELECT 1 FROM retractions WHERE target = ?1)
         FROM entries WHERE seq = ?1",
        &[&seq],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    match row {
        None => Ok(None),
        Some((kind, project, retracted)) => Ok(Some((kind.parse()?, project, retracted))),
    }
}

/// The project, or an error listing the registered ones.
pub fn require_project(conn: &Db, project: &str) -> Result<()> {
    let known = projects(conn)?;
    if !known.iter().any(|p| p == project) {
        return Err(domain::Error::unknown("project", project, known).into());
    }
    Ok(())
}

/// Rows sorted as the journal orders them in time: effective time, then
/// entry number; a row read twice is kept once.
pub(super) fn in_time_order<R>(mut rows: Vec<Stamped<R>>) -> Vec<Stamped<R>> {
    rows.sort_by(|a, b| a.at.cmp(&b.at).then(a.seq.cmp(&b.seq)));
    rows.dedup_by_key(|r| r.seq);
    rows
}

/// Whether a bound value is NULL.
fn is_null(v: &dyn ToSql) -> bool {
    matches!(
        v.to_sql(),
        Ok(ToSqlOutput::Borrowed(ValueRef::Null)
            | ToSqlOutput::Owned(rusqlite::types::Value::Null))
    )
}
