//! Layer: bottom (see `domain::LAYERS`).
//!
//! The governance as data: every threshold, window, SLA and tier.
//!
//! A policy is a TOML document (`seed/policy.toml` is the default). It is
//! parsed strictly: an unknown or missing field is an error that names the
//! file, line and field, because a typo in a threshold must not pass silently.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    Error,
    terms::{
        Cadence, Comparator, DeprecationKind, Direction, GateKind, IncidentKind, ReleaseStatus,
        Severity,
    },
};

pub use super::rule::Section;

pub mod delivery;
pub mod templates;
pub mod waivers;

/// The schema id a policy document must declare.
pub const SCHEMA: &str = "ledger.policy.v1";

/// The built-in policy, compiled from `seed/policy.toml`.
pub const DEFAULT_TOML: &str = include_str!("../../../seed/policy.toml");

/// A whole governance policy. Only the project's name is required: a
/// section the document leaves out is not governed ([`Policy::governs`]),
/// and the questions about it say so instead of judging by defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The document's schema id: `ledger.policy.v1`.
    #[serde(default = "default_schema")]
    pub schema: String,
    /// The project that commands select when `--project` is not given.
    pub project: String,
    /// A title for the policy, shown by `ledger policy`.
    #[serde(default)]
    pub title: String,
    /// The platforms a per-platform gate runs on.
    #[serde(default)]
    pub platforms: Vec<String>,
    /// Every entry must be signed by its writer (`--sign`); `verify
    /// --trusted-keys` reports entries written without a signature once a
    /// policy that says so is in force.
    #[serde(default)]
    pub require_signed_writes: bool,
    /// The verifier keys (`<name>+<key id>+<base64>`, from `ledger keygen`)
    /// whose signed writes are accepted while `require_signed_writes` is on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trusted_keys: Vec<String>,
    /// The log's name in checkpoints (C2SP origin, e.g.
    /// `example.org/pi/ledger`); default `<project>/ledger`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default)]
    pub releases: ReleasePolicy,
    #[serde(default)]
    pub gates: Vec<GateDef>,
    #[serde(default)]
    pub budgets: BudgetPolicy,
    #[serde(default)]
    pub deprecations: DeprecationPolicy,
    #[serde(default)]
    pub incidents: IncidentPolicy,
    #[serde(default)]
    pub extensions: ExtensionPolicy,
    #[serde(default)]
    pub maintenance: MaintenancePolicy,
    #[serde(default)]
    pub attestations: AttestationPolicy,
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    /// Which findings may be waived, and for how long.
    #[serde(default)]
    pub waivers: waivers::WaiverPolicy,
    /// The delivery metrics' window and performance levels.
    #[serde(default)]
    pub delivery: delivery::DeliveryPolicy,
    /// The sections the document states (read with it, not a field of it).
    #[serde(skip)]
    pub governs: Governs,
}

fn default_schema() -> String {
    SCHEMA.to_string()
}

/// Where in a policy document a problem is: its line and column (from 1)
/// and the path of the field there (`gates[2].unit`), when one is.
struct Spot {
    line: usize,
    column: usize,
    /// The table the spot is in.
    table: Option<String>,
    /// The field: the table's path and the key on the spot's line.
    path: Option<String>,
}

impl Spot {
    /// The spot of byte `at` in `text`.
    fn of(text: &str, at: usize) -> Spot {
        let before = &text[..at];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count() + 1;
        let column = before[line_start..].chars().count() + 1;
        let this = text[line_start..].lines().next().unwrap_or_default();
        let key = this
            .split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"').to_string())
            .filter(|k| !k.is_empty() && !k.starts_with('['));
        // The table the line is in: the nearest header at or above it.
        let mut header = None;
        for (i, l) in text[..line_start + this.len()].lines().rev().enumerate() {
            let l = l.trim();
            if l.starts_with('[') {
                header = Some(table_path(text, l, line - i));
                break;
            }
        }
        let path = match (&header, key) {
            (Some(h), Some(k)) => Some(format!("{h}.{k}")),
            (Some(h), None) => Some(h.clone()),
            (None, Some(k)) => Some(k),
            (None, None) => None,
        };
        Spot {
            line,
            column,
            table: header,
            path,
        }
    }
}

/// The path a table header names: `[a.b]` is `a.b`; `[[gates]]` on line
/// `line` is `gates[i]`, the i-th (from 0) such header.
fn table_path(text: &str, header: &str, line: usize) -> String {
    let array = header.starts_with("[[");
    let name = header
        .trim_start_matches('[')
        .split(']')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    if !array {
        return name;
    }
    let index = text
        .lines()
        .take(line)
        .filter(|l| {
            let l = l.trim();
            l.starts_with("[[")
                && l.trim_start_matches('[').split(']').next().map(str::trim) == Some(&name)
        })
        .count();
    format!("{name}[{}]", index.saturating_sub(1))
}

/// Which sections a policy document states.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Governs(Vec<Section>);

impl Governs {
    /// The sections among the top-level keys of `doc`.
    fn of(doc: &toml::Table) -> Governs {
        Governs(
            Section::ALL
                .into_iter()
                .filter(|s| doc.contains_key(s.key()))
                .collect(),
        )
    }
}

/// Versioning rules and channels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReleasePolicy {
    /// Put before a version to make its tag (default: none, `1.2.3`).
    pub tag_prefix: String,
    /// The release statuses that count as shipped (a draft does not).
    pub shipped_statuses: Vec<ReleaseStatus>,
    /// The release channels and their cadence, as documentation.
    pub channels: Vec<ChannelDef>,
    /// What `check-release` makes of a gate with no result on a platform
    /// it must run on: `warn` (a warning, blocking for a major release and
    /// a milestone's version) or `block` (always blocking).
    pub missing_evidence: MissingEvidence,
}

impl Default for ReleasePolicy {
    fn default() -> ReleasePolicy {
        ReleasePolicy {
            tag_prefix: String::new(),
            shipped_statuses: vec![ReleaseStatus::Released, ReleaseStatus::TagOnly],
            channels: Vec::new(),
            missing_evidence: MissingEvidence::Warn,
        }
    }
}

/// What a release check makes of an enforced gate with no result.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum MissingEvidence {
    /// A warning; blocking for a major release and a milestone's version.
    #[default]
    Warn,
    /// Always blocking.
    Block,
}

/// One release channel's cadence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelDef {
    /// The channel: patch, minor, major, pre-release, ...
    pub id: String,
    /// How often it ships, in words.
    pub frequency: String,
    /// What it ships, in words.
    pub scope: String,
}

/// A CI or conformance gate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GateDef {
    /// The gate's id, as `record-gate` and the imports name it.
    pub id: String,
    /// What the gate checks, in words.
    pub title: String,
    pub kind: GateKind,
    pub comparator: Comparator,
    /// `None` for a gate that only takes `--pass` / `--fail`.
    #[serde(default, deserialize_with = "bounded::opt_number")]
    pub threshold: Option<f64>,
    /// The unit of its value (`% passing`, `warnings`, ...).
    pub unit: String,
    /// Whether it runs (and must pass) on each of `platforms`.
    pub per_platform: bool,
    /// What records it: `junit`, `cargo-audit`, or the file an import reads.
    #[serde(default)]
    pub source: String,
}

/// Performance budgets and the rules that judge them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct BudgetPolicy {
    /// Over budget by more than this blocks the next release.
    #[serde(deserialize_with = "bounded::percent")]
    pub blocking_over_pct: f64,
    /// A change beyond this, the bad way, is drift.
    #[serde(deserialize_with = "bounded::percent")]
    pub drift_tolerance_pct: f64,
    /// The default drift window.
    #[serde(deserialize_with = "bounded::days")]
    pub drift_days: u32,
    /// How long a budget must hold to count as met consistently.
    #[serde(deserialize_with = "bounded::days")]
    pub consistency_days: u32,
    /// The largest p-value a shift may have to count (change points).
    #[serde(default = "default_drift_alpha")]
    pub drift_alpha: f64,
    /// The smallest shift reported, in percent; default: the drift
    /// tolerance.
    #[serde(default, deserialize_with = "bounded::opt_percent")]
    pub drift_min_effect_pct: Option<f64>,
    /// With fewer samples in its window, a budget's drift is not judged.
    #[serde(
        default = "default_drift_min_samples",
        deserialize_with = "bounded::whole_usize::<_, 2, { bounded::MAX_SAMPLES }>"
    )]
    pub drift_min_samples: usize,
    pub definitions: Vec<BudgetDef>,
}

fn default_drift_alpha() -> f64 {
    0.001
}

impl Default for BudgetPolicy {
    /// The governance's defaults: over by 20% blocks, a 10% shift is
    /// drift, both windows 30 days.
    fn default() -> BudgetPolicy {
        BudgetPolicy {
            blocking_over_pct: 20.0,
            drift_tolerance_pct: 10.0,
            drift_days: 30,
            consistency_days: 30,
            drift_alpha: default_drift_alpha(),
            drift_min_effect_pct: None,
            drift_min_samples: default_drift_min_samples(),
            definitions: Vec::new(),
        }
    }
}

fn default_drift_min_samples() -> usize {
    8
}

impl BudgetPolicy {
    /// The smallest shift the detector reports.
    pub fn drift_min_effect(&self) -> f64 {
        self.drift_min_effect_pct
            .unwrap_or(self.drift_tolerance_pct)
    }
}

/// One budget as the policy defines it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetDef {
    /// The budget's id, as `record-budget` and the imports name it.
    pub id: String,
    /// What it measures, in words.
    #[serde(default)]
    pub title: String,
    /// A group for the budget (startup, parser, binary, ...).
    pub category: String,
    /// The statistic: an import takes the median, min or max when this names one, else the mean.
    pub metric: String,
    /// The unit of the threshold and of every measurement (ms, MB, ops/s, ...); imports convert time and size units to it.
    pub unit: String,
    /// The limit: a measurement beyond it is over budget.
    #[serde(deserialize_with = "bounded::number")]
    pub threshold: f64,
    pub direction: Direction,
    /// Whether milestone readiness requires it to hold consistently.
    pub ci_enforced: bool,
    /// The series an import reads into it: `criterion:ID`, `hyperfine:COMMAND`, `bmf:BENCHMARK/MEASURE`.
    #[serde(default)]
    pub source: String,
}

/// Deprecation windows, in minor release lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DeprecationPolicy {
    /// After 1.0, an item may only go in a new major as well.
    pub post_1_0_removal_requires_major: bool,
    /// The windows before 1.0 and after.
    pub windows: Windows,
    /// Kinds kept on purpose (a tool keeping deprecated flags as hidden
    /// aliases): their items are listed as kept, never overdue.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<DeprecationKind>,
}

impl Default for DeprecationPolicy {
    fn default() -> DeprecationPolicy {
        DeprecationPolicy {
            post_1_0_removal_requires_major: true,
            windows: Windows::default(),
            kept: Vec::new(),
        }
    }
}

/// Windows per phase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Windows {
    pub pre_1_0: KindWindows,
    pub post_1_0: KindWindows,
}

/// A window per deprecation kind, in minor release lines (`api = 1`,
/// `cli-flag = 2`): the kinds are the policy's names. A kind without one
/// is not governed: `deprecate` refuses it, and an item of it is never
/// overdue.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct KindWindows(#[serde(deserialize_with = "bounded::windows")] BTreeMap<String, u32>);

impl KindWindows {
    /// The window for one kind, if the policy sets one.
    pub fn get(&self, kind: DeprecationKind) -> Option<u32> {
        self.0.get(kind.as_str()).copied()
    }

    /// The kinds given a window, by name.
    pub fn kinds(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Sets (or, with `None`, takes away) one kind's window.
    pub fn set(&mut self, kind: &str, window: Option<u32>) {
        match window {
            Some(w) => self.0.insert(kind.to_string(), w),
            None => self.0.remove(kind),
        };
    }
}

/// Incident SLAs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct IncidentPolicy {
    /// The SLAs; an incident is covered by each whose kind and severities match.
    pub slas: Vec<Sla>,
    /// The kinds of incident the project records besides those its SLAs
    /// name (without it: those, `security` and `other`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<IncidentKind>,
}

/// Which event stops an SLA's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Clock {
    Triage,
    Resolve,
}

/// One service-level agreement: which incidents it covers and when it ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sla {
    /// The SLA's id.
    pub id: String,
    /// The incident kind it covers.
    pub kind: IncidentKind,
    /// Empty means every severity.
    #[serde(default)]
    pub severities: Vec<Severity>,
    /// Covers only incidents over budget by more than this.
    #[serde(default, deserialize_with = "bounded::opt_percent")]
    pub over_pct_above: Option<f64>,
    /// What stops its clock: triage or resolve.
    pub clock: Clock,
    /// It ends this many hours after the incident opened.
    #[serde(default, deserialize_with = "bounded::opt_hours")]
    pub within_hours: Option<u32>,
    /// Due when the next shipped release after the incident opened.
    #[serde(default)]
    pub next_release: bool,
    /// Where the SLA comes from, as documentation.
    #[serde(default)]
    pub source: String,
}

/// Extension vetting rules and tiers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ExtensionPolicy {
    /// Licenses (SPDX ids) an added extension may have.
    pub permissive_licenses: Vec<String>,
    /// The doctor verdict an extension added from the CLI needs.
    pub doctor_required: String,
    /// Whether a patched extension may be added.
    pub patches_allowed: bool,
    /// The reasons `remove-extension` accepts.
    pub removal_reasons: Vec<String>,
    /// The corpus tiers.
    pub tiers: Vec<TierDef>,
    /// How the corpus files name tiers: a source name to a tier id.
    pub source_tiers: BTreeMap<String, String>,
    /// A source name starting with a prefix maps to a tier too.
    #[serde(default)]
    pub source_tier_prefixes: BTreeMap<String, String>,
}

/// One extension tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierDef {
    /// The tier's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// How many extensions it is to hold.
    #[serde(deserialize_with = "bounded::whole::<_, 0, { bounded::MAX_COUNT }>")]
    pub count: u32,
    /// How an extension of it is vetted, in words.
    pub vetting: String,
    /// Licenses the tier allows, narrower than the permissive list (an
    /// expression must be satisfiable with these alone); none: any
    /// permissive license.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licenses: Option<Vec<String>>,
    /// Conformance pass rate below which a release is blocked.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bounded::opt_percent"
    )]
    pub conformance_required_pct: Option<f64>,
    /// Conformance pass rate below which a release is warned.
    #[serde(default, deserialize_with = "bounded::opt_percent")]
    pub conformance_target_pct: Option<f64>,
}

/// Maintenance cadences and tasks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MaintenancePolicy {
    /// How many days each cadence is.
    pub cadence_days: CadenceDays,
    /// The recurring tasks.
    pub tasks: Vec<TaskDef>,
}

/// Days per cadence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CadenceDays {
    #[serde(deserialize_with = "bounded::days")]
    pub weekly: u32,
    #[serde(deserialize_with = "bounded::days")]
    pub monthly: u32,
    #[serde(deserialize_with = "bounded::days")]
    pub quarterly: u32,
}

impl Default for CadenceDays {
    /// A week, a month and a quarter, at their longest.
    fn default() -> CadenceDays {
        CadenceDays {
            weekly: 7,
            monthly: 31,
            quarterly: 92,
        }
    }
}

impl CadenceDays {
    /// Days for one cadence.
    pub fn get(&self, cadence: Cadence) -> u32 {
        match cadence {
            Cadence::Weekly => self.weekly,
            Cadence::Monthly => self.monthly,
            Cadence::Quarterly => self.quarterly,
        }
    }
}

/// One recurring maintenance task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskDef {
    /// The task's id, as `record-maintenance` names it.
    pub id: String,
    /// What the task is, in words.
    pub title: String,
    /// How often it is due.
    pub cadence: Cadence,
    /// Who does it, as documentation.
    #[serde(default)]
    pub owner: String,
}

/// Criteria that people sign off.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AttestationPolicy {
    /// The criteria people sign off with `ledger attest`.
    pub criteria: Vec<CriterionDef>,
}

/// One sign-off criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionDef {
    /// The criterion's id, as `ledger attest` names it.
    pub id: String,
    /// What signing it off means.
    pub title: String,
    /// Goes stale once a capability-policy deprecation or a policy change
    /// is recorded after it.
    #[serde(default)]
    pub stale_on_capability_change: bool,
}

/// A milestone such as 1.0 and what it takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    /// The milestone (`1.0`); without `version`, also the version that ships it.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The release that ships the milestone (default: the id as a version,
    /// `1.0` being 1.0.0).
    #[serde(default)]
    pub version: Option<String>,
    /// What it takes.
    pub criteria: Vec<MilestoneCriterion>,
}

impl Milestone {
    /// The version whose shipping ships the milestone, if it names one.
    pub fn version(&self) -> Option<semver::Version> {
        let text = self.version.as_deref().unwrap_or(&self.id);
        let text = text.trim().trim_start_matches('v');
        if let Ok(v) = semver::Version::parse(text) {
            return Some(v);
        }
        // `1.0` and `2` name the release that starts them.
        let parts: Vec<u64> = text
            .split('.')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        match parts[..] {
            [major] => Some(semver::Version::new(major, 0, 0)),
            [major, minor] => Some(semver::Version::new(major, minor, 0)),
            _ => None,
        }
    }
}

/// One criterion of a milestone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneCriterion {
    /// The criterion's id.
    pub id: String,
    /// What it takes, in words.
    pub title: String,
    /// How it is judged.
    pub rule: MilestoneRule,
    /// For `gate-at-least`: the gate whose latest value is read.
    #[serde(default)]
    pub gate: Option<String>,
    /// For `gate-at-least`: the least acceptable value.
    #[serde(default, deserialize_with = "bounded::opt_number")]
    pub at_least: Option<f64>,
    /// For `attestation`: the criterion signed off (default: the id).
    #[serde(default)]
    pub attestation: Option<String>,
}

/// How a milestone criterion is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MilestoneRule {
    /// The latest result of every CI gate passes on every platform.
    CiGatesGreen,
    /// The latest value of a gate is at least a number.
    GateAtLeast,
    /// Every CI-enforced budget held over the consistency window.
    BudgetsConsistent,
    /// A current sign-off exists.
    Attestation,
}

/// The ranges a policy's numbers must lie in, checked as they are read so
/// that an error names the line. Durations are bounded so that time
/// arithmetic on them can never overflow; numbers must be finite.
pub(crate) mod bounded {
    use serde::{Deserialize, Deserializer, de::Error};

    /// The most minor lines a deprecation window may span.
    pub const MAX_WINDOW: u64 = 1_000;
    /// The most extensions a tier may count.
    pub const MAX_COUNT: u64 = 1_000_000;
    /// The most samples a drift judgement may ask for.
    pub const MAX_SAMPLES: u64 = 100_000;

    /// A whole number from `MIN` to `MAX`.
    pub fn whole<'de, D: Deserializer<'de>, const MIN: u64, const MAX: u64>(
        d: D,
    ) -> Result<u32, D::Error> {
        let v = u64::deserialize(d)?;
        if (MIN..=MAX).contains(&v) {
            Ok(v as u32)
        } else {
            Err(D::Error::custom(format!(
                "{v} is out of range; expected a whole number from {MIN} to {MAX}"
            )))
        }
    }

    /// Deprecation windows by kind, each in minor lines.
    pub fn windows<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<std::collections::BTreeMap<String, u32>, D::Error> {
        let mut out = std::collections::BTreeMap::new();
        for (kind, v) in std::collections::BTreeMap::<String, u64>::deserialize(d)? {
            if v > MAX_WINDOW {
                return Err(D::Error::custom(format!(
                    "{kind}: {v} is out of range; expected a whole number from 0 to {MAX_WINDOW}"
                )));
            }
            out.insert(kind, v as u32);
        }
        Ok(out)
    }

    /// [`whole`] as a `usize`.
    pub fn whole_usize<'de, D: Deserializer<'de>, const MIN: u64, const MAX: u64>(
        d: D,
    ) -> Result<usize, D::Error> {
        whole::<D, MIN, MAX>(d).map(|v| v as usize)
    }

    /// A hundred years: longer than any window or cadence means.
    pub const MAX_DAYS: u64 = 36_500;
    pub const MAX_HOURS: u64 = MAX_DAYS * 24;

    fn range<E: Error>(v: u64, max: u64, unit: &str) -> Result<u32, E> {
        if (1..=max).contains(&v) {
            Ok(v as u32)
        } else {
            Err(E::custom(format!(
                "{v} {unit} is out of range; expected 1 to {max}"
            )))
        }
    }

    fn finite<E: Error>(v: f64) -> Result<f64, E> {
        if v.is_finite() {
            Ok(v)
        } else {
            Err(E::custom(format!("{v} is not a finite number")))
        }
    }

    fn pct<E: Error>(v: f64) -> Result<f64, E> {
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(E::custom(format!(
                "{v} is not a percentage; expected a finite number from 0"
            )))
        }
    }

    pub fn days<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        range(u64::deserialize(d)?, MAX_DAYS, "days")
    }

    pub fn opt_hours<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
        Option::<u64>::deserialize(d)?
            .map(|v| range(v, MAX_HOURS, "hours"))
            .transpose()
    }

    pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        finite(f64::deserialize(d)?)
    }

    pub fn opt_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Option::<f64>::deserialize(d)?.map(finite).transpose()
    }

    pub fn percent<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        pct(f64::deserialize(d)?)
    }

    pub fn opt_percent<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Option::<f64>::deserialize(d)?.map(pct).transpose()
    }
}

impl Policy {
    /// Parses and validates a policy document; `location` names it in errors.
    pub fn parse(text: &str, location: &str) -> Result<Policy, Error> {
        let mut policy: Policy = toml::from_str(text).map_err(|e| {
            let message = e.message().trim().replace('\n', " ");
            let Some(span) = e.span() else {
                return Error::Policy {
                    location: location.to_string(),
                    message,
                };
            };
            let at = Spot::of(text, span.start.min(text.len()));
            // A missing field is missing from the table the span points
            // at, not from the key on its line.
            let path = if message.starts_with("missing field") {
                at.table
            } else {
                at.path
            };
            let path = path.map(|p| format!("{p}: ")).unwrap_or_default();
            Error::Policy {
                location: format!("{location}, line {}, column {}", at.line, at.column),
                message: format!("{path}{message}"),
            }
        })?;
        // The document parsed as a policy, so it is a table.
        if let Ok(doc) = text.parse::<toml::Table>() {
            policy.governs = Governs::of(&doc);
        }
        policy.validate().map_err(|message| Error::Policy {
            location: location.to_string(),
            message,
        })?;
        Ok(policy)
    }

    /// The JSON Schema of a policy document (JSON Schema 2020-12): what
    /// `ledger policy schema` prints for editors to validate and complete
    /// `ledger.toml` with.
    pub fn schema() -> serde_json::Value {
        let mut schema = serde_json::to_value(schemars::schema_for!(Policy)).unwrap_or_default();
        if let Some(o) = schema.as_object_mut() {
            o.insert("title".into(), "ledger policy".into());
            o.insert(
                "description".into(),
                "A governance policy for `ledger` (ledger.toml). Only `project` is required; a section left out is not governed. Reference: docs/policy.md.".into(),
            );
        }
        schema
    }

    /// Whether the document states `section`: a section left out is not
    /// governed, whatever its defaults would say.
    pub fn governs(&self, section: Section) -> bool {
        self.governs.0.contains(&section)
    }

    /// "deprecations are not governed by this policy …", for a question
    /// about a section it leaves out; `None` when it governs it.
    pub fn not_governed(&self, section: Section) -> Option<String> {
        (!self.governs(section)).then(|| {
            format!(
                "{} are not governed by the policy of {} (it has no [{}] section), so there is nothing to judge",
                section.subject(),
                self.project,
                section.key()
            )
        })
    }

    /// The log's name in checkpoints: the configured origin, else
    /// `<project>/ledger`.
    pub fn origin(&self) -> String {
        self.origin
            .clone()
            .unwrap_or_else(|| format!("{}/ledger", self.project))
    }

    /// The built-in default policy.
    pub fn builtin() -> Policy {
        match Policy::parse(DEFAULT_TOML, "seed/policy.toml") {
            Ok(p) => p,
            // The seed is compiled in and covered by tests; a broken seed is
            // a build defect, not a user error.
            Err(e) => panic!("built-in policy is invalid: {e}"),
        }
    }

    fn validate(&self) -> Result<(), String> {
        self.validate_identity()?;
        self.validate_ids()?;
        self.validate_numbers()?;
        self.validate_references()?;
        self.validate_milestones()
    }

    /// The schema, project, platforms, origin and trusted keys.
    fn validate_identity(&self) -> Result<(), String> {
        if self.schema != SCHEMA {
            return Err(format!(
                "schema \"{}\" is not supported; expected \"{SCHEMA}\"",
                self.schema
            ));
        }
        if self.project.trim().is_empty() {
            return Err("project must not be empty".into());
        }
        if self.platforms.is_empty()
            && let Some(g) = self.gates.iter().find(|g| g.per_platform)
        {
            return Err(format!(
                "gate \"{}\" runs per platform, but platforms lists none; list them (platforms = [\"linux\", \"macos\", \"windows\"]) or set per_platform = false",
                g.id
            ));
        }
        if let Err(e) = super::text::name("project", &self.project) {
            return Err(format!("project: {e}"));
        }
        unique("platforms", self.platforms.iter().map(String::as_str))?;
        if let Err(e) = super::note::check_origin(&self.origin()) {
            return Err(format!("origin: {e}"));
        }
        for (i, key) in self.trusted_keys.iter().enumerate() {
            if let Err(e) = super::note::Verifier::parse(key) {
                return Err(format!("trusted_keys[{i}]: {e}"));
            }
        }
        if self.require_signed_writes && self.trusted_keys.is_empty() {
            return Err("require_signed_writes needs trusted_keys: the verifier keys (`ledger keygen` writes them to KEYFILE.pub) whose signed writes are accepted".into());
        }
        Ok(())
    }

    /// Every id once in its list.
    fn validate_ids(&self) -> Result<(), String> {
        unique("gates", self.gates.iter().map(|g| g.id.as_str()))?;
        unique(
            "budgets.definitions",
            self.budgets.definitions.iter().map(|b| b.id.as_str()),
        )?;
        unique(
            "incidents.slas",
            self.incidents.slas.iter().map(|s| s.id.as_str()),
        )?;
        unique(
            "extensions.tiers",
            self.extensions.tiers.iter().map(|t| t.id.as_str()),
        )?;
        unique(
            "maintenance.tasks",
            self.maintenance.tasks.iter().map(|t| t.id.as_str()),
        )?;
        unique(
            "attestations.criteria",
            self.attestations.criteria.iter().map(|c| c.id.as_str()),
        )?;
        unique("milestones", self.milestones.iter().map(|m| m.id.as_str()))?;
        Ok(())
    }

    /// Thresholds, probabilities and windows in their ranges.
    fn validate_numbers(&self) -> Result<(), String> {
        let windows = &self.deprecations.windows;
        for (phase, w) in [
            ("pre_1_0", &windows.pre_1_0),
            ("post_1_0", &windows.post_1_0),
        ] {
            for kind in w.kinds() {
                if let Err(e) = super::text::name("deprecation kind", kind) {
                    return Err(format!("deprecations.windows.{phase}: {e}"));
                }
            }
        }
        for (i, b) in self.budgets.definitions.iter().enumerate() {
            if !(b.threshold.is_finite() && b.threshold > 0.0) {
                return Err(format!(
                    "budgets.definitions[{i}].threshold must be a positive number, not {}",
                    b.threshold
                ));
            }
        }
        if !(self.budgets.drift_alpha > 0.0 && self.budgets.drift_alpha < 1.0) {
            return Err(format!(
                "budgets.drift_alpha must be a probability between 0 and 1, not {}",
                self.budgets.drift_alpha
            ));
        }
        if self.budgets.blocking_over_pct < 0.0 || self.budgets.drift_tolerance_pct < 0.0 {
            return Err(
                "budgets.blocking_over_pct and drift_tolerance_pct must not be negative".into(),
            );
        }
        Ok(())
    }

    /// SLAs with one end, and source tiers that map to a tier.
    fn validate_references(&self) -> Result<(), String> {
        for (i, s) in self.incidents.slas.iter().enumerate() {
            if s.within_hours.is_some() == s.next_release {
                return Err(format!(
                    "incidents.slas[{i}] (\"{}\") needs exactly one of within_hours and next_release",
                    s.id
                ));
            }
        }
        let tiers: Vec<&str> = self
            .extensions
            .tiers
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        for (name, tier) in self
            .extensions
            .source_tiers
            .iter()
            .chain(&self.extensions.source_tier_prefixes)
        {
            if !tiers.contains(&tier.as_str()) {
                return Err(format!(
                    "extensions source tier \"{name}\" maps to unknown tier \"{tier}\"; tiers: {}",
                    tiers.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// Each milestone criterion names what its rule reads.
    fn validate_milestones(&self) -> Result<(), String> {
        for m in &self.milestones {
            for (i, c) in m.criteria.iter().enumerate() {
                let at = format!("milestones \"{}\" criteria[{i}] (\"{}\")", m.id, c.id);
                match c.rule {
                    MilestoneRule::GateAtLeast => {
                        let gate = c.gate.as_deref().ok_or(format!("{at} needs gate"))?;
                        if self.gate(gate).is_none() {
                            return Err(format!("{at} names unknown gate \"{gate}\""));
                        }
                        if c.at_least.is_none() {
                            return Err(format!("{at} needs at_least"));
                        }
                    }
                    MilestoneRule::Attestation => {
                        let id = c.attestation.as_deref().unwrap_or(&c.id);
                        if self.criterion(id).is_none() {
                            return Err(format!("{at} names unknown attestation \"{id}\""));
                        }
                    }
                    MilestoneRule::CiGatesGreen | MilestoneRule::BudgetsConsistent => {}
                }
            }
        }
        Ok(())
    }

    /// The verifier keys whose writes this policy accepts (each checked
    /// when the policy was read).
    pub fn trusted_verifiers(&self) -> Vec<super::note::Verifier> {
        self.trusted_keys
            .iter()
            .filter_map(|k| super::note::Verifier::parse(k).ok())
            .collect()
    }

    /// Refuses a write by `signer` that this policy does not accept: under
    /// `require_signed_writes`, an unsigned one or one signed by a key it
    /// does not trust.
    pub fn accepts_writer(&self, signer: Option<&super::note::Verifier>) -> Result<(), Error> {
        if !self.require_signed_writes {
            return Ok(());
        }
        let trusted = self.trusted_verifiers();
        let names = || {
            trusted
                .iter()
                .map(super::note::Verifier::label)
                .collect::<Vec<_>>()
                .join(", ")
        };
        match signer {
            Some(v) if trusted.contains(v) => Ok(()),
            Some(v) => Err(Error::State(format!(
                "this ledger's policy requires writes signed by a trusted key, and {} is not one (trusted: {}); sign with one of them, or load a policy that lists this key",
                v.label(),
                names()
            ))),
            None => Err(Error::State(format!(
                "this ledger's policy requires signed writes: pass --sign KEYFILE (or LEDGER_SIGNING_KEY) with a key it trusts ({})",
                names()
            ))),
        }
    }

    /// A gate by id.
    pub fn gate(&self, id: &str) -> Option<&GateDef> {
        self.gates.iter().find(|g| g.id == id)
    }

    /// A gate by id, or an error listing the known gates.
    pub fn require_gate(&self, id: &str) -> Result<&GateDef, Error> {
        self.gate(id)
            .ok_or_else(|| Error::unknown("gate", id, self.gates.iter().map(|g| g.id.as_str())))
    }

    /// The kinds of incident the project records: its SLAs' kinds and
    /// `incidents.kinds`, else with `security` and `other`.
    pub fn incident_kinds(&self) -> Vec<IncidentKind> {
        let mut out: Vec<IncidentKind> = self.incidents.slas.iter().map(|s| s.kind).collect();
        out.extend(self.incidents.kinds.iter().copied());
        if self.incidents.kinds.is_empty() {
            out.extend([IncidentKind::SECURITY, IncidentKind::OTHER].map(IncidentKind::named));
        }
        let mut seen = Vec::new();
        out.retain(|k| {
            let new = !seen.contains(k);
            seen.push(*k);
            new
        });
        out
    }

    /// The kind, when the policy records incidents of it (any kind when it
    /// governs no incidents); else an error listing those it does.
    pub fn require_incident_kind(&self, kind: &IncidentKind) -> Result<(), Error> {
        let known = self.incident_kinds();
        if !self.governs(Section::Incidents) || known.contains(kind) {
            return Ok(());
        }
        Err(Error::unknown(
            "incident kind",
            kind.as_str(),
            known.iter().map(|k| k.as_str().to_string()),
        ))
    }

    /// A maintenance task by id, or an error listing the known tasks.
    pub fn require_task(&self, id: &str) -> Result<&TaskDef, Error> {
        let tasks = &self.maintenance.tasks;
        tasks
            .iter()
            .find(|t| t.id == id)
            .ok_or_else(|| Error::unknown("task", id, tasks.iter().map(|t| t.id.as_str())))
    }

    /// An attestation criterion by id.
    pub fn criterion(&self, id: &str) -> Option<&CriterionDef> {
        self.attestations.criteria.iter().find(|c| c.id == id)
    }

    /// An attestation criterion by id, or an error listing the known ones.
    pub fn require_criterion(&self, id: &str) -> Result<&CriterionDef, Error> {
        self.criterion(id).ok_or_else(|| {
            Error::unknown(
                "criterion",
                id,
                self.attestations.criteria.iter().map(|c| c.id.as_str()),
            )
        })
    }

    /// A milestone by id, or an error listing the known ones.
    pub fn require_milestone(&self, id: &str) -> Result<&Milestone, Error> {
        self.milestones.iter().find(|m| m.id == id).ok_or_else(|| {
            Error::unknown(
                "milestone",
                id,
                self.milestones.iter().map(|m| m.id.as_str()),
            )
        })
    }

    /// A tier id from a tier id or a corpus file's source tier name.
    pub fn tier_of(&self, name: &str) -> Option<&str> {
        let ext = &self.extensions;
        if let Some(t) = ext.tiers.iter().find(|t| t.id == name) {
            return Some(&t.id);
        }
        if let Some(t) = ext.source_tiers.get(name) {
            return Some(t);
        }
        ext.source_tier_prefixes
            .iter()
            .find(|(prefix, _)| name.starts_with(prefix.as_str()))
            .map(|(_, t)| t.as_str())
    }

    /// The tier ids in policy order.
    pub fn tier_ids(&self) -> Vec<&str> {
        self.extensions
            .tiers
            .iter()
            .map(|t| t.id.as_str())
            .collect()
    }
}

fn unique<'a>(what: &str, ids: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for id in ids {
        if id.trim().is_empty() {
            return Err(format!("{what} has an entry with an empty id"));
        }
        if let Err(e) = super::text::name("id", id) {
            return Err(format!("{what}: {e}"));
        }
        if !seen.insert(id) {
            return Err(format!("{what} defines \"{id}\" twice"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A finding points at its section's first line: a table, an array
    /// of tables, a dotted table or a top-level key; never a longer key
    /// that starts the same.
    #[test]
    fn a_section_is_found_at_its_first_line() {
        let text = "project = \"rg\"\ngates_note = 1\n\n[deprecations.windows.pre_1_0]\napi = 1\n[[gates]]\nid = \"fmt\"\n[[incidents.slas]]\n";
        assert_eq!(Section::Deprecations.line_in(text), Some(4));
        assert_eq!(Section::Gates.line_in(text), Some(6));
        assert_eq!(Section::Incidents.line_in(text), Some(8));
        assert_eq!(Section::Budgets.line_in(text), None);
        assert_eq!(Section::Gates.line_in("gates = []\n"), Some(1));
        assert_eq!(Section::Gates.line_in("[x]\ngates = []\n"), None);
        for t in templates::TEMPLATES {
            assert!(
                Section::Deprecations.line_in(t.text).is_some(),
                "{}",
                t.name
            );
        }
    }

    #[test]
    fn the_builtin_policy_encodes_the_governance() {
        let p = Policy::builtin();
        let ci: Vec<&str> = p
            .gates
            .iter()
            .filter(|g| g.kind.is_ci())
            .map(|g| g.id.as_str())
            .collect();
        assert_eq!(
            ci,
            [
                "fmt",
                "clippy",
                "unit-tests",
                "fixture-tests",
                "no-mock-guard",
                "suite-classification",
                "traceability",
                "vcr-leak-guard"
            ]
        );
        let max_failures = p.gate("max-failures").unwrap();
        assert_eq!(
            (max_failures.comparator, max_failures.threshold),
            (Comparator::Le, Some(36.0))
        );
        assert_eq!(p.gate("corpus-pass-rate").unwrap().threshold, Some(80.0));
        let budgets: Vec<(&str, f64)> = p
            .budgets
            .definitions
            .iter()
            .map(|b| (b.id.as_str(), b.threshold))
            .collect();
        assert_eq!(
            budgets,
            [
                ("cold-load-p95", 200.0),
                ("warm-load-p95", 50.0),
                ("event-dispatch-p95", 10.0),
                ("binary-size", 50.0)
            ]
        );
        assert_eq!(
            p.deprecations
                .windows
                .pre_1_0
                .get(DeprecationKind::named(DeprecationKind::API)),
            Some(1)
        );
        assert_eq!(
            p.deprecations
                .windows
                .post_1_0
                .get(DeprecationKind::named(DeprecationKind::CLI_FLAG)),
            Some(1)
        );
        assert_eq!(p.maintenance.tasks.len(), 11);
        assert_eq!(p.maintenance.cadence_days.get(Cadence::Quarterly), 92);
        assert_eq!(p.tier_of("agents-mikeastock"), Some("agent"));
        assert_eq!(p.tier_of("npm-registry"), Some("npm"));
        assert_eq!(p.milestones[0].criteria.len(), 7);
    }

    #[test]
    fn a_missing_field_is_named_with_its_line() {
        let text = DEFAULT_TOML.replacen("threshold = 200\n", "", 1);
        let err = Policy::parse(&text, "p.toml").unwrap_err().to_string();
        assert!(err.starts_with("policy p.toml, line "), "{err}");
        assert!(
            err.contains("threshold") || err.contains("missing"),
            "{err}"
        );
    }

    /// Every number that time arithmetic or a comparison rests on is
    /// bounded as it is read, with the file, line and field in the error.
    #[test]
    fn out_of_range_numbers_are_rejected_with_line_and_field() {
        let cases = [
            (
                "drift_days = 30",
                "drift_days = 4294967295",
                "drift_days: 4294967295 days is out of range",
            ),
            (
                "consistency_days = 30",
                "consistency_days = 0",
                "consistency_days: 0 days is out of range",
            ),
            (
                "weekly = 7",
                "weekly = 4294967295",
                "weekly: 4294967295 days",
            ),
            (
                "within_hours = 24",
                "within_hours = 4294967295",
                "within_hours: 4294967295 hours",
            ),
            (
                "blocking_over_pct = 20.0",
                "blocking_over_pct = nan",
                "blocking_over_pct: NaN is not a percentage",
            ),
            (
                "threshold = 200\n",
                "threshold = inf\n",
                "threshold: inf is not a finite number",
            ),
            (
                "conformance_target_pct = 90",
                "conformance_target_pct = -1",
                "conformance_target_pct: -1 is not a percentage",
            ),
        ];
        for (from, to, expected) in cases {
            assert!(DEFAULT_TOML.contains(from), "{from}");
            let text = DEFAULT_TOML.replacen(from, to, 1);
            let err = Policy::parse(&text, "p.toml").unwrap_err().to_string();
            assert!(
                err.contains("p.toml, line ") && err.contains(expected),
                "{to}: {err}"
            );
        }
    }

    #[test]
    fn an_unknown_field_is_rejected() {
        let text = DEFAULT_TOML.replacen("per_platform = false", "per_platfrom = false", 1);
        let err = Policy::parse(&text, "p.toml").unwrap_err().to_string();
        assert!(err.contains("per_platfrom"), "{err}");
    }

    #[test]
    fn a_duplicate_gate_is_rejected() {
        let text = DEFAULT_TOML.replacen("id = \"clippy\"", "id = \"fmt\"", 1);
        let err = Policy::parse(&text, "p.toml").unwrap_err().to_string();
        assert_eq!(err, "policy p.toml: gates defines \"fmt\" twice");
    }
}
