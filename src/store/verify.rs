//! `ledger verify`: recompute the hash chain and cross-check every typed
//! row against the entry it came from.

use rusqlite::{Connection, OptionalExtension};

use super::{
    Result,
    journal::{self, GENESIS},
    read,
};
pub use crate::domain::integrity::VerifyReport;
use crate::domain::record::Kind;

/// Verifies the whole file.
pub fn verify(conn: &Connection) -> Result<VerifyReport> {
    let mut problems = Vec::new();
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    let mut count = 0;
    let mut rows = Vec::new();
    journal::for_each_entry(conn, |e| {
        rows.push(e);
        Ok(())
    })?;
    // The body is re-read as text: the hash covers the bytes as stored.
    let mut raw = conn.prepare("SELECT body FROM entries WHERE seq = ?1")?;
    for e in &rows {
        count += 1;
        if e.seq != expected_seq {
            let gap = if e.seq - 1 == expected_seq {
                format!("entry {expected_seq} is missing")
            } else {
                format!("entries {expected_seq} to {} are missing", e.seq - 1)
            };
            problems.push(format!("{gap}: the journal jumps to {}", e.seq));
        }
        if e.prev_hash != prev {
            problems.push(format!(
                "entry {} does not link to the entry before it (prev_hash differs)",
                e.seq
            ));
        }
        let body: String = raw.query_row([e.seq], |r| r.get(0))?;
        let hash = journal::link_hash(
            e.seq,
            &e.project,
            &e.kind,
            &e.effective_at,
            &e.recorded_at,
            &e.prev_hash,
            &body,
        );
        if hash != e.hash {
            problems.push(format!(
                "entry {} was changed: its hash does not match its content",
                e.seq
            ));
        }
        match e.kind.parse::<Kind>() {
            Ok(kind) => cross_check(conn, kind, e.seq, &e.body, &mut problems)?,
            Err(_) => problems.push(format!("entry {} has unknown kind \"{}\"", e.seq, e.kind)),
        }
        prev = e.hash.clone();
        expected_seq = e.seq + 1;
    }
    for kind in Kind::ALL {
        let sql = format!(
            "SELECT t.entry_seq FROM {} t LEFT JOIN entries e ON e.seq = t.entry_seq
             WHERE e.seq IS NULL OR e.kind != ?1 ORDER BY t.entry_seq",
            kind.table()
        );
        let mut stmt = conn.prepare(&sql)?;
        let orphans = stmt
            .query_map([kind.as_str()], |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for seq in orphans {
            problems.push(format!(
                "{} row {seq} has no {} entry in the journal (inserted behind the ledger's back?)",
                kind.table(),
                kind
            ));
        }
    }
    let triggers: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '%\\_no\\_%' ESCAPE '\\'",
        [],
        |r| r.get(0),
    )?;
    let expected_triggers = 3 * (Kind::ALL.len() as i64 + 1);
    if triggers < expected_triggers {
        problems.push(format!(
            "{} of {expected_triggers} append-only triggers are missing",
            expected_triggers - triggers
        ));
    }
    Ok(VerifyReport {
        ok: problems.is_empty(),
        entries: count,
        head: if count == 0 {
            GENESIS.to_string()
        } else {
            prev
        },
        problems,
    })
}

/// Whether some entry has this hash.
pub fn has_hash(conn: &Connection, hash: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM entries WHERE hash = ?1)",
        [hash],
        |r| r.get(0),
    )?)
}

fn cross_check(
    conn: &Connection,
    kind: Kind,
    seq: i64,
    body: &serde_json::Value,
    problems: &mut Vec<String>,
) -> Result<()> {
    let sql = format!("SELECT * FROM {} WHERE entry_seq = ?1", kind.table());
    let mut stmt = conn.prepare_cached(&sql)?;
    let row = stmt
        .query_row([seq], |r| read::row_object(r, 0))
        .optional()?;
    let Some(row) = row else {
        problems.push(format!(
            "entry {seq} ({kind}) has no row in {}",
            kind.table()
        ));
        return Ok(());
    };
    let Some(fields) = body.as_object() else {
        problems.push(format!("entry {seq} has a body that is not an object"));
        return Ok(());
    };
    for (key, expected) in fields {
        let actual = row.get(key).unwrap_or(&serde_json::Value::Null);
        if !same(expected, actual) {
            problems.push(format!(
                "{} row {seq} differs from its entry in {key}: {actual} instead of {expected}",
                kind.table()
            ));
        }
    }
    Ok(())
}

fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a, b) {
        (serde_json::Value::Number(x), serde_json::Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}
