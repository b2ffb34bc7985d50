//! `ledger verify`: recompute the hash chain and cross-check every typed
//! row against the entry it came from, in one ordered pass.
//!
//! The journal is read in entry order beside one cursor per typed table,
//! each in entry order too, like a merge join: every entry meets its typed
//! row (or the lack of one), and a typed row no entry claims is left behind
//! in its cursor. Nothing is collected, so memory does not grow with the
//! ledger.
//!
//! A typed row is checked by reading it back as its record and writing
//! that record's canonical JSON, which must be the entry's body byte for
//! byte. Only when it is not (a changed row, or a body that is not the
//! record's) is the row read again and compared field by field, to name
//! what differs.

use rusqlite::types::ValueRef;

use crate::domain::note::Verifier;

use super::{
    Db, Prepared, Result, Row, Stream,
    journal::{self, GENESIS, RawEntry},
    read, row,
};
pub use crate::domain::integrity::VerifyReport;
use crate::domain::record::*;

/// One typed row, as far as the cross-check needs it.
struct TypedRow {
    seq: i64,
    /// project, effective_at, recorded_at as stored (`None`: not text).
    stamps: [Option<String>; 3],
    /// The record's canonical JSON, when the row reads back as its record.
    canonical: Option<String>,
    /// Columns whose value lies outside their column's domain.
    outside: Vec<String>,
}

/// What a typed column may hold, by its declared type and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Domain {
    /// 0 or 1.
    Boolean,
    /// A finite number (SQLite stores no NaN).
    Number,
    Integer,
    Text,
    /// Text in the stored time form, from 1970 to 9999.
    Time,
}

impl Domain {
    fn of(name: &str, decl: Option<&str>) -> Domain {
        match decl.unwrap_or_default() {
            "BOOLEAN" => Domain::Boolean,
            "REAL" => Domain::Number,
            "INTEGER" => Domain::Integer,
            _ if name.ends_with("_at") || name == "date" => Domain::Time,
            _ => Domain::Text,
        }
    }

    /// Why `v` is outside the domain, if it is (NULL is left to the
    /// schema's NOT NULL constraints).
    fn refuses(self, v: ValueRef<'_>) -> Option<String> {
        let class = |v: ValueRef<'_>| match v {
            ValueRef::Null => "NULL",
            ValueRef::Integer(_) => "an integer",
            ValueRef::Real(_) => "a real number",
            ValueRef::Text(_) => "text",
            ValueRef::Blob(_) => "a blob",
        };
        match (self, v) {
            (_, ValueRef::Null) => None,
            (Domain::Boolean, ValueRef::Integer(0 | 1)) => None,
            (Domain::Boolean, ValueRef::Integer(i)) => Some(format!("{i}, not 0 or 1")),
            (Domain::Number, ValueRef::Real(f)) if f.is_finite() => None,
            (Domain::Number, ValueRef::Integer(_)) | (Domain::Integer, ValueRef::Integer(_)) => {
                None
            }
            (Domain::Text, ValueRef::Text(_)) => None,
            (Domain::Time, ValueRef::Text(t)) => {
                let valid = std::str::from_utf8(t)
                    .is_ok_and(|t| crate::domain::time::parse_stored(t).is_ok());
                (!valid).then(|| format!("\"{}\", not a time from 1970 to 9999", read::text(t)))
            }
            (d, v) => Some(format!("{}, where {} belongs", class(v), d.noun())),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Domain::Boolean => "a boolean (0 or 1)",
            Domain::Number => "a number",
            Domain::Integer => "an integer",
            Domain::Text => "text",
            Domain::Time => "a time",
        }
    }
}

/// A typed table read in entry order, one row ahead.
struct Cursor<'s> {
    kind: Kind,
    shape: row::Shape,
    /// Each column's name and domain.
    domains: Vec<(String, Domain)>,
    rows: Stream<'s>,
    current: Option<TypedRow>,
}

impl Cursor<'_> {
    fn advance(&mut self) -> Result<()> {
        self.current = match self.rows.next_row()? {
            None => None,
            Some(r) => {
                let text = |i: usize| -> Result<Option<String>> {
                    Ok(match r.value(i)? {
                        rusqlite::types::ValueRef::Text(t) => Some(read::text(t)),
                        _ => None,
                    })
                };
                let mut outside = Vec::new();
                // The stamps are compared with the entry's, whose times are
                // checked once; the record's own columns are checked here.
                let fields = self
                    .domains
                    .iter()
                    .enumerate()
                    .skip(read::STAMP_COLUMNS.len());
                for (i, (name, domain)) in fields {
                    if let Some(why) = domain.refuses(r.value(i)?) {
                        outside.push(format!("{name} holds {why}"));
                    }
                }
                Some(TypedRow {
                    seq: r.get(0)?,
                    stamps: [text(1)?, text(2)?, text(3)?],
                    canonical: canonical(self.kind, &r, &self.shape),
                    outside,
                })
            }
        };
        Ok(())
    }
}

/// A typed row read back as its kind's record and written as canonical
/// JSON, the form its entry's body was written in.
fn canonical(kind: Kind, r: &Row<'_>, shape: &row::Shape) -> Option<String> {
    fn json<R: Record>(r: &Row<'_>, shape: &row::Shape) -> Option<String> {
        let rec: R = row::record_shaped(r, shape).ok()?;
        serde_json::to_string(&rec).ok()
    }
    match kind {
        Kind::Project => json::<ProjectRec>(r, shape),
        Kind::Policy => json::<PolicyRec>(r, shape),
        Kind::Release => json::<ReleaseRec>(r, shape),
        Kind::GateResult => json::<GateResultRec>(r, shape),
        Kind::Budget => json::<BudgetRec>(r, shape),
        Kind::Measurement => json::<MeasurementRec>(r, shape),
        Kind::Deprecation => json::<DeprecationRec>(r, shape),
        Kind::Removal => json::<RemovalRec>(r, shape),
        Kind::Extension => json::<ExtensionRec>(r, shape),
        Kind::ExtensionRemoval => json::<ExtensionRemovalRec>(r, shape),
        Kind::TierConformance => json::<TierConformanceRec>(r, shape),
        Kind::Incident => json::<IncidentRec>(r, shape),
        Kind::IncidentEvent => json::<IncidentEventRec>(r, shape),
        Kind::Maintenance => json::<MaintenanceRec>(r, shape),
        Kind::Attestation => json::<AttestationRec>(r, shape),
        Kind::Retraction => json::<RetractionRec>(r, shape),
        Kind::Waiver => json::<WaiverRec>(r, shape),
        Kind::ShiftAcceptance => json::<ShiftAcceptanceRec>(r, shape),
    }
}

/// Verifies the whole file; `earlier_head`, a head an earlier verify
/// printed, must still be in the chain.
pub fn verify(conn: &Db, earlier_head: Option<&str>) -> Result<VerifyReport> {
    verify_with(conn, earlier_head, None)
}

/// [`verify`], also checking who wrote each entry against `trusted` keys
/// (when given): every signature must verify, come from a trusted key, and
/// be there once a policy requiring signed writes is in force.
pub fn verify_with(
    conn: &Db,
    earlier_head: Option<&str>,
    trusted: Option<&[Verifier]>,
) -> Result<VerifyReport> {
    // Outside the read below: on PostgreSQL the expected schema is built
    // in a scratch schema of a transaction of its own.
    let (schema, unchecked) = schema_problems(conn)?;
    let mut report =
        conn.read_consistently(|db| verify_chain(db, earlier_head, trusted, schema))?;
    report
        .unchecked
        .extend(unchecked.map(|why| format!("the schema and its triggers: {why}")));
    Ok(report)
}

fn verify_chain(
    conn: &Db,
    earlier_head: Option<&str>,
    trusted: Option<&[Verifier]>,
    schema: Vec<String>,
) -> Result<VerifyReport> {
    let mut problems = Vec::new();
    let mut orphans = Vec::new();
    let mut statements: Vec<(Kind, Prepared<'_>)> = Vec::new();
    for kind in Kind::ALL {
        let sql = format!("SELECT * FROM {} ORDER BY entry_seq", kind.table());
        statements.push((*kind, conn.prepare(&sql)?));
    }
    let mut cursors = open_cursors(&mut statements)?;
    // The Merkle tree is recomputed from the journal on a second
    // connection, on the other core, while this pass checks the chain.
    let tree_check = spawn_tree_check(conn);
    // Who wrote each entry: signatures read beside the journal.
    let mut sig_stmt = conn
        .prepare("SELECT entry_seq, signer, signature FROM entry_signatures ORDER BY entry_seq")?;
    let required = signatures_required_from(conn)?;
    let mut signatures = Signatures::new(sig_stmt.stream()?, required, trusted)?;
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    let mut prev_recorded = String::new();
    let mut count = 0;
    let mut found_earlier = false;
    journal::for_each_raw_entry(conn, |e| {
        count += 1;
        problems.extend(chain_problems(&e, expected_seq, &prev, &prev_recorded));
        problems.extend(signatures.problem_of(&e)?);
        if earlier_head.is_some_and(|h| h.eq_ignore_ascii_case(&e.hash)) {
            found_earlier = true;
        }
        row_problems(conn, &mut cursors, &e, &mut problems, &mut orphans)?;
        prev = e.hash;
        prev_recorded = e.recorded_at;
        expected_seq = e.seq + 1;
        Ok(())
    })?;
    problems.extend(match tree_check {
        Some(handle) => handle
            .join()
            .unwrap_or_else(|_| Ok(vec!["the Merkle tree check failed to run".to_string()]))?,
        None => tree_problems(conn)?,
    });
    for cursor in &mut cursors {
        while let Some(row) = &cursor.current {
            orphans.push(orphan(cursor.kind, row.seq));
            cursor.advance()?;
        }
    }
    orphans.sort();
    problems.extend(orphans.into_iter().map(|(_, p)| p));
    problems.extend(schema);
    if let Some(h) = earlier_head
        && !found_earlier
    {
        problems.push(format!(
            "head {h} from an earlier verify is not in the chain: entries were cut or rewritten since"
        ));
    }
    let size = super::tree::size(conn)?;
    let root = super::tree::root(conn, size)
        .map(|r| crate::domain::merkle::to_hex(&r))
        .unwrap_or_default();
    Ok(VerifyReport {
        root,
        unchecked: Vec::new(),
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

/// A cursor over each typed table, in entry order, at its first row.
fn open_cursors<'s>(statements: &'s mut [(Kind, Prepared<'_>)]) -> Result<Vec<Cursor<'s>>> {
    let mut cursors = Vec::new();
    for (kind, stmt) in statements.iter_mut() {
        let columns = stmt.columns()?;
        let shape = row::Shape::of(&columns, read::STAMP_COLUMNS.len());
        let domains = columns
            .iter()
            .map(|c| (c.name.clone(), Domain::of(&c.name, c.decl.as_deref())))
            .collect();
        let mut cursor = Cursor {
            kind: *kind,
            shape,
            domains,
            rows: stmt.stream()?,
            current: None,
        };
        cursor.advance()?;
        cursors.push(cursor);
    }
    Ok(cursors)
}

/// What is wrong with an entry's place in the chain: a gap before it, a
/// broken link or hash, an unreadable time, a recording time before the
/// entry it follows.
fn chain_problems(e: &RawEntry, expected_seq: i64, prev: &str, prev_recorded: &str) -> Vec<String> {
    let mut problems = Vec::new();
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
    if e.link() != e.hash {
        problems.push(format!(
            "entry {} was changed: its hash does not match its content",
            e.seq
        ));
    }
    for (what, t) in [("effective", &e.effective_at), ("recorded", &e.recorded_at)] {
        if crate::domain::time::parse_stored(t).is_err() {
            problems.push(format!(
                "entry {} has {what} time \"{t}\", not a time from 1970 to 9999",
                e.seq
            ));
        }
    }
    // Time is honest: no entry was recorded before the one it follows.
    if e.recorded_at.as_str() < prev_recorded {
        problems.push(format!(
            "entry {} was recorded at {}, before the entry it follows ({prev_recorded})",
            e.seq, e.recorded_at
        ));
    }
    problems
}

/// The signatures beside the journal, walked with it, and who is trusted
/// from which entry on.
struct Signatures<'s> {
    rows: Stream<'s>,
    next: Option<(i64, String, Vec<u8>)>,
    /// The entry of the first policy that requires signed writes.
    signed_from: Option<i64>,
    /// The keys trusted: given (then every entry is judged by them), or
    /// the policies'.
    trusted: Option<Vec<Verifier>>,
    from_file: bool,
}

impl<'s> Signatures<'s> {
    /// Once a policy requires signed writes (`required`: from which entry,
    /// with its keys), every later entry must be signed by a key it trusts
    /// (or one of `trusted`, when given).
    fn new(
        mut rows: Stream<'s>,
        required: Option<(i64, Vec<Verifier>)>,
        trusted: Option<&[Verifier]>,
    ) -> Result<Signatures<'s>> {
        let next = read_signature(&mut rows)?;
        let signed_from = required.as_ref().map(|(seq, _)| *seq);
        let policy_trusted = required.map(|(_, keys)| keys);
        Ok(Signatures {
            rows,
            next,
            signed_from,
            from_file: trusted.is_some(),
            trusted: trusted.map(<[Verifier]>::to_vec).or(policy_trusted),
        })
    }

    /// What is wrong with entry `e`'s signature, reading past it.
    fn problem_of(&mut self, e: &RawEntry) -> Result<Option<String>> {
        while self.next.as_ref().is_some_and(|(seq, _, _)| *seq < e.seq) {
            self.next = read_signature(&mut self.rows)?;
        }
        let signature = self.next.take_if(|(seq, _, _)| *seq == e.seq);
        let required = self.signed_from.is_some_and(|from| e.seq > from);
        let judged = self.from_file || required;
        let trusted = self.trusted.as_deref().filter(|_| judged);
        let problem = signature_problem(e, signature.as_ref(), trusted, required);
        if signature.is_some() {
            self.next = read_signature(&mut self.rows)?;
        }
        Ok(problem)
    }
}

/// What is wrong with an entry's signature: one that does not verify, a
/// signer not in `trusted` (when the entry is judged by trust), or none
/// where the policy `required` one.
fn signature_problem(
    e: &RawEntry,
    signature: Option<&(i64, String, Vec<u8>)>,
    trusted: Option<&[Verifier]>,
    required: bool,
) -> Option<String> {
    match signature {
        Some((_, signer, sig)) => match Verifier::parse(signer) {
            Ok(v) if v.verifies(e.hash.as_bytes(), sig) => {
                trusted.is_some_and(|t| !t.contains(&v)).then(|| {
                    format!(
                        "entry {} is signed by {}, which is not a trusted key",
                        e.seq,
                        v.label()
                    )
                })
            }
            _ => Some(format!(
                "entry {}'s signature does not verify: it was changed or forged",
                e.seq
            )),
        },
        None if required => Some(format!(
            "entry {} is not signed, but the policy requires signed writes",
            e.seq
        )),
        None => None,
    }
}

/// Checks an entry's typed row against it; the rows before it that no
/// entry claimed are orphans.
fn row_problems(
    conn: &Db,
    cursors: &mut [Cursor<'_>],
    e: &RawEntry,
    problems: &mut Vec<String>,
    orphans: &mut Vec<((&'static str, i64), String)>,
) -> Result<()> {
    match cursors.iter_mut().find(|c| c.kind.as_str() == e.kind) {
        Some(cursor) => {
            // Rows before this entry that no entry of their kind claimed.
            while let Some(row) = cursor.current.as_ref().filter(|r| r.seq < e.seq) {
                orphans.push(orphan(cursor.kind, row.seq));
                cursor.advance()?;
            }
            match cursor.current.take_if(|r| r.seq == e.seq) {
                Some(row) => {
                    for why in &row.outside {
                        problems.push(format!("{} row {}: {why}", cursor.kind.table(), e.seq));
                    }
                    cross_check(conn, cursor.kind, e, &row, problems)?;
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
    Ok(())
}

/// How the file's schema differs from the one its migrations make: a
/// missing, extra or changed table, index or trigger (an added column, a
/// trigger with the right name and an emptied body).
fn schema_problems(conn: &Db) -> Result<(Vec<String>, Option<String>)> {
    let version: i64 = conn.value(
        "SELECT coalesce(max(version), 0) FROM refinery_schema_history",
        &[],
    )?;
    let (expected, actual) = match (conn.sqlite(), conn.pg()) {
        (Some(c), _) => (
            super::sqlite::expected_schema(version)?,
            super::sqlite::schema_objects(c)?,
        ),
        (None, Some(pg)) => match pg.schema_pair(version)? {
            Ok(pair) => pair,
            // Neither a reference nor a scratch schema to compare with: say
            // so instead of passing it.
            Err(why) => return Ok((Vec::new(), Some(why))),
        },
        (None, None) => return Ok((Vec::new(), None)),
    };
    let mut problems = Vec::new();
    for (kind, name, sql) in &expected {
        match actual.iter().find(|(k, n, _)| k == kind && n == name) {
            None => problems.push(format!("the {kind} {name} is missing from the schema")),
            Some((_, _, found)) if found != sql => problems.push(format!(
                "the {kind} {name} is not the ledger's: it reads {}",
                found.as_deref().unwrap_or("(no SQL)")
            )),
            Some(_) => {}
        }
    }
    for (kind, name, _) in &actual {
        if !expected.iter().any(|(k, n, _)| k == kind && n == name) {
            problems.push(format!(
                "the {kind} {name} is not part of the ledger's schema"
            ));
        }
    }
    Ok((problems, None))
}

/// Runs [`tree_problems`] on its own read-only connection to the same
/// file, in another thread; `None` when the file has no path.
fn spawn_tree_check(conn: &Db) -> Option<std::thread::JoinHandle<Result<Vec<String>>>> {
    let location = conn.location().clone();
    if location
        .path()
        .is_some_and(|p| p.as_os_str().is_empty() || p == std::path::Path::new(":memory:"))
    {
        return None;
    }
    Some(std::thread::spawn(move || {
        let other = super::Store::open_read_only(&location)?;
        other.conn().read_consistently(tree_problems)
    }))
}

/// The Merkle tree recomputed from the journal and compared node by node
/// with the stored one: one cursor per level, each in position order, met
/// in the order the appends closed them.
fn tree_problems(conn: &Db) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let leaves: i64 = conn.value("SELECT coalesce(max(seq), 0) FROM entries", &[])?;
    let levels = 64 - u64::try_from(leaves).unwrap_or(0).leading_zeros();
    let mut level_stmts = Vec::new();
    for level in 1..=levels {
        // The level is a number from the code, written into the SQL: a
        // streamed statement takes no parameters.
        level_stmts.push(conn.prepare(&format!(
            "SELECT position, hash FROM merkle_nodes WHERE level = {level} ORDER BY position"
        ))?);
    }
    let mut level_rows = Vec::new();
    for stmt in level_stmts.iter_mut() {
        level_rows.push(stmt.stream()?);
    }
    let mut tree = super::tree::Recomputed::new();
    let mut tree_ok = true;
    journal::for_each_raw_entry(conn, |e| {
        if !tree_ok {
            return Ok(());
        }
        for (level, position, hash) in tree.push(super::tree::leaf_of(&e)) {
            let stored = match level_rows.get_mut(level as usize - 1) {
                Some(rows) => rows.next_row()?.map(|r| {
                    let p: i64 = r.get(0).unwrap_or(-1);
                    let h: Vec<u8> = r.get(1).unwrap_or_default();
                    (p, h)
                }),
                None => None,
            };
            let same = stored.as_ref().is_some_and(|(p, h)| {
                *p == i64::try_from(position).unwrap_or(-1) && h[..] == hash[..]
            });
            if !same {
                problems.push(format!(
                    "the Merkle tree does not match the journal from entry {} on (its node at level {level}, position {position})",
                    e.seq
                ));
                tree_ok = false;
                break;
            }
        }
        Ok(())
    })?;
    let mut extra = false;
    for rows in &mut level_rows {
        extra |= rows.next_row()?.is_some();
    }
    let higher: i64 = conn.value(
        "SELECT count(*) FROM merkle_nodes WHERE level > ?1",
        &[&levels],
    )?;
    if tree_ok && (extra || higher > 0) {
        problems.push("the Merkle tree holds nodes no entry accounts for".to_string());
    }
    Ok(problems)
}

fn read_signature(rows: &mut Stream<'_>) -> Result<Option<(i64, String, Vec<u8>)>> {
    Ok(match rows.next_row()? {
        Some(r) => Some((
            r.get(0)?,
            r.get::<String>(1).unwrap_or_default(),
            r.get::<Vec<u8>>(2).unwrap_or_default(),
        )),
        None => None,
    })
}

/// The entry number of the first policy version that requires signed
/// writes (entries after it must be signed), and the keys the policies
/// that require them trust.
fn signatures_required_from(conn: &Db) -> Result<Option<(i64, Vec<Verifier>)>> {
    let mut from: Option<(i64, Vec<Verifier>)> = None;
    conn.rows(
        "SELECT entry_seq, content FROM policy_versions ORDER BY entry_seq",
        &[],
        |r| {
            let content: String = r.get::<String>(1).unwrap_or_default();
            let policy = crate::domain::policy::Policy::parse(&content, "stored policy").ok();
            if let Some(p) = policy.filter(|p| p.require_signed_writes) {
                let (_, keys) = from.get_or_insert((r.get(0)?, Vec::new()));
                for v in p.trusted_verifiers() {
                    if !keys.contains(&v) {
                        keys.push(v);
                    }
                }
            }
            Ok(())
        },
    )?;
    Ok(from)
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
    conn: &Db,
    kind: Kind,
    e: &RawEntry,
    row: &TypedRow,
    problems: &mut Vec<String>,
) -> Result<()> {
    let table = kind.table();
    let stamps = [
        ("project", e.project.as_str()),
        ("effective_at", e.effective_at.as_str()),
        ("recorded_at", e.recorded_at.as_str()),
    ];
    for ((column, expected), actual) in stamps.iter().zip(&row.stamps) {
        if actual.as_deref() != Some(expected) {
            let actual = actual
                .as_deref()
                .map_or("a value that is not text".to_string(), |a| {
                    format!("\"{a}\"")
                });
            problems.push(format!(
                "{table} row {} differs from its entry in {column}: {actual} instead of \"{expected}\"",
                e.seq
            ));
        }
    }
    if row.canonical.as_deref() == Some(e.body.as_str()) {
        return Ok(());
    }
    // Something differs: read the row again and name each field.
    let Ok(body) = serde_json::from_str::<serde_json::Value>(&e.body) else {
        problems.push(format!("entry {} has a body that is not JSON", e.seq));
        return Ok(());
    };
    let Some(fields) = body.as_object() else {
        problems.push(format!("entry {} has a body that is not an object", e.seq));
        return Ok(());
    };
    let sql = format!("SELECT * FROM {table} WHERE entry_seq = ?1");
    let columns = conn
        .row(&sql, &[&e.seq], |r| {
            let mut map = serde_json::Map::new();
            for (i, c) in r.columns().iter().enumerate() {
                map.insert(
                    c.name.clone(),
                    read::typed_json(r.value(i)?, c.decl.as_deref()),
                );
            }
            Ok(map)
        })?
        .unwrap_or_default();
    for (key, expected) in fields {
        let actual = columns.get(key).unwrap_or(&serde_json::Value::Null);
        if !same(expected, actual) {
            problems.push(format!(
                "{table} row {} differs from its entry in {key}: {actual} instead of {expected}",
                e.seq
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

/// How many typed rows read back as exactly their entry's body: every one,
/// in a ledger the CLI wrote (else verify falls to its slow path).
#[cfg(test)]
pub fn canonical_rows(conn: &Db) -> Result<(usize, usize)> {
    let (mut same, mut all) = (0, 0);
    for kind in Kind::ALL {
        let sql = format!(
            "SELECT e.body, t.* FROM {} t JOIN entries e ON e.seq = t.entry_seq",
            kind.table()
        );
        conn.rows(&sql, &[], |r| {
            let shape = row::Shape::of(&r.columns(), 1 + read::STAMP_COLUMNS.len());
            let body: String = r.get(0)?;
            all += 1;
            if canonical(*kind, r, &shape).as_deref() == Some(body.as_str()) {
                same += 1;
            }
            Ok(())
        })?;
    }
    Ok((same, all))
}
