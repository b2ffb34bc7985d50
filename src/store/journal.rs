//! The journal and its hash chain, and the generic projection of each entry
//! body into its typed table.
//!
//! An entry's hash covers its number, project, kind, both times, the
//! previous entry's hash and its canonical body, so changing, removing,
//! inserting or reordering any entry breaks every link after it.

use rusqlite::types::{ToSql, Value};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Db, Result, Row, read};
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

/// The largest body an entry may have, in bytes: far above any name or
/// text the commands accept (a policy file is the longest), and small
/// enough that `verify` never holds much of one in memory.
pub const MAX_BODY: usize = 1 << 20;

impl Head {
    /// The chain's last entry, read once per transaction (a seek on the
    /// journal's primary key).
    pub fn read(conn: &Db) -> Result<Head> {
        let head = conn.row(
            "SELECT seq, hash, recorded_at FROM entries WHERE seq = (SELECT max(seq) FROM entries)",
            &[],
            |r| {
                Ok(Head {
                    seq: r.get(0)?,
                    hash: r.get(1)?,
                    signer: None,
                    frontier: None,
                    recorded_at: r.get(2)?,
                })
            },
        )?;
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
        conn: &Db,
        project: &str,
        at: Time,
        recorded_at: Time,
        rec: &R,
    ) -> Result<i64> {
        let body_value = serde_json::to_value(rec).map_err(to_sql_error)?;
        let body = serde_json::to_string(&body_value).map_err(to_sql_error)?;
        if body.len() > MAX_BODY {
            return Err(crate::domain::Error::invalid(
                "entry",
                format!("a {} entry of {} bytes", R::KIND.as_str(), body.len()),
                format!(
                    "an entry of at most {} MiB; its fields are too long to record",
                    MAX_BODY >> 20
                ),
            )
            .into());
        }
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
        let e = RawEntry {
            seq,
            project: project.to_string(),
            kind: kind.to_string(),
            effective_at: at_text,
            recorded_at,
            body,
            prev_hash: self.hash.clone(),
            hash,
        };
        let signature = self.signer.as_ref().map(|key| {
            (
                key.verifier().encode(),
                key.sign_bytes(e.hash.as_bytes()).to_vec(),
            )
        });
        self.put(conn, &e, R::KIND, &body_value, signature)?;
        Ok(seq)
    }

    /// Stores an entry whose link is already made after this head: its
    /// journal row, typed row, tree nodes and signature; moves the head.
    fn put(
        &mut self,
        conn: &Db,
        e: &RawEntry,
        kind: Kind,
        body: &serde_json::Value,
        signature: Option<(String, Vec<u8>)>,
    ) -> Result<()> {
        conn.execute(
            "INSERT INTO entries (seq, project, kind, effective_at, recorded_at, body, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            &[
                &e.seq,
                &e.project,
                &e.kind,
                &e.effective_at,
                &e.recorded_at,
                &e.body,
                &e.prev_hash,
                &e.hash,
            ],
        )?;
        let stamp = [
            Value::Integer(e.seq),
            Value::Text(e.project.clone()),
            Value::Text(e.effective_at.clone()),
            Value::Text(e.recorded_at.clone()),
        ];
        insert_typed(conn, kind, stamp, body)?;
        let index = u64::try_from(e.seq - 1).unwrap_or(0);
        let frontier = match &mut self.frontier {
            Some(f) => f,
            none => none.insert(super::tree::frontier(conn, index)?),
        };
        super::tree::append_leaf(conn, frontier, index, super::tree::leaf_of(e))?;
        if let Some((signer, signature)) = signature {
            conn.execute(
                "INSERT INTO entry_signatures (entry_seq, signer, signature) VALUES (?1, ?2, ?3)",
                &[&e.seq, &signer, &signature],
            )?;
        }
        self.seq = e.seq;
        self.hash = e.hash.clone();
        self.recorded_at = e.recorded_at.clone();
        Ok(())
    }

    /// The recording time of the next entry on a clock reading `clock`:
    /// the clock; or, if the clock lags the last entry's time by at most
    /// [`CLOCK_SKEW`], the last entry's time. Either way no answer given
    /// as of a time before the last entry changes (an answer as of that
    /// time or later says it is provisional). A clock further behind is
    /// refused.
    ///
    /// A clamped entry is not pushed a second past the last one: under
    /// many writers whose clocks were read before they waited for the lock,
    /// each such push would add a second to the next, and recording times
    /// would run ahead of every clock until honest writers were refused.
    fn recording_time(&self, clock: Time) -> Result<String> {
        let clock_text = time::format(clock);
        if clock_text >= self.recorded_at {
            return Ok(clock_text);
        }
        let last = time::parse_stored(&self.recorded_at)?;
        if last - clock <= CLOCK_SKEW {
            return Ok(self.recorded_at.clone());
        }
        let real = time::truncate(chrono::Utc::now());
        let way_out = if last - real > CLOCK_SKEW {
            format!(
                "; the last entry itself is recorded in the future of this machine's clock ({}), so a writer's clock was wrong: `ledger copy --to NEW --rebase-future` makes a copy whose future entries are recorded now",
                time::format(real)
            )
        } else {
            ", so fix the clock (or LEDGER_NOW)".to_string()
        };
        Err(crate::domain::Error::invalid(
            "clock",
            clock_text,
            format!(
                "a time at or after {} when the ledger's last entry was recorded (clocks may differ by up to {} minutes); an entry cannot be recorded before the ones already in the ledger{way_out}",
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
    conn: &Db,
    project: &str,
    at: Time,
    recorded_at: Time,
    rec: &R,
) -> Result<i64> {
    append_signed(conn, None, project, at, recorded_at, rec)
}

/// [`append`], signed by `signer` when given.
pub fn append_signed<R: Record>(
    conn: &Db,
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

fn insert_typed(conn: &Db, kind: Kind, stamp: [Value; 4], body: &serde_json::Value) -> Result<()> {
    let fields = sql_values(body);
    // A kind's body has the same fields in the same order (a field added
    // later is left out while it is empty, so older bodies keep their
    // hashes), so each shape's statement is built once per process, not
    // once per row.
    /// A kind, its body's field names, and the INSERT of that shape.
    type Shaped = (Kind, Vec<String>, std::rc::Rc<str>);
    thread_local! {
        static SQL: std::cell::RefCell<Vec<Shaped>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let known = SQL.with_borrow(|cache| {
        cache
            .iter()
            .find(|(k, names, _)| {
                *k == kind
                    && names
                        .iter()
                        .map(String::as_str)
                        .eq(fields.iter().map(|(n, _)| n.as_str()))
            })
            .map(|(_, _, s)| s.clone())
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
            let names = fields.iter().map(|(k, _)| k.clone()).collect();
            SQL.with_borrow_mut(|cache| cache.push((kind, names, sql.clone())));
            sql
        }
    };
    let values: Vec<Value> = stamp
        .into_iter()
        .chain(fields.into_iter().map(|(_, v)| v))
        .collect();
    let params: Vec<&dyn ToSql> = values.iter().map(|v| v as &dyn ToSql).collect();
    conn.execute(&sql, &params)?;
    Ok(())
}

/// One journal row with its body as stored, unparsed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// The hash this entry's fields link to: what its `hash` must be.
    pub fn link(&self) -> String {
        link_hash(
            self.seq,
            &self.project,
            &self.kind,
            &self.effective_at,
            &self.recorded_at,
            &self.prev_hash,
            &self.body,
        )
    }

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

/// The journal's columns, in [`RawEntry`]'s order.
const RAW_COLUMNS: &str = "seq, project, kind, effective_at, recorded_at, body, prev_hash, hash";

/// One entry as stored, by number.
pub fn raw_entry(conn: &Db, seq: i64) -> Result<Option<RawEntry>> {
    let sql = format!("SELECT {RAW_COLUMNS} FROM entries WHERE seq = ?1");
    conn.row(&sql, &[&seq], raw)
}

/// A row of `entries` as stored; a column of another storage class is
/// shown as text, never a failure.
pub(super) fn raw(r: &Row<'_>) -> Result<RawEntry> {
    let text = |i: usize| -> Result<String> {
        Ok(match r.value(i)? {
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

/// How many entries one read of a walk over the journal takes.
const PAGE: i64 = 8192;

/// Calls `each` with every entry in journal order, as stored, one row at a
/// time.
pub fn for_each_raw_entry(conn: &Db, each: impl FnMut(RawEntry) -> Result<()>) -> Result<()> {
    for_each_raw_entry_after(conn, 0, each)
}

/// Calls `each` with every entry after number `after`, in journal order,
/// reading a page of entries at a time by number (so a walk holds one page
/// in memory on either backend, and may write as it goes).
pub fn for_each_raw_entry_after(
    conn: &Db,
    after: i64,
    mut each: impl FnMut(RawEntry) -> Result<()>,
) -> Result<()> {
    let sql = format!("SELECT {RAW_COLUMNS} FROM entries WHERE seq > ?1 ORDER BY seq LIMIT ?2");
    let mut last = after;
    loop {
        let mut read = 0;
        let from = last;
        conn.rows(&sql, &[&from, &PAGE], |r| {
            let e = raw(r)?;
            last = e.seq;
            read += 1;
            each(e)
        })?;
        if read < PAGE {
            return Ok(());
        }
    }
}

/// How a copy re-records the entries stamped in the future: from the
/// first entry recorded after `after`, every entry is recorded at `at`
/// instead (its effective time and body kept) and linked anew; its
/// signature is made again with `signer`, or dropped without one.
#[derive(Debug, Clone)]
pub struct Rebase {
    pub after: String,
    pub at: String,
    pub signer: Option<crate::domain::note::Signer>,
}

/// What a copy did: how many entries it copied, and how many of them it
/// re-recorded (with how many signatures dropped).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Copied {
    pub entries: usize,
    pub rebased: usize,
    pub first_rebased: Option<i64>,
    pub unsigned: usize,
}

/// The entries after `?1`, at most `?2` of them, each with its signature,
/// in [`signed`]'s columns.
const SIGNED_PAGE: &str = "SELECT e.seq, e.project, e.kind, e.effective_at, e.recorded_at, e.body,
                  e.prev_hash, e.hash, s.signer, s.signature
           FROM entries e LEFT JOIN entry_signatures s ON s.entry_seq = e.seq
           WHERE e.seq > ?1 ORDER BY e.seq LIMIT ?2";

/// A row of [`SIGNED_PAGE`]: the entry as stored and its signature.
fn signed(r: &Row<'_>) -> Result<(RawEntry, Option<Signature>)> {
    let signature = match r.get::<Option<String>>(8)? {
        Some(signer) => Some((signer, r.get::<Vec<u8>>(9)?)),
        None => None,
    };
    Ok((raw(r)?, signature))
}

/// Copies every entry of `from`, as stored, into the empty ledger `to`
/// (in its caller's transaction): journal rows byte for byte, their typed
/// rows, the tree and the signatures; with `rebase`, the entries stamped
/// in the future are re-recorded (see [`Rebase`]).
pub fn copy_entries(from: &Db, to: &Db, rebase: Option<&Rebase>) -> Result<Copied> {
    let mut head = Head::read(to)?;
    head.frontier = Some(Vec::new());
    let mut copied = Copied::default();
    loop {
        let mut page = Vec::new();
        from.rows(SIGNED_PAGE, &[&head.seq, &PAGE], |r| {
            page.push(signed(r)?);
            Ok(())
        })?;
        let n = page.len();
        for (e, signature) in page {
            let rebase = rebase.filter(|r| copied.rebased > 0 || e.recorded_at > r.after);
            put_entry(to, &mut head, e, signature, rebase, &mut copied)?;
        }
        if i64::try_from(n).unwrap_or(0) < PAGE {
            return Ok(copied);
        }
    }
}

/// Puts `e` after `head` in `to`: as stored, or with `rebase` re-recorded
/// (recorded at the rebase's time or the head's, whichever is later,
/// linked anew, signed again with the rebase's key or left unsigned).
fn put_entry(
    to: &Db,
    head: &mut Head,
    mut e: RawEntry,
    mut signature: Option<Signature>,
    rebase: Option<&Rebase>,
    copied: &mut Copied,
) -> Result<()> {
    let kind: Kind = e.kind.parse()?;
    let body: serde_json::Value = serde_json::from_str(&e.body).map_err(|err| {
        crate::domain::Error::State(format!(
            "entry {} of the source has a body that is not JSON ({err}); run `ledger verify` on it",
            e.seq
        ))
    })?;
    if let Some(r) = rebase {
        e.seq = head.seq + 1;
        e.recorded_at = r.at.clone().max(head.recorded_at.clone());
        e.prev_hash = head.hash.clone();
        e.hash = e.link();
        let had = signature.is_some();
        signature = r.signer.as_ref().map(|key| {
            (
                key.verifier().encode(),
                key.sign_bytes(e.hash.as_bytes()).to_vec(),
            )
        });
        copied.unsigned += usize::from(had && signature.is_none());
        copied.first_rebased.get_or_insert(e.seq);
        copied.rebased += 1;
    }
    head.put(to, &e, kind, &body, signature)?;
    copied.entries += 1;
    Ok(())
}

/// A signature as stored: the signer's key and the signature's bytes.
type Signature = (String, Vec<u8>);

/// One entry as it travels between ledgers in a file (`ledger sync`'s
/// journal): the row as stored, its body as the stored text (so its hash
/// is computed over the same bytes), and its signature.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Line {
    #[serde(flatten)]
    pub entry: RawEntry,
    /// The signer's public key, as `ledger keygen` encodes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// The signature of `hash`, in base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl Line {
    fn into_parts(self) -> Result<(RawEntry, Option<Signature>)> {
        use base64::Engine as _;
        let signature = match (self.signer, self.signature) {
            (Some(signer), Some(s)) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(s.as_bytes())
                    .map_err(|e| {
                        crate::domain::Error::State(format!(
                            "entry {} has a signature that is not base64 ({e})",
                            self.entry.seq
                        ))
                    })?;
                Some((signer, bytes))
            }
            _ => None,
        };
        Ok((self.entry, signature))
    }
}

/// Every entry of the ledger as [`Line`]s, in order.
pub fn lines(conn: &Db) -> Result<Vec<Line>> {
    use base64::Engine as _;
    let mut out = Vec::new();
    conn.rows(SIGNED_PAGE, &[&0i64, &i64::MAX], |r| {
        let (entry, signature) = signed(r)?;
        let (signer, signature) = match signature {
            Some((signer, bytes)) => (
                Some(signer),
                Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
            ),
            None => (None, None),
        };
        out.push(Line {
            entry,
            signer,
            signature,
        });
        Ok(())
    })?;
    Ok(out)
}

/// Appends `theirs` to the ledger as they are, each checked to link to
/// the one before (its number, its previous hash, its own hash), then
/// re-records `ours` after them as `rebase` says. An entry of `ours` that
/// was signed is signed again with the rebase's key; without one, the
/// append is refused (a signature is never dropped in passing).
pub fn append_lines(conn: &Db, theirs: &[Line], ours: &[Line], rebase: &Rebase) -> Result<Copied> {
    let mut head = Head::read(conn)?;
    let mut copied = Copied::default();
    for line in theirs {
        let (e, signature) = line.clone().into_parts()?;
        if e.seq != head.seq + 1 || e.prev_hash != head.hash || e.hash != e.link() {
            return Err(crate::domain::Error::State(format!(
                "entry {} of the synced journal does not link to the one before it (it was altered); nothing was written",
                e.seq
            ))
            .into());
        }
        put_entry(conn, &mut head, e, signature, None, &mut copied)?;
    }
    for line in ours {
        if line.signature.is_some() && rebase.signer.is_none() {
            return Err(crate::domain::Error::invalid(
                "key",
                "none",
                format!(
                    "the key entry {} was signed with (--sign KEY): it is recorded again after the entries pushed first, and its signature must be made again",
                    line.entry.seq
                ),
            )
            .into());
        }
        let (e, signature) = line.clone().into_parts()?;
        put_entry(conn, &mut head, e, signature, Some(rebase), &mut copied)?;
    }
    Ok(copied)
}

fn to_sql_error(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}
