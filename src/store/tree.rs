//! The journal's Merkle tree in the store: the complete subtrees kept in
//! `merkle_nodes` as entries are appended, and the roots and proofs read
//! from them (the math is in `domain::merkle`).

use super::{Db, Result, StoreError, journal::RawEntry};
use crate::domain::merkle::{self, Hash};

/// The leaf hash of an entry: `SHA-256(0x00 || bytes)`, where the bytes
/// are each field length-prefixed as the chain's links are (number,
/// project, kind, effective and recorded time, body), without the link to
/// the entry before it (the tree orders its leaves itself). Hashed as it
/// is read, never gathered in memory.
pub fn leaf(
    seq: i64,
    project: &str,
    kind: &str,
    effective_at: &str,
    recorded_at: &str,
    body: &str,
) -> Hash {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update([0u8]);
    let seq = seq.to_string();
    super::journal::hash_parts(
        &mut h,
        &[seq.as_str(), project, kind, effective_at, recorded_at, body],
    );
    h.finalize().into()
}

/// The leaf hash of a stored entry.
pub fn leaf_of(e: &RawEntry) -> Hash {
    leaf(
        e.seq,
        &e.project,
        &e.kind,
        &e.effective_at,
        &e.recorded_at,
        &e.body,
    )
}

/// The leaf hash of the entry at leaf `index` (entry `index + 1`).
fn leaf_at(conn: &Db, index: u64) -> Result<Option<Hash>> {
    let seq = i64::try_from(index + 1).unwrap_or(i64::MAX);
    Ok(super::journal::raw_entry(conn, seq)?.map(|e| leaf_of(&e)))
}

/// A complete subtree's hash: a leaf's from its entry, a larger one's as
/// stored.
fn node(conn: &Db, level: u32, position: u64) -> Result<Option<Hash>> {
    if level == 0 {
        return leaf_at(conn, position);
    }
    let position = i64::try_from(position).unwrap_or(i64::MAX);
    let blob: Option<Vec<u8>> = conn.row(
        "SELECT hash FROM merkle_nodes WHERE level = ?1 AND position = ?2",
        &[&level, &position],
        |r| r.get(0),
    )?;
    Ok(blob.and_then(|b| b.try_into().ok()))
}

/// The roots of the complete subtrees a tree of `size` leaves splits into,
/// largest first: what the next append merges with.
pub fn frontier(conn: &Db, size: u64) -> Result<Vec<Hash>> {
    let mut out = Vec::new();
    let mut start = 0u64;
    for level in (0..64u32).rev() {
        if size & (1 << level) != 0 {
            out.push(
                node(conn, level, start >> level)?.ok_or_else(|| missing(level, start >> level))?,
            );
            start += 1 << level;
        }
    }
    Ok(out)
}

/// Stores the subtrees of two leaves or more that the leaf at `index`
/// completes, merging with `frontier` (the roots of the complete subtrees
/// before it, kept up to date).
pub fn append_leaf(conn: &Db, frontier: &mut Vec<Hash>, index: u64, leaf: Hash) -> Result<()> {
    let mut hash = leaf;
    for (level, position) in merkle::closed_by(index).skip(1) {
        let left = frontier
            .pop()
            .ok_or_else(|| missing(level - 1, 2 * position))?;
        hash = merkle::node_hash(&left, &hash);
        conn.execute(
            "INSERT INTO merkle_nodes (level, position, hash) VALUES (?1, ?2, ?3)",
            &[
                &level,
                &i64::try_from(position).unwrap_or(i64::MAX),
                &&hash[..],
            ],
        )?;
    }
    frontier.push(hash);
    Ok(())
}

fn missing(level: u32, position: u64) -> StoreError {
    StoreError::Broken(format!(
        "the Merkle tree lacks its node at level {level}, position {position}; run `ledger verify`"
    ))
}

/// The hash of the complete subtree of leaves `[from, to)`.
fn subtree(conn: &Db, from: u64, to: u64) -> Result<Hash> {
    let level = (to - from).trailing_zeros();
    let position = from >> level;
    node(conn, level, position)?.ok_or_else(|| missing(level, position))
}

/// The number of leaves: every entry is one.
pub fn size(conn: &Db) -> Result<u64> {
    let n: i64 = conn.value("SELECT coalesce(max(seq), 0) FROM entries", &[])?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The number of leaves the stored subtrees cover.
fn covered(conn: &Db) -> Result<u64> {
    // The last position of each level, through the key: no scan.
    let mut covered = 0u64;
    for level in 1..64u32 {
        let last: Option<i64> = conn.value(
            "SELECT max(position) FROM merkle_nodes WHERE level = ?1",
            &[&level],
        )?;
        if let Some(position) = last {
            covered = covered.max(u64::try_from(position + 1).unwrap_or(0) << level);
        }
    }
    Ok(covered)
}

/// Recomputes the tree from the journal, one leaf at a time, keeping only
/// the roots of the complete subtrees so far.
pub struct Recomputed {
    frontier: Vec<Hash>,
    leaves: u64,
}

impl Recomputed {
    pub fn new() -> Recomputed {
        Recomputed {
            frontier: Vec::new(),
            leaves: 0,
        }
    }

    /// The nodes the next leaf makes the store keep (subtrees of two
    /// leaves or more), from the bottom.
    pub fn push(&mut self, leaf: Hash) -> Vec<(u32, u64, Hash)> {
        let index = self.leaves;
        let mut hash = leaf;
        let mut out = Vec::new();
        for level in 1..=index.trailing_ones() {
            let left = self.frontier.pop().unwrap_or(hash);
            hash = merkle::node_hash(&left, &hash);
            out.push((level, index >> level, hash));
        }
        self.frontier.push(hash);
        self.leaves += 1;
        out
    }
}

impl Default for Recomputed {
    fn default() -> Self {
        Recomputed::new()
    }
}

/// The root of the tree of its first `size` leaves.
pub fn root(conn: &Db, size: u64) -> Result<Hash> {
    merkle::root(size, &mut |a, b| subtree(conn, a, b))
}

/// The audit path of leaf `index` in the tree of `size` leaves.
pub fn inclusion_proof(conn: &Db, index: u64, size: u64) -> Result<Vec<Hash>> {
    merkle::inclusion_proof(index, size, &mut |a, b| subtree(conn, a, b))
}

/// The proof that the tree of `old` leaves is a prefix of that of `new`.
pub fn consistency_proof(conn: &Db, old: u64, new: u64) -> Result<Vec<Hash>> {
    merkle::consistency_proof(old, new, &mut |a, b| subtree(conn, a, b))
}

/// Stores the tree for the entries it does not cover yet (a ledger from
/// before the tree, upgraded), in entry order.
pub fn backfill(conn: &Db) -> Result<u64> {
    let from = covered(conn)?;
    let mut added = 0;
    // Resume from the last even leaf the stored subtrees cover.
    let from = from - from % 2;
    let mut frontier = frontier(conn, from)?;
    let from_seq = i64::try_from(from).unwrap_or(i64::MAX);
    super::journal::for_each_raw_entry_after(conn, from_seq, |e| {
        append_leaf(
            conn,
            &mut frontier,
            u64::try_from(e.seq - 1).unwrap_or(0),
            leaf_of(&e),
        )?;
        added += 1;
        Ok(())
    })?;
    Ok(added)
}
