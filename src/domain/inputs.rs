//! Layer: upper, the typed inputs of the questions (see `domain::LAYERS`).
//!
//! What each question reads of one project as of one moment, and the rows
//! derived from it. Each question has its own input (`ReleaseCheckInputs`
//! for `check-release`, `DeprecationInputs` for `deprecations`, …) with
//! exactly what its rule reads, every field filled by one store method
//! named after it; the rules are pure functions of an input, the [`Frame`]
//! (the moment, the policy in force, the waivers) and nothing else.

use std::collections::BTreeMap;

use semver::Version;
use serde::Serialize;

use super::{
    Time,
    budget::{self, Budget, Direction, Drift, Standing},
    deprecation::{self, DeprecationKind, DeprecationStatus, Shipped, ShippedLines},
    extension,
    gate::GateKind,
    incident::{self, IncidentKind, Severity, SlaState},
    maintenance::{self, TaskStatus},
    policy::{Policy, Section},
    record::*,
    release::{self, Channel, ReleaseStatus},
    rule::Code,
    waiver::{Waived, Waivers},
};

/// How many samples a drift judgement holds before a second thread pays
/// for itself (starting one costs about what judging a few hundred samples
/// does).
const SAMPLES_WORTH_A_THREAD: usize = 2_000;

/// One measurement of a budget, as the questions read it: its entry, when
/// it took effect and its value (where it came from is the entry's).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub seq: i64,
    pub at: Time,
    pub value: f64,
}

#[cfg(test)]
impl Sample {
    /// A sample effective at `at` (tests build histories so).
    pub fn at(seq: i64, at: &str, value: f64) -> Sample {
        Sample {
            seq,
            at: crate::domain::time::parse(at).unwrap(),
            value,
        }
    }
}

impl From<&Stamped<MeasurementRec>> for Sample {
    fn from(m: &Stamped<MeasurementRec>) -> Sample {
        Sample {
            seq: m.seq,
            at: m.at,
            value: m.rec.value,
        }
    }
}

/// Measurements by budget, each budget's in time order (effective time,
/// then entry number), one per entry: every question reads a budget's
/// series, so they are kept grouped rather than sorted together.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Measurements(BTreeMap<String, Vec<Sample>>);

impl Measurements {
    /// One budget's samples, oldest first.
    pub fn of(&self, budget: &str) -> &[Sample] {
        self.0.get(budget).map_or(&[], Vec::as_slice)
    }

    /// One budget's samples effective after `since`, oldest first.
    pub fn after(&self, budget: &str, since: Time) -> &[Sample] {
        let all = self.of(budget);
        &all[all.partition_point(|s| s.at <= since)..]
    }

    /// Adds samples of one budget, in any order; one read twice is kept
    /// once.
    pub fn extend(&mut self, budget: &str, samples: impl IntoIterator<Item = Sample>) {
        let series = match self.0.get_mut(budget) {
            Some(series) => series,
            None => self.0.entry(budget.to_string()).or_default(),
        };
        series.extend(samples);
        let order = |s: &Sample| (s.at, s.seq);
        if !series.is_sorted_by_key(order) {
            series.sort_by_key(order);
        }
        series.dedup_by_key(|s| s.seq);
    }

    /// How many samples there are, of every budget.
    pub fn len(&self) -> usize {
        self.0.values().map(Vec::len).sum()
    }

    /// Whether there is no sample at all.
    pub fn is_empty(&self) -> bool {
        self.0.values().all(Vec::is_empty)
    }
}

impl<'m> FromIterator<&'m Stamped<MeasurementRec>> for Measurements {
    fn from_iter<I: IntoIterator<Item = &'m Stamped<MeasurementRec>>>(iter: I) -> Measurements {
        let mut out = Measurements::default();
        for m in iter {
            out.extend(&m.rec.budget, [Sample::from(m)]);
        }
        out
    }
}

/// What every question is judged by: the moment, the project's policy in
/// force then (and when it changed) and the waivers in force then. The
/// store builds it before any input, so no question judges without them.
#[derive(Debug, Clone)]
pub struct Frame {
    pub project: String,
    pub now: Time,
    pub policy: Policy,
    /// When each policy version came into force.
    pub policy_changes: Vec<Time>,
    /// Which policy that is: its project, version, where it was loaded
    /// from and when (`None` for a policy no ledger holds, in tests).
    pub policy_in_use: Option<PolicyInUse>,
    /// The waivers recorded, judged at `now`.
    pub waivers: Waivers,
}

/// The policy version a question is judged by, as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyInUse {
    /// The project the policy names (another project's, for a project
    /// with none of its own).
    pub project: String,
    pub version: usize,
    /// Where it was loaded from: a file, or the built-in example.
    pub source: String,
    pub loaded_at: Time,
    /// The document as it was loaded.
    #[serde(skip)]
    pub text: String,
}

/// `ledger releases`, and the releases another question reads whole.
#[derive(Debug, Clone, Default)]
pub struct ReleaseInputs {
    pub releases: Vec<Stamped<ReleaseRec>>,
}

/// `ledger gates`: at least the latest result of each gate on each
/// platform, and the latest one with a value.
#[derive(Debug, Clone, Default)]
pub struct GateInputs {
    pub results: Vec<Stamped<GateResultRec>>,
}

/// The budgets as recorded, their accepted shifts and the samples a
/// question judges. What `samples` holds depends on the question that read
/// it (its store method says); every sample after `since` is there.
#[derive(Debug, Clone, Default)]
pub struct BudgetInputs {
    /// Budget definitions recorded over the policy's.
    pub recorded: Vec<Stamped<BudgetRec>>,
    pub acceptances: Vec<Stamped<ShiftAcceptanceRec>>,
    pub samples: Measurements,
    /// Where the complete part of `samples` starts (exclusive); `None`:
    /// every sample is there, or only each budget's latest.
    pub since: Option<Time>,
}

/// `ledger drift`: the budgets with the samples of the window, and the
/// releases since its start (which release first shipped a shift).
#[derive(Debug, Clone, Default)]
pub struct DriftInputs {
    pub budgets: BudgetInputs,
    pub releases: ReleaseInputs,
}

/// `ledger deprecations`: the deprecations and their removals, judged
/// against the shipped releases.
#[derive(Debug, Clone, Default)]
pub struct DeprecationInputs {
    /// Every release's version, status and time, in time order.
    pub shipped: Vec<ReleaseVersion>,
    pub deprecations: Vec<Stamped<DeprecationRec>>,
    pub removals: Vec<Stamped<RemovalRec>>,
}

/// The latest conformance summary (it may hold several tiers).
#[derive(Debug, Clone, Default)]
pub struct TierConformance {
    pub latest: Vec<Stamped<TierConformanceRec>>,
}

/// `ledger extensions`: the corpus and the latest conformance.
#[derive(Debug, Clone, Default)]
pub struct ExtensionInputs {
    pub extensions: Vec<Stamped<ExtensionRec>>,
    pub removals: Vec<Stamped<ExtensionRemovalRec>>,
    pub conformance: TierConformance,
}

/// `ledger incidents`: incidents with their events; "next release" SLAs
/// read the shipped releases.
#[derive(Debug, Clone, Default)]
pub struct IncidentInputs {
    pub incidents: Vec<Stamped<IncidentRec>>,
    pub events: Vec<Stamped<IncidentEventRec>>,
    pub shipped: Vec<ReleaseVersion>,
}

/// `ledger maintenance`: at least the latest completion of each task.
#[derive(Debug, Clone, Default)]
pub struct MaintenanceInputs {
    pub completions: Vec<Stamped<MaintenanceRec>>,
    /// When each task came under the policy: a task never done is due one
    /// cadence after it.
    pub introduced: BTreeMap<String, Time>,
}

/// What stales a sign-off: capability-policy deprecations and removals
/// (with the removed items' deprecations), at least the first of each
/// after every sign-off that a capability change stales.
#[derive(Debug, Clone, Default)]
pub struct CapabilityChanges {
    pub deprecations: Vec<Stamped<DeprecationRec>>,
    pub removals: Vec<Stamped<RemovalRec>>,
}

/// `ledger readiness`: gates, the consistency window of the CI-enforced
/// budgets, the latest sign-off of each criterion, what stales them, and
/// the releases of the milestones' versions.
#[derive(Debug, Clone, Default)]
pub struct ReadinessInputs {
    pub gates: GateInputs,
    pub budgets: BudgetInputs,
    pub attestations: Vec<Stamped<AttestationRec>>,
    pub changes: CapabilityChanges,
    pub milestones: ReleaseInputs,
}

/// `ledger check-release VERSION`: every release, the gates, each budget's
/// latest sample and every one since the last release, the open incidents,
/// the latest conformance, and the removals in the version with the
/// deprecations of the items they remove.
#[derive(Debug, Clone, Default)]
pub struct ReleaseCheckInputs {
    pub releases: ReleaseInputs,
    pub gates: GateInputs,
    pub budgets: BudgetInputs,
    pub incidents: IncidentInputs,
    pub conformance: TierConformance,
    pub removals: DeprecationInputs,
    /// The deprecations no removal followed: the overdue ones this
    /// release would still ship.
    pub unremoved: DeprecationInputs,
}

/// `ledger status`: what readiness reads (with the widest of the drift and
/// consistency windows), every release, deprecation and removal, the open
/// incidents and those of the delivery window, and the maintenance
/// rhythm of that window.
#[derive(Debug, Clone, Default)]
pub struct DashboardInputs {
    /// Every release, deprecation and removal; the open incidents and
    /// those of the window; each task's completions in the window and the
    /// one before them.
    pub delivery: DeliveryInputs,
    /// With the samples of the wider of the drift and consistency windows.
    pub readiness: ReadinessInputs,
}

/// `ledger waive RULE SUBJECT`: the inputs of the question that lists
/// the rule's findings, which say what a waiver of it may name and whether
/// a finding it names stands now.
#[derive(Debug, Clone)]
pub enum WaiveInputs {
    Deprecations(DeprecationInputs),
    Budgets(BudgetInputs),
    Drift(DriftInputs),
    Gates(GateInputs),
    Incidents(IncidentInputs),
    Maintenance(MaintenanceInputs),
    Readiness(ReadinessInputs),
    Extensions(ExtensionInputs),
    Tiers(TierConformance),
    /// A rule never waived: nothing to read.
    Nothing,
}

/// `ledger delivery`: releases, deprecations, incidents and every
/// maintenance completion (the rhythm, not only the latest).
#[derive(Debug, Clone, Default)]
pub struct DeliveryInputs {
    pub releases: ReleaseInputs,
    pub deprecations: DeprecationInputs,
    pub incidents: IncidentInputs,
    pub maintenance: MaintenanceInputs,
}

/// A release's version, status and time alone: what judging deprecations
/// reads of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseVersion {
    pub version: String,
    pub status: ReleaseStatus,
    /// When it took effect.
    pub at: Time,
}

/// A release as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseRow {
    pub version: String,
    pub tag: String,
    pub date: String,
    pub status: ReleaseStatus,
    pub channel: Channel,
    pub breaking: bool,
    pub shipped: bool,
    pub commit: Option<String>,
    pub notes: Option<String>,
    pub entry: i64,
}

/// The latest result of a gate on one platform (or none yet).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateRow {
    pub gate: String,
    pub kind: GateKind,
    pub platform: Option<String>,
    pub value: Option<f64>,
    pub passed: Option<bool>,
    pub at: Option<Time>,
    pub comparator: String,
    pub threshold: Option<f64>,
    pub unit: String,
    pub commit: Option<String>,
    pub release: Option<String>,
    pub entry: Option<i64>,
    /// The waiver in force on its failure.
    pub waived: Option<Waived>,
}

/// A budget with its latest measurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetRow {
    pub budget: String,
    pub category: String,
    pub metric: String,
    pub unit: String,
    pub direction: Direction,
    pub threshold: f64,
    pub ci_enforced: bool,
    pub last_value: Option<f64>,
    pub last_at: Option<Time>,
    pub over_pct: Option<f64>,
    pub standing: Option<Standing>,
    /// The waiver in force on its being over.
    pub waived: Option<Waived>,
}

/// A deprecation with its judgement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeprecationRow {
    pub item: String,
    pub kind: DeprecationKind,
    pub deprecated_in: String,
    pub removed_in: Option<String>,
    /// `None`: the policy sets no window for its kind.
    pub window: Option<u32>,
    pub earliest_removal: Option<String>,
    pub status: DeprecationStatus,
    pub overdue_since: Option<Time>,
    pub replacement: Option<String>,
    /// Why it is kept on purpose, when its entry says.
    pub kept: Option<String>,
    pub entry: i64,
    /// The waiver in force on its finding (overdue, premature).
    pub waived: Option<Waived>,
}

/// An extension in the corpus (or removed from it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExtensionRow {
    pub id: String,
    pub name: String,
    pub tier: String,
    pub license: String,
    pub provenance: String,
    pub doctor: Option<String>,
    pub patched: bool,
    pub score: Option<f64>,
    pub capabilities: Vec<String>,
    pub origin: String,
    pub added_at: Time,
    pub removed: bool,
    pub removal_reason: Option<String>,
    pub violations: Vec<String>,
    /// The waiver in force on its violations.
    pub waived: Option<Waived>,
}

/// Corpus size of one tier against the policy's tier table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierCount {
    pub tier: String,
    pub expected: u32,
    pub actual: usize,
    pub conformance_required_pct: Option<f64>,
    pub conformance_target_pct: Option<f64>,
    pub conformance_pass_pct: Option<f64>,
    pub standing: extension::TierStanding,
}

/// An incident with its SLA standing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentRow {
    pub id: i64,
    pub kind: IncidentKind,
    pub severity: Severity,
    pub title: String,
    pub over_pct: Option<f64>,
    pub opened_at: Time,
    pub triaged_at: Option<Time>,
    pub resolved_at: Option<Time>,
    pub fix_release: Option<String>,
    pub sla: Option<String>,
    pub due: Option<String>,
    /// The SLA ends with the next shipped release.
    pub due_at_next_release: bool,
    pub sla_state: SlaState,
    pub overdue: bool,
    pub overdue_by_hours: Option<f64>,
    /// The release that brought the problem in, when recorded.
    pub introduced_in: Option<String>,
    /// The waiver in force on its SLA.
    pub waived: Option<Waived>,
}

impl GateRow {
    /// The latest result failed (no result yet is not a failure).
    pub fn is_failing(&self) -> bool {
        self.passed == Some(false)
    }

    /// Failing and not waived (what `--check` fails on).
    pub fn breaks_policy(&self) -> bool {
        self.is_failing() && self.waived.is_none()
    }
}

impl BudgetRow {
    /// Over its threshold and not waived.
    pub fn breaks_policy(&self) -> bool {
        self.standing.and_then(Standing::rule).is_some() && self.waived.is_none()
    }
}

impl DeprecationRow {
    /// Overdue or premature, and not waived.
    pub fn breaks_policy(&self) -> bool {
        self.status.is_finding() && self.waived.is_none()
    }
}

impl ExtensionRow {
    /// Breaking an adding rule, and not waived.
    pub fn breaks_policy(&self) -> bool {
        !self.violations.is_empty() && self.waived.is_none()
    }
}

impl IncidentRow {
    /// Open until resolved.
    pub fn is_open(&self) -> bool {
        self.resolved_at.is_none()
    }

    /// Past its SLA and not waived.
    pub fn breaks_policy(&self) -> bool {
        self.overdue && self.waived.is_none()
    }
}

impl Frame {
    /// A project with nothing recorded yet, judged by `policy` at `now`.
    pub fn new(project: &str, now: Time, policy: Policy) -> Frame {
        Frame {
            project: project.to_string(),
            now,
            policy,
            policy_changes: Vec::new(),
            policy_in_use: None,
            waivers: Waivers::new(Vec::new(), now),
        }
    }

    /// The waiver in force on the finding of `rule` (if there is one)
    /// about `subject`.
    pub fn waived_if(&self, rule: Option<Code>, subject: &str) -> Option<Waived> {
        self.waivers.of(rule?, subject)
    }

    /// Of the releases given by version, status and time, those that
    /// count as shipped, with their dates.
    pub fn shipped(&self, versions: &[ReleaseVersion]) -> Vec<Shipped> {
        versions
            .iter()
            .filter_map(|r| {
                let version = Version::parse(&r.version).ok()?;
                release::is_shipped(&self.policy, &version, r.status).then_some(Shipped {
                    version,
                    date: r.at,
                })
            })
            .collect()
    }
}

impl From<&Stamped<ReleaseRec>> for ReleaseVersion {
    fn from(r: &Stamped<ReleaseRec>) -> ReleaseVersion {
        ReleaseVersion {
            version: r.rec.version.clone(),
            status: r.rec.status,
            at: r.at,
        }
    }
}

impl ReleaseInputs {
    /// Each release's version, status and time.
    pub fn versions(&self) -> Vec<ReleaseVersion> {
        self.releases.iter().map(ReleaseVersion::from).collect()
    }

    /// The releases that count as shipped, with their dates.
    pub fn shipped(&self, f: &Frame) -> Vec<Shipped> {
        f.shipped(&self.versions())
    }

    /// Every release, newest version first.
    pub fn rows(&self, f: &Frame) -> Vec<ReleaseRow> {
        let mut rows: Vec<(Version, ReleaseRow)> = self
            .releases
            .iter()
            .filter_map(|r| {
                let v = Version::parse(&r.rec.version).ok()?;
                Some((v.clone(), release_row(f, r, &v)))
            })
            .collect();
        rows.sort_by(|a, b| b.0.cmp(&a.0));
        rows.into_iter().map(|(_, r)| r).collect()
    }

    /// The latest shipped release: the highest shipped version (the
    /// earliest entry of it, as [`ReleaseInputs::rows`] lists them),
    /// found without listing thousands of releases.
    pub fn latest_shipped(&self, f: &Frame) -> Option<ReleaseRow> {
        let mut latest: Option<(Version, &Stamped<ReleaseRec>)> = None;
        for r in &self.releases {
            let Ok(v) = Version::parse(&r.rec.version) else {
                continue;
            };
            if release::is_shipped(&f.policy, &v, r.rec.status)
                && latest.as_ref().is_none_or(|(best, _)| v > *best)
            {
                latest = Some((v, r));
            }
        }
        latest.map(|(v, r)| release_row(f, r, &v))
    }
}

fn release_row(f: &Frame, r: &Stamped<ReleaseRec>, v: &Version) -> ReleaseRow {
    ReleaseRow {
        version: v.to_string(),
        tag: r
            .rec
            .tag
            .clone()
            .unwrap_or_else(|| release::tag(&f.policy, v)),
        date: super::time::date(r.at),
        status: r.rec.status,
        channel: Channel::of(v),
        breaking: r.rec.breaking,
        shipped: release::is_shipped(&f.policy, v, r.rec.status),
        commit: r.rec.commit_sha.clone(),
        notes: r.rec.notes.clone(),
        entry: r.seq,
    }
}

impl GateInputs {
    /// The latest result of every policy gate on every platform it runs on,
    /// in policy order; a gate without a result is listed with none.
    pub fn rows(&self, f: &Frame) -> Vec<GateRow> {
        let mut latest: BTreeMap<(&str, Option<&str>), &Stamped<GateResultRec>> = BTreeMap::new();
        for r in &self.results {
            // Time order, so a later entry replaces an earlier one.
            latest.insert((r.rec.gate.as_str(), r.rec.platform.as_deref()), r);
        }
        let mut rows = Vec::new();
        for def in &f.policy.gates {
            let platforms: Vec<Option<&str>> = if def.per_platform {
                f.policy
                    .platforms
                    .iter()
                    .map(|p| Some(p.as_str()))
                    .collect()
            } else {
                vec![None]
            };
            for platform in platforms {
                let hit = latest.get(&(def.id.as_str(), platform));
                let failing = hit.is_some_and(|r| !r.rec.passed);
                rows.push(GateRow {
                    waived: f.waived_if(failing.then_some(Code::GateFailing), &def.id),
                    gate: def.id.clone(),
                    kind: def.kind,
                    platform: platform.map(str::to_string),
                    value: hit.and_then(|r| r.rec.value),
                    passed: hit.map(|r| r.rec.passed),
                    at: hit.map(|r| r.at),
                    comparator: def.comparator.as_str().to_string(),
                    threshold: hit.and_then(|r| r.rec.threshold).or(def.threshold),
                    unit: def.unit.clone(),
                    commit: hit.and_then(|r| r.rec.commit_sha.clone()),
                    release: hit.and_then(|r| r.rec.release.clone()),
                    entry: hit.map(|r| r.seq),
                });
            }
        }
        rows
    }
}

impl BudgetInputs {
    /// Every budget as it stands: the policy's, overlaid by the latest
    /// recorded definition of each; policy order, then recorded ones by id.
    pub fn defs(&self, policy: &Policy) -> Vec<Budget> {
        let mut out: Vec<Budget> = policy
            .budgets
            .definitions
            .iter()
            .map(|d| Budget {
                id: d.id.clone(),
                title: d.title.clone(),
                category: d.category.clone(),
                metric: d.metric.clone(),
                unit: d.unit.clone(),
                threshold: d.threshold,
                direction: d.direction,
                ci_enforced: d.ci_enforced,
                source: d.source.clone(),
            })
            .collect();
        let mut recorded: BTreeMap<&str, &BudgetRec> = BTreeMap::new();
        for b in &self.recorded {
            recorded.insert(&b.rec.budget, &b.rec);
        }
        for (id, rec) in recorded {
            let def = Budget {
                id: id.to_string(),
                title: out
                    .iter()
                    .find(|b| b.id == id)
                    .map(|b| b.title.clone())
                    .unwrap_or_default(),
                category: rec.category.clone(),
                metric: rec.metric.clone(),
                unit: rec.unit.clone(),
                threshold: rec.threshold,
                direction: rec.direction,
                ci_enforced: rec.ci_enforced,
                source: rec.source.clone().unwrap_or_default(),
            };
            match out.iter_mut().find(|b| b.id == id) {
                Some(slot) => *slot = def,
                None => out.push(def),
            }
        }
        out
    }

    /// A budget by id, or an error listing the known ones.
    pub fn require(&self, policy: &Policy, id: &str) -> Result<Budget, super::Error> {
        let defs = self.defs(policy);
        match defs.iter().find(|b| b.id == id) {
            Some(b) => Ok(b.clone()),
            None => Err(super::Error::unknown(
                "budget",
                id,
                defs.iter().map(|b| b.id.clone()),
            )),
        }
    }

    /// Measurements of one budget in time order, after `since`.
    pub fn samples(&self, budget: &str, since: Time) -> Vec<(Time, f64)> {
        debug_assert!(
            self.since.is_none_or(|loaded| since >= loaded),
            "samples since {since} asked of inputs holding those after {:?}",
            self.since
        );
        self.samples
            .after(budget, since)
            .iter()
            .map(|m| (m.at, m.value))
            .collect()
    }

    /// The first measurement of one budget.
    pub fn first_sample(&self, budget: &str) -> Option<(Time, f64)> {
        self.samples.of(budget).first().map(|m| (m.at, m.value))
    }

    /// The latest measurement of one budget.
    pub fn last_sample(&self, budget: &str) -> Option<(Time, f64)> {
        self.samples.of(budget).last().map(|m| (m.at, m.value))
    }

    /// Every budget with its latest measurement; none when the policy
    /// does not govern budgets.
    pub fn rows(&self, f: &Frame) -> Vec<BudgetRow> {
        if !f.policy.governs(Section::Budgets) {
            return Vec::new();
        }
        let rules = &f.policy.budgets;
        self.defs(&f.policy)
            .into_iter()
            .map(|b| {
                let last = self.last_sample(&b.id);
                let over = last.map(|(_, v)| budget::over_pct(v, b.threshold, b.direction));
                let standing = over.map(|p| budget::standing(p, rules));
                BudgetRow {
                    waived: f.waived_if(standing.and_then(Standing::rule), &b.id),
                    standing,
                    budget: b.id,
                    category: b.category,
                    metric: b.metric,
                    unit: b.unit,
                    direction: b.direction,
                    threshold: b.threshold,
                    ci_enforced: b.ci_enforced,
                    last_value: last.map(|(_, v)| v),
                    last_at: last.map(|(t, _)| t),
                    over_pct: over,
                }
            })
            .collect()
    }

    /// Drift of every budget over the samples after `since`, by `method`,
    /// worst first; each shift names the first of `shipped` at or after it.
    pub fn drift_after(
        &self,
        f: &Frame,
        since: Time,
        method: budget::DriftMethod,
        mut shipped: Vec<Shipped>,
    ) -> Vec<Drift> {
        if !f.policy.governs(Section::Budgets) {
            return Vec::new();
        }
        shipped.sort_by_key(|r| r.date);
        let judge = |b: &Budget| {
            let samples = self.samples(&b.id, since);
            let accepted = self.accepted_shifts(&b.id);
            let mut d = budget::drift(b, &samples, &f.policy.budgets, method, &accepted);
            for s in &mut d.shifts {
                s.release = shipped
                    .iter()
                    .find(|r| r.date >= s.at)
                    .map(|r| r.version.to_string());
            }
            d.waived = f.waived_if(d.status.rule(), &b.id);
            d
        };
        let defs = self.defs(&f.policy);
        // Each budget is judged on its own, and over a long window the
        // detector is much of a question's time: past a few thousand
        // samples the budgets are shared between two threads.
        let samples: usize = defs
            .iter()
            .map(|b| self.samples.after(&b.id, since).len())
            .sum();
        let mut rows: Vec<Drift> = if samples < SAMPLES_WORTH_A_THREAD {
            defs.iter().map(judge).collect()
        } else {
            std::thread::scope(|scope| {
                let (first, second) = defs.split_at(defs.len() / 2);
                let other = scope.spawn(|| second.iter().map(judge).collect::<Vec<_>>());
                let mut rows: Vec<Drift> = first.iter().map(judge).collect();
                rows.extend(
                    other
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                );
                rows
            })
        };
        budget::sort_worst_first(&mut rows);
        rows
    }

    /// When the accepted shifts of one budget happened.
    pub fn accepted_shifts(&self, budget: &str) -> Vec<Time> {
        self.acceptances
            .iter()
            .filter(|a| a.rec.budget == budget)
            .filter_map(|a| super::time::parse_stored(&a.rec.shift_at).ok())
            .collect()
    }
}

impl DriftInputs {
    /// Drift of every budget over the last `days` days by the change-point
    /// detector, worst first.
    pub fn drift(&self, f: &Frame, days: u32) -> Vec<Drift> {
        self.drift_by(f, days, budget::DriftMethod::ChangePoints)
    }

    /// Drift of every budget over the last `days` days by `method`, worst
    /// first; each shift names the first release shipped at or after it.
    pub fn drift_by(&self, f: &Frame, days: u32, method: budget::DriftMethod) -> Vec<Drift> {
        let since = super::time::days_before(f.now, days);
        self.budgets
            .drift_after(f, since, method, self.releases.shipped(f))
    }
}

impl DeprecationInputs {
    /// Every deprecation with its judgement, by item; none when the
    /// policy does not govern deprecations.
    pub fn rows(&self, f: &Frame) -> Vec<DeprecationRow> {
        if !f.policy.governs(Section::Deprecations) {
            return Vec::new();
        }
        let shipped = ShippedLines::new(&f.shipped(&self.shipped));
        let rules = &f.policy.deprecations;
        let removals = by_key(&self.removals, |r| r.rec.item.as_str());
        let mut rows: Vec<DeprecationRow> = Vec::with_capacity(self.deprecations.len());
        rows.extend(self.deprecations.iter().filter_map(|d| {
            let dv = Version::parse(&d.rec.version).ok()?;
            let removal = removals
                .get(d.rec.item.as_str())
                .and_then(|rs| rs.iter().find(|r| r.seq > d.seq))
                .and_then(|r| Version::parse(&r.rec.version).ok());
            let j = deprecation::judge_recorded(rules, &d.rec, &dv, removal.as_ref(), &shipped);
            Some(DeprecationRow {
                item: d.rec.item.clone(),
                kind: d.rec.kind,
                // The stored text: a version parses only from the text
                // it prints as.
                deprecated_in: d.rec.version.clone(),
                removed_in: removal.map(|r| r.to_string()),
                window: j.window,
                earliest_removal: j
                    .window
                    .and_then(|w| earliest_removal(rules, w, &dv, &j, &shipped)),
                status: j.status,
                overdue_since: j.overdue_since,
                replacement: d.rec.replacement.clone(),
                kept: d.rec.kept.clone(),
                entry: d.seq,
                waived: f.waived_if(j.status.rule(), &d.rec.item),
            })
        }));
        rows.sort_by(|a, b| a.item.cmp(&b.item));
        rows
    }
}

impl ExtensionInputs {
    /// The corpus: the latest entry of each extension, with its removal if
    /// one came after it, by id; none when the policy does not govern
    /// extensions.
    pub fn rows(&self, f: &Frame) -> Vec<ExtensionRow> {
        if !f.policy.governs(Section::Extensions) {
            return Vec::new();
        }
        let mut latest: BTreeMap<&str, &Stamped<ExtensionRec>> = BTreeMap::new();
        for e in &self.extensions {
            latest.insert(&e.rec.extension, e);
        }
        latest
            .into_values()
            .map(|e| {
                let removal = self
                    .removals
                    .iter()
                    .rfind(|r| r.rec.extension == e.rec.extension && r.seq > e.seq);
                extension_row(f, e, removal)
            })
            .collect()
    }

    /// Corpus size per tier against the policy, with the latest conformance.
    pub fn tier_counts(&self, f: &Frame) -> Vec<TierCount> {
        self.conformance.counts(f, &self.rows(f))
    }
}

fn extension_row(
    f: &Frame,
    e: &Stamped<ExtensionRec>,
    removal: Option<&Stamped<ExtensionRemovalRec>>,
) -> ExtensionRow {
    let rec = &e.rec;
    let violations = extension::violations(
        &f.policy,
        &extension::Candidate {
            tier: &rec.tier,
            license: &rec.license,
            provenance: &rec.provenance,
            doctor: rec.doctor.as_deref(),
            patched: rec.patched,
            doctor_required: rec.origin == "cli",
        },
    );
    let violating = !violations.is_empty() && removal.is_none();
    ExtensionRow {
        waived: f.waived_if(
            violating.then_some(Code::ExtensionViolation),
            &rec.extension,
        ),
        id: rec.extension.clone(),
        name: rec.name.clone(),
        tier: rec.tier.clone(),
        license: rec.license.clone(),
        provenance: rec.provenance.clone(),
        doctor: rec.doctor.clone(),
        patched: rec.patched,
        score: rec.score,
        capabilities: rec.capabilities.clone(),
        origin: rec.origin.clone(),
        added_at: e.at,
        removed: removal.is_some(),
        removal_reason: removal.map(|r| r.rec.reason.clone()),
        violations,
    }
}

impl TierConformance {
    /// Corpus size per tier of `corpus` against the policy, with this
    /// conformance.
    pub fn counts(&self, f: &Frame, corpus: &[ExtensionRow]) -> Vec<TierCount> {
        let conformance = self.pass_pct();
        f.policy
            .extensions
            .tiers
            .iter()
            .map(|t| {
                let pass = conformance.get(t.id.as_str()).copied();
                TierCount {
                    tier: t.id.clone(),
                    expected: t.count,
                    actual: corpus
                        .iter()
                        .filter(|r| !r.removed && r.tier == t.id)
                        .count(),
                    conformance_required_pct: t.conformance_required_pct,
                    conformance_target_pct: t.conformance_target_pct,
                    conformance_pass_pct: pass,
                    standing: extension::tier_standing(t, pass),
                }
            })
            .collect()
    }

    /// The pass rate of each tier in the latest conformance summary (only
    /// the latest counts; it may hold several tiers).
    pub fn pass_pct(&self) -> BTreeMap<&str, f64> {
        let mut counts: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
        if let Some(last) = self.latest.last() {
            for t in self.latest.iter().filter(|t| t.at == last.at) {
                if let Some(tier) = &t.rec.tier {
                    let slot = counts.entry(tier).or_default();
                    slot.0 += t.rec.pass;
                    slot.1 += t.rec.pass + t.rec.fail;
                }
            }
        }
        counts
            .into_iter()
            .filter(|(_, (_, judged))| *judged > 0)
            .map(|(tier, (pass, judged))| (tier, pass as f64 * 100.0 / judged as f64))
            .collect()
    }
}

impl IncidentInputs {
    /// Every incident with its SLA standing, by id.
    pub fn rows(&self, f: &Frame) -> Vec<IncidentRow> {
        let releases = f.shipped(&self.shipped);
        let mut shipped: Vec<Time> = releases.iter().map(|s| s.date).collect();
        shipped.sort_unstable();
        let shipped_at = |v: &str| {
            let v = Version::parse(v).ok()?;
            releases.iter().find(|s| s.version == v).map(|s| s.date)
        };
        let events = by_key(&self.events, |e| e.rec.incident);
        self.incidents
            .iter()
            .map(|i| {
                let events = events.get(&i.seq).into_iter().flatten();
                let mut triaged_at = None;
                let mut resolved = None;
                for e in events {
                    match e.rec.action {
                        IncidentAction::Triage => triaged_at = triaged_at.or(Some(e.at)),
                        IncidentAction::Resolve => {
                            resolved = resolved.or(Some((e.at, e.rec.release.clone())))
                        }
                    }
                }
                let facts = incident::Facts {
                    kind: i.rec.kind,
                    severity: i.rec.severity,
                    over_pct: i.rec.over_pct,
                    opened_at: i.at,
                    triaged_at,
                    resolved_at: resolved.as_ref().map(|r| r.0),
                    fix_shipped_at: resolved
                        .as_ref()
                        .and_then(|r| r.1.as_deref())
                        .and_then(shipped_at),
                };
                incident_row(f, i, &facts, &shipped, resolved.and_then(|r| r.1))
            })
            .collect()
    }
}

fn incident_row(
    f: &Frame,
    i: &Stamped<IncidentRec>,
    facts: &incident::Facts,
    shipped: &[Time],
    fix_release: Option<String>,
) -> IncidentRow {
    let j = incident::judge_by_dates(&f.policy, facts, shipped, f.now);
    let due = match (j.due_at, j.next_release, &j.sla) {
        (Some(d), _, _) => Some(super::time::format(d)),
        (None, true, _) => Some("next release".to_string()),
        _ => None,
    };
    IncidentRow {
        id: i.seq,
        kind: i.rec.kind,
        severity: i.rec.severity,
        title: i.rec.title.clone(),
        over_pct: i.rec.over_pct,
        opened_at: i.at,
        triaged_at: facts.triaged_at,
        resolved_at: facts.resolved_at,
        fix_release,
        sla: j.sla,
        due,
        due_at_next_release: j.next_release,
        sla_state: j.state,
        overdue: j.overdue,
        overdue_by_hours: j.overdue_by_hours,
        introduced_in: i.rec.introduced_in.clone(),
        waived: f.waived_if(j.overdue.then_some(Code::IncidentSla), &i.seq.to_string()),
    }
}

impl MaintenanceInputs {
    /// Every maintenance task with its standing, in policy order.
    pub fn rows(&self, f: &Frame) -> Vec<TaskStatus> {
        let done: Vec<(String, Time)> = self
            .completions
            .iter()
            .map(|m| (m.rec.task.clone(), m.at))
            .collect();
        let mut rows = maintenance::statuses(&f.policy, &done, &self.introduced, f.now);
        for t in &mut rows {
            t.waived = f.waived_if(t.overdue.then_some(Code::MaintenanceOverdue), &t.task);
        }
        rows
    }
}

impl ReadinessInputs {
    /// The latest attestation of a criterion and whether it went stale.
    pub fn attestation(
        &self,
        f: &Frame,
        criterion: &str,
    ) -> Option<(&Stamped<AttestationRec>, Option<String>)> {
        let latest = self
            .attestations
            .iter()
            .rfind(|a| a.rec.criterion == criterion)?;
        let stale_on_change = f
            .policy
            .criterion(criterion)
            .is_some_and(|c| c.stale_on_capability_change);
        // DESIGN: stale once a capability-policy deprecation or policy
        // change is recorded after it; governance (Security Review) counts
        // removing a capability as such a change.
        let stale = if stale_on_change {
            self.changes.staling(f, latest.at)
        } else {
            None
        };
        Some((latest, stale))
    }
}

impl CapabilityChanges {
    /// Why a sign-off given at `at` went stale: the first capability-policy
    /// deprecation, capability removal or policy change after it.
    fn staling(&self, f: &Frame, at: Time) -> Option<String> {
        let is_capability = |item: &str| {
            self.deprecations
                .iter()
                .any(|d| d.rec.item == item && d.rec.kind.is_capability_policy())
        };
        let deprecation = self
            .deprecations
            .iter()
            .find(|d| d.rec.kind.is_capability_policy() && d.at > at)
            .map(|d| {
                let why = format!(
                    "capability-policy deprecation of \"{}\" (entry {}) came after it",
                    d.rec.item, d.seq
                );
                (d.at, why)
            });
        let removal = self
            .removals
            .iter()
            .find(|r| r.at > at && is_capability(&r.rec.item))
            .map(|r| {
                let why = format!(
                    "capability-policy removal of \"{}\" (entry {}) came after it",
                    r.rec.item, r.seq
                );
                (r.at, why)
            });
        let change = f.policy_changes.iter().find(|t| **t > at).map(|t| {
            (
                *t,
                format!("the policy changed on {} after it", super::time::date(*t)),
            )
        });
        [deprecation, removal, change]
            .into_iter()
            .flatten()
            .min_by_key(|(at, _)| *at)
            .map(|(_, why)| why)
    }
}

fn earliest_removal(
    rules: &super::policy::DeprecationPolicy,
    window: u32,
    deprecated_in: &Version,
    j: &deprecation::Judgement,
    shipped: &ShippedLines,
) -> Option<String> {
    if matches!(
        j.status,
        DeprecationStatus::Removed | DeprecationStatus::Premature | DeprecationStatus::Kept
    ) {
        return None;
    }
    if let Some(v) = &j.first_opportunity {
        return Some(v.to_string());
    }
    Some(
        match shipped.next_opportunity(rules, window, deprecated_in) {
            (candidate, 0) => candidate.to_string(),
            (candidate, missing) => format!("{candidate} once {missing} more minor line(s) ship"),
        },
    )
}

/// Rows grouped by a key, each group in the rows' (time) order; for
/// lookups (thousands of them, one per deprecation or incident).
pub fn by_key<'a, T, K: std::hash::Hash + Eq>(
    rows: &'a [Stamped<T>],
    key: impl Fn(&'a Stamped<T>) -> K,
) -> std::collections::HashMap<K, Vec<&'a Stamped<T>>> {
    let mut out: std::collections::HashMap<K, Vec<&'a Stamped<T>>> =
        std::collections::HashMap::new();
    for r in rows {
        out.entry(key(r)).or_default().push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budgets_samples_are_kept_in_time_order_once_each() {
        let mut m = Measurements::default();
        let (a, b, c) = (
            Sample::at(3, "2026-01-03", 3.0),
            Sample::at(1, "2026-01-01", 1.0),
            Sample::at(2, "2026-01-03", 2.0),
        );
        m.extend("cold", [a, b]);
        // Read twice (a window and the latest sample) and out of order.
        m.extend("cold", [c, a]);
        m.extend("warm", [Sample::at(4, "2026-01-02", 9.0)]);
        assert_eq!(m.of("cold"), [b, c, a], "by time, then entry");
        assert_eq!(m.len(), 4);
        let jan_1 = crate::domain::time::parse("2026-01-01").unwrap();
        assert_eq!(m.after("cold", jan_1), [c, a], "after is exclusive");
        assert!(m.of("none").is_empty() && m.after("none", jan_1).is_empty());
    }

    #[test]
    fn a_long_window_is_judged_on_two_threads_with_every_budget_answered() {
        let now = crate::domain::time::parse("2026-03-01").unwrap();
        let f = Frame::new("pi", now, crate::domain::policy::Policy::builtin());
        let mut s = DriftInputs::default();
        let ids: Vec<String> = s
            .budgets
            .defs(&f.policy)
            .into_iter()
            .map(|b| b.id)
            .collect();
        let per_budget = SAMPLES_WORTH_A_THREAD / ids.len() + 100;
        let mut seq = 0;
        for (k, id) in ids.iter().enumerate() {
            let samples = (0..per_budget).map(|i| {
                seq += 1;
                // Far within every budget, with a ±1% wobble; the second
                // budget steps up a fifth two thirds of the way through.
                let step = if k == 1 && i > per_budget * 2 / 3 {
                    1.2
                } else {
                    1.0
                };
                Sample {
                    seq,
                    at: now - chrono::Duration::minutes((per_budget - i) as i64),
                    value: (1.0 + [0.0, 0.01, -0.01, 0.005][i % 4]) * step,
                }
            });
            s.budgets.samples.extend(id, samples.collect::<Vec<_>>());
        }
        assert!(s.budgets.samples.len() >= SAMPLES_WORTH_A_THREAD);
        let rows = s.drift(&f, 1);
        let mut judged: Vec<&str> = rows.iter().map(|d| d.budget.as_str()).collect();
        judged.sort_unstable();
        let mut expected: Vec<&str> = ids.iter().map(String::as_str).collect();
        expected.sort_unstable();
        assert_eq!(judged, expected, "every budget once");
        assert_eq!(rows[0].budget, ids[1], "the drifting one first");
        assert_eq!(rows[0].status, budget::DriftStatus::Drifting);
        assert!(
            rows[1..]
                .iter()
                .all(|d| d.status == budget::DriftStatus::Ok)
        );
        assert!(rows.iter().all(|d| d.samples == per_budget));
    }
}
