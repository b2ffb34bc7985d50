//! Layer: upper, reads the whole `Snapshot` (see `domain::LAYERS`).
//!
//! The ledger of one project as it stood at one moment, and the answers
//! derived from it.
//!
//! The store fills a [`Snapshot`] with the entries visible at `now`
//! (effective at or before it, not retracted); everything here is pure.

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
    policy::Policy,
    record::*,
    release::{self, Channel, ReleaseStatus},
    rule::Code,
    waiver::{Waived, Waivers},
};

/// Which budget measurements a question reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Samples {
    /// None.
    None,
    /// The latest sample of each budget.
    Latest,
    /// The first and the latest sample of each budget, and every sample of
    /// the widest of the policy's windows (drift and consistency): what the
    /// dashboard judges.
    Dashboard,
    /// The same of the CI-enforced budgets only, over the policy's
    /// consistency window: what milestone readiness judges.
    Consistency,
    /// Only the samples of the last this many days (default: the
    /// policy's drift window): what drift judges.
    Within(Option<u32>),
    /// The latest sample of each budget, and every sample after the
    /// latest shipped release (before any, the drift window): what the
    /// release check judges, shifts since the last release included.
    SinceLastRelease,
    /// Every sample: the reference the scoped reads are tested against.
    All,
}

/// Which incidents a question reads, with their events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incidents {
    None,
    /// Those not resolved at `now`: all the release check judges (a
    /// resolved incident is never overdue).
    Open,
    /// Those open, and those opened or resolved within the policy's
    /// delivery window: what the dashboard judges and measures.
    OpenOrRecent,
    All,
}

/// Which maintenance completions a question reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Maintenance {
    None,
    /// The latest completion of each task.
    Latest,
    /// Each task's completions within the policy's delivery window and the
    /// one before them: its latest, and the rhythm the window measures.
    Recent,
    All,
}

/// What a question needs of the ledger: the store loads exactly this into
/// a [`Snapshot`], so nothing reads the whole history to answer a question
/// about part of it.
///
/// The series that grow without bound (gate results, measurements,
/// maintenance, sign-offs) are read as their latest entry per key, plus a
/// window of measurements; the rest are read whole, for the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need<'v> {
    pub releases: bool,
    /// Without `releases`: every release's version, status and time alone,
    /// the shipped lines deprecations are judged by.
    pub release_versions: bool,
    /// The latest result of each gate on each platform, and the latest one
    /// with a value.
    pub gates: bool,
    /// Budget definitions (the policy's budgets are always known).
    pub budgets: bool,
    pub samples: Samples,
    /// Deprecations and removals.
    pub deprecations: bool,
    /// With `deprecations`: only the deprecations no removal of their item
    /// has followed, and no removals (what `deprecations --overdue`
    /// judges: a removed item is never overdue).
    pub unremoved_only: bool,
    /// Without `deprecations`: the removals in this version and the
    /// deprecations of the items they remove (what the release check of
    /// that version judges).
    pub removals_in: Option<&'v str>,
    /// For each sign-off that a capability-policy change stales, the first
    /// capability-policy deprecation and removal after it (with
    /// `attestations`).
    pub staling_changes: bool,
    /// Extensions, their removals and the tier conformance counts.
    pub extensions: bool,
    /// The latest tier conformance counts alone.
    pub tier_conformance: bool,
    /// Incidents and their events.
    pub incidents: Incidents,
    pub maintenance: Maintenance,
    /// The latest sign-off of each criterion.
    pub attestations: bool,
    /// Without `releases`: the releases of the policy's milestone
    /// versions (whether each milestone has shipped, and when).
    pub milestones: bool,
    /// The waivers: every question that judges findings reads them.
    pub waivers: bool,
    /// Without `releases`: the releases after the start of the sample
    /// window (which release first shipped a shift in it).
    pub window_releases: bool,
}

impl Need<'static> {
    /// Nothing but the policy.
    pub const NOTHING: Need<'static> = Need {
        releases: false,
        release_versions: false,
        gates: false,
        budgets: false,
        samples: Samples::None,
        deprecations: false,
        unremoved_only: false,
        removals_in: None,
        staling_changes: false,
        extensions: false,
        tier_conformance: false,
        incidents: Incidents::None,
        maintenance: Maintenance::None,
        attestations: false,
        milestones: false,
        waivers: false,
        window_releases: false,
    };

    /// Everything, every sample included (a reference for tests).
    pub const EVERYTHING: Need<'static> = Need {
        releases: true,
        release_versions: false,
        gates: true,
        budgets: true,
        samples: Samples::All,
        deprecations: true,
        unremoved_only: false,
        removals_in: None,
        staling_changes: true,
        extensions: true,
        tier_conformance: true,
        incidents: Incidents::All,
        maintenance: Maintenance::All,
        attestations: true,
        milestones: true,
        waivers: true,
        window_releases: true,
    };

    /// `ledger releases`.
    pub const RELEASES: Need<'static> = Need {
        releases: true,
        ..Need::NOTHING
    };

    /// `ledger gates`.
    pub const GATES: Need<'static> = Need {
        gates: true,
        waivers: true,
        ..Need::NOTHING
    };

    /// `ledger budgets`: definitions and each one's latest sample.
    pub const BUDGETS: Need<'static> = Need {
        budgets: true,
        samples: Samples::Latest,
        waivers: true,
        ..Need::NOTHING
    };

    /// `ledger deprecations`: judged against the shipped releases.
    pub const DEPRECATIONS: Need<'static> = Need {
        release_versions: true,
        deprecations: true,
        waivers: true,
        ..Need::NOTHING
    };

    /// `ledger deprecations --overdue`: the items not removed, judged
    /// against the shipped releases.
    pub const OVERDUE_DEPRECATIONS: Need<'static> = Need {
        unremoved_only: true,
        ..Need::DEPRECATIONS
    };

    /// `ledger extensions`.
    pub const EXTENSIONS: Need<'static> = Need {
        extensions: true,
        waivers: true,
        ..Need::NOTHING
    };

    /// `ledger incidents`: "next release" SLAs need the shipped releases.
    pub const INCIDENTS: Need<'static> = Need {
        release_versions: true,
        incidents: Incidents::All,
        waivers: true,
        ..Need::NOTHING
    };

    /// `ledger maintenance`.
    pub const MAINTENANCE: Need<'static> = Need {
        maintenance: Maintenance::Latest,
        waivers: true,
        ..Need::NOTHING
    };

    /// `ledger readiness`: gates, the consistency window of every budget,
    /// sign-offs, and the capability-policy deprecations that stale one.
    pub const READINESS: Need<'static> = Need {
        gates: true,
        budgets: true,
        samples: Samples::Consistency,
        staling_changes: true,
        attestations: true,
        milestones: true,
        waivers: true,
        ..Need::NOTHING
    };

    /// Which milestones have shipped, and when: the releases of their
    /// versions.
    pub const MILESTONES: Need<'static> = Need {
        milestones: true,
        ..Need::NOTHING
    };

    /// `ledger check-release` (with `removals_in` the version checked).
    pub const CHECK_RELEASE: Need<'static> = Need {
        releases: true,
        tier_conformance: true,
        gates: true,
        budgets: true,
        // The latest sample of each budget, and the shifts since the last
        // release.
        samples: Samples::SinceLastRelease,
        incidents: Incidents::Open,
        waivers: true,
        ..Need::NOTHING
    };

    /// `ledger status`: everything the dashboard shows, its delivery
    /// metrics over the policy's window included.
    pub const STATUS: Need<'static> = Need {
        releases: true,
        release_versions: false,
        gates: true,
        budgets: true,
        samples: Samples::Dashboard,
        deprecations: true,
        unremoved_only: false,
        removals_in: None,
        staling_changes: true,
        extensions: false,
        tier_conformance: false,
        incidents: Incidents::OpenOrRecent,
        maintenance: Maintenance::Recent,
        attestations: true,
        milestones: true,
        waivers: true,
        window_releases: false,
    };

    /// `ledger delivery`: releases, incidents, deprecations and every
    /// maintenance completion (the rhythm, not only the latest).
    pub const DELIVERY: Need<'static> = Need {
        releases: true,
        deprecations: true,
        incidents: Incidents::All,
        maintenance: Maintenance::All,
        ..Need::NOTHING
    };

    /// `ledger waive RULE SUBJECT`: what the rule's findings may be
    /// about, and what judges whether one is open now (what the list
    /// command of those findings reads).
    pub fn waive(rule: Code) -> Need<'static> {
        match rule {
            Code::DeprecationOverdue | Code::DeprecationPremature => Need::DEPRECATIONS,
            Code::BudgetOver => Need::BUDGETS,
            Code::BudgetDrift => Need::drift(None),
            Code::GateFailing => Need::GATES,
            Code::IncidentSla | Code::SecurityOpen => Need::INCIDENTS,
            Code::MaintenanceOverdue => Need::MAINTENANCE,
            Code::ReadinessCriterion => Need::READINESS,
            Code::ExtensionViolation => Need::EXTENSIONS,
            Code::TierConformance => Need {
                tier_conformance: true,
                ..Need::NOTHING
            },
            // Never waived: nothing to read.
            Code::Integrity
            | Code::AlreadyRecorded
            | Code::VersionOrder
            | Code::BreakingNeedsMajor
            | Code::ShiftAccepted => Need::NOTHING,
        }
    }

    /// `ledger drift --days N`: the budgets and the samples of the window
    /// (`None`: the policy's).
    pub fn drift(days: Option<u32>) -> Need<'static> {
        Need {
            // The releases name when a shift shipped.
            window_releases: true,
            budgets: true,
            samples: Samples::Within(days),
            waivers: true,
            ..Need::NOTHING
        }
    }
}

impl Need<'_> {
    /// When a sample window starts (exclusive) for this need at `now`;
    /// `None` when every sample is read or none is windowed.
    pub fn samples_since(&self, policy: &Policy, now: Time) -> Option<Time> {
        let days = match self.samples {
            Samples::Within(d) => d.unwrap_or(policy.budgets.drift_days),
            Samples::Dashboard => policy
                .budgets
                .drift_days
                .max(policy.budgets.consistency_days),
            Samples::Consistency => policy.budgets.consistency_days,
            // Known once the releases are read: the store sets it.
            Samples::None | Samples::Latest | Samples::All | Samples::SinceLastRelease => {
                return None;
            }
        };
        Some(super::time::days_before(now, days))
    }
}

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

/// Everything a question needs of one project, as of `now`, in time order.
///
/// What it holds is what its [`Need`] asked for: a list that was not asked
/// for is empty, and the growing series hold a known part of the history
/// (see the fields).
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub project: String,
    pub now: Time,
    pub policy: Policy,
    /// When each policy version came into force.
    pub policy_changes: Vec<Time>,
    pub releases: Vec<Stamped<ReleaseRec>>,
    /// Instead of `releases`, when a question judges by the shipped lines
    /// alone: every release's version, status and time, in time order.
    pub release_versions: Vec<ReleaseVersion>,
    /// At least the latest result of each gate on each platform, and the
    /// latest one with a value.
    pub gate_results: Vec<Stamped<GateResultRec>>,
    pub budgets: Vec<Stamped<BudgetRec>>,
    /// Every sample after `samples_since` and, unless the need was
    /// `Samples::Within` (a window only), the first and the latest sample
    /// of each budget.
    pub measurements: Measurements,
    /// Where the complete part of `measurements` starts (exclusive);
    /// `None`: every sample is there.
    pub samples_since: Option<Time>,
    pub deprecations: Vec<Stamped<DeprecationRec>>,
    pub removals: Vec<Stamped<RemovalRec>>,
    pub extensions: Vec<Stamped<ExtensionRec>>,
    pub extension_removals: Vec<Stamped<ExtensionRemovalRec>>,
    pub tier_conformance: Vec<Stamped<TierConformanceRec>>,
    pub incidents: Vec<Stamped<IncidentRec>>,
    pub incident_events: Vec<Stamped<IncidentEventRec>>,
    /// At least the latest completion of each task.
    pub maintenance: Vec<Stamped<MaintenanceRec>>,
    /// At least the latest sign-off of each criterion.
    pub attestations: Vec<Stamped<AttestationRec>>,
    /// The waivers recorded, judged at `now`.
    pub waivers: Waivers,
    /// The accepted shifts (read with the budgets).
    pub shift_acceptances: Vec<Stamped<ShiftAcceptanceRec>>,
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
    pub window: u32,
    pub earliest_removal: Option<String>,
    pub status: DeprecationStatus,
    pub overdue_since: Option<Time>,
    pub replacement: Option<String>,
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

impl Snapshot {
    /// A project with nothing recorded yet, judged by `policy` at `now`.
    pub fn empty(project: &str, now: Time, policy: Policy) -> Snapshot {
        Snapshot {
            project: project.to_string(),
            now,
            policy,
            policy_changes: Vec::new(),
            releases: Vec::new(),
            release_versions: Vec::new(),
            gate_results: Vec::new(),
            budgets: Vec::new(),
            measurements: Measurements::default(),
            samples_since: None,
            deprecations: Vec::new(),
            removals: Vec::new(),
            extensions: Vec::new(),
            extension_removals: Vec::new(),
            tier_conformance: Vec::new(),
            incidents: Vec::new(),
            incident_events: Vec::new(),
            maintenance: Vec::new(),
            attestations: Vec::new(),
            waivers: Waivers::new(Vec::new(), now),
            shift_acceptances: Vec::new(),
        }
    }

    /// Releases that count as shipped, with their dates: of the releases
    /// read, whole or as their versions alone.
    pub fn shipped(&self) -> Vec<Shipped> {
        let releases = self
            .releases
            .iter()
            .map(|r| (&r.rec.version, r.rec.status, r.at));
        let versions = self
            .release_versions
            .iter()
            .map(|r| (&r.version, r.status, r.at));
        releases
            .chain(versions)
            .filter_map(|(version, status, date)| {
                let version = Version::parse(version).ok()?;
                release::is_shipped(&self.policy, &version, status)
                    .then_some(Shipped { version, date })
            })
            .collect()
    }

    /// Every release, newest version first.
    pub fn release_rows(&self) -> Vec<ReleaseRow> {
        let mut rows: Vec<(Version, ReleaseRow)> = self
            .releases
            .iter()
            .filter_map(|r| {
                let v = Version::parse(&r.rec.version).ok()?;
                Some((v.clone(), self.release_row(r, &v)))
            })
            .collect();
        rows.sort_by(|a, b| b.0.cmp(&a.0));
        rows.into_iter().map(|(_, r)| r).collect()
    }

    fn release_row(&self, r: &Stamped<ReleaseRec>, v: &Version) -> ReleaseRow {
        ReleaseRow {
            version: v.to_string(),
            tag: release::tag(&self.policy, v),
            date: super::time::date(r.at),
            status: r.rec.status,
            channel: Channel::of(v),
            breaking: r.rec.breaking,
            shipped: release::is_shipped(&self.policy, v, r.rec.status),
            commit: r.rec.commit_sha.clone(),
            notes: r.rec.notes.clone(),
            entry: r.seq,
        }
    }

    /// The latest shipped release: the highest shipped version (the
    /// earliest entry of it, as [`Snapshot::release_rows`] lists them),
    /// found without listing thousands of releases.
    pub fn latest_shipped(&self) -> Option<ReleaseRow> {
        let mut latest: Option<(Version, &Stamped<ReleaseRec>)> = None;
        for r in &self.releases {
            let Ok(v) = Version::parse(&r.rec.version) else {
                continue;
            };
            if release::is_shipped(&self.policy, &v, r.rec.status)
                && latest.as_ref().is_none_or(|(best, _)| v > *best)
            {
                latest = Some((v, r));
            }
        }
        latest.map(|(v, r)| self.release_row(r, &v))
    }

    /// The latest result of every policy gate on every platform it runs on,
    /// in policy order; a gate without a result is listed with none.
    pub fn gate_rows(&self) -> Vec<GateRow> {
        let mut latest: BTreeMap<(&str, Option<&str>), &Stamped<GateResultRec>> = BTreeMap::new();
        for r in &self.gate_results {
            // Time order, so a later entry replaces an earlier one.
            latest.insert((r.rec.gate.as_str(), r.rec.platform.as_deref()), r);
        }
        let mut rows = Vec::new();
        for def in &self.policy.gates {
            let platforms: Vec<Option<&str>> = if def.per_platform {
                self.policy
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
                    waived: self.waived_if(failing.then_some(Code::GateFailing), &def.id),
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

    /// Every budget as it stands: the policy's, overlaid by the latest
    /// recorded definition of each; policy order, then recorded ones by id.
    pub fn budget_defs(&self) -> Vec<Budget> {
        let mut out: Vec<Budget> = self
            .policy
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
        for b in &self.budgets {
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
    pub fn require_budget(&self, id: &str) -> Result<Budget, super::Error> {
        let defs = self.budget_defs();
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
            self.samples_since.is_none_or(|loaded| since >= loaded),
            "samples since {since} asked of a snapshot holding those after {:?}",
            self.samples_since
        );
        self.measurements
            .after(budget, since)
            .iter()
            .map(|m| (m.at, m.value))
            .collect()
    }

    /// The first measurement of one budget.
    pub fn first_sample(&self, budget: &str) -> Option<(Time, f64)> {
        self.measurements
            .of(budget)
            .first()
            .map(|m| (m.at, m.value))
    }

    /// The latest measurement of one budget.
    pub fn last_sample(&self, budget: &str) -> Option<(Time, f64)> {
        self.measurements.of(budget).last().map(|m| (m.at, m.value))
    }

    /// Every budget with its latest measurement.
    pub fn budget_rows(&self) -> Vec<BudgetRow> {
        let rules = &self.policy.budgets;
        self.budget_defs()
            .into_iter()
            .map(|b| {
                let last = self.last_sample(&b.id);
                let over = last.map(|(_, v)| budget::over_pct(v, b.threshold, b.direction));
                let standing = over.map(|p| budget::standing(p, rules));
                BudgetRow {
                    waived: self.waived_if(standing.and_then(Standing::rule), &b.id),
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

    /// Drift of every budget over the last `days` days by the change-point
    /// detector, worst first.
    pub fn drift(&self, days: u32) -> Vec<Drift> {
        self.drift_by(days, budget::DriftMethod::ChangePoints)
    }

    /// Drift of every budget over the last `days` days by `method`, worst
    /// first; each shift names the first release shipped at or after it.
    pub fn drift_by(&self, days: u32, method: budget::DriftMethod) -> Vec<Drift> {
        self.drift_after(super::time::days_before(self.now, days), method)
    }

    /// Drift of every budget over the samples after `since`, by `method`,
    /// worst first.
    pub fn drift_after(&self, since: Time, method: budget::DriftMethod) -> Vec<Drift> {
        debug_assert!(
            self.samples_since.is_none_or(|loaded| since >= loaded),
            "a drift window before the samples loaded"
        );
        let mut shipped = self.shipped();
        shipped.sort_by_key(|r| r.date);
        let judge = |b: &Budget| {
            let samples = self.samples(&b.id, since);
            let accepted = self.accepted_shifts(&b.id);
            let mut d = budget::drift(b, &samples, &self.policy.budgets, method, &accepted);
            for s in &mut d.shifts {
                s.release = shipped
                    .iter()
                    .find(|r| r.date >= s.at)
                    .map(|r| r.version.to_string());
            }
            d.waived = self.waived_if(d.status.rule(), &b.id);
            d
        };
        let defs = self.budget_defs();
        // Each budget is judged on its own, and over a long window the
        // detector is much of a question's time: past a few thousand
        // samples the budgets are shared between two threads.
        let samples: usize = defs
            .iter()
            .map(|b| self.measurements.after(&b.id, since).len())
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
        self.shift_acceptances
            .iter()
            .filter(|a| a.rec.budget == budget)
            .filter_map(|a| super::time::parse_stored(&a.rec.shift_at).ok())
            .collect()
    }

    /// Every deprecation with its judgement, by item.
    pub fn deprecation_rows(&self) -> Vec<DeprecationRow> {
        let shipped = ShippedLines::new(&self.shipped());
        let rules = &self.policy.deprecations;
        let removals = by_key(&self.removals, |r| r.rec.item.as_str());
        let mut rows: Vec<DeprecationRow> = Vec::with_capacity(self.deprecations.len());
        rows.extend(self.deprecations.iter().filter_map(|d| {
            let dv = Version::parse(&d.rec.version).ok()?;
            let removal = removals
                .get(d.rec.item.as_str())
                .and_then(|rs| rs.iter().find(|r| r.seq > d.seq))
                .and_then(|r| Version::parse(&r.rec.version).ok());
            let j = deprecation::judge_in(rules, d.rec.kind, &dv, removal.as_ref(), &shipped);
            Some(DeprecationRow {
                item: d.rec.item.clone(),
                kind: d.rec.kind,
                // The stored text: a version parses only from the text
                // it prints as.
                deprecated_in: d.rec.version.clone(),
                removed_in: removal.map(|r| r.to_string()),
                window: j.window,
                earliest_removal: earliest_removal(rules, j.window, &dv, &j, &shipped),
                status: j.status,
                overdue_since: j.overdue_since,
                replacement: d.rec.replacement.clone(),
                entry: d.seq,
                waived: self.waived_if(j.status.rule(), &d.rec.item),
            })
        }));
        rows.sort_by(|a, b| a.item.cmp(&b.item));
        rows
    }

    /// The corpus: the latest entry of each extension, with its removal if
    /// one came after it, by id.
    pub fn extension_rows(&self) -> Vec<ExtensionRow> {
        let mut latest: BTreeMap<&str, &Stamped<ExtensionRec>> = BTreeMap::new();
        for e in &self.extensions {
            latest.insert(&e.rec.extension, e);
        }
        latest
            .into_values()
            .map(|e| {
                let removal = self
                    .extension_removals
                    .iter()
                    .rfind(|r| r.rec.extension == e.rec.extension && r.seq > e.seq);
                let rec = &e.rec;
                let violations = extension::violations(
                    &self.policy,
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
                    waived: self.waived_if(
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
            })
            .collect()
    }

    /// Corpus size per tier against the policy, with the latest conformance.
    pub fn tier_counts(&self) -> Vec<TierCount> {
        let rows = self.extension_rows();
        let conformance = self.tier_pass_pct();
        self.policy
            .extensions
            .tiers
            .iter()
            .map(|t| {
                let pass = conformance.get(t.id.as_str()).copied();
                TierCount {
                    tier: t.id.clone(),
                    expected: t.count,
                    actual: rows.iter().filter(|r| !r.removed && r.tier == t.id).count(),
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
    pub fn tier_pass_pct(&self) -> BTreeMap<&str, f64> {
        let mut counts: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
        if let Some(last) = self.tier_conformance.last() {
            for t in self.tier_conformance.iter().filter(|t| t.at == last.at) {
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

    /// Every incident with its SLA standing, by id.
    pub fn incident_rows(&self) -> Vec<IncidentRow> {
        let releases = self.shipped();
        let mut shipped: Vec<Time> = releases.iter().map(|s| s.date).collect();
        shipped.sort_unstable();
        let shipped_at = |v: &str| {
            let v = Version::parse(v).ok()?;
            releases.iter().find(|s| s.version == v).map(|s| s.date)
        };
        let events = by_key(&self.incident_events, |e| e.rec.incident);
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
                let j = incident::judge_by_dates(&self.policy, &facts, &shipped, self.now);
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
                    triaged_at,
                    resolved_at: facts.resolved_at,
                    fix_release: resolved.and_then(|r| r.1),
                    sla: j.sla,
                    due,
                    due_at_next_release: j.next_release,
                    sla_state: j.state,
                    overdue: j.overdue,
                    overdue_by_hours: j.overdue_by_hours,
                    introduced_in: i.rec.introduced_in.clone(),
                    waived: self
                        .waived_if(j.overdue.then_some(Code::IncidentSla), &i.seq.to_string()),
                }
            })
            .collect()
    }

    /// Every maintenance task with its standing, in policy order.
    pub fn maintenance_rows(&self) -> Vec<TaskStatus> {
        let done: Vec<(String, Time)> = self
            .maintenance
            .iter()
            .map(|m| (m.rec.task.clone(), m.at))
            .collect();
        let mut rows = maintenance::statuses(&self.policy, &done, self.now);
        for t in &mut rows {
            t.waived = self.waived_if(t.overdue.then_some(Code::MaintenanceOverdue), &t.task);
        }
        rows
    }

    /// The waiver in force on the finding of `rule` (if there is one)
    /// about `subject`.
    pub fn waived_if(&self, rule: Option<Code>, subject: &str) -> Option<Waived> {
        self.waivers.of(rule?, subject)
    }

    /// The latest attestation of a criterion and whether it went stale.
    pub fn attestation(
        &self,
        criterion: &str,
    ) -> Option<(&Stamped<AttestationRec>, Option<String>)> {
        let latest = self
            .attestations
            .iter()
            .rfind(|a| a.rec.criterion == criterion)?;
        let stale_on_change = self
            .policy
            .criterion(criterion)
            .is_some_and(|c| c.stale_on_capability_change);
        // DESIGN: stale once a capability-policy deprecation or policy
        // change is recorded after it; governance (Security Review) counts
        // removing a capability as such a change.
        let stale = if stale_on_change {
            let is_capability = |item: &str| {
                self.deprecations
                    .iter()
                    .any(|d| d.rec.item == item && d.rec.kind == DeprecationKind::CapabilityPolicy)
            };
            let deprecation = self
                .deprecations
                .iter()
                .find(|d| d.rec.kind == DeprecationKind::CapabilityPolicy && d.at > latest.at)
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
                .find(|r| r.at > latest.at && is_capability(&r.rec.item))
                .map(|r| {
                    let why = format!(
                        "capability-policy removal of \"{}\" (entry {}) came after it",
                        r.rec.item, r.seq
                    );
                    (r.at, why)
                });
            let change = self
                .policy_changes
                .iter()
                .find(|t| **t > latest.at)
                .map(|t| {
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
        } else {
            None
        };
        Some((latest, stale))
    }
}

fn earliest_removal(
    rules: &super::policy::DeprecationPolicy,
    window: u32,
    deprecated_in: &Version,
    j: &deprecation::Judgement,
    shipped: &ShippedLines,
) -> Option<String> {
    if j.status == DeprecationStatus::Removed || j.status == DeprecationStatus::Premature {
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
        let mut s = Snapshot::empty("pi", now, crate::domain::policy::Policy::builtin());
        let ids: Vec<String> = s.budget_defs().into_iter().map(|b| b.id).collect();
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
            s.measurements.extend(id, samples.collect::<Vec<_>>());
        }
        assert!(s.measurements.len() >= SAMPLES_WORTH_A_THREAD);
        let rows = s.drift(1);
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
