//! Signed checkpoints of the journal's Merkle tree: what `verify` alone
//! cannot catch is caught against a checkpoint published earlier, and one
//! entry can be proven from a checkpoint without the ledger.

use crate::harness::Ledger;

/// A ledger with a key and a checkpoint taken after four entries.
fn published() -> (Ledger, String, String) {
    published_on(Ledger::new())
}

/// [`published`] on a given fresh ledger.
fn published_on(l: Ledger) -> (Ledger, String, String) {
    l.ok(&["record-release", "0.3.0", "--date", "2026-01-10"]);
    l.ok(&[
        "record-budget",
        "cold-load-p95",
        "--value",
        "150",
        "--at",
        "2026-02-20",
    ]);
    let key = l.path("ci.key");
    // The key's name and the checkpoint's origin default to the policy's.
    l.ok(&["keygen", "--out", key.to_str().unwrap()]);
    let note = l.ok(&["checkpoint", "--key", key.to_str().unwrap()]);
    let cp = l.path("checkpoint.txt");
    std::fs::write(&cp, &note).unwrap();
    let verifier = std::fs::read_to_string(l.path("ci.key.pub")).unwrap();
    (
        l,
        cp.to_str().unwrap().to_string(),
        verifier.trim().to_string(),
    )
}

fn against(l: &Ledger, cp: &str, key: &str) -> (i32, String) {
    let r = l.run(&["verify", "--checkpoint", cp, "--key", key]);
    (r.code, r.stdout)
}

#[test]
fn a_checkpoint_is_a_c2sp_signed_note() {
    let (l, cp, key) = published();
    let note = std::fs::read_to_string(&cp).unwrap();
    let lines: Vec<&str> = note.lines().collect();
    assert_eq!(lines[0], "pi/ledger");
    assert_eq!(lines[1], "4", "init's two entries and two more");
    assert_eq!(lines[2].len(), 44, "base64 of 32 bytes");
    assert_eq!(lines[3], "");
    assert!(lines[4].starts_with("\u{2014} pi/ledger "));
    assert!(key.starts_with("pi/ledger+"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(l.path("ci.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the signer key is private");
    }
    // Appending after it keeps the history consistent with it.
    l.ok(&["record-gate", "fmt", "--value", "0", "--platform", "linux"]);
    assert_eq!(against(&l, &cp, &key).0, 0);
    // A checkpoint whose signature does not verify is refused as input.
    std::fs::write(l.path("forged.txt"), note.replace("\n4\n", "\n5\n")).unwrap();
    let r = l.run(&[
        "verify",
        "--checkpoint",
        l.path("forged.txt").to_str().unwrap(),
        "--key",
        &key,
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // A release can publish its checkpoint as it is recorded.
    let r = l.json(&[
        "record-release",
        "0.4.0",
        "--checkpoint-key",
        l.path("ci.key").to_str().unwrap(),
    ]);
    let release_cp = l.path("release-checkpoint.txt");
    std::fs::write(&release_cp, r["checkpoint"].as_str().unwrap()).unwrap();
    assert!(
        r["checkpoint"]
            .as_str()
            .unwrap()
            .starts_with("pi/ledger\n6\n")
    );
    assert_eq!(against(&l, release_cp.to_str().unwrap(), &key).0, 0);
    // Keys are never overwritten.
    l.rejects(
        &[
            "keygen",
            "--out",
            l.path("ci.key").to_str().unwrap(),
            "--name",
            "x",
        ],
        "a key is never overwritten",
    );
}

#[test]
fn a_cut_tail_or_a_rollback_is_caught() {
    let (l, cp, key) = published();
    l.ok(&["record-gate", "fmt", "--value", "0", "--platform", "linux"]);
    // The last three entries cut, with their rows and tree nodes.
    l.rewrite(
        "DELETE FROM gate_results; DELETE FROM measurements;
         DELETE FROM merkle_nodes WHERE ((position + 1) << CAST(level AS INTEGER)) > 3;
         DELETE FROM entries WHERE seq >= 4",
    );
    let (code, out) = against(&l, &cp, &key);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("the checkpoint covers 4 entries but the ledger's tree holds 3"),
        "{out}"
    );
    // An older copy (here: one that never got past its first entries)
    // is a rollback.
    let older = Ledger::new();
    let (code, out) = against(&older, &cp, &key);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("were cut or the file was rolled back"),
        "{out}"
    );
}

#[test]
fn a_full_rehash_or_a_fork_is_caught() {
    // A file, rewritten and copied with SQLite's own tools.
    let (l, cp, key) = published_on(Ledger::file());
    // Rewrite entry 3 and re-hash every link and the whole tree after it,
    // so the file agrees with itself.
    {
        let conn = rusqlite::Connection::open(l.db()).unwrap();
        conn.execute_batch(
            "DROP TRIGGER entries_no_update; DROP TRIGGER releases_no_update;
             DROP TRIGGER merkle_nodes_no_delete;
             UPDATE releases SET date = '2026-01-11T00:00:00Z' WHERE entry_seq = 3;
             DELETE FROM merkle_nodes;",
        )
        .unwrap();
        let rows: Vec<(i64, String, String, String, String, String)> = conn
            .prepare("SELECT seq, project, kind, effective_at, recorded_at, body FROM entries ORDER BY seq")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut prev = "0".repeat(64);
        for (seq, project, kind, at, recorded, body) in rows {
            let body = body.replace("2026-01-10T00:00:00Z", "2026-01-11T00:00:00Z");
            let hash = ledger::store::link_hash(seq, &project, &kind, &at, &recorded, &prev, &body);
            conn.execute(
                "UPDATE entries SET body = ?1, prev_hash = ?2, hash = ?3 WHERE seq = ?4",
                rusqlite::params![body, prev, hash, seq],
            )
            .unwrap();
            prev = hash;
        }
        conn.execute_batch(
            "CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
             BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: entries rows cannot be updated'); END;
             CREATE TRIGGER releases_no_update BEFORE UPDATE ON releases
             BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: releases rows cannot be updated'); END;
             CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
             BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: merkle_nodes rows cannot be deleted'); END;",
        )
        .unwrap();
        let store = ledger::store::Store::open(l.db()).unwrap();
        ledger::store::tree::backfill(store.conn()).unwrap();
    }
    let plain = l.run(&["verify"]);
    assert_eq!(
        plain.code, 0,
        "the re-hashed file agrees with itself: {}",
        plain.stdout
    );
    let (code, out) = against(&l, &cp, &key);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("history before entry 5 was rewritten"),
        "{out}"
    );

    // A fork: two copies that part after the checkpoint; each is checked
    // against the other's checkpoint of the same size.
    let (a, _, key) = published_on(Ledger::file());
    let b_path = a.path("b.db");
    a.sqlite(&format!("VACUUM INTO '{}'", b_path.to_str().unwrap()))
        .unwrap();
    a.ok(&[
        "record-budget",
        "cold-load-p95",
        "--value",
        "151",
        "--at",
        "2026-02-21",
    ]);
    let b = a
        .cmd()
        .env("LEDGER_DB", &b_path)
        .args([
            "record-budget",
            "cold-load-p95",
            "--value",
            "999",
            "--at",
            "2026-02-21",
        ])
        .output()
        .unwrap();
    assert!(b.status.success());
    let b_cp = a
        .cmd()
        .env("LEDGER_DB", &b_path)
        .args(["checkpoint", "--key", a.path("ci.key").to_str().unwrap()])
        .output()
        .unwrap();
    std::fs::write(a.path("b-checkpoint.txt"), &b_cp.stdout).unwrap();
    let (code, out) = against(&a, a.path("b-checkpoint.txt").to_str().unwrap(), &key);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("history before entry 6 was rewritten"),
        "{out}"
    );
}

#[test]
fn one_entry_is_proven_without_the_ledger() {
    let (l, cp, key) = published();
    l.ok(&["record-gate", "fmt", "--value", "0", "--platform", "linux"]);
    let proof = l.ok(&["prove", "3", "--checkpoint", &cp]);
    let doc: serde_json::Value = serde_json::from_str(&proof).unwrap();
    assert_eq!(doc["leaf_index"], 2);
    assert_eq!(doc["tree_size"], 4);
    let file = l.path("proof.json");
    std::fs::write(&file, &proof).unwrap();
    l.remove();
    let r = l.run(&["verify-proof", file.to_str().unwrap(), "--key", &key]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with("ok: entry 3 (release)"),
        "{}",
        r.stdout
    );
    // A changed entry does not verify.
    std::fs::write(&file, proof.replace("0.3.0", "0.3.1")).unwrap();
    let r = l.run(&["verify-proof", file.to_str().unwrap(), "--key", &key]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.starts_with("INVALID"), "{}", r.stdout);
    // An entry the checkpoint does not cover cannot be proven from it.
    let l2 = Ledger::new();
    l2.rejects(&["prove", "99", "--checkpoint", &cp], "");
}

/// Who wrote it: under a policy that requires signed writes, a write must
/// be signed by a key the policy trusts or it is refused (nothing
/// written), and plain `verify` reports an entry whose signature went
/// missing; `--trusted-keys` judges against another list.
#[test]
fn writers_sign_and_verify_names_unknown_and_missing_signers() {
    let l = crate::harness::Ledger::empty();
    let key = l.path("ci.key");
    let other = l.path("other.key");
    l.ok(&[
        "keygen",
        "--out",
        key.to_str().unwrap(),
        "--name",
        "ci.example.org",
    ]);
    l.ok(&[
        "keygen",
        "--out",
        other.to_str().unwrap(),
        "--name",
        "laptop",
    ]);
    let ci_pub = std::fs::read_to_string(l.path("ci.key.pub")).unwrap();
    let seed = crate::harness::seed_policy();
    let policy = l.path("policy.toml");
    let requiring = seed.replace(
        "require_signed_writes = false",
        &format!(
            "require_signed_writes = true\ntrusted_keys = [\"{}\"]",
            ci_pub.trim()
        ),
    );
    // Requiring signatures without naming whose is refused.
    std::fs::write(
        &policy,
        seed.replace(
            "require_signed_writes = false",
            "require_signed_writes = true",
        ),
    )
    .unwrap();
    let r = l.run(&["init", "--policy", policy.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("require_signed_writes needs trusted_keys"),
        "{}",
        r.stderr
    );
    std::fs::write(&policy, requiring).unwrap();
    let sign = key.to_str().unwrap();
    l.ok(&["--sign", sign, "init", "--policy", policy.to_str().unwrap()]);
    l.ok(&[
        "--sign",
        sign,
        "record-budget",
        "cold-load-p95",
        "--value",
        "5",
    ]);
    assert_eq!(l.json(&["verify"])["ok"], true);
    // Signed by a key the policy does not trust, or not signed: refused.
    let r = l.rejects(
        &[
            "--sign",
            other.to_str().unwrap(),
            "record-budget",
            "cold-load-p95",
            "--value",
            "6",
        ],
        "requires writes signed by a trusted key, and laptop+",
    );
    assert!(
        r.stderr.contains("trusted: ci.example.org+"),
        "{}",
        r.stderr
    );
    l.rejects(
        &["record-budget", "cold-load-p95", "--value", "7"],
        "requires signed writes: pass --sign KEYFILE",
    );
    // Another list of trusted keys judges the same entries differently.
    let trusted = l.path("trusted.txt");
    std::fs::write(
        &trusted,
        std::fs::read_to_string(l.path("other.key.pub")).unwrap(),
    )
    .unwrap();
    let r = l.run(&[
        "verify",
        "--trusted-keys",
        trusted.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(r.code, 1);
    let problems = r.json()["problems"].to_string();
    assert!(
        problems.contains("entry 3 is signed by ci.example.org+"),
        "{problems}"
    );
    assert!(
        problems.contains("which is not a trusted key"),
        "{problems}"
    );
    // A signature removed behind the ledger's back: plain verify sees it.
    l.rewrite("DELETE FROM entry_signatures WHERE entry_seq = 3");
    let r = l.run(&["verify", "--json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(
        r.json()["problems"][0],
        "entry 3 is not signed, but the policy requires signed writes"
    );
}

/// A checkpoint the tool signed, checked by a verifier written for this
/// test from the C2SP signed-note text alone (not the tool's own code):
/// key id = SHA-256(name || 0x0A || 0x01 || public key)[:4]; the signature
/// line is an em dash, a space, the name, a space and base64(key id ||
/// signature); the signature covers the text up to and including its final
/// newline.
#[test]
fn an_independent_verifier_accepts_the_tools_checkpoint() {
    use base64::Engine;
    use sha2::Digest;
    let (_l, cp, key) = published();
    let note = std::fs::read_to_string(&cp).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    // The verifier key: name+hex(id)+base64(0x01 || key).
    let mut parts = key.splitn(3, '+');
    let (name, id_hex, data) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let data = b64.decode(data).unwrap();
    assert_eq!(data[0], 1, "Ed25519");
    let public: [u8; 32] = data[1..].try_into().unwrap();
    let mut h = sha2::Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', 1]);
    h.update(public);
    let id = h.finalize()[..4].to_vec();
    assert_eq!(
        id_hex,
        id.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    // The note: text, blank line, signature lines.
    let split = note.rfind("\n\n").unwrap();
    let (text, sigs) = (&note[..split + 1], &note[split + 2..]);
    let line = sigs.lines().next().unwrap();
    let rest = line.strip_prefix("\u{2014} ").unwrap();
    let (signer, sig) = rest.split_once(' ').unwrap();
    assert_eq!(signer, name);
    let sig = b64.decode(sig).unwrap();
    assert_eq!(&sig[..4], &id[..]);
    let vk = ed25519_dalek::VerifyingKey::from_bytes(&public).unwrap();
    let signature = ed25519_dalek::Signature::from_slice(&sig[4..]).unwrap();
    vk.verify_strict(text.as_bytes(), &signature).unwrap();
    // The checkpoint body: origin, size, base64 root.
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(b64.decode(lines[2]).unwrap().len(), 32);
}

/// The origin is one line: a policy, `--origin` or a key name that would
/// let its author choose the size and root lines of a signed note is
/// refused, and a note with anything but signature lines after its blank
/// line is refused as Go's `note.Open` refuses it.
#[test]
fn a_checkpoint_origin_cannot_forge_the_signed_lines() {
    let (l, cp, key) = published();
    let seed = crate::harness::seed_policy();
    let forged = "origin = \"pi/ledger\\n99\\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"\n";
    for origin in [
        forged,
        "origin = \" pi/ledger\"\n",
        "origin = \"pi/\\u0007ledger\"\n",
    ] {
        let policy = l.path("policy.toml");
        std::fs::write(
            &policy,
            seed.replacen("platforms =", &format!("{origin}platforms ="), 1),
        )
        .unwrap();
        let r = l.rejects(
            &["init", "--policy", policy.to_str().unwrap()],
            "invalid checkpoint origin",
        );
        assert!(
            r.stderr.contains("one line of printable characters"),
            "{}",
            r.stderr
        );
    }
    let signer = l.path("ci.key");
    let signer = signer.to_str().unwrap();
    let r = l.run(&["checkpoint", "--key", signer, "--origin", "pi/ledger\n99"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    l.rejects(
        &[
            "keygen",
            "--out",
            l.path("k2").to_str().unwrap(),
            "--name",
            "a\u{1}b",
        ],
        "invalid key name",
    );
    assert!(!l.path("k2").exists());

    // Anything but a signature line after the blank line is refused, after
    // this key's line as before it.
    let note = std::fs::read_to_string(&cp).unwrap();
    for tampered in [
        format!("{note}extra unsigned line\n"),
        format!("{note}\u{2014} other.example AAAA"),
        note.replace("\n\n", "\n\nnot a signature\n"),
        note.replacen("pi/ledger\n", "pi/ledger\r\n", 1),
    ] {
        let file = l.path("tampered.txt");
        std::fs::write(&file, &tampered).unwrap();
        let r = l.run(&[
            "verify",
            "--checkpoint",
            file.to_str().unwrap(),
            "--key",
            &key,
        ]);
        assert_eq!(r.code, 2, "{tampered:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("invalid signed note"), "{}", r.stderr);
    }

    // A checkpoint of another log vouches for nothing here.
    let other = l.ok(&[
        "checkpoint",
        "--key",
        signer,
        "--origin",
        "example.org/other",
    ]);
    let file = l.path("other.txt");
    std::fs::write(&file, &other).unwrap();
    let file = file.to_str().unwrap();
    let (code, out) = against(&l, file, &key);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "the checkpoint is of the log \"example.org/other\", not of this ledger (\"pi/ledger\")"
        ),
        "{out}"
    );
    let r = l.run(&[
        "verify",
        "--checkpoint",
        file,
        "--key",
        &key,
        "--origin",
        "example.org/other",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = l.run(&["prove", "2", "--checkpoint", file]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not of this ledger"), "{}", r.stderr);
}

/// A signer key passed where a verifier key, a checkpoint or a proof is
/// expected is refused (exit 2) without a character of the secret in any
/// message, and the message says to pass the .pub verifier key.
#[test]
fn a_secret_key_is_never_printed() {
    let (l, cp, _key) = published();
    let signer_path = l.path("ci.key");
    let signer = signer_path.to_str().unwrap();
    let secret = std::fs::read_to_string(signer).unwrap();
    let secret = secret.trim();
    let data = secret.splitn(5, '+').nth(4).unwrap();
    let proof = l.path("proof.json");
    std::fs::write(&proof, l.ok(&["prove", "2", "--checkpoint", &cp])).unwrap();
    let proof = proof.to_str().unwrap();
    let runs: [&[&str]; 7] = [
        &["verify", "--checkpoint", &cp, "--key", signer],
        &["verify", "--checkpoint", &cp, "--key", secret],
        &["verify-proof", proof, "--key", signer],
        &["verify", "--trusted-keys", signer],
        &[
            "verify",
            "--checkpoint",
            signer,
            "--key",
            &format!("{signer}.pub"),
        ],
        &["prove", "2", "--checkpoint", signer],
        &["verify-proof", signer, "--key", &format!("{signer}.pub")],
    ];
    for args in runs {
        for json in [false, true] {
            let mut args = args.to_vec();
            if json {
                args.push("--json");
            }
            let r = l.run(&args);
            assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
            let all = format!("{}{}", r.stdout, r.stderr);
            assert!(!all.contains(data), "{args:?} printed the secret: {all}");
            assert!(!all.contains(&data[..12]), "{args:?}: {all}");
            assert!(
                all.contains("this is a signer (secret) key; pass the .pub verifier key"),
                "{args:?}: {all}"
            );
        }
    }
}

/// An inclusion proof checked by a few lines written from the README's
/// words alone ("Checking a proof without the ledger"): the leaf's bytes
/// are 0x00 and, for each of seq (decimal), project, kind, effective_at,
/// recorded_at and body, `<byte length in decimal>:<bytes>\n`; a node is
/// SHA-256(0x01 || left || right); the audit path is walked as RFC 9162
/// §2.1.3.2 says, up to the checkpoint's root.
#[test]
fn a_proof_checks_with_the_readmes_leaf_encoding_alone() {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let (l, cp, _key) = published();
    l.ok(&["record-gate", "fmt", "--value", "0", "--platform", "linux"]);
    let checkpoint = std::fs::read_to_string(&cp).unwrap();
    let root = base64::engine::general_purpose::STANDARD
        .decode(checkpoint.lines().nth(2).unwrap())
        .unwrap();
    for entry in 1..=4u64 {
        let proof = l.ok(&["prove", &entry.to_string(), "--checkpoint", &cp]);
        let doc: serde_json::Value = serde_json::from_str(&proof).unwrap();
        let e = &doc["entry"];
        let mut leaf = vec![0u8];
        let seq = e["seq"].as_i64().unwrap().to_string();
        for field in [
            seq.as_str(),
            e["project"].as_str().unwrap(),
            e["kind"].as_str().unwrap(),
            e["effective_at"].as_str().unwrap(),
            e["recorded_at"].as_str().unwrap(),
            e["body"].as_str().unwrap(),
        ] {
            leaf.extend_from_slice(format!("{}:", field.len()).as_bytes());
            leaf.extend_from_slice(field.as_bytes());
            leaf.push(b'\n');
        }
        let mut r: Vec<u8> = Sha256::digest(&leaf).to_vec();
        let (mut f, mut s) = (
            doc["leaf_index"].as_u64().unwrap(),
            doc["tree_size"].as_u64().unwrap() - 1,
        );
        for p in doc["audit_path"].as_array().unwrap() {
            let p: Vec<u8> = (0..64)
                .step_by(2)
                .map(|i| u8::from_str_radix(&p.as_str().unwrap()[i..i + 2], 16).unwrap())
                .collect();
            assert_ne!(s, 0, "a path longer than the tree");
            let node = |a: &[u8], b: &[u8]| Sha256::digest([&[1u8][..], a, b].concat()).to_vec();
            if f % 2 == 1 || f == s {
                r = node(&p, &r);
                if f % 2 == 0 {
                    while f % 2 == 0 && f != 0 {
                        f >>= 1;
                        s >>= 1;
                    }
                }
            } else {
                r = node(&r, &p);
            }
            f >>= 1;
            s >>= 1;
        }
        assert_eq!(s, 0, "entry {entry}: the path ends at the root");
        assert_eq!(r, root, "entry {entry}: the root is the checkpoint's");
    }
}
