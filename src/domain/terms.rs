//! Layer: bottom (imports nothing of the domain but its error, through
//! `named_enum!`). The closed sets of names users type and the policy
//! names (`--kind api`, `severity = "high"`, `direction = "max"`): each
//! section's module re-exports its own, and the policy and the records
//! read them from here, below every rule.

use serde::{Deserialize, Serialize};

named_enum! {
    /// What a gate guards (governance: Quality Gates).
    GateKind, "gate kind" {
        Ci = "ci",
        Conformance = "conformance",
    }
}

/// How a result compares to the threshold to pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Comparator {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "==")]
    Eq,
}

impl Comparator {
    /// The operator as written in the policy.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
            Comparator::Eq => "==",
        }
    }

    /// Whether `value` passes against `threshold`.
    pub fn passes(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparator::Lt => value < threshold,
            Comparator::Le => value <= threshold,
            Comparator::Gt => value > threshold,
            Comparator::Ge => value >= threshold,
            Comparator::Eq => (value - threshold).abs() < 1e-9,
        }
    }
}

named_enum! {
    /// What went wrong.
    IncidentKind, "incident kind" {
        ConformanceRegression = "conformance-regression",
        Security = "security",
        PerformanceRegression = "performance-regression",
        Other = "other",
    }
}

named_enum! {
    /// How bad it is.
    Severity, "severity" {
        Critical = "critical",
        High = "high",
        Medium = "medium",
        Low = "low",
    }
}

named_enum! {
    /// How often a task recurs (governance: Maintenance Cadence).
    Cadence, "cadence" {
        Weekly = "weekly",
        Monthly = "monthly",
        Quarterly = "quarterly",
    }
}

named_enum! {
    /// Where a release stands; only the policy's shipped statuses count.
    ReleaseStatus, "release status" {
        Released = "released",
        TagOnly = "tag-only",
        Draft = "draft",
        Unpublished = "unpublished",
    }
}

named_enum! {
    /// What was deprecated.
    DeprecationKind, "deprecation kind" {
        Api = "api",
        ExtensionApi = "extension-api",
        CliFlag = "cli-flag",
        CapabilityPolicy = "capability-policy",
    }
}

named_enum! {
    /// Which way a budget must hold: `max` stays at or below the threshold,
    /// `min` (a floor, e.g. throughput) stays at or above it.
    Direction, "direction" {
        Max = "max",
        Min = "min",
    }
}
