//! Trust beyond the file: signing keys, signed checkpoints of the journal's
//! Merkle tree, and proofs of single entries that verify without the
//! ledger.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use super::{CommandError, Context, Output};
use crate::domain::{
    Error,
    merkle::{self, Hash},
    note::{Checkpoint, Signer, Verifier},
};
use crate::report::View;
use crate::store::{self, Store, tree};

/// Make a signing key.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the signer key (kept secret; the verifier key goes to
    /// the same path with `.pub` added).
    #[arg(long, value_name = "KEYFILE")]
    pub out: PathBuf,
    /// The key's name (default: the ledger's origin, the policy's `origin`
    /// or `<project>/ledger`).
    #[arg(long)]
    pub name: Option<String>,
}

/// The ledger's origin, from the policy in force (the built-in one when
/// there is no ledger yet).
fn origin(ctx: &Context) -> String {
    Store::open(&ctx.db)
        .ok()
        .and_then(|s| store::latest_policy(s.conn(), ctx.clock).ok())
        .map(|p| p.policy)
        .unwrap_or_else(crate::domain::policy::Policy::builtin)
        .origin()
}

pub(super) fn keygen(ctx: &Context, a: &KeygenArgs) -> Result<Output, CommandError> {
    let name = a.name.clone().unwrap_or_else(|| origin(ctx));
    let public = super::files::with_suffix(&a.out, ".pub");
    for p in [&a.out, &public] {
        super::files::check_target(&ctx.db, p, "key file")?;
        if p.exists() {
            return Err(Error::invalid(
                "key file",
                p.display(),
                "a path that does not exist yet (a key is never overwritten)",
            )
            .into());
        }
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| {
        CommandError::from(std::io::Error::other(format!(
            "no randomness for a key: {e}"
        )))
    })?;
    let signer = Signer::from_seed(&name, seed)?;
    let verifier = signer.verifier().encode();
    super::files::write_whole(
        &a.out,
        format!("{}\n", signer.encode()).as_bytes(),
        true,
        false,
    )?;
    super::files::write_whole(&public, format!("{verifier}\n").as_bytes(), false, false)?;
    Ok(Output::plain(View::message(
        json!({"name": signer.name, "verifier_key": verifier, "key_file": a.out.display().to_string(), "verifier_file": public.display().to_string()}),
        format!(
            "wrote the signer key to {} (keep it secret) and the verifier key to {}:\n{verifier}",
            a.out.display(),
            public.display()
        ),
    )))
}

fn read_text(what: &'static str, path: &Path) -> Result<String, CommandError> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::invalid(what, path.display(), format!("a readable file ({e})")).into())
}

/// The text of a file that must hold nothing secret (a verifier key, a
/// checkpoint, a proof): a signer key in it is refused without a word of
/// its content.
fn read_public(what: &'static str, path: &Path) -> Result<String, CommandError> {
    let text = read_text(what, path)?;
    if crate::domain::note::holds_secret(&text) {
        return Err(crate::domain::note::secret_given(what, path.display()).into());
    }
    Ok(text)
}

/// A signer key from a key file.
pub fn signer(path: &Path) -> Result<Signer, CommandError> {
    Ok(Signer::parse(&read_text("key file", path)?)?)
}

/// A verifier key given as the key itself or as a file holding it.
fn verifier(key: &str) -> Result<Verifier, CommandError> {
    let path = Path::new(key);
    let text = if path.exists() {
        read_public("verifier key file", path)?
    } else {
        key.to_string()
    };
    Ok(Verifier::parse(&text)?)
}

/// The verifier keys of a trusted-keys file: one per line; blank lines
/// and `#` comments skipped.
pub fn trusted_keys(path: &Path) -> Result<Vec<Verifier>, CommandError> {
    let text = read_public("trusted keys file", path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        out.push(Verifier::parse(line).map_err(|e| {
            CommandError::from(Error::invalid(
                "trusted keys file",
                format!("{}, line {}", path.display(), i + 1),
                e.to_string(),
            ))
        })?);
    }
    Ok(out)
}

/// The signed checkpoint of the ledger's tree as it stands; its origin is
/// `origin`, else the policy's in force at `now`.
pub fn sign_checkpoint(
    store: &Store,
    key: &Signer,
    origin: Option<&str>,
    now: crate::domain::Time,
) -> Result<String, CommandError> {
    let size = tree::size(store.conn())?;
    let root = tree::root(store.conn(), size)?;
    let origin = ledger_origin(store, origin, now)?;
    let cp = Checkpoint::new(origin, size, root)?;
    Ok(key.sign(&cp.text()))
}

/// The log's origin: `given`, else the one of the policy in force at `now`.
pub fn ledger_origin(
    store: &Store,
    given: Option<&str>,
    now: crate::domain::Time,
) -> Result<String, CommandError> {
    let origin = match given {
        Some(o) => o.to_string(),
        None => store::latest_policy(store.conn(), now)?.policy.origin(),
    };
    crate::domain::note::check_origin(&origin)?;
    Ok(origin)
}

/// Sign a checkpoint of the ledger.
#[derive(Debug, Args)]
pub struct CheckpointArgs {
    /// The signer key file (from `ledger keygen`).
    #[arg(long, value_name = "KEYFILE")]
    pub key: PathBuf,
    /// The log's origin line (default: the policy's `origin`, or
    /// `<project>/ledger`); one line of printable characters. `verify` and
    /// `prove` then need the same `--origin`.
    #[arg(long)]
    pub origin: Option<String>,
}

pub(super) fn checkpoint(ctx: &Context, a: &CheckpointArgs) -> Result<Output, CommandError> {
    let key = signer(&a.key)?;
    let store = Store::open(&ctx.db)?;
    let note = sign_checkpoint(&store, &key, a.origin.as_deref(), ctx.clock)?;
    Ok(Output::plain(View::raw(note)))
}

/// The checkpoint a file holds: its note, verified by `key` when given,
/// and the checkpoint read from it.
fn checkpoint_file(
    path: &Path,
    key: Option<&Verifier>,
) -> Result<(String, Checkpoint), CommandError> {
    let note = read_public("checkpoint file", path)?;
    let text = match key {
        Some(k) => k.open(&note)?,
        None => note
            .split_once("\n\n")
            .map(|(t, _)| format!("{t}\n"))
            .unwrap_or_else(|| note.clone()),
    };
    Ok((note.clone(), Checkpoint::parse(&text)?))
}

/// What the ledger says against a checkpoint taken earlier: problems, if
/// it is another log's (its origin is not `origin`) or its history is not
/// an extension of the checkpoint's.
pub fn against_checkpoint(
    store: &Store,
    cp: &Checkpoint,
    origin: &str,
) -> Result<Vec<String>, CommandError> {
    if cp.origin != origin {
        return Ok(vec![format!(
            "the checkpoint is of the log {:?}, not of this ledger ({origin:?}): it vouches for no history of this one",
            cp.origin
        )]);
    }
    let size = tree::size(store.conn())?;
    if cp.size > size {
        return Ok(vec![format!(
            "the checkpoint covers {} entries but the ledger's tree holds {size}: entries {} to {} were cut or the file was rolled back",
            cp.size,
            size + 1,
            cp.size
        )]);
    }
    let then = tree::root(store.conn(), cp.size)?;
    if then != cp.root {
        return Ok(vec![format!(
            "the ledger's first {} entries do not hash to the checkpoint's root: history before entry {} was rewritten (a full re-hash, a fork or another copy)",
            cp.size,
            cp.size + 1
        )]);
    }
    let now = tree::root(store.conn(), size)?;
    let proof = tree::consistency_proof(store.conn(), cp.size, size)?;
    if !merkle::verify_consistency(cp.size, size, &proof, &cp.root, &now) {
        return Ok(vec![format!(
            "the ledger's tree of {size} entries is not consistent with the checkpoint of {}",
            cp.size
        )]);
    }
    Ok(Vec::new())
}

/// Verify a checkpoint's signature, read without the ledger.
pub(super) fn checked_checkpoint(path: &Path, key: &str) -> Result<Checkpoint, CommandError> {
    let v = verifier(key)?;
    Ok(checkpoint_file(path, Some(&v))?.1)
}

/// Print an inclusion proof of one entry.
#[derive(Debug, Args)]
pub struct ProveArgs {
    /// The entry number.
    pub entry: i64,
    /// A checkpoint of this ledger (from `ledger checkpoint`) to prove
    /// against.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: PathBuf,
    /// The log's origin the checkpoint must name (default: the policy's).
    #[arg(long)]
    pub origin: Option<String>,
}

pub(super) fn prove(ctx: &Context, a: &ProveArgs) -> Result<Output, CommandError> {
    let (note, cp) = checkpoint_file(&a.checkpoint, None)?;
    let store = Store::open(&ctx.db)?;
    let origin = ledger_origin(&store, a.origin.as_deref(), ctx.clock)?;
    let problems = against_checkpoint(&store, &cp, &origin)?;
    if let Some(p) = problems.first() {
        return Err(Error::State(format!("this ledger does not match the checkpoint: {p}")).into());
    }
    let Some(e) = store::raw_entry(store.conn(), a.entry)? else {
        return Err(
            Error::invalid("entry", a.entry, "the number of an entry in the ledger").into(),
        );
    };
    let index = u64::try_from(e.seq - 1).unwrap_or(u64::MAX);
    if index >= cp.size {
        return Err(Error::invalid(
            "entry",
            a.entry,
            format!("an entry the checkpoint covers (1 to {})", cp.size),
        )
        .into());
    }
    let path = tree::inclusion_proof(store.conn(), index, cp.size)?;
    let proof = json!({
        "entry": {
            "seq": e.seq,
            "project": e.project,
            "kind": e.kind,
            "effective_at": e.effective_at,
            "recorded_at": e.recorded_at,
            "body": e.body,
        },
        "leaf_index": index,
        "tree_size": cp.size,
        "audit_path": path.iter().map(merkle::to_hex).collect::<Vec<_>>(),
        "checkpoint": note,
    });
    let text = serde_json::to_string_pretty(&proof).unwrap_or_default();
    Ok(Output::plain(View::raw(format!("{text}\n"))))
}

/// Check an inclusion proof without any ledger file.
#[derive(Debug, Args)]
pub struct VerifyProofArgs {
    /// The proof file (from `ledger prove`).
    pub proof: PathBuf,
    /// The log's verifier key, or a file holding it.
    #[arg(long, value_name = "VERIFIERKEY")]
    pub key: String,
}

pub(super) fn verify_proof(a: &VerifyProofArgs) -> Result<Output, CommandError> {
    let v = verifier(&a.key)?;
    let text = read_public("proof file", &a.proof)?;
    let invalid = |why: &str| -> CommandError {
        Error::invalid("proof", a.proof.display(), why.to_string()).into()
    };
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|_| invalid("the JSON `ledger prove` prints"))?;
    let note = doc["checkpoint"]
        .as_str()
        .ok_or_else(|| invalid("a checkpoint"))?;
    let cp = Checkpoint::parse(&v.open(note)?)?;
    let e = &doc["entry"];
    let field = |k: &str| e[k].as_str().ok_or_else(|| invalid(&format!("entry.{k}")));
    let seq = e["seq"].as_i64().ok_or_else(|| invalid("entry.seq"))?;
    let index = doc["leaf_index"]
        .as_u64()
        .ok_or_else(|| invalid("leaf_index"))?;
    let path: Option<Vec<Hash>> = doc["audit_path"].as_array().map(|a| {
        a.iter()
            .filter_map(|h| h.as_str().and_then(merkle::from_hex))
            .collect()
    });
    let path = path.ok_or_else(|| invalid("audit_path"))?;
    let leaf = tree::leaf(
        seq,
        field("project")?,
        field("kind")?,
        field("effective_at")?,
        field("recorded_at")?,
        field("body")?,
    );
    let ok = index == u64::try_from(seq - 1).unwrap_or(u64::MAX)
        && doc["tree_size"].as_u64() == Some(cp.size)
        && merkle::verify_inclusion(index, cp.size, &leaf, &path, &cp.root);
    let line = if ok {
        format!(
            "ok: entry {seq} ({}) is in {} at tree size {}, signed by {}",
            field("kind")?,
            cp.origin,
            cp.size,
            v.name
        )
    } else {
        format!(
            "INVALID: entry {seq} is not proven to be in {} at tree size {}",
            cp.origin, cp.size
        )
    };
    Ok(Output {
        view: View::message(
            json!({"ok": ok, "entry": seq, "origin": cp.origin, "tree_size": cp.size}),
            line,
        ),
        flagged: !ok,
        always_check: true,
        checks: Vec::new(),
        notes: Vec::new(),
    })
}
