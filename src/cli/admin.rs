//! Managing the file itself: init, the demo, the policy, verify, export,
//! backup and read-only SQL.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{CommandError, Context, Output};
use crate::domain::{
    policy::{self, Policy},
    record::{PolicyRec, ProjectRec},
    time,
};
use crate::report::{self, Block, View};
use crate::store::{self, Store};

/// Where the policy comes from.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  ledger init --template rust-cli       # write ./ledger.toml from a template and load it
  ledger init --policy ledger.toml      # load an edited policy (a new version when changed)
  ledger policy template                # the templates there are")]
pub struct InitArgs {
    /// A policy file to load (default: the built-in example, the Pi
    /// extension platform's). A changed policy becomes a new policy
    /// version; the old one is kept.
    #[arg(long, value_name = "FILE", conflicts_with = "template")]
    pub policy: Option<PathBuf>,
    /// Start from a template (minimal, rust-library, rust-cli,
    /// pi-extension-platform): write it, commented, to `ledger.toml`
    /// beside the ledger (or --policy-out) for the project named by
    /// --project (default: the ledger's folder), and load it.
    #[arg(long, value_name = "NAME")]
    pub template: Option<String>,
    /// Where --template writes the policy (never over an existing file).
    #[arg(long, value_name = "FILE", requires = "template")]
    pub policy_out: Option<PathBuf>,
}

pub(super) fn init(ctx: &Context, a: &InitArgs) -> Result<Output, CommandError> {
    if let Some(name) = &a.template {
        return init_from_template(ctx, name, a.policy_out.as_deref());
    }
    let (content, source) = match &a.policy {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CommandError::invalid(format!("cannot read policy file {}: {e}", path.display()))
            })?;
            (text, path.display().to_string())
        }
        None => {
            let yours = match &ctx.project {
                Some(p) if p != "pi" => format!(
                    "project {p} has none of its own until `ledger --project {p} init --template minimal` writes one"
                ),
                _ => "to govern a project of your own, start from a template: `ledger init --template minimal` (`ledger policy template` lists them)".into(),
            };
            ctx.note(format!(
                "the built-in example policy is the Pi extension platform's governance (project pi); {yours}"
            ));
            (policy::DEFAULT_TOML.to_string(), BUILTIN_SOURCE.to_string())
        }
    };
    load_policy(ctx, content, source)
}

/// How the built-in example policy is named where it was loaded from.
pub const BUILTIN_SOURCE: &str = "built-in (seed/policy.toml)";

/// Writes the template `name` for the project to a new file and loads it;
/// the file is taken back when loading fails.
fn init_from_template(
    ctx: &Context,
    name: &str,
    out: Option<&std::path::Path>,
) -> Result<Output, CommandError> {
    let template = policy::templates::template(name)?;
    let project = match &ctx.project {
        Some(p) => p.clone(),
        None => folder_name(ctx).unwrap_or_else(|| "my-project".into()),
    };
    let text = template.for_project(Some(&project));
    let target = match out {
        Some(path) => path.to_path_buf(),
        None => beside_ledger(ctx, "ledger.toml"),
    };
    Policy::parse(&text, &target.display().to_string())?;
    super::files::check_target(&ctx.db, &target, "policy file")?;
    if target.exists() {
        return Err(CommandError::invalid(format!(
            "{} already exists, and a template never overwrites a file; load it with `ledger init --policy {}`, or write the template elsewhere with --policy-out FILE",
            target.display(),
            target.display()
        )));
    }
    super::files::write_whole(&target, text.as_bytes(), false, false)?;
    let loaded = load_policy(ctx, text, target.display().to_string());
    if loaded.is_err() {
        let _ = std::fs::remove_file(&target);
    }
    let mut out = loaded?;
    out.notes.push(format!(
        "wrote the {name} template for project {project} to {}; edit it, then load the new version with `ledger init --policy {}`",
        target.display(),
        target.display()
    ));
    Ok(out)
}

/// `file` in the folder holding the ledger (the current folder for a
/// server's ledger).
fn beside_ledger(ctx: &Context, file: &str) -> PathBuf {
    match ctx.db.path().and_then(|p| p.parent()) {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(file),
        _ => PathBuf::from(file),
    }
}

/// The name of the folder the ledger is in, when it is a valid project
/// name: what a template names the project by default.
fn folder_name(ctx: &Context) -> Option<String> {
    let file = beside_ledger(ctx, "x");
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = std::fs::canonicalize(dir).ok()?;
    let name = dir.file_name()?.to_str()?.to_string();
    crate::domain::text::name("project", &name).ok()
}

/// Loads `content` as the policy of the project it names: a new version
/// when it differs from the project's policy in force.
fn load_policy(ctx: &Context, content: String, source: String) -> Result<Output, CommandError> {
    let parsed = Policy::parse(&content, &source)?;
    let digest = format!("{:x}", Sha256::digest(content.as_bytes()));
    let mut store = Store::create(&ctx.db, ctx.lock_wait)?;
    let now = ctx.clock;
    let (version, changed, added) = store.write(|tx| {
        // A policy in force that requires signed writes judges this one:
        // the project's own, else the one loaded last.
        if let Ok(p) = store::project_policy(tx, &parsed.project, now) {
            p.policy.accepts_writer(ctx.writer_key().as_ref())?;
        }
        // Each project has its own versions: this one is compared with,
        // and numbered after, the project's.
        let current = store::own_policy(tx, &parsed.project, now)?;
        let mut added = Vec::new();
        let known = store::projects(tx)?;
        let mut wanted = vec![parsed.project.clone()];
        if let Some(p) = &ctx.project {
            wanted.push(p.clone());
        }
        for name in wanted {
            if !known.contains(&name) && !added.contains(&name) {
                let rec = ProjectRec { name: name.clone() };
                store::append_signed(tx, ctx.signer.as_ref(), &name, now, now, &rec)?;
                added.push(name);
            }
        }
        match current {
            Some(p) if p.entry.rec.digest == digest => Ok((p.version, false, added)),
            current => {
                let rec = PolicyRec {
                    digest: digest.clone(),
                    source: source.clone(),
                    content: content.clone(),
                };
                store::append_signed(tx, ctx.signer.as_ref(), &parsed.project, now, now, &rec)?;
                Ok((current.map_or(1, |p| p.version + 1), true, added))
            }
        }
    })?;
    let mut line = format!(
        "ledger {} is ready; policy version {version} {} ({source})",
        ctx.db,
        if changed { "loaded" } else { "unchanged" }
    );
    if !added.is_empty() {
        line.push_str(&format!("; registered project {}", added.join(", ")));
    }
    let json = json!({
        "db": ctx.db.to_string(),
        "policy_version": version,
        "policy_changed": changed,
        "policy_digest": digest,
        "projects_added": added,
    });
    Ok(Output::plain(View::message(json, line)))
}

/// What `ledger policy` shows or does: the policy in force, by default.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub action: Option<PolicyAction>,
}

/// The policy's other commands.
#[derive(Debug, clap::Subcommand)]
pub enum PolicyAction {
    /// Print a policy to start from, for the project --project names
    /// (without a name: the templates there are).
    #[command(after_help = "Examples:
  ledger policy template                       # list them
  ledger --project ripgrep policy template rust-cli > ledger.toml")]
    Template {
        /// minimal, rust-library, rust-cli or pi-extension-platform.
        name: Option<String>,
    },
    /// Check a policy file without loading it: a problem is named with its
    /// line, column and field (exit 2), a valid file with what it governs.
    Check {
        /// The policy file.
        file: PathBuf,
    },
    /// Print the JSON Schema of a policy file, for editors (Taplo, Even
    /// Better TOML) to validate and complete it.
    #[command(after_help = "Example:
  ledger policy schema > ledger.schema.json
  # then make `#:schema ./ledger.schema.json` the first line of ledger.toml")]
    Schema,
}

impl PolicyArgs {
    /// Whether it prints a template's text.
    pub fn prints_text(&self) -> bool {
        matches!(
            self.action,
            Some(PolicyAction::Template { name: Some(_) } | PolicyAction::Schema)
        )
    }
}

pub(super) fn policy_command(ctx: &Context, a: &PolicyArgs) -> Result<Output, CommandError> {
    match &a.action {
        None => policy(ctx),
        Some(PolicyAction::Template { name: None }) => Ok(Output::plain(report::templates(
            policy::templates::TEMPLATES,
            ctx.wants(),
        ))),
        Some(PolicyAction::Template { name: Some(name) }) => {
            let t = policy::templates::template(name)?;
            Ok(Output::plain(View::raw(
                t.for_project(ctx.project.as_deref()),
            )))
        }
        Some(PolicyAction::Check { file }) => check_policy(file),
        Some(PolicyAction::Schema) => {
            let text = serde_json::to_string_pretty(&Policy::schema())
                .map_err(|e| CommandError::invalid(e.to_string()))?;
            Ok(Output::plain(View::raw(text + "\n")))
        }
    }
}

/// Validates a policy file without touching any ledger.
fn check_policy(file: &std::path::Path) -> Result<Output, CommandError> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        CommandError::invalid(format!("cannot read policy file {}: {e}", file.display()))
    })?;
    let p = Policy::parse(&text, &file.display().to_string())?;
    let sections = policy::Section::ALL;
    let (governed, left_out): (Vec<_>, Vec<_>) = sections.iter().partition(|s| p.governs(**s));
    let keys =
        |list: &[&policy::Section]| -> Vec<&'static str> { list.iter().map(|s| s.key()).collect() };
    let line = format!(
        "{}: a valid policy for project {}; governs {}{}",
        file.display(),
        p.project,
        if governed.is_empty() {
            "releases only".to_string()
        } else {
            format!("releases, {}", keys(&governed).join(", "))
        },
        if left_out.is_empty() {
            String::new()
        } else {
            format!("; leaves out {}", keys(&left_out).join(", "))
        }
    );
    let json = json!({
        "file": file.display().to_string(),
        "valid": true,
        "project": p.project,
        "governs": keys(&governed),
        "leaves_out": keys(&left_out),
    });
    Ok(Output::plain(View::message(json, line)))
}

pub(super) fn policy(ctx: &Context) -> Result<Output, CommandError> {
    ctx.no_csv("the policy")?;
    let store = Store::open(&ctx.db)?;
    let project = ctx.project(&store)?;
    let p = store::project_policy(store.conn(), &project, ctx.seen())?;
    Ok(Output::plain(report::policy(
        &p.policy,
        p.version as i64,
        &time::format(p.entry.at),
        &p.entry.rec.source,
    )))
}

/// What to verify against.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A head printed by an earlier verify: it must still be in the chain,
    /// which also catches entries cut from the end since then.
    #[arg(long, value_name = "HASH")]
    pub head: Option<String>,
    /// A checkpoint published earlier (from `ledger checkpoint`): the
    /// ledger's history must extend it (catches a cut tail, a rollback, a
    /// full re-hash or a fork).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub checkpoint: Option<PathBuf>,
    /// The verifier key of the checkpoint's signer, or a file holding it.
    #[arg(long, value_name = "VERIFIERKEY", requires = "checkpoint")]
    pub key: Option<String>,
    /// The log's origin the checkpoint must name (default: the policy's
    /// `origin`, or `<project>/ledger`).
    #[arg(long, requires = "checkpoint")]
    pub origin: Option<String>,
    /// The writers' verifier keys, one per line: report entries signed by
    /// any other key, and unsigned entries once the policy requires signed
    /// writes.
    #[arg(long, value_name = "FILE")]
    pub trusted_keys: Option<PathBuf>,
}

pub(super) fn verify(ctx: &Context, a: &VerifyArgs) -> Result<Output, CommandError> {
    if let Some(h) = &a.head
        && !(h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(crate::domain::Error::invalid(
            "head",
            h,
            "a 64-digit SHA-256 hex hash printed by verify",
        )
        .into());
    }
    // The checkpoint is input: a bad signature is refused before reading.
    let checkpoint = match (&a.checkpoint, &a.key) {
        (Some(path), Some(key)) => Some(super::trust::checked_checkpoint(path, key)?),
        _ => None,
    };
    let trusted = a
        .trusted_keys
        .as_deref()
        .map(super::trust::trusted_keys)
        .transpose()?;
    let store = Store::open(&ctx.db)?;
    let mut r = store::verify_with(store.conn(), a.head.as_deref(), trusted.as_deref())?;
    if let Some(cp) = &checkpoint {
        let origin = super::trust::ledger_origin(&store, a.origin.as_deref(), ctx.clock)?;
        r.problems
            .extend(super::trust::against_checkpoint(&store, cp, &origin)?);
        r.ok = r.problems.is_empty();
    }
    // An entry recorded in the future of this machine's clock refuses
    // every honest write after it. Recording times never go backwards
    // along an honest chain, so the last entry tells whether any is (a
    // tampered chain is reported above anyway); only then are they counted.
    let horizon = time::format(ctx.real_clock + ctx.clock_allowance);
    let future = match store.last_recorded()? {
        Some(last) if last > horizon => store.recorded_after(&horizon)?,
        _ => None,
    };
    if let Some((first, n, latest)) = future {
        r.problems.push(format!(
            "{n} entries from entry {first} on are recorded in the future (the latest at {latest}; this machine's clock reads {}): a writer's clock was wrong, and no honest write can follow them; `ledger copy --to NEW --rebase-future` makes a copy that records them now",
            time::format(ctx.real_clock)
        ));
        r.ok = false;
    }
    let view = report::verify(&r);
    Ok(Output {
        view,
        flagged: !r.ok,
        always_check: true,
        checks: crate::domain::finding::integrity(r.entries, &r.problems),
        notes: Vec::new(),
    })
}

/// Streams every entry to `out` as JSON Lines, whatever the format: one
/// entry per line, in order, never the whole journal in memory. A reader
/// that goes away (`ledger export | head`) ends it quietly.
/// (Other formats are refused before it runs: see `native_output`.)
pub(super) fn export(ctx: &Context, out: &mut dyn Write) -> Result<Output, CommandError> {
    let store = Store::open(&ctx.db)?;
    let mut out = std::io::BufWriter::new(out);
    let mut failed: Option<std::io::Error> = None;
    let walked = store.for_each_entry(|e| {
        let written = serde_json::to_writer(&mut out, e)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"));
        written.map_err(|e| {
            failed = Some(e);
            store::StoreError::Interrupted
        })
    });
    let failed = failed.or_else(|| out.flush().err());
    match (walked, failed) {
        (_, Some(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        (_, Some(e)) => return Err(e.into()),
        (Err(e), None) => return Err(e.into()),
        (Ok(()), None) => {}
    }
    Ok(Output::plain(View::raw(String::new())))
}

/// Where to write the copy.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The new file (must not exist).
    pub path: PathBuf,
}

pub(super) fn backup(ctx: &Context, a: &BackupArgs) -> Result<Output, CommandError> {
    let store = Store::open(&ctx.db)?;
    super::files::new_ledger_file(&ctx.db, &a.path, "backup target", |partial| {
        let path = partial.path().unwrap_or(&a.path);
        Ok(store.backup(path)?)
    })?;
    let copy = Store::open(&a.path)?;
    let r = store::verify(copy.conn(), None)?;
    let line = format!(
        "backed up {} entries to {} (head {}{})",
        r.entries,
        a.path.display(),
        &r.head[..12],
        if r.ok {
            ""
        } else {
            "; the copy does not verify"
        }
    );
    let json = json!({"path": a.path.display().to_string(), "entries": r.entries, "head": r.head, "ok": r.ok});
    Ok(Output::plain(View::message(json, line)))
}

/// Where to copy the ledger.
#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The target: a new SQLite file, or an empty PostgreSQL database
    /// (postgres://user[:password]@host[:port]/dbname).
    #[arg(long, value_name = "PATH_OR_URL")]
    pub to: std::ffi::OsString,
    /// The way out of a ledger that a wrong clock stamped in the future:
    /// the copy records every entry from the first one recorded after this
    /// machine's clock at this machine's clock instead, keeping effective
    /// times and bodies, and links them anew (signed again with --sign,
    /// else unsigned). What changed is printed.
    #[arg(long)]
    pub rebase_future: bool,
}

pub(super) fn copy(ctx: &Context, a: &CopyArgs) -> Result<Output, CommandError> {
    let target = store::Location::from_arg(&a.to)?;
    let from = Store::open(&ctx.db)?;
    let now = time::format(ctx.real_clock);
    let rebase = a.rebase_future.then(|| store::Rebase {
        after: now.clone(),
        at: now.clone(),
        signer: ctx.signer.clone(),
    });
    let copied = match target.path() {
        Some(path) => super::files::new_ledger_file(&ctx.db, path, "copy target", |partial| {
            Ok(from.copy_rebased(partial, rebase.as_ref())?)
        })?,
        None => from.copy_rebased(&target, rebase.as_ref())?,
    };
    let r = store::verify(Store::open(&target)?.conn(), None)?;
    let mut line = format!(
        "copied {} entries to {target} (head {}{})",
        copied.entries,
        r.head.get(..12).unwrap_or(&r.head),
        if r.ok {
            "; it verifies"
        } else {
            "; the copy does not verify"
        }
    );
    match copied.first_rebased {
        Some(first) => line.push_str(&format!(
            "\nre-recorded {} entries from entry {first} on at {now}, which had been recorded in the future; their effective times and bodies are unchanged, their links and hashes are new{}",
            copied.rebased,
            if copied.unsigned > 0 {
                format!(
                    "; {} signatures were dropped (pass --sign KEYFILE to sign them again)",
                    copied.unsigned
                )
            } else {
                String::new()
            }
        )),
        None if a.rebase_future => {
            line.push_str(&format!("\nno entry was recorded after {now}: nothing re-recorded"))
        }
        None => {}
    }
    let json = json!({
        "to": target.to_string(),
        "entries": copied.entries,
        "head": r.head,
        "ok": r.ok,
        "rebased": copied.rebased,
        "first_rebased": copied.first_rebased,
        "signatures_dropped": copied.unsigned,
    });
    Ok(Output::plain(View::message(json, line)))
}

/// The query.
#[derive(Debug, Args)]
pub struct SqlArgs {
    /// A read-only SQL statement (SELECT, WITH, read-only PRAGMA).
    pub query: String,
    /// Stop a query that runs longer than this many seconds (at most 300).
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub timeout: f64,
    /// Refuse a query that returns more rows than this.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub max_rows: usize,
    /// Stop a query that needs more memory than this many MB.
    #[arg(long, value_name = "MB", default_value_t = 512)]
    pub max_memory: u64,
}

pub(super) fn sql(ctx: &Context, a: &SqlArgs) -> Result<Output, CommandError> {
    if !(a.timeout.is_finite() && a.timeout > 0.0 && a.timeout <= store::MAX_QUERY_SECONDS) {
        return Err(crate::domain::Error::invalid(
            "--timeout",
            a.timeout,
            format!(
                "a number of seconds above 0, at most {} (a query is a question, not a job)",
                store::MAX_QUERY_SECONDS
            ),
        )
        .into());
    }
    if a.max_memory == 0 {
        return Err(crate::domain::Error::invalid("--max-memory", 0, "at least 1 MB").into());
    }
    let limits = store::QueryLimits {
        timeout: std::time::Duration::from_secs_f64(a.timeout),
        max_rows: a.max_rows,
        max_memory_mb: a.max_memory,
    };
    let store = Store::open_read_only(&ctx.db)?;
    let (columns, rows) = store.query(&a.query, limits)?;
    Ok(Output::plain(report::query_rows(columns, &rows)))
}

/// The demo's sample history, embedded so the binary runs anywhere.
const DEMO_HISTORY: &str = include_str!("../../seed/demo/history.ledger");

/// The artifact files the demo history imports.
const DEMO_FILES: &[(&str, &str)] = &[
    (
        "seed/demo/CHANGELOG.md",
        include_str!("../../seed/demo/CHANGELOG.md"),
    ),
    (
        "seed/demo/budget_summary.json",
        include_str!("../../seed/demo/budget_summary.json"),
    ),
    (
        "seed/demo/conformance_summary.json",
        include_str!("../../seed/demo/conformance_summary.json"),
    ),
    (
        "seed/demo/conformance_summary_august.json",
        include_str!("../../seed/demo/conformance_summary_august.json"),
    ),
    (
        "seed/demo/inclusion_list.json",
        include_str!("../../seed/demo/inclusion_list.json"),
    ),
];

/// The demo's clock: the end of the sample story.
pub const DEMO_NOW: &str = "2026-11-20T12:00:00Z";

/// The demo's "explore it" lines: commands to try at the story's clock.
fn explore(clock: crate::domain::Time, db_arg: &str) -> Vec<Block> {
    let explore = [
        "drift",
        "deprecations",
        "incidents --open",
        "readiness 1.0",
        "check-release 1.3.0",
        "readiness --as-of 2026-09-15 --include-late",
        "extensions --violations",
        "delivery",
        "waivers",
        "verify",
        "report --out report.html",
        "check-release 1.3.0 --format sarif",
    ];
    let mut blocks = vec![Block::Heading(
        "Explore it (the story's clock, so answers match this screen)".into(),
    )];
    blocks.push(Block::Line(format!(
        "  export LEDGER_NOW={}",
        time::format(clock)
    )));
    for cmd in explore {
        blocks.push(Block::Line(format!("  ledger{db_arg} {cmd}")));
    }
    blocks
}

pub(super) fn demo(ctx: &Context, err: &mut dyn Write) -> Result<Output, CommandError> {
    let db = ctx.db.clone();
    if Store::exists(&db) {
        match Store::open(&db) {
            Ok(s) if s.is_demo() => s.remove_demo()?,
            _ => {
                return Err(CommandError::invalid(format!(
                    "{db} already exists and holds entries the demo did not write; pass --db with a new path or an empty database (the demo never replaces a real ledger)"
                )));
            }
        }
    }
    // The story is written at its own clock whatever LEDGER_NOW says: its
    // entries have fixed dates (a clock before them would refuse them as
    // future, one after its waivers' expiry would refuse those).
    let clock = time::parse(DEMO_NOW)?;
    let demo_ctx = Context {
        clock,
        as_of: None,
        include_late: false,
        signer: None,
        check: false,
        embedded: DEMO_FILES,
        ..ctx.clone()
    };
    super::dispatch(
        &demo_ctx,
        &super::Command::Init(InitArgs {
            policy: None,
            template: None,
            policy_out: None,
        }),
        &mut Vec::new(),
    )?;
    if let Err(e) = write_demo_history(&demo_ctx) {
        // Nothing half-built is left behind: this run made the ledger.
        if let Ok(store) = Store::open(&db) {
            let _ = store.mark_demo().and_then(|()| store.remove_demo());
        }
        return Err(e);
    }
    let store = Store::open(&db)?;
    store.mark_demo()?;
    let project = demo_ctx.project(&store)?;
    let mut out = super::query::dashboard(ctx, &store, &project, clock.into(), false, ctx.wants())?;
    out.flagged = false;
    let db_arg = if db == store::Location::Sqlite("ledger.db".into()) {
        String::new()
    } else if db.path().is_some() {
        format!(" --db {db}")
    } else {
        format!(" --db '{db}'")
    };
    let _ = writeln!(
        err,
        "built a demo ledger in {} from seed/demo ({} entries); the clock is the story's end, {}.",
        db,
        store::verify(store.conn(), None)?.entries,
        time::format(clock)
    );
    out.view.blocks.extend(explore(clock, &db_arg));
    Ok(out)
}

/// Writes the demo's story, line by line, at the story's clock (`ctx`).
fn write_demo_history(ctx: &Context) -> Result<(), CommandError> {
    let mut sink = Vec::new();
    let mut incident = String::new();
    for (n, line) in DEMO_HISTORY.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.replace("$INCIDENT", &incident);
        let words = shlex::split(&line).ok_or_else(|| {
            CommandError::invalid(format!("demo history line {}: unbalanced quotes", n + 1))
        })?;
        let mut args = vec!["ledger".to_string()];
        args.extend(words);
        let cli = <super::Cli as clap::Parser>::try_parse_from(&args)
            .map_err(|e| CommandError::invalid(format!("demo history line {}: {e}", n + 1)))?;
        let output = super::dispatch(ctx, &cli.command, &mut sink).map_err(|e| {
            CommandError::invalid(format!("demo history line {}: {}", n + 1, e.message))
        })?;
        if let Some(id) = output.view.json.get("id") {
            incident = id.to_string();
        }
    }
    Ok(())
}
