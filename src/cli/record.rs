//! The commands that record: each validates everything against the ledger
//! and the policy in force inside one write transaction, then appends one
//! entry. A rejected command writes nothing.

use std::io::Write;

use clap::{ArgGroup, Args};
use serde_json::json;

use super::{CommandError, Context, Output};
use crate::domain::{
    self, Error, Time,
    deprecation::DeprecationKind,
    extension,
    gate::{self, Outcome},
    incident::{IncidentKind, Severity},
    record::*,
    release::{self, ReleaseStatus},
    rule::Code,
    time, waiver,
};
use crate::report::View;
use crate::store::{self, Question, Reader, Store};

/// Appends one entry built by `build`, all in one transaction; returns the
/// entry number and the body.
///
/// `build` gets a question about the project now: its frame (the policy
/// in force, the waivers), the inputs a write judges (the few rows the new
/// entry can collide with, a version, an item, an id, read through their
/// indexes) and a reader for its own lookups: a write costs the same on a
/// short and a long history.
pub(super) fn record_one<R: Record>(
    ctx: &Context,
    at: Time,
    mut build: impl FnMut(&Question<'_>) -> store::Result<R>,
) -> Result<(i64, R), CommandError> {
    let mut store = ctx.writer()?;
    let project = ctx.project(&store)?;
    let result = store.write(|tx| {
        let q = store::question(tx, &project, ctx.clock)?;
        q.frame().policy.accepts_writer(ctx.writer_key().as_ref())?;
        let rec = build(&q)?;
        let seq = store::append_signed(tx, ctx.signer.as_ref(), &project, at, ctx.clock, &rec)?;
        Ok((seq, rec))
    })?;
    Ok(result)
}

/// The confirmation of a recorded entry.
/// Its JSON: `entry`, `entry_kind` (the journal kind) and `effective_at`,
/// beside the record's own fields under their own names (an incident's
/// `kind` is the incident kind).
fn recorded<R: Record>(seq: i64, at: Time, rec: &R, line: String) -> Output {
    let mut json =
        json!({"entry": seq, "entry_kind": R::KIND.as_str(), "effective_at": time::format(at)});
    if let (Some(o), Ok(serde_json::Value::Object(body))) =
        (json.as_object_mut(), serde_json::to_value(rec))
    {
        o.extend(body);
    }
    Output::plain(View::message(json, line))
}

/// A release recorded (and not retracted) in the ledger, or an error that
/// says how to record it.
fn require_release(reader: &Reader<'_>, version: &semver::Version) -> store::Result<()> {
    let found: Vec<Stamped<ReleaseRec>> = reader.find(&[("version", &version.to_string())])?;
    if found.is_empty() {
        return Err(Error::State(format!(
            "release {version} is not recorded; record it first with `ledger record-release {version}`"
        ))
        .into());
    }
    Ok(())
}

/// A commit id: 7 to 40 hex digits.
fn commit(text: &Option<String>) -> Result<Option<String>, Error> {
    match text {
        None => Ok(None),
        Some(c) if (7..=40).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(Some(c.to_ascii_lowercase()))
        }
        Some(c) => Err(Error::invalid("commit", c, "7 to 40 hexadecimal digits")),
    }
}

/// Record a release.
#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// SemVer version; a leading `v` is accepted.
    pub version: String,
    /// Release date (default: now).
    #[arg(long, value_name = "TIME")]
    pub date: Option<String>,
    /// The commit the release was cut from.
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// released, tag-only, draft or unpublished.
    #[arg(long, default_value = "released")]
    pub status: String,
    /// The release breaks compatibility.
    #[arg(long)]
    pub breaking: bool,
    /// Free-form notes.
    #[arg(long)]
    pub notes: Option<String>,
    /// When the newest change it ships was committed (for the lead time
    /// of `ledger delivery`); not after the release date.
    #[arg(long, value_name = "TIME")]
    pub commit_date: Option<String>,
    /// The recorded, older release whose failure this one fixes (for the
    /// change failure rate of `ledger delivery`).
    #[arg(long, value_name = "VERSION")]
    pub fixes: Option<String>,
    /// Sign a checkpoint of the ledger with this key once the release is
    /// recorded, and print it (for the release notes or the tag).
    #[arg(long, value_name = "KEYFILE")]
    pub checkpoint_key: Option<std::path::PathBuf>,
    /// The release's tag, when it is not the policy's prefix and the
    /// version (`tokio-1.41.0`).
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
}

/// A release's links (when its newest change was committed, which
/// release it fixes), checked against it: committed by its date, fixing
/// an older release.
fn links(
    a: &ReleaseArgs,
    version: &semver::Version,
    at: Time,
) -> Result<(Option<Time>, Option<semver::Version>), CommandError> {
    let committed_at = a.commit_date.as_deref().map(time::parse).transpose()?;
    if let Some(c) = committed_at.filter(|c| *c > at) {
        return Err(Error::invalid(
            "commit date",
            time::format(c),
            format!(
                "a time at or before the release date ({}): a release ships only what was committed before it",
                time::format(at)
            ),
        )
        .into());
    }
    let fixes = a.fixes.as_deref().map(release::parse_version).transpose()?;
    if let Some(f) = fixes.as_ref().filter(|f| *f >= version) {
        return Err(Error::invalid(
            "fixed release",
            f,
            format!("a release older than {version}, the one that fixes it"),
        )
        .into());
    }
    Ok((committed_at, fixes))
}

pub(super) fn release(ctx: &Context, a: &ReleaseArgs) -> Result<Output, CommandError> {
    // A key that cannot sign refuses the release before anything is written.
    let signer = a
        .checkpoint_key
        .as_deref()
        .map(super::trust::signer)
        .transpose()?;
    let version = release::parse_version(&a.version)?;
    let status: ReleaseStatus = a.status.parse()?;
    let at = ctx.effective(a.date.as_deref())?;
    let commit_sha = commit(&a.commit)?;
    let notes = domain::text::optional_text("notes", a.notes.as_deref())?;
    let tag = a
        .tag
        .as_deref()
        .map(|t| domain::text::name("tag", t))
        .transpose()?;
    let (committed_at, fixes) = links(a, &version, at)?;
    let (seq, rec) = record_one(ctx, at, |q| {
        let reader = q.reader();
        let same: Vec<Stamped<ReleaseRec>> = reader.find(&[("version", &version.to_string())])?;
        if !same.is_empty() {
            return Err(Error::Duplicate {
                what: "release",
                value: version.to_string(),
            }
            .into());
        }
        if let Some(f) = &fixes {
            require_release(reader, f)?;
        }
        Ok(ReleaseRec {
            version: version.to_string(),
            date: time::format(at),
            commit_sha: commit_sha.clone(),
            status,
            breaking: a.breaking,
            notes: notes.clone(),
            committed_at: committed_at.map(time::format),
            fixes: fixes.as_ref().map(ToString::to_string),
            tag: tag.clone(),
        })
    })?;
    let channel = release::Channel::of(&version);
    let mut out = recorded(
        seq,
        at,
        &rec,
        format!(
            "recorded release {version} ({}, {status}) as entry {seq}",
            channel.as_str()
        ),
    );
    if let Some(key) = signer {
        let store = Store::open(&ctx.db)?;
        let note = super::trust::sign_checkpoint(&store, &key, None, ctx.clock)?;
        if let Some(o) = out.view.json.as_object_mut() {
            o.insert("checkpoint".into(), note.clone().into());
        }
        out.view.blocks.push(crate::report::Block::Line(format!(
            "checkpoint:\n{}",
            note.trim_end()
        )));
    }
    Ok(out)
}

/// Record a gate result: a verdict, or a value judged against the threshold.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("outcome").required(true).args(["value", "pass", "fail"])))]
pub struct GateArgs {
    /// Gate id (see `ledger policy`).
    pub gate: String,
    /// A measured value, judged against the gate's threshold.
    #[arg(long, allow_negative_numbers = true)]
    pub value: Option<f64>,
    /// The gate passed.
    #[arg(long)]
    pub pass: bool,
    /// The gate failed.
    #[arg(long)]
    pub fail: bool,
    /// linux, macos or windows (required for per-platform gates).
    #[arg(long)]
    pub platform: Option<String>,
    /// The commit the result is for.
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// The release the result is for.
    #[arg(long, value_name = "VERSION")]
    pub release: Option<String>,
    /// When the gate ran (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub(super) fn gate(ctx: &Context, a: &GateArgs) -> Result<Output, CommandError> {
    let at = ctx.effective(a.at.as_deref())?;
    let commit_sha = commit(&a.commit)?;
    let release = a
        .release
        .as_deref()
        .map(release::parse_version)
        .transpose()?;
    let outcome = match a.value {
        Some(v) => Outcome::Value(v),
        None => Outcome::Verdict(a.pass),
    };
    let (seq, rec) = record_one(ctx, at, |q| {
        let reader = q.reader();
        // Judged by the policy in force when the gate ran. A policy loaded
        // later takes effect at its load time, so it can never be in force
        // at `at`.
        let policy = reader.policy_at(at)?.policy;
        Ok(gate::result(
            &policy,
            &a.gate,
            outcome,
            a.platform.as_deref(),
            commit_sha.clone(),
            release.as_ref(),
            None,
        )?)
    })?;
    let verdict = if rec.passed { "passed" } else { "failed" };
    let on = rec
        .platform
        .as_deref()
        .map(|p| format!(" on {p}"))
        .unwrap_or_default();
    Ok(recorded(
        seq,
        at,
        &rec,
        format!("recorded {}{on}: {verdict} (entry {seq})", rec.gate),
    ))
}

/// Record a budget measurement.
#[derive(Debug, Args)]
pub struct BudgetArgs {
    /// Budget id (see `ledger budgets`).
    pub budget: String,
    /// The measured value, in the budget's unit.
    #[arg(long, allow_negative_numbers = true)]
    pub value: f64,
    /// When it was measured (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The commit measured.
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
}

pub(super) fn budget(ctx: &Context, a: &BudgetArgs) -> Result<Output, CommandError> {
    let at = ctx.effective(a.at.as_deref())?;
    let commit_sha = commit(&a.commit)?;
    let value = domain::budget::measured(a.value)?;
    let mut unit = String::new();
    let (seq, rec) = record_one(ctx, at, |q| {
        let b = q
            .budget_definitions()?
            .require(&q.frame().policy, &a.budget)?;
        unit = b.unit;
        Ok(MeasurementRec {
            budget: b.id,
            value,
            commit_sha: commit_sha.clone(),
            source: None,
        })
    })?;
    let line = format!(
        "recorded {} = {} {unit} (entry {seq})",
        rec.budget,
        crate::report::number(rec.value)
    );
    Ok(recorded(seq, at, &rec, line))
}

/// Record a deprecation.
#[derive(Debug, Args)]
pub struct DeprecateArgs {
    /// What is deprecated (an API name, a flag, …).
    #[arg(allow_hyphen_values = true)]
    pub item: String,
    /// api, extension-api, cli-flag or capability-policy.
    #[arg(long)]
    pub kind: String,
    /// The version that first ships the deprecation warning.
    #[arg(long = "in", value_name = "VERSION")]
    pub version: String,
    /// What to use instead.
    #[arg(long, allow_hyphen_values = true)]
    pub replacement: Option<String>,
    /// Free-form note.
    #[arg(long)]
    pub note: Option<String>,
    /// Kept on purpose, and why (a flag kept as a hidden alias): listed as
    /// kept, never overdue, and no release is asked to remove it.
    #[arg(long, value_name = "WHY")]
    pub keep: Option<String>,
    /// When it happened (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub(super) fn deprecate(ctx: &Context, a: &DeprecateArgs) -> Result<Output, CommandError> {
    let item = domain::text::name("item", &a.item)?;
    let replacement = domain::text::optional_text("replacement", a.replacement.as_deref())?;
    let note = domain::text::optional_text("note", a.note.as_deref())?;
    let kept = domain::text::optional_text("reason it is kept", a.keep.as_deref())?;
    let kind: DeprecationKind = a.kind.parse()?;
    let version = release::parse_version(&a.version)?;
    let at = ctx.effective(a.at.as_deref())?;
    let (seq, rec) = record_one(ctx, at, |q| {
        let reader = q.reader();
        let rules = &q.frame().policy.deprecations;
        // An item kept on purpose needs no window; any other does.
        if kept.is_none() && !rules.kept.contains(&kind) {
            domain::deprecation::governed_window(rules, kind, &version)?;
        }
        let same: Vec<Stamped<DeprecationRec>> = reader.find(&[("item", &item)])?;
        if !same.is_empty() {
            return Err(Error::Duplicate {
                what: "deprecation of",
                value: item.clone(),
            }
            .into());
        }
        Ok(DeprecationRec {
            item: item.clone(),
            kind,
            version: version.to_string(),
            replacement: replacement.clone(),
            note: note.clone(),
            kept: kept.clone(),
        })
    })?;
    Ok(recorded(
        seq,
        at,
        &rec,
        format!(
            "recorded deprecation of {item} ({kind}) in {version}{} as entry {seq}",
            if rec.kept.is_some() {
                ", kept on purpose"
            } else {
                ""
            }
        ),
    ))
}

/// Record the removal of a deprecated item.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The deprecated item.
    #[arg(allow_hyphen_values = true)]
    pub item: String,
    /// The version it is removed in.
    #[arg(long = "in", value_name = "VERSION")]
    pub version: String,
    /// When it happened (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub(super) fn remove(
    ctx: &Context,
    a: &RemoveArgs,
    err: &mut dyn Write,
) -> Result<Output, CommandError> {
    let version = release::parse_version(&a.version)?;
    let at = ctx.effective(a.at.as_deref())?;
    let mut premature = None;
    let (seq, rec) = record_one(ctx, at, |q| {
        let reader = q.reader();
        let key: [store::Key<'_>; 1] = [("item", &a.item)];
        let deprecations: Vec<Stamped<DeprecationRec>> = reader.find(&key)?;
        let Some(dep) = deprecations.first() else {
            // Only a failed lookup reads every item, to name them.
            let all: Vec<Stamped<DeprecationRec>> = reader.all()?;
            return Err(Error::unknown(
                "deprecated item",
                &a.item,
                all.into_iter().map(|d| d.rec.item),
            )
            .into());
        };
        let removals: Vec<Stamped<RemovalRec>> = reader.find(&key)?;
        let (rec, judged) = domain::deprecation::removal(
            &q.frame().policy.deprecations,
            &dep.rec,
            !removals.is_empty(),
            &version,
            &q.frame().shipped(&reader.release_versions()?),
        )?;
        premature = judged;
        Ok(rec)
    })?;
    if let Some(p) = premature {
        let _ = writeln!(
            err,
            "warning: removing {} in {version} is premature: its window is {} minor line(s){}",
            rec.item,
            p.window,
            if p.needs_major {
                " and a new major"
            } else {
                ""
            }
        );
    }
    Ok(recorded(
        seq,
        at,
        &rec,
        format!(
            "recorded removal of {} in {version} as entry {seq}",
            rec.item
        ),
    ))
}

/// Add an extension: refused unless its license is permissive, its
/// provenance pinnable, its doctor verdict pass and it needs no patch.
#[derive(Debug, Args)]
pub struct AddExtensionArgs {
    /// Extension id.
    pub id: String,
    /// official, community, npm, third-party or agent.
    #[arg(long)]
    pub tier: String,
    /// SPDX license expression.
    #[arg(long)]
    pub license: String,
    /// git:<repo>@<40-hex commit> or npm:<package>@<exact version>.
    #[arg(long)]
    pub provenance: String,
    /// The `doctor` verdict: pass or fail.
    #[arg(long)]
    pub doctor: Option<String>,
    /// The extension needs per-extension patches.
    #[arg(long)]
    pub patched: bool,
    /// Display name (default: the id).
    #[arg(long)]
    pub name: Option<String>,
    /// When it happened (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub(super) fn add_extension(ctx: &Context, a: &AddExtensionArgs) -> Result<Output, CommandError> {
    let id = domain::text::name("extension id", &a.id)?;
    let name = domain::text::optional_name("name", a.name.as_deref())?;
    let license = domain::text::name("license", &a.license)?;
    let provenance = domain::text::name("provenance", &a.provenance)?;
    if let Some(d) = a.doctor.as_deref()
        && d != "pass"
        && d != "fail"
    {
        return Err(Error::invalid("doctor verdict", d, "pass or fail").into());
    }
    let at = ctx.effective(a.at.as_deref())?;
    let result = record_one(ctx, at, |q| {
        let policy = &q.frame().policy;
        let tier = policy
            .tier_of(&a.tier)
            .ok_or_else(|| Error::unknown("tier", &a.tier, policy.tier_ids()))?
            .to_string();
        let current = q.extension_inputs_of(&id)?.rows(q.frame());
        if current.iter().any(|e| !e.removed) {
            return Err(Error::Duplicate {
                what: "extension",
                value: id.clone(),
            }
            .into());
        }
        let rules = extension::violations(
            policy,
            &extension::Candidate {
                tier: &tier,
                license: &license,
                provenance: &provenance,
                doctor: a.doctor.as_deref(),
                patched: a.patched,
                doctor_required: true,
            },
        );
        if !rules.is_empty() {
            return Err(Error::Refused {
                subject: format!("adding extension \"{id}\""),
                rules,
            }
            .into());
        }
        Ok(ExtensionRec {
            extension: id.clone(),
            name: name.clone().unwrap_or_else(|| id.clone()),
            tier,
            source_tier: None,
            license: license.clone(),
            provenance: provenance.clone(),
            doctor: a.doctor.clone(),
            patched: a.patched,
            score: None,
            capabilities: Vec::new(),
            origin: "cli".into(),
        })
    });
    let (seq, rec) = result.map_err(|e| match e.code {
        "policy-violation" => e.hint(
            "accepted: a permissive license that the tier allows (see `ledger policy`), provenance \
             git:<repo>@<40-hex commit> or npm:<package>@<exact version>, --doctor pass, and no --patched",
        ),
        _ => e,
    })?;
    Ok(recorded(
        seq,
        at,
        &rec,
        format!("added extension {id} ({}) as entry {seq}", rec.tier),
    ))
}

/// Remove an extension from the corpus, for a reason the policy accepts.
#[derive(Debug, Args)]
pub struct RemoveExtensionArgs {
    /// Extension id.
    pub id: String,
    /// license-change, source-unavailable or requires-patches.
    #[arg(long)]
    pub reason: String,
    /// When it happened (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub(super) fn remove_extension(
    ctx: &Context,
    a: &RemoveExtensionArgs,
) -> Result<Output, CommandError> {
    let at = ctx.effective(a.at.as_deref())?;
    let (seq, rec) = record_one(ctx, at, |q| {
        let reasons = &q.frame().policy.extensions.removal_reasons;
        if !reasons.contains(&a.reason) {
            return Err(
                Error::unknown("removal reason", &a.reason, reasons.iter().cloned()).into(),
            );
        }
        let this = q.extension_inputs_of(&a.id)?.rows(q.frame());
        if !this.is_empty() && this.iter().all(|e| e.removed) {
            return Err(Error::invalid(
                "extension",
                &a.id,
                "an extension in the corpus; it was removed from it already (`ledger extensions` lists it as removed)",
            )
            .into());
        }
        if !this.iter().any(|e| !e.removed) {
            // Only a failed lookup reads the corpus, to name a short one.
            let current: Vec<String> = q
                .extension_inputs()?
                .rows(q.frame())
                .into_iter()
                .filter(|e| !e.removed)
                .map(|e| e.id)
                .collect();
            let known = if current.len() > 20 {
                Vec::new()
            } else {
                current
            };
            return Err(Error::unknown("extension", &a.id, known).into());
        }
        Ok(ExtensionRemovalRec {
            extension: a.id.clone(),
            reason: a.reason.clone(),
        })
    })?;
    Ok(recorded(
        seq,
        at,
        &rec,
        format!(
            "removed extension {} ({}) as entry {seq}",
            rec.extension, rec.reason
        ),
    ))
}

/// Open an incident.
#[derive(Debug, Args)]
pub struct OpenIncidentArgs {
    /// A kind the policy names: its SLAs' kinds and `incidents.kinds` (the
    /// built-in example's: conformance-regression, security,
    /// performance-regression, other).
    #[arg(long)]
    pub kind: String,
    /// critical, high, medium or low.
    #[arg(long)]
    pub severity: String,
    /// What happened.
    #[arg(long)]
    pub title: String,
    /// For a performance regression: how far over budget, in percent.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub over_pct: Option<f64>,
    /// When it was opened (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The recorded release that brought the problem in (for the change
    /// failure rate of `ledger delivery`).
    #[arg(long, value_name = "VERSION")]
    pub introduced_in: Option<String>,
}

pub(super) fn open_incident(ctx: &Context, a: &OpenIncidentArgs) -> Result<Output, CommandError> {
    let kind: IncidentKind = a.kind.parse()?;
    let severity: Severity = a.severity.parse()?;
    let title = domain::text::text("title", &a.title)?;
    if let Some(p) = a.over_pct {
        if kind.as_str() != IncidentKind::PERFORMANCE_REGRESSION {
            return Err(CommandError::invalid(format!(
                "--over-pct applies to performance-regression incidents, not {kind}"
            )));
        }
        if !p.is_finite() || p <= 0.0 {
            return Err(Error::invalid(
                "over-pct",
                p,
                "a percentage above 0: how far over its budget the regression went",
            )
            .into());
        }
    }
    let at = ctx.effective(a.at.as_deref())?;
    let introduced_in = a
        .introduced_in
        .as_deref()
        .map(release::parse_version)
        .transpose()?;
    let (seq, rec) = record_one(ctx, at, |q| {
        let reader = q.reader();
        q.frame().policy.require_incident_kind(&kind)?;
        if let Some(v) = &introduced_in {
            require_release(reader, v)?;
        }
        Ok(IncidentRec {
            kind,
            severity,
            title: title.clone(),
            over_pct: a.over_pct,
            introduced_in: introduced_in.as_ref().map(ToString::to_string),
        })
    })?;
    let mut out = recorded(seq, at, &rec, seq.to_string());
    if let Some(o) = out.view.json.as_object_mut() {
        o.insert("id".into(), json!(seq));
    }
    Ok(out)
}

/// Mark an incident triaged.
#[derive(Debug, Args)]
pub struct IncidentEventArgs {
    /// The incident id printed by `open-incident`.
    pub id: i64,
    /// When (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// Mark an incident resolved.
#[derive(Debug, Args)]
pub struct ResolveIncidentArgs {
    /// The incident id printed by `open-incident`.
    pub id: i64,
    /// The release that carries the fix.
    #[arg(long, value_name = "VERSION")]
    pub release: Option<String>,
    /// When (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub(super) fn triage_incident(
    ctx: &Context,
    a: &IncidentEventArgs,
) -> Result<Output, CommandError> {
    incident_event(ctx, a.id, IncidentAction::Triage, None, a.at.as_deref())
}

pub(super) fn resolve_incident(
    ctx: &Context,
    a: &ResolveIncidentArgs,
) -> Result<Output, CommandError> {
    let release = a
        .release
        .as_deref()
        .map(release::parse_version)
        .transpose()?;
    incident_event(
        ctx,
        a.id,
        IncidentAction::Resolve,
        release.map(|v| v.to_string()),
        a.at.as_deref(),
    )
}

fn incident_event(
    ctx: &Context,
    id: i64,
    action: IncidentAction,
    release: Option<String>,
    at: Option<&str>,
) -> Result<Output, CommandError> {
    let at = ctx.effective(at)?;
    let (seq, rec) = record_one(ctx, at, |q| {
        let reader = q.reader();
        let rows = q.incident_inputs_of(id)?.rows(q.frame());
        let Some(row) = rows.first() else {
            // Only a failed lookup reads every incident, to name them.
            let all: Vec<Stamped<IncidentRec>> = reader.all()?;
            return Err(Error::unknown(
                "incident",
                &id.to_string(),
                all.iter().map(|i| i.seq.to_string()),
            )
            .into());
        };
        let state = domain::incident::Lifecycle {
            id,
            opened_at: row.opened_at,
            triaged_at: row.triaged_at,
            resolved_at: row.resolved_at,
        };
        let fix = match &release {
            Some(v) => {
                let recorded: Vec<Stamped<ReleaseRec>> = reader.find(&[("version", v)])?;
                Some(domain::incident::Fix {
                    version: v.clone(),
                    recorded: !recorded.is_empty(),
                })
            }
            None => None,
        };
        Ok(domain::incident::step(&state, action, at, fix)?)
    })?;
    let done = if action == IncidentAction::Triage {
        "triaged"
    } else {
        "resolved"
    };
    Ok(recorded(
        seq,
        at,
        &rec,
        format!("incident {id} {done} (entry {seq})"),
    ))
}

/// Record that a maintenance task was done.
#[derive(Debug, Args)]
pub struct MaintenanceArgs {
    /// Task id (see `ledger maintenance`).
    pub task: String,
    /// When it was done (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub(super) fn maintenance(ctx: &Context, a: &MaintenanceArgs) -> Result<Output, CommandError> {
    let at = ctx.effective(a.at.as_deref())?;
    let (seq, rec) = record_one(ctx, at, |q| {
        let task = q.frame().policy.require_task(&a.task)?;
        Ok(MaintenanceRec {
            task: task.id.clone(),
        })
    })?;
    Ok(recorded(
        seq,
        at,
        &rec,
        format!(
            "recorded {} done on {} (entry {seq})",
            rec.task,
            time::date(at)
        ),
    ))
}

/// Sign off a criterion.
#[derive(Debug, Args)]
pub struct AttestArgs {
    /// Criterion id (docs-complete, security-review, …).
    pub criterion: String,
    /// Who signs off.
    #[arg(long)]
    pub by: Option<String>,
    /// Free-form note.
    #[arg(long)]
    pub note: Option<String>,
    /// When (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub(super) fn attest(ctx: &Context, a: &AttestArgs) -> Result<Output, CommandError> {
    let at = ctx.effective(a.at.as_deref())?;
    let signed_by = domain::text::optional_name("signer", a.by.as_deref())?;
    let note = domain::text::optional_text("note", a.note.as_deref())?;
    let (seq, rec) = record_one(ctx, at, |q| {
        let c = q.frame().policy.require_criterion(&a.criterion)?;
        Ok(AttestationRec {
            criterion: c.id.clone(),
            signed_by: signed_by.clone(),
            note: note.clone(),
        })
    })?;
    Ok(recorded(
        seq,
        at,
        &rec,
        format!("signed off {} (entry {seq})", rec.criterion),
    ))
}

/// Record an expiring exception for one finding.
#[derive(Debug, Args)]
pub struct WaiveArgs {
    /// The finding's rule: one of the waivable ones that `ledger policy`
    /// lists (deprecation-overdue, budget-over, gate-failing, …); the
    /// policy may forbid some. `budget-over` covers the finding at either
    /// level, warning or blocking.
    pub rule: String,
    /// What the finding is about: the budget, deprecated item, incident
    /// id, gate, maintenance task, criterion or extension (a flag such
    /// as `--no-sandbox` is taken as it is).
    #[arg(allow_hyphen_values = true)]
    pub subject: String,
    /// When the waiver ends and the finding is back (at most the policy's
    /// waivers.max_days from now, 90 by default).
    #[arg(long, value_name = "TIME")]
    pub until: String,
    /// Why the finding may stand until then.
    #[arg(long)]
    pub reason: String,
    /// Who grants the waiver.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

pub(super) fn waive(
    ctx: &Context,
    a: &WaiveArgs,
    err: &mut dyn Write,
) -> Result<Output, CommandError> {
    let rule = Code::to_waive(&a.rule)?;
    let until = time::parse(&a.until)?;
    let reason = domain::text::text("reason", &a.reason)?;
    let waived_by = domain::text::optional_name("waiver's grantor", a.by.as_deref())?;
    let at = ctx.clock;
    let mut found = true;
    let (seq, rec) = record_one(ctx, at, |q| {
        let f = q.frame();
        waiver::allowed(&f.policy, rule, at, until)?;
        let inputs = q.waive_inputs(rule)?;
        domain::waive::require_subject(f, &inputs, rule, &a.subject)?;
        domain::waive::refuse_protected_incident(f, &inputs, rule, &a.subject)?;
        found = domain::waive::found_now(f, &inputs, rule, &a.subject);
        Ok(WaiverRec {
            rule: rule.as_str().to_string(),
            subject: a.subject.clone(),
            expires_at: time::format(until),
            reason: reason.clone(),
            waived_by: waived_by.clone(),
        })
    })?;
    if a.rule != rule.as_str() {
        let _ = writeln!(
            err,
            "note: {} is now {rule} at either level, warning or blocking; the waiver is recorded as {rule}",
            a.rule
        );
    }
    if !found {
        let _ = writeln!(
            err,
            "note: no {rule} finding about {} stands today; the waiver will apply if one appears before it expires",
            rec.subject
        );
    }
    Ok(recorded(
        seq,
        at,
        &rec,
        format!(
            "waived {} of {} until {} (entry {seq}; retract it to end the waiver early)",
            rec.rule,
            rec.subject,
            time::format_short(until)
        ),
    ))
}

/// Record that a shift in a budget's series was expected.
#[derive(Debug, Args)]
pub struct AcceptShiftArgs {
    /// The budget id.
    pub budget: String,
    /// When the shift happened: the `at` that `drift` shows for it (a
    /// shift within 5 samples of this time is the one accepted).
    #[arg(long, value_name = "TIME")]
    pub at: String,
    /// Why it was expected (a feature that costs time, a new runner).
    #[arg(long)]
    pub reason: String,
}

pub(super) fn accept_shift(ctx: &Context, a: &AcceptShiftArgs) -> Result<Output, CommandError> {
    let shift_at = time::parse(&a.at)?;
    let reason = domain::text::text("reason", &a.reason)?;
    let at = ctx.clock;
    if shift_at > at {
        return Err(Error::invalid(
            "shift time",
            time::format(shift_at),
            format!("a time not after now ({})", time::format(at)),
        )
        .into());
    }
    let (seq, rec) = record_one(ctx, at, |q| {
        let policy = &q.frame().policy;
        let budget = q.budget_definitions()?.require(policy, &a.budget)?;
        // The detector reads the series from a drift window before the
        // shift on: what `drift` showed it in, and all that came after.
        let since = time::days_before(shift_at, policy.budgets.drift_days);
        let samples: Vec<(Time, f64)> = q
            .reader()
            .samples_after(&budget.id, since)?
            .into_iter()
            .map(|s| (s.at, s.value))
            .collect();
        if !domain::budget::accepts_a_shift(&budget, &samples, &policy.budgets, shift_at) {
            return Err(Error::State(format!(
                "no shift of {} within 5 samples of {} to accept; `ledger drift` lists each budget's shifts and when they happened",
                budget.id,
                time::format(shift_at)
            ))
            .into());
        }
        Ok(ShiftAcceptanceRec {
            budget: budget.id,
            shift_at: time::format(shift_at),
            reason: reason.clone(),
        })
    })?;
    Ok(recorded(
        seq,
        at,
        &rec,
        format!(
            "accepted the shift of {} at {} as the new baseline (entry {seq})",
            rec.budget,
            time::format_short(shift_at)
        ),
    ))
}

/// Retract an entry recorded by mistake. The entry stays in the journal;
/// queries stop counting it.
#[derive(Debug, Args)]
pub struct RetractArgs {
    /// The entry number.
    pub entry: i64,
    /// Why it was wrong.
    #[arg(long)]
    pub reason: String,
}

pub(super) fn retract(ctx: &Context, a: &RetractArgs) -> Result<Output, CommandError> {
    let reason = domain::text::text("reason", &a.reason)?;
    let mut store = ctx.writer()?;
    let at = ctx.clock;
    let (seq, rec) = store.write(|tx| {
        let Some((kind, project, retracted)) = store::entry(tx, a.entry)? else {
            return Err(store::StoreError::NotFound {
                what: "entry",
                value: a.entry.to_string(),
            });
        };
        store::project_policy(tx, &project, at)?
            .policy
            .accepts_writer(ctx.writer_key().as_ref())?;
        match kind {
            Kind::Retraction | Kind::Policy | Kind::Project => {
                return Err(Error::State(format!(
                    "entry {} is a {kind} entry, which cannot be retracted",
                    a.entry
                ))
                .into());
            }
            _ if retracted => {
                return Err(Error::State(format!("entry {} is already retracted", a.entry)).into());
            }
            _ => {}
        }
        let rec = RetractionRec {
            target: a.entry,
            reason: reason.clone(),
        };
        let seq = store::append_signed(tx, ctx.signer.as_ref(), &project, at, at, &rec)?;
        Ok((seq, rec))
    })?;
    Ok(recorded(
        seq,
        at,
        &rec,
        format!("retracted entry {} (entry {seq})", rec.target),
    ))
}
