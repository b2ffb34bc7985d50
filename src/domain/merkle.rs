//! Layer: bottom (see `domain::LAYERS`).
//!
//! The Merkle tree over the journal (RFC 6962 / RFC 9162, section 2.1):
//! leaves are `SHA-256(0x00 || entry bytes)`, nodes `SHA-256(0x01 || left
//! || right)`. Roots and proofs are computed from the hashes of complete
//! subtrees, which the store keeps as entries are appended, so no question
//! rehashes the journal.

use sha2::{Digest, Sha256};

/// A SHA-256 value.
pub type Hash = [u8; 32];

/// The hash of a leaf holding `data`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// The hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of an empty tree: the hash of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two smaller than `n` (`n >= 2`).
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// MTH of the leaves `[from, to)`, from `subtree`, which answers for the
/// complete, aligned subtrees (`to - from` a power of two, `from` a
/// multiple of it) and leaves; any other range is split as RFC 6962 does.
pub fn range_hash<E>(
    from: u64,
    to: u64,
    subtree: &mut impl FnMut(u64, u64) -> Result<Hash, E>,
) -> Result<Hash, E> {
    let n = to - from;
    if n.is_power_of_two() && from.is_multiple_of(n) {
        return subtree(from, to);
    }
    let k = split(n);
    let left = range_hash(from, from + k, subtree)?;
    let right = range_hash(from + k, to, subtree)?;
    Ok(node_hash(&left, &right))
}

/// The root of a tree of `size` leaves.
pub fn root<E>(
    size: u64,
    subtree: &mut impl FnMut(u64, u64) -> Result<Hash, E>,
) -> Result<Hash, E> {
    if size == 0 {
        return Ok(empty_root());
    }
    range_hash(0, size, subtree)
}

/// The audit path of leaf `index` in a tree of `size` leaves (RFC 6962
/// section 2.1.1, PATH), nearest sibling first.
pub fn inclusion_proof<E>(
    index: u64,
    size: u64,
    subtree: &mut impl FnMut(u64, u64) -> Result<Hash, E>,
) -> Result<Vec<Hash>, E> {
    fn path<E>(
        m: u64,
        from: u64,
        to: u64,
        subtree: &mut impl FnMut(u64, u64) -> Result<Hash, E>,
        out: &mut Vec<Hash>,
    ) -> Result<(), E> {
        let n = to - from;
        if n <= 1 {
            return Ok(());
        }
        let k = split(n);
        if m < k {
            path(m, from, from + k, subtree, out)?;
            out.push(range_hash(from + k, to, subtree)?);
        } else {
            path(m - k, from + k, to, subtree, out)?;
            out.push(range_hash(from, from + k, subtree)?);
        }
        Ok(())
    }
    let mut out = Vec::new();
    path(index, 0, size, subtree, &mut out)?;
    Ok(out)
}

/// The proof that the tree of `old` leaves is a prefix of the tree of
/// `new` leaves (RFC 6962 section 2.1.2, PROOF).
pub fn consistency_proof<E>(
    old: u64,
    new: u64,
    subtree: &mut impl FnMut(u64, u64) -> Result<Hash, E>,
) -> Result<Vec<Hash>, E> {
    fn sub<E>(
        m: u64,
        from: u64,
        to: u64,
        complete: bool,
        subtree: &mut impl FnMut(u64, u64) -> Result<Hash, E>,
        out: &mut Vec<Hash>,
    ) -> Result<(), E> {
        let n = to - from;
        if m == n {
            if !complete {
                out.push(range_hash(from, to, subtree)?);
            }
            return Ok(());
        }
        let k = split(n);
        if m <= k {
            sub(m, from, from + k, complete, subtree, out)?;
            out.push(range_hash(from + k, to, subtree)?);
        } else {
            sub(m - k, from + k, to, false, subtree, out)?;
            out.push(range_hash(from, from + k, subtree)?);
        }
        Ok(())
    }
    let mut out = Vec::new();
    if old > 0 && old < new {
        sub(old, 0, new, true, subtree, &mut out)?;
    }
    Ok(out)
}

/// Whether `proof` shows leaf `leaf` at `index` in the tree of `size`
/// leaves with root `root` (RFC 9162 section 2.1.3.2).
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return false;
        }
        if fnode % 2 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode % 2 == 0 {
                while fnode % 2 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && r == *root
}

/// Whether `proof` shows the tree of `old` leaves with root `old_root` is
/// a prefix of the tree of `new` leaves with root `new_root` (RFC 9162
/// section 2.1.4.2).
pub fn verify_consistency(
    old: u64,
    new: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> bool {
    if old > new {
        return false;
    }
    if old == new {
        return proof.is_empty() && old_root == new_root;
    }
    if old == 0 {
        return proof.is_empty();
    }
    let mut path: Vec<Hash> = proof.to_vec();
    if old.is_power_of_two() {
        path.insert(0, *old_root);
    }
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut fnode, mut snode) = (old - 1, new - 1);
    while fnode % 2 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if snode == 0 {
            return false;
        }
        if fnode % 2 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnode % 2 == 0 {
                while fnode % 2 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && fr == *old_root && sr == *new_root
}

/// The complete subtrees an append of leaf `index` closes, as `(level,
/// position)` pairs from the bottom: the leaf itself at level 0, then each
/// parent whose right child it completes. The store keeps exactly these.
pub fn closed_by(index: u64) -> impl Iterator<Item = (u32, u64)> {
    let levels = index.trailing_ones();
    (0..=levels).map(move |level| (level, index >> level))
}

/// Lowercase hexadecimal.
pub fn to_hex(h: &Hash) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

/// A hash from 64 hexadecimal digits.
pub fn from_hex(text: &str) -> Option<Hash> {
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RFC 6962 reference leaves (as used by Certificate Transparency's
    /// test suites) and the roots of the trees of 0 to 8 of them.
    const LEAVES: [&str; 8] = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];
    const ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    fn bytes(hex: &str) -> Vec<u8> {
        (0..hex.len() / 2)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    fn h(hex: &str) -> Hash {
        from_hex(hex).unwrap()
    }

    /// A tree kept as its leaves: every range is recomputed, the reference
    /// the stored-subtree path must agree with.
    fn leaves(data: &[Vec<u8>]) -> impl FnMut(u64, u64) -> Result<Hash, ()> + '_ {
        move |from, to| {
            fn mth(l: &[Hash]) -> Hash {
                match l.len() {
                    1 => l[0],
                    n => {
                        let k = split(n as u64) as usize;
                        node_hash(&mth(&l[..k]), &mth(&l[k..]))
                    }
                }
            }
            let hashed: Vec<Hash> = data[from as usize..to as usize]
                .iter()
                .map(|d| leaf_hash(d))
                .collect();
            Ok(mth(&hashed))
        }
    }

    fn reference() -> Vec<Vec<u8>> {
        LEAVES.iter().map(|l| bytes(l)).collect()
    }

    #[test]
    fn roots_match_rfc_6962() {
        let data = reference();
        for size in 0..=8u64 {
            let r = root(size, &mut leaves(&data)).unwrap();
            assert_eq!(to_hex(&r), ROOTS[size as usize], "size {size}");
        }
    }

    #[test]
    fn inclusion_proofs_match_rfc_6962() {
        let data = reference();
        let cases: [(u64, u64, &[&str]); 4] = [
            (
                0,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                5,
                8,
                &[
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                3,
                &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
            ),
            (
                1,
                5,
                &[
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
        ];
        for (index, size, expected) in cases {
            let proof = inclusion_proof(index, size, &mut leaves(&data)).unwrap();
            let got: Vec<String> = proof.iter().map(to_hex).collect();
            assert_eq!(got, expected, "leaf {index} of {size}");
            let leaf = leaf_hash(&data[index as usize]);
            assert!(verify_inclusion(
                index,
                size,
                &leaf,
                &proof,
                &h(ROOTS[size as usize])
            ));
            assert!(!verify_inclusion(index, size, &leaf, &proof, &h(ROOTS[0])));
        }
    }

    #[test]
    fn consistency_proofs_match_rfc_6962() {
        let data = reference();
        let cases: [(u64, u64, &[&str]); 4] = [
            (1, 1, &[]),
            (
                1,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                6,
                8,
                &[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                5,
                &[
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
        ];
        for (old, new, expected) in cases {
            let proof = consistency_proof(old, new, &mut leaves(&data)).unwrap();
            let got: Vec<String> = proof.iter().map(to_hex).collect();
            assert_eq!(got, expected, "{old} -> {new}");
            let (a, b) = (h(ROOTS[old as usize]), h(ROOTS[new as usize]));
            assert!(
                verify_consistency(old, new, &proof, &a, &b),
                "{old} -> {new}"
            );
            if old != new {
                assert!(!verify_consistency(old, new, &proof, &b, &b));
            }
        }
    }

    proptest::proptest! {
        /// Every leaf's proof and every pair of sizes verify in trees of
        /// any shape, and a wrong root never does.
        #[test]
        fn proofs_verify_in_trees_of_any_size(n in 1u64..40, seed in proptest::prelude::any::<u8>()) {
            let data: Vec<Vec<u8>> = (0..n).map(|i| vec![seed, i as u8]).collect();
            let roots: Vec<Hash> = (0..=n).map(|s| root(s, &mut leaves(&data)).unwrap()).collect();
            for i in 0..n {
                let proof = inclusion_proof(i, n, &mut leaves(&data)).unwrap();
                let leaf = leaf_hash(&data[i as usize]);
                proptest::prop_assert!(verify_inclusion(i, n, &leaf, &proof, &roots[n as usize]));
                proptest::prop_assert!(!verify_inclusion(i, n, &leaf_hash(b"x"), &proof, &roots[n as usize]));
            }
            for m in 1..=n {
                let proof = consistency_proof(m, n, &mut leaves(&data)).unwrap();
                proptest::prop_assert!(verify_consistency(m, n, &proof, &roots[m as usize], &roots[n as usize]));
                if m < n {
                    proptest::prop_assert!(!verify_consistency(m, n, &proof, &roots[m as usize - 1], &roots[n as usize]));
                }
            }
        }
    }

    #[test]
    fn an_append_closes_the_subtrees_it_completes() {
        assert_eq!(closed_by(0).collect::<Vec<_>>(), [(0, 0)]);
        assert_eq!(closed_by(1).collect::<Vec<_>>(), [(0, 1), (1, 0)]);
        assert_eq!(closed_by(6).collect::<Vec<_>>(), [(0, 6)]);
        assert_eq!(
            closed_by(7).collect::<Vec<_>>(),
            [(0, 7), (1, 3), (2, 1), (3, 0)]
        );
    }
}
