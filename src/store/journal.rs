//! The journal and its hash chain, and the generic projection of each entry
//! body into its typed table.
//!
//! An entry's hash covers its number, project, kind, both times, the
//! previous entry's hash and its canonical body, so changing, removing,
//! inserting or reordering any entry breaks every link after it.

use rusqlite::{Connection, OptionalExtension, params, types::Value};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Result, read};
use crate::domain::{
    Time,
    record::{Kind, Record},
    time,
};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One journal row as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub seq: i64,
    pub project: String,
    pub kind: String,
    pub effective_at: String,
    pub recorded_at: String,
    pub body: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of one link.
pub fn link_hash(
    seq: i64,
    project: &str,
    kind: &str,
    effective_at: &str,
    recorded_at: &str,
    prev_hash: &str,
    body: &str,
) -> String {
    let mut h = Sha256::new();
    let seq = seq.to_string();
    hash_parts(
        &mut h,
        &[
            seq.as_str(),
            project,
            kind,
            effective_at,
            recorded_at,
            prev_hash,
            body,
        ],
    );
    hex(&h.finalize())
}

/// Feeds `parts` to `h`, each length-prefixed (`<len>:<part>\n`) so no two
/// different lists hash alike: the encoding of a link and of a leaf.
pub(super) fn hash_parts(h: &mut Sha256, parts: &[&str]) {
    let mut digits = [0; 20];
    for part in parts {
        h.update(decimal(part.len(), &mut digits).as_bytes());
        h.update(b":");
        h.update(part.as_bytes());
        h.update(b"\n");
    }
}

/// A length in decimal, written into `buf` (no allocation: a link hashes
/// seven lengths, and verify hashes every link).
fn decimal(n: usize, buf: &mut [u8; 20]) -> &str {
    let mut n = n as u64;
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
}

/// Lowercase hex, as the chain stores hashes.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// The end of the chain, which the next entry links to.
#[derive(Debug, Clone)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
    /// The writer's key, when its writes are signed.
    pub signer: Option<crate::domain::note::Signer>,
    /// The Merkle tree's frontier, read on the first append of a batch and
    /// kept up to date after it.
    pub frontier: Option<Vec<crate::domain::merkle::Hash>>,
    /// When the last entry was recorded (empty before the first).
    pub recorded_at: String,
}

/// How far a writer's clock may lag the last entry's and still write: the
/// entry is then recorded at the last entry's time, so the chain's
/// recording times never go backwards.
pub const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(5);

impl Head {
    /// The chain's last entry, read once per transaction (a seek on the
    /// journal's primary key).
    pub fn read(conn: &Connection) -> Result<Head> {
        let head = conn
            .prepare_cached(
                "SELECT seq, hash, recorded_at FROM entries WHERE seq = (SELECT max(seq) FROM entries)",
            )?
            .query_row([], |r| {
                Ok(Head {
                    seq: r.get(0)?,
                    hash: r.get(1)?,
                    signer: None,
                    frontier: None,
                    recorded_at: r.get(2)?,
                })
            })
            .optional()?;
        Ok(head.unwrap_or(Head {
            seq: 0,
            hash: GENESIS.to_string(),
            signer: None,
            frontier: None,
            recorded_at: String::new(),
        }))
    }

    /// Appends one entry after this head to the journal and its typed table,
    /// in the caller's transaction, and moves the head to it; returns the
    /// entry's number.
    pub fn append<R: Record>(
        &mut self,
        conn: &Connection,
        project: &str,
        at: Time,
        recorded_at: Time,
        rec: &R,
    ) -> Result<i64> {
        let body_value = serde_json::to_value(rec).map_err(to_sql_error)?;
        let body = serde_json::to_string(&body_value).map_err(to_sql_error)?;
        let seq = self.seq + 1;
        let kind = R::KIND.as_str();
        let recorded_at = self.recording_time(recorded_at)?;
        let at_text = time::format(at);
        let hash = link_hash(
            seq,
            project,
            kind,
            &at_text,
            &recorded_at,
            &self.hash,
            &body,
        );
        conn.prepare_cached(
            "INSERT INTO entries (seq, project, kind, effective_at, recorded_at, body, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            seq,
            project,
            kind,
            at_text,
            recorded_at,
            body,
            self.hash,
            hash
        ])?;
        let stamp = [
            Value::Integer(seq),
            Value::Text(project.to_string()),
            Value::Text(at_text.clone()),
            Value::Text(recorded_at.clone()),
        ];
        insert_typed(conn, R::KIND, stamp, &body_value)?;
        let leaf = super::tree::leaf(seq, project, kind, &at_text, &recorded_at, &body);
        let frontier = match &mut self.frontier {
            Some(f) => f,
            none => none.insert(super::tree::frontier(
                conn,
                u64::try_from(seq - 1).unwrap_or(0),
            )?),
        };
        super::tree::append_leaf(conn, frontier, u64::try_from(seq - 1).unwrap_or(0), leaf)?;
        if let Some(key) = &self.signer {
            conn.prepare_cached(
                "INSERT INTO entry_signatures (entry_seq, signer, signature) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![
                seq,
                key.verifier().encode(),
                &key.sign_bytes(hash.as_bytes())[..]
            ])?;
        }
        self.seq = seq;
        self.hash = hash;
        self.recorded_at = recorded_at;
        Ok(seq)
    }

    /// The recording time of the next entry on a clock reading `clock`:
    /// the clock, or the last entry's time if the clock lags it by at most
    /// [`CLOCK_SKEW`]; a clock further behind is refused.
    fn recording_time(&self, clock: Time) -> Result<String> {
        let clock_text = time::format(clock);
        if clock_text >= self.recorded_at {
            return Ok(clock_text);
        }
        let last = time::parse_stored(&self.recorded_at)?;
        if last - clock <= CLOCK_SKEW {
            return Ok(self.recorded_at.clone());
        }
        Err(crate::domain::Error::invalid(
            "clock",
            clock_text,
            format!(
                "a time at or after {} when the ledger's last entry was recorded (clocks may differ by up to {} minutes); an entry cannot be recorded before the ones already in the ledger, so fix the clock (or LEDGER_NOW)",
                self.recorded_at,
                CLOCK_SKEW.num_minutes()
            ),
        )
        .into())
    }
}

/// Appends one entry to the journal and its typed table, in the caller's
/// transaction; returns the entry's number. A batch keeps a [`Head`].
pub fn append<R: Record>(
    conn: &Connection,
    project: &str,
    at: Time,
    recorded_at: Time,
    rec: &R,
) -> Result<i64> {
    append_signed(conn, None, project, at, recorded_at, rec)
}

/// [`append`], signed by `signer` when given.
pub fn append_signed<R: Record>(
    conn: &Connection,
    signer: Option<&crate::domain::note::Signer>,
    project: &str,
    at: Time,
    recorded_at: Time,
    rec: &R,
) -> Result<i64> {
    let mut head = Head::read(conn)?;
    head.signer = signer.cloned();
    head.append(conn, project, at, recorded_at, rec)
}

/// The SQL values of a body's fields, in field order.
pub fn sql_values(body: &serde_json::Value) -> Vec<(String, Value)> {
    let Some(map) = body.as_object() else {
        return Vec::new();
    };
    map.iter()
        .map(|(k, v)| {
            let value = match v {
                serde_json::Value::Null => Value::Null,
                serde_json::Value::Bool(b) => Value::Integer(i64::from(*b)),
                serde_json::Value::Number(n) => match n.as_i64() {
                    Some(i) => Value::Integer(i),
                    None => Value::Real(n.as_f64().unwrap_or(f64::NAN)),
                },
                serde_json::Value::String(s) => Value::Text(s.clone()),
                other => Value::Text(other.to_string()),
            };
            (k.clone(), value)
        })
        .collect()
}

fn insert_typed(
    conn: &Connection,
    kind: Kind,
    stamp: [Value; 4],
    body: &serde_json::Value,
) -> Result<()> {
    let fields = sql_values(body);
    // A kind's body always has the same fields in the same order, so its
    // statement is built once per process, not once per row.
    thread_local! {
        static SQL: std::cell::RefCell<Vec<(Kind, std::rc::Rc<str>)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    let known = SQL.with_borrow(|cache| {
        cache
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, s)| s.clone())
    });
    let sql = match known {
        Some(sql) => sql,
        None => {
            let columns: Vec<String> = fields.iter().map(|(k, _)| format!("\"{k}\"")).collect();
            let marks: Vec<String> = (0..fields.len() + stamp.len())
                .map(|i| format!("?{}", i + 1))
                .collect();
            // Table and column names come from the record types, never from input.
            let sql: std::rc::Rc<str> = format!(
                "INSERT INTO {} ({}, {}) VALUES ({})",
                kind.table(),
                read::STAMP_COLUMNS.join(", "),
                columns.join(", "),
                marks.join(", ")
            )
            .into();
            SQL.with_borrow_mut(|cache| cache.push((kind, sql.clone())));
            sql
        }
    };
    let values = stamp.into_iter().chain(fields.into_iter().map(|(_, v)| v));
    conn.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values))?;
    Ok(())
}

/// One journal row with its body as stored, unparsed.
#[derive(Debug, Clone)]
pub struct RawEntry {
    pub seq: i64,
    pub project: String,
    pub kind: String,
    pub effective_at: String,
    pub recorded_at: String,
    pub body: String,
    pub prev_hash: String,
    pub hash: String,
}

impl RawEntry {
    /// The entry with its body parsed (a body that is not JSON is kept as
    /// a string, never lost).
    pub fn parsed(self) -> Entry {
        let body = serde_json::from_str(&self.body).unwrap_or(serde_json::Value::String(self.body));
        Entry {
            seq: self.seq,
            project: self.project,
            kind: self.kind,
            effective_at: self.effective_at,
            recorded_at: self.recorded_at,
            body,
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}

/// One entry as stored, by number.
pub fn raw_entry(conn: &Connection, seq: i64) -> Result<Option<RawEntry>> {
    let mut found = None;
    let mut stmt = conn.prepare_cached(
        "SELECT seq, project, kind, effective_at, recorded_at, body, prev_hash, hash
         FROM entries WHERE seq = ?1",
    )?;
    let mut rows = stmt.query([seq])?;
    if let Some(r) = rows.next()? {
        found = Some(raw(r)?);
    }
    Ok(found)
}

/// A row of `entries` as stored; a column of another storage class is
/// shown as text, never a failure.
pub(super) fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawEntry> {
    let text = |i: usize| -> rusqlite::Result<String> {
        Ok(match r.get_ref(i)? {
            rusqlite::types::ValueRef::Text(t) => read::text(t),
            other => read::plain_json(other).to_string(),
        })
    };
    Ok(RawEntry {
        seq: r.get(0)?,
        project: text(1)?,
        kind: text(2)?,
        effective_at: text(3)?,
        recorded_at: text(4)?,
        body: text(5)?,
        prev_hash: text(6)?,
        hash: text(7)?,
    })
}

/// Calls `each` with every entry in journal order, as stored, one row at a
/// time.
pub fn for_each_raw_entry(
    conn: &Connection,
    mut each: impl FnMut(RawEntry) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT seq, project, kind, effective_at, recorded_at, body, prev_hash, hash
         FROM entries ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        each(raw(r)?)?;
    }
    Ok(())
}

fn to_sql_error(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}
