//! Reading typed rows back into records, and loading snapshots.
//!
//! A typed table's columns carry the names of its record's fields, so one
//! reader serves every kind: each row becomes a JSON object (BOOLEAN and
//! JSON columns read back as such) that deserializes into the record.

use rusqlite::{Connection, OptionalExtension, Row, types::ValueRef};

use super::{Result, StoreError};
use crate::domain::{
    self, Snapshot, Time,
    policy::Policy,
    record::{Kind, PolicyRec, Record, Stamped},
    time,
};

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

/// The typed columns of a row (all but the leading `skip` ones and
/// `entry_seq`) as a JSON object.
pub fn row_object(
    row: &Row<'_>,
    skip: usize,
) -> rusqlite::Result<serde_json::Map<String, serde_json::Value>> {
    let stmt = row.as_ref();
    let mut map = serde_json::Map::new();
    for (i, column) in stmt.columns().enumerate().skip(skip) {
        if column.name() == "entry_seq" {
            continue;
        }
        map.insert(
            column.name().to_string(),
            typed_json(row.get_ref(i)?, column.decl_type()),
        );
    }
    Ok(map)
}

fn parse_time(text: &str) -> rusqlite::Result<Time> {
    time::parse(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Every visible record of one kind for a project, in time order: effective
/// at or before `now` and not retracted by a retraction visible at `now`.
pub fn load<R: Record>(conn: &Connection, project: &str, now: Time) -> Result<Vec<Stamped<R>>> {
    let sql = format!(
        "SELECT e.seq, e.effective_at, e.recorded_at, t.*
         FROM {} t JOIN entries e ON e.seq = t.entry_seq
         WHERE e.project = ?1 AND e.kind = ?3 AND e.effective_at <= ?2
           AND NOT EXISTS (
               SELECT 1 FROM retractions r JOIN entries re ON re.seq = r.entry_seq
               WHERE r.target = e.seq AND re.effective_at <= ?2)
         ORDER BY e.effective_at, e.seq",
        R::KIND.table()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params![
        project,
        time::format(now),
        R::KIND.as_str()
    ])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(stamped(conn, row)?);
    }
    Ok(out)
}

/// A row of `seq, effective_at, recorded_at, <typed columns>` as a record.
fn stamped<R: Record>(conn: &Connection, row: &Row<'_>) -> Result<Stamped<R>> {
    let object = row_object(row, 3)?;
    let rec: R = serde_json::from_value(serde_json::Value::Object(object)).map_err(|e| {
        StoreError::Schema {
            path: conn.path().unwrap_or_default().into(),
            message: format!("a {} row does not read back: {e}", R::KIND),
        }
    })?;
    Ok(Stamped {
        seq: row.get(0)?,
        at: parse_time(&row.get::<_, String>(1)?)?,
        recorded_at: parse_time(&row.get::<_, String>(2)?)?,
        rec,
    })
}

/// The registered projects, by name.
pub fn projects(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT name FROM projects ORDER BY name")?;
    let names = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(names)
}

/// Every policy version in force order, with when it took effect.
pub fn policy_versions(conn: &Connection) -> Result<Vec<Stamped<PolicyRec>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.seq, e.effective_at, e.recorded_at, t.*
         FROM policy_versions t JOIN entries e ON e.seq = t.entry_seq
         ORDER BY e.effective_at, e.seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(stamped(conn, row)?);
    }
    Ok(out)
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

/// The policy in force at `now` (the earliest one, for times before any was
/// loaded).
pub fn latest_policy(conn: &Connection, now: Time) -> Result<PolicyInForce> {
    let versions = policy_versions(conn)?;
    let index = versions.iter().rposition(|v| v.at <= now).unwrap_or(0);
    let entry = versions
        .get(index)
        .cloned()
        .ok_or_else(|| StoreError::Schema {
            path: conn.path().unwrap_or_default().into(),
            message: "no policy is loaded; run `ledger init`".into(),
        })?;
    let policy = Policy::parse(&entry.rec.content, &format!("version {}", index + 1))?;
    let changes = versions
        .iter()
        .skip(1)
        .filter(|v| v.at <= now)
        .map(|v| v.at)
        .collect();
    Ok(PolicyInForce {
        policy,
        version: index + 1,
        entry,
        changes,
    })
}

/// The kind and project of one entry, and whether it is retracted.
pub fn entry(conn: &Connection, seq: i64) -> Result<Option<(Kind, String, bool)>> {
    let row: Option<(String, String, bool)> = conn
        .query_row(
            "SELECT kind, project, EXISTS (SELECT 1 FROM retractions WHERE target = ?1)
             FROM entries WHERE seq = ?1",
            [seq],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match row {
        None => Ok(None),
        Some((kind, project, retracted)) => Ok(Some((kind.parse()?, project, retracted))),
    }
}

/// How much history a snapshot loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything: what queries need.
    Full,
    /// Everything but the measurement and gate-result series, which no
    /// record command validates against; keeps a write fast on a ledger
    /// with a long history.
    Recording,
}

/// Everything visible for a project at `now`.
pub fn load_snapshot(conn: &Connection, project: &str, now: Time) -> Result<Snapshot> {
    load_snapshot_scoped(conn, project, now, Scope::Full)
}

/// What `scope` asks for of a project at `now`.
pub fn load_snapshot_scoped(
    conn: &Connection,
    project: &str,
    now: Time,
    scope: Scope,
) -> Result<Snapshot> {
    let known = projects(conn)?;
    if !known.iter().any(|p| p == project) {
        return Err(domain::Error::unknown("project", project, known).into());
    }
    let in_force = latest_policy(conn, now)?;
    Ok(Snapshot {
        project: project.to_string(),
        now,
        policy: in_force.policy,
        policy_changes: in_force.changes,
        releases: load(conn, project, now)?,
        gate_results: if scope == Scope::Full {
            load(conn, project, now)?
        } else {
            Vec::new()
        },
        budgets: load(conn, project, now)?,
        measurements: if scope == Scope::Full {
            load(conn, project, now)?
        } else {
            Vec::new()
        },
        deprecations: load(conn, project, now)?,
        removals: load(conn, project, now)?,
        extensions: load(conn, project, now)?,
        extension_removals: load(conn, project, now)?,
        tier_conformance: load(conn, project, now)?,
        incidents: load(conn, project, now)?,
        incident_events: load(conn, project, now)?,
        maintenance: load(conn, project, now)?,
        attestations: load(conn, project, now)?,
    })
}
