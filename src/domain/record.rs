//! Layer: bottom (see `domain::LAYERS`).
//!
//! The entries the ledger records, as their canonical bodies.
//!
//! Each body serializes (in field order) to the JSON that is hashed into the
//! chain, and its field names are the columns of its typed table, which is
//! how the store writes, reads back and cross-checks every row generically.

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::{
    Time,
    terms::{DeprecationKind, Direction, IncidentKind, ReleaseStatus, Severity},
};

named_enum! {
    /// Every kind of entry, with the typed table that holds its rows.
    Kind, "entry kind" {
        Project = "project",
        Policy = "policy",
        Release = "release",
        GateResult = "gate-result",
        Budget = "budget",
        Measurement = "measurement",
        Deprecation = "deprecation",
        Removal = "removal",
        Extension = "extension",
        ExtensionRemoval = "extension-removal",
        TierConformance = "tier-conformance",
        Incident = "incident",
        IncidentEvent = "incident-event",
        Maintenance = "maintenance",
        Attestation = "attestation",
        Retraction = "retraction",
        Waiver = "waiver",
        ShiftAcceptance = "shift-acceptance",
    }
}

impl Kind {
    /// The typed table that holds this kind's rows.
    pub fn table(self) -> &'static str {
        match self {
            Kind::Project => "projects",
            Kind::Policy => "policy_versions",
            Kind::Release => "releases",
            Kind::GateResult => "gate_results",
            Kind::Budget => "budget_definitions",
            Kind::Measurement => "measurements",
            Kind::Deprecation => "deprecations",
            Kind::Removal => "removals",
            Kind::Extension => "extensions",
            Kind::ExtensionRemoval => "extension_removals",
            Kind::TierConformance => "tier_conformance",
            Kind::Incident => "incidents",
            Kind::IncidentEvent => "incident_events",
            Kind::Maintenance => "maintenance",
            Kind::Attestation => "attestations",
            Kind::Retraction => "retractions",
            Kind::Waiver => "waivers",
            Kind::ShiftAcceptance => "shift_acceptances",
        }
    }
}

/// A body of one kind of entry.
pub trait Record: Serialize + DeserializeOwned + Clone {
    /// The kind this body is recorded as.
    const KIND: Kind;
}

macro_rules! record {
    ($kind:ident, $(#[$meta:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name { $($body)* }
        impl Record for $name {
            const KIND: Kind = Kind::$kind;
        }
    };
}

record!(
    Project,
    /// A project registered in the ledger.
    pub struct ProjectRec {
        pub name: String,
    }
);

record!(
    Policy,
    /// A policy version: the document as loaded, and its SHA-256.
    pub struct PolicyRec {
        pub digest: String,
        pub source: String,
        pub content: String,
    }
);

record!(
    Release,
    /// A release of the project.
    pub struct ReleaseRec {
        pub version: String,
        pub date: String,
        pub commit_sha: Option<String>,
        pub status: ReleaseStatus,
        pub breaking: bool,
        pub notes: Option<String>,
        /// When the newest change it ships was committed (lead time for
        /// changes). Absent from bodies written without it, as from those
        /// written before it existed, so their hashes stay as they were.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub committed_at: Option<String>,
        /// The release whose failure this release fixes (change failure
        /// rate).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub fixes: Option<String>,
        /// The tag it was imported from or recorded with, when one was
        /// given (shown as it is; otherwise the policy's prefix makes one).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub tag: Option<String>,
    }
);

record!(
    GateResult,
    /// A gate result; `comparator` and `threshold` are the ones it was judged by.
    pub struct GateResultRec {
        pub gate: String,
        pub platform: Option<String>,
        pub value: Option<f64>,
        pub passed: bool,
        pub comparator: Option<String>,
        pub threshold: Option<f64>,
        pub commit_sha: Option<String>,
        pub release: Option<String>,
        pub source: Option<String>,
    }
);

record!(
    Budget,
    /// A budget definition (new, or a new threshold version of one).
    pub struct BudgetRec {
        pub budget: String,
        pub category: String,
        pub metric: String,
        pub unit: String,
        pub threshold: f64,
        pub direction: Direction,
        pub ci_enforced: bool,
        pub source: Option<String>,
    }
);

record!(
    Measurement,
    /// A budget measurement.
    pub struct MeasurementRec {
        pub budget: String,
        pub value: f64,
        pub commit_sha: Option<String>,
        pub source: Option<String>,
    }
);

record!(
    Deprecation,
    /// An item deprecated in a version.
    pub struct DeprecationRec {
        pub item: String,
        pub kind: DeprecationKind,
        pub version: String,
        pub replacement: Option<String>,
        pub note: Option<String>,
        /// Why the item stays on purpose (a flag kept as a hidden alias):
        /// listed as kept, never overdue. Absent from bodies written
        /// without it, as from those written before it existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub kept: Option<String>,
    }
);

record!(
    Removal,
    /// The removal of a deprecated item in a version.
    pub struct RemovalRec {
        pub item: String,
        pub version: String,
    }
);

record!(
    Extension,
    /// An extension added to the corpus (by hand, or as an import found it).
    pub struct ExtensionRec {
        pub extension: String,
        pub name: String,
        pub tier: String,
        pub source_tier: Option<String>,
        pub license: String,
        pub provenance: String,
        pub doctor: Option<String>,
        pub patched: bool,
        pub score: Option<f64>,
        pub capabilities: Vec<String>,
        /// `cli` when added through the governance action, else the import.
        pub origin: String,
    }
);

record!(
    ExtensionRemoval,
    /// An extension removed from the corpus.
    pub struct ExtensionRemovalRec {
        pub extension: String,
        pub reason: String,
    }
);

record!(
    TierConformance,
    /// Conformance counts of one tier from a conformance summary.
    pub struct TierConformanceRec {
        pub source_tier: String,
        pub tier: Option<String>,
        pub pass: i64,
        pub fail: i64,
        pub na: i64,
        pub total: i64,
    }
);

record!(
    Incident,
    /// An incident opened.
    pub struct IncidentRec {
        pub kind: IncidentKind,
        pub severity: Severity,
        pub title: String,
        pub over_pct: Option<f64>,
        /// The release that brought the problem in (change failure rate).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub introduced_in: Option<String>,
    }
);

named_enum! {
    /// A state change of an incident.
    IncidentAction, "incident action" {
        Triage = "triage",
        Resolve = "resolve",
    }
}

record!(
    IncidentEvent,
    /// An incident triaged or resolved.
    pub struct IncidentEventRec {
        pub incident: i64,
        pub action: IncidentAction,
        pub release: Option<String>,
    }
);

record!(
    Maintenance,
    /// A maintenance task done.
    pub struct MaintenanceRec {
        pub task: String,
    }
);

record!(
    Attestation,
    /// A criterion signed off.
    pub struct AttestationRec {
        pub criterion: String,
        pub signed_by: Option<String>,
        pub note: Option<String>,
    }
);

record!(
    Retraction,
    /// A correction: the target entry no longer counts.
    pub struct RetractionRec {
        pub target: i64,
        pub reason: String,
    }
);

record!(
    Waiver,
    /// An exception for one finding until it expires.
    pub struct WaiverRec {
        /// The rule's id as `waive` wrote it (kept as written: an id
        /// renamed since reads as its code, see `rule::RENAMED`).
        pub rule: String,
        pub subject: String,
        pub expires_at: String,
        pub reason: String,
        pub waived_by: Option<String>,
    }
);

record!(
    ShiftAcceptance,
    /// A shift in a budget's series recorded as expected: from `shift_at`
    /// on, the new level is the baseline.
    pub struct ShiftAcceptanceRec {
        pub budget: String,
        pub shift_at: String,
        pub reason: String,
    }
);

/// A recorded body with its place in the journal.
#[derive(Debug, Clone, PartialEq)]
pub struct Stamped<T> {
    /// The entry's number in the journal.
    pub seq: i64,
    /// When it happened.
    pub at: Time,
    /// When it was recorded.
    pub recorded_at: Time,
    pub rec: T,
}

#[cfg(test)]
impl<T> Stamped<T> {
    /// A record effective and recorded at `at` (tests build histories so).
    pub fn at(seq: i64, at: &str, rec: T) -> Stamped<T> {
        let at = crate::domain::time::parse(at).unwrap();
        Stamped {
            seq,
            at,
            recorded_at: at,
            rec,
        }
    }
}

#[cfg(test)]
impl GateResultRec {
    /// A result of `gate` with nothing else said of it (tests build
    /// histories so).
    pub fn of(
        gate: &str,
        platform: Option<&str>,
        value: Option<f64>,
        passed: bool,
    ) -> GateResultRec {
        GateResultRec {
            gate: gate.into(),
            platform: platform.map(str::to_string),
            value,
            passed,
            comparator: None,
            threshold: None,
            commit_sha: None,
            release: None,
            source: None,
        }
    }
}

#[cfg(test)]
impl ReleaseRec {
    /// A released version dated `date` (RFC 3339 or `YYYY-MM-DD`), with
    /// nothing else said of it (tests build histories so).
    pub fn released(version: &str, date: &str) -> ReleaseRec {
        ReleaseRec {
            version: version.into(),
            date: crate::domain::time::format(crate::domain::time::parse(date).unwrap()),
            commit_sha: None,
            status: ReleaseStatus::Released,
            breaking: false,
            notes: None,
            committed_at: None,
            fixes: None,
            tag: None,
        }
    }
}
