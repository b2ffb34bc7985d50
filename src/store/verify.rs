//! `ledger verify`: recompute the hash chain and cross-check every typed
//! row against the entry it came from, in one ordered pass.
//!
//! The journal is read in entry order beside one cursor per typed table,
//! each in entry order too, like a merge join: every entry meets its typed
//! row (or the lack of one), and a typed row no entry claims is left behind
//! in its cursor. Nothing is collected, so memory does not grow with the
//! ledger.

use rusqlite::{Connection, Rows, Statement};

use super::{
    Result,
    journal::{self, GENESIS},
    read,
};
pub use crate::domain::integrity::VerifyReport;
use crate::domain::record::Kind;

/// One typed row, as far as the cross-check needs it: its values in
/// column order (the names are the cursor's).
struct TypedRow {
    seq: i64,
    values: Vec<serde_json::Value>,
}

/// A typed table read in entry order, one row ahead.
struct Cursor<'s> {
    kind: Kind,
    /// Column names and declared types, read once.
    columns: Vec<(String, Option<String>)>,
    rows: Rows<'s>,
    current: Option<TypedRow>,
}

impl Cursor<'_> {
    fn advance(&mut self) -> Result<()> {
        self.current = match self.rows.next()? {
            None => None,
            Some(row) => {
                let mut values = Vec::with_capacity(self.columns.len());
                for (i, (_, decl)) in self.columns.iter().enumerate() {
                    values.push(read::typed_json(row.get_ref(i)?, decl.as_deref()));
                }
                Some(TypedRow {
                    seq: row.get(0)?,
                    values,
                })
            }
        };
        Ok(())
    }

    /// A column's value in a row, by name.
    fn value<'r>(&self, row: &'r TypedRow, name: &str) -> Option<&'r serde_json::Value> {
        let i = self.columns.iter().position(|(n, _)| n == name)?;
        row.values.get(i)
    }
}

/// Verifies the whole file; `earlier_head`, a head an earlier verify
/// printed, must still be in the chain.
pub fn verify(conn: &Connection, earlier_head: Option<&str>) -> Result<VerifyReport> {
    let mut problems = Vec::new();
    let mut orphans = Vec::new();
    let mut statements: Vec<(Kind, Statement<'_>)> = Vec::new();
    for kind in Kind::ALL {
        let sql = format!("SELECT * FROM {} ORDER BY entry_seq", kind.table());
        statements.push((*kind, conn.prepare(&sql)?));
    }
    let mut cursors = Vec::new();
    for (kind, stmt) in &mut statements {
        let columns = stmt
            .columns()
            .map(|c| (c.name().to_string(), c.decl_type().map(str::to_string)))
            .collect();
        let mut cursor = Cursor {
            kind: *kind,
            columns,
            rows: stmt.query([])?,
            current: None,
        };
        cursor.advance()?;
        cursors.push(cursor);
    }
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    let mut count = 0;
    let mut found_earlier = false;
    journal::for_each_raw_entry(conn, |e, body| {
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
        // The hash covers the body's bytes as stored.
        let hash = journal::link_hash(
            e.seq,
            &e.project,
            &e.kind,
            &e.effective_at,
            &e.recorded_at,
            &e.prev_hash,
            body,
        );
        if hash != e.hash {
            problems.push(format!(
                "entry {} was changed: its hash does not match its content",
                e.seq
            ));
        }
        if earlier_head.is_some_and(|h| h.eq_ignore_ascii_case(&e.hash)) {
            found_earlier = true;
        }
        match cursors.iter_mut().find(|c| c.kind.as_str() == e.kind) {
            Some(cursor) => {
                // Rows before this entry that no entry of their kind claimed.
                while let Some(row) = cursor.current.as_ref().filter(|r| r.seq < e.seq) {
                    orphans.push(orphan(cursor.kind, row.seq));
                    cursor.advance()?;
                }
                match cursor.current.take_if(|r| r.seq == e.seq) {
                    Some(row) => {
                        cross_check(cursor, &e, &row, &mut problems);
                        cursor.advance()?;
                    }
                    None => problems.push(format!(
                        "entry {} ({}) has no row in {}",
                        e.seq,
                        cursor.kind,
                        cursor.kind.table()
                    )),
                }
            }
            None => problems.push(format!("entry {} has unknown kind \"{}\"", e.seq, e.kind)),
        }
        prev = e.hash;
        expected_seq = e.seq + 1;
        Ok(())
    })?;
    for cursor in &mut cursors {
        while let Some(row) = &cursor.current {
            orphans.push(orphan(cursor.kind, row.seq));
            cursor.advance()?;
        }
    }
    orphans.sort();
    problems.extend(orphans.into_iter().map(|(_, p)| p));
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
    if let Some(h) = earlier_head
        && !found_earlier
    {
        problems.push(format!(
            "head {h} from an earlier verify is not in the chain: entries were cut or rewritten since"
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

/// A typed row no entry claims, sortable by table and number.
fn orphan(kind: Kind, seq: i64) -> ((&'static str, i64), String) {
    (
        (kind.table(), seq),
        format!(
            "{} row {seq} has no {kind} entry in the journal (inserted behind the ledger's back?)",
            kind.table()
        ),
    )
}

fn cross_check(
    cursor: &Cursor<'_>,
    e: &journal::Entry,
    row: &TypedRow,
    problems: &mut Vec<String>,
) {
    let table = cursor.kind.table();
    let stamps = [
        ("project", e.project.as_str()),
        ("effective_at", e.effective_at.as_str()),
        ("recorded_at", e.recorded_at.as_str()),
    ];
    for (column, expected) in stamps {
        let actual = cursor
            .value(row, column)
            .unwrap_or(&serde_json::Value::Null);
        if actual.as_str() != Some(expected) {
            problems.push(format!(
                "{table} row {} differs from its entry in {column}: {actual} instead of \"{expected}\"",
                e.seq
            ));
        }
    }
    let Some(fields) = e.body.as_object() else {
        problems.push(format!("entry {} has a body that is not an object", e.seq));
        return;
    };
    for (key, expected) in fields {
        let actual = cursor.value(row, key).unwrap_or(&serde_json::Value::Null);
        if !same(expected, actual) {
            problems.push(format!(
                "{table} row {} differs from its entry in {key}: {actual} instead of {expected}",
                e.seq
            ));
        }
    }
}

fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a, b) {
        (serde_json::Value::Number(x), serde_json::Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}
