//! The questions: lists and governance answers over their inputs. Each
//! accepts `--check` (exit 1 when the answer breaks policy) and `--as-of`.

use clap::Args;

use super::{CommandError, Context, Output, ask, project_store};
use crate::domain::{
    budget::Drift,
    check, delivery,
    deprecation::DeprecationStatus,
    extension::TierStanding,
    inputs::{BudgetRow, DeprecationRow, ExtensionRow, Frame, GateRow, IncidentRow, TierCount},
    maintenance::TaskStatus,
    overview,
    policy::Section,
    readiness::{self, Readiness},
    release, status, time,
};
use crate::report;
use crate::store::Store;

pub(super) fn waivers(ctx: &Context) -> Result<Output, CommandError> {
    let (f, ()) = ask(ctx, |_| Ok(()))?;
    Ok(Output::plain(report::waivers(
        &f.waivers.in_force(),
        ctx.wants(),
    )))
}

/// A window's length: a whole number of days from 1 to 3650 (ten years).
fn days(text: &str) -> Result<u32, String> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=3650).contains(d))
        .and_then(|d| u32::try_from(d).ok())
        .ok_or_else(|| {
            format!("{text} is not a window; expected a whole number of days from 1 to 3650")
        })
}

/// Which releases to list.
#[derive(Debug, Args)]
pub struct ReleasesArgs {
    /// Only the N newest.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Only those dated at or after TIME (a date, or an RFC 3339 time).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
}

pub(super) fn releases(ctx: &Context, a: &ReleasesArgs) -> Result<Output, CommandError> {
    let since = a.since.as_deref().map(time::parse).transpose()?;
    let (f, i) = ask(ctx, |q| q.release_inputs())?;
    let mut rows = i.rows(&f);
    if let Some(since) = since {
        rows.retain(|r| time::parse(&r.date).is_ok_and(|d| d >= since));
    }
    if let Some(n) = a.limit {
        rows.truncate(n);
    }
    Ok(Output::plain(report::releases(&rows, ctx.wants())))
}

/// Gate filters.
#[derive(Debug, Args)]
pub struct GatesArgs {
    /// Only gates whose latest result failed.
    #[arg(long)]
    pub failing: bool,
}

pub(super) fn gates(ctx: &Context, a: &GatesArgs) -> Result<Output, CommandError> {
    let (f, i) = ask(ctx, |q| q.gate_inputs())?;
    let rows: Vec<_> = i
        .rows(&f)
        .into_iter()
        .filter(|g| !a.failing || g.is_failing())
        .collect();
    let failing = rows.iter().any(|g| g.breaks_policy());
    Ok(Output::flagged(report::gates(&rows, ctx.wants()), failing)
        .governed(&f.policy, Section::Gates)
        .judged(ctx.format.is_ci(), || {
            rows.iter().map(GateRow::check).collect()
        }))
}

pub(super) fn budgets(ctx: &Context) -> Result<Output, CommandError> {
    let (f, i) = ask(ctx, |q| q.budget_inputs())?;
    let rows = i.rows(&f);
    let over = rows.iter().any(|b| b.breaks_policy());
    Ok(Output::flagged(report::budgets(&rows, ctx.wants()), over)
        .governed(&f.policy, Section::Budgets)
        .judged(ctx.format.is_ci(), || {
            rows.iter().map(BudgetRow::check).collect()
        }))
}

/// The drift window.
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// Window length in days (default: the policy's, 30).
    #[arg(long, value_parser = days, allow_negative_numbers = true)]
    pub days: Option<u32>,
    /// change-points (the shifts in the window, each tested for
    /// significance) or thirds (the last third's median against the
    /// first's, the earlier method, for comparison).
    #[arg(long, default_value = "change-points")]
    pub method: String,
}

pub(super) fn drift(ctx: &Context, a: &DriftArgs) -> Result<Output, CommandError> {
    let method: crate::domain::budget::DriftMethod = a.method.parse()?;
    let (f, i) = ask(ctx, |q| q.drift_inputs(a.days))?;
    // The window is the policy's in force at the time asked about, the one
    // the inputs were read by.
    let days = a.days.unwrap_or(f.policy.budgets.drift_days);
    let rows = i.drift_by(&f, days, method);
    let flagged = rows.iter().any(|d| d.breaks_policy());
    Ok(
        Output::flagged(report::drift(&rows, days, ctx.wants()), flagged)
            .governed(&f.policy, Section::Budgets)
            .judged(ctx.format.is_ci(), || {
                rows.iter().map(Drift::check).collect()
            }),
    )
}

/// Deprecation filters.
#[derive(Debug, Args)]
pub struct DeprecationsArgs {
    /// Only items past their window and not removed.
    #[arg(long)]
    pub overdue: bool,
    /// Only items removed before their window allowed.
    #[arg(long)]
    pub premature: bool,
}

pub(super) fn deprecations(ctx: &Context, a: &DeprecationsArgs) -> Result<Output, CommandError> {
    // Only overdue items asked for: a removed item is never overdue.
    let only_overdue = a.overdue && !a.premature;
    let (f, i) = ask(ctx, |q| {
        if only_overdue {
            q.overdue_deprecation_inputs()
        } else {
            q.deprecation_inputs()
        }
    })?;
    let rows = i.rows(&f);
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|d| {
            (!a.overdue && !a.premature)
                || (a.overdue && d.status == DeprecationStatus::Overdue)
                || (a.premature && d.status == DeprecationStatus::Premature)
        })
        .collect();
    let flagged = rows.iter().any(|d| d.breaks_policy());
    Ok(
        Output::flagged(report::deprecations(&rows, ctx.wants()), flagged)
            .governed(&f.policy, Section::Deprecations)
            .judged(ctx.format.is_ci(), || {
                rows.iter().map(DeprecationRow::check).collect()
            }),
    )
}

/// Extension filters.
#[derive(Debug, Args)]
pub struct ExtensionsArgs {
    /// Only this tier.
    #[arg(long)]
    pub tier: Option<String>,
    /// Show removed extensions instead of the current corpus.
    #[arg(long)]
    pub removed: bool,
    /// Only extensions that break an adding rule.
    #[arg(long)]
    pub violations: bool,
}

pub(super) fn extensions(ctx: &Context, a: &ExtensionsArgs) -> Result<Output, CommandError> {
    let (f, i) = ask(ctx, |q| q.extension_inputs())?;
    let tier = match &a.tier {
        Some(t) => Some(
            f.policy
                .tier_of(t)
                .ok_or_else(|| crate::domain::Error::unknown("tier", t, f.policy.tier_ids()))?
                .to_string(),
        ),
        None => None,
    };
    let rows: Vec<_> = i
        .rows(&f)
        .into_iter()
        .filter(|e| e.removed == a.removed)
        .filter(|e| tier.as_ref().is_none_or(|t| &e.tier == t))
        .filter(|e| !a.violations || !e.violations.is_empty())
        .collect();
    // With --violations, the tiers below a conformance level they set are
    // findings too; otherwise every tier is shown against the policy.
    let tiers: Vec<_> = i
        .tier_counts(&f)
        .into_iter()
        .filter(|t| tier.as_ref().is_none_or(|id| &t.tier == id))
        .filter(|t| !a.violations || t.standing != TierStanding::Ok)
        .collect();
    let blocking_tier = tiers
        .iter()
        .any(|t| t.standing == TierStanding::BelowRequired);
    let flagged = !a.removed && (rows.iter().any(|e| e.breaks_policy()) || blocking_tier);
    let shown = if a.removed || (!a.violations && tier.is_some()) {
        &[][..]
    } else {
        &tiers[..]
    };
    Ok(
        Output::flagged(report::extensions(&rows, shown, ctx.wants()), flagged)
            .governed(&f.policy, Section::Extensions)
            .judged(ctx.format.is_ci() && !a.removed, || {
                rows.iter()
                    .map(ExtensionRow::check)
                    .chain(shown.iter().map(TierCount::check))
                    .collect()
            }),
    )
}

/// Incident filters.
#[derive(Debug, Args)]
pub struct IncidentsArgs {
    /// Only incidents not yet resolved.
    #[arg(long)]
    pub open: bool,
    /// Only incidents past their SLA.
    #[arg(long)]
    pub overdue: bool,
}

pub(super) fn incidents(ctx: &Context, a: &IncidentsArgs) -> Result<Output, CommandError> {
    let (f, i) = ask(ctx, |q| q.incident_inputs())?;
    let rows: Vec<_> = i
        .rows(&f)
        .into_iter()
        .filter(|i| (!a.open || i.is_open()) && (!a.overdue || i.overdue))
        .collect();
    let flagged = rows.iter().any(|i| i.breaks_policy());
    Ok(
        Output::flagged(report::incidents(&rows, ctx.wants()), flagged)
            .governed(&f.policy, Section::Incidents)
            .judged(ctx.format.is_ci(), || {
                rows.iter().map(IncidentRow::check).collect()
            }),
    )
}

/// Maintenance filters.
#[derive(Debug, Args)]
pub struct MaintenanceArgs {
    /// Only tasks past their cadence.
    #[arg(long)]
    pub overdue: bool,
}

pub(super) fn maintenance(ctx: &Context, a: &MaintenanceArgs) -> Result<Output, CommandError> {
    let (f, i) = ask(ctx, |q| q.maintenance_inputs())?;
    let rows: Vec<_> = i
        .rows(&f)
        .into_iter()
        .filter(|t| !a.overdue || t.overdue)
        .collect();
    let flagged = rows.iter().any(|t| t.breaks_policy());
    Ok(
        Output::flagged(report::maintenance(&rows, ctx.wants()), flagged)
            .governed(&f.policy, Section::Maintenance)
            .judged(ctx.format.is_ci(), || {
                rows.iter().map(TaskStatus::check).collect()
            }),
    )
}

/// The milestone.
#[derive(Debug, Args)]
pub struct ReadinessArgs {
    /// Milestone id (default: the next milestone not shipped yet). A
    /// shipped milestone is judged as of its release: which criteria were
    /// met when it shipped.
    pub milestone: Option<String>,
    /// Exit 1 when a shipped milestone shipped before it was ready. A
    /// retrospective is history, so `--check` alone passes it.
    #[arg(long)]
    pub check_retrospective: bool,
}

pub(super) fn readiness(ctx: &Context, a: &ReadinessArgs) -> Result<Output, CommandError> {
    let (store, project) = project_store(ctx)?;
    // Which milestone, and whether it shipped, decide which moment is read.
    let q = ctx.question(&store, &project, ctx.seen())?;
    let ships = q.milestone_inputs()?;
    let f = q.frame();
    let milestone = match &a.milestone {
        Some(id) => f.policy.require_milestone(id)?,
        None => match readiness::default_milestone(f, &ships) {
            Some(m) => m,
            // Nothing to judge: not an error, and nothing flagged.
            None => {
                let line = "no milestone to judge: the policy lists none under [[milestones]]";
                let view = report::View::message(serde_json::json!({"milestone": null}), line);
                let mut out = Output::plain(view);
                out.notes.extend(f.policy.not_governed(Section::Milestones));
                return Ok(out);
            }
        },
    };
    let r = match readiness::shipped(f, &ships, milestone) {
        Some(shipped) => retrospective(&store, &project, ctx.seen(), milestone, shipped)?,
        None => readiness::readiness(f, &q.readiness_inputs()?, milestone),
    };
    // A retrospective is history, not a gate: it fails a check only when
    // asked to.
    let (flagged, always) = match r.shipped_before_ready {
        Some(unready) => (unready && a.check_retrospective, a.check_retrospective),
        None => (r.criteria.iter().any(|c| c.breaks_policy()), false),
    };
    let mut out = Output::flagged(report::readiness(&r, &time::format(f.now)), flagged)
        .judged(ctx.format.is_ci(), || r.checks());
    out.always_check = always;
    Ok(out)
}

/// Each shipped milestone judged as of its release.
pub(super) fn retrospectives(
    store: &Store,
    project: &str,
    f: &Frame,
    milestones: &crate::domain::inputs::ReleaseInputs,
    seen: crate::store::AsOf,
) -> Result<Vec<Readiness>, CommandError> {
    let mut out = Vec::new();
    for m in &f.policy.milestones {
        if let Some(shipped) = readiness::shipped(f, milestones, m) {
            out.push(retrospective(store, project, seen, m, shipped)?);
        }
    }
    Ok(out)
}

/// A shipped milestone judged as of its release: on inputs of that moment
/// by effective time (what had happened by then), of what the ledger knew
/// at `seen` (with `--as-of`, only what was recorded by then).
fn retrospective(
    store: &Store,
    project: &str,
    seen: crate::store::AsOf,
    milestone: &crate::domain::policy::Milestone,
    shipped: readiness::ShippedAs,
) -> Result<Readiness, CommandError> {
    let then = store.question(project, seen.back_at(shipped.at))?;
    let inputs = then.readiness_inputs()?;
    Ok(readiness::retrospective(
        then.frame(),
        &inputs,
        milestone,
        shipped,
    ))
}

/// The delivery window.
#[derive(Debug, Args)]
pub struct DeliveryArgs {
    /// Window length in days, back from now (default: the policy's, 90).
    #[arg(long, value_parser = days, allow_negative_numbers = true)]
    pub days: Option<u32>,
}

pub(super) fn delivery(ctx: &Context, a: &DeliveryArgs) -> Result<Output, CommandError> {
    ctx.no_csv("the delivery report")?;
    let (f, i) = ask(ctx, |q| q.delivery_inputs())?;
    let days = a.days.unwrap_or(f.policy.delivery.window_days);
    Ok(Output::plain(report::delivery(&delivery::delivery(
        &f, &i, days,
    ))))
}

/// Where the report goes and what it spans.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The HTML file to write (replaced whole, never left half-written).
    #[arg(long, value_name = "FILE")]
    pub out: std::path::PathBuf,
    /// How many days of each budget's series to chart.
    #[arg(long, default_value_t = 90, value_parser = days, allow_negative_numbers = true)]
    pub days: u32,
}

pub(super) fn report(ctx: &Context, a: &ReportArgs) -> Result<Output, CommandError> {
    let dir = match a.out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(CommandError::invalid(format!(
            "--out {}: the folder {} does not exist; name a file in an existing folder",
            a.out.display(),
            dir.display()
        )));
    }
    if a.out.is_dir() {
        return Err(CommandError::invalid(format!(
            "--out {} is a folder; name the HTML file to write, such as {}",
            a.out.display(),
            a.out.join("report.html").display()
        )));
    }
    super::files::check_target(&ctx.db, &a.out, "report file")?;
    let (store, project) = project_store(ctx)?;
    let seen = ctx.seen();
    // The dashboard's inputs hold the releases and deprecations the
    // timeline draws.
    let q = ctx.question(&store, &project, seen)?;
    let inputs = q.dashboard_inputs()?;
    let f = q.frame();
    let retrospectives = retrospectives(&store, &project, f, &inputs.readiness.milestones, seen)?;
    let s = status::Status::of(f, &inputs).with_retrospectives(retrospectives);
    let timeline = overview::timeline(f, &inputs.delivery.deprecations, a.days);
    drop(inputs);
    let charts = overview::charts(f, &q.drift_inputs(Some(a.days))?, a.days);
    let since = time::days_before(s.as_of, a.days);
    let incidents: Vec<_> = q
        .incident_inputs()?
        .rows(f)
        .into_iter()
        .filter(|i| i.is_open() || i.opened_at > since || i.resolved_at.is_some_and(|t| t > since))
        .collect();
    let html = report::html::page(&report::html::Page {
        project: &project,
        as_of: s.as_of,
        dashboard: &report::status(&s, report::Wants::BLOCKS),
        charts: &charts,
        timeline: &timeline,
        incidents: &report::incidents(&incidents, report::Wants::BLOCKS),
        readiness: &s.readiness,
    });
    super::files::write_whole(&a.out, html.as_bytes(), false, true)?;
    let samples: usize = charts.series.iter().map(|c| c.points.len()).sum();
    let line = format!(
        "wrote {} ({} KiB): {} budget charts with {} over {} days, {} releases, {} deprecations, {} incidents",
        a.out.display(),
        html.len().div_ceil(1024),
        charts.series.len(),
        crate::domain::text::count(samples, "sample"),
        a.days,
        timeline.releases.len(),
        timeline.spans.len(),
        incidents.len()
    );
    Ok(Output::flagged(
        report::View::message(
            serde_json::json!({
                "out": a.out.display().to_string(),
                "bytes": html.len(),
                "days": a.days,
                "budgets": charts.series.len(),
                "samples": samples,
                "releases": timeline.releases.len(),
                "deprecations": timeline.spans.len(),
                "incidents": incidents.len(),
            }),
            line,
        ),
        s.breaks_policy(),
    ))
}

/// The version to check.
#[derive(Debug, Args)]
pub struct CheckReleaseArgs {
    /// The version that would be cut.
    pub version: String,
    /// The release would break compatibility (after 1.0 that needs a new major).
    #[arg(long)]
    pub breaking: bool,
}

pub(super) fn check_release(ctx: &Context, a: &CheckReleaseArgs) -> Result<Output, CommandError> {
    let version = release::parse_version(&a.version)?;
    let wanted = version.to_string();
    let (store, project) = project_store(ctx)?;
    let q = ctx.question(&store, &project, ctx.seen())?;
    let inputs = q.release_check_inputs(&wanted)?;
    let f = q.frame();
    let mut c = check::check_release(f, &inputs, &version, a.breaking);
    // A version that ships a milestone ships it ready or not at all.
    let ships = f.policy.milestones.iter().find(|m| {
        m.version().as_ref() == Some(&version)
            && readiness::shipped(f, &inputs.releases, m).is_none()
    });
    if let Some(milestone) = ships {
        c = c.shipping(&readiness::readiness(f, &q.readiness_inputs()?, milestone));
    }
    Ok(
        Output::flagged(report::check_release(&c, ctx.wants()), !c.allowed)
            .judged(ctx.format.is_ci(), || c.checks()),
    )
}

pub(super) fn status(ctx: &Context) -> Result<Output, CommandError> {
    ctx.no_csv("the status dashboard")?;
    let (store, project) = project_store(ctx)?;
    dashboard(
        ctx,
        &store,
        &project,
        ctx.seen(),
        ctx.format.is_ci(),
        ctx.wants(),
    )
}

/// The one-screen dashboard as of `seen`, with the shipped milestones'
/// retrospectives (and, with `judge`, its checks for a CI format), its view
/// holding what `wants` says; the inputs are let go once the dashboard's
/// facts are drawn from them, before they are rendered.
pub(super) fn dashboard(
    ctx: &Context,
    store: &Store,
    project: &str,
    seen: crate::store::AsOf,
    judge: bool,
    wants: report::Wants,
) -> Result<Output, CommandError> {
    let q = ctx.question(store, project, seen)?;
    let inputs = q.dashboard_inputs()?;
    let f = q.frame();
    let retrospectives = retrospectives(store, project, f, &inputs.readiness.milestones, seen)?;
    let s = status::Status::of(f, &inputs).with_retrospectives(retrospectives);
    drop(inputs);
    Ok(Output::flagged(report::status(&s, wants), s.breaks_policy()).judged(judge, || s.checks()))
}
