//! Layer: bottom (the policy's types). The waivers section of the policy:
//! how long a waiver may run and which rules it may never name
//! (`domain::waiver` judges waivers by it).

use serde::{Deserialize, Serialize};

use crate::domain::{
    rule::Code,
    terms::{IncidentKind, Severity},
};

/// The waiver policy: which rules may never be waived, and for how long a
/// waiver may run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiverPolicy {
    /// The longest a waiver may run, in days from when it is recorded.
    #[serde(
        default = "default_max_days",
        deserialize_with = "super::bounded::whole::<_, 1, { super::bounded::MAX_DAYS }>"
    )]
    pub max_days: u32,
    /// `status` warns of a waiver this many days before it expires.
    #[serde(
        default = "default_warn_days",
        deserialize_with = "super::bounded::whole::<_, 0, { super::bounded::MAX_DAYS }>"
    )]
    pub warn_days: u32,
    /// Rules whose findings can never be waived.
    #[serde(default = "default_forbidden")]
    pub forbidden: Vec<Code>,
    /// Incidents no finding about can be waived while they are open,
    /// whatever its rule (governance: Security Vulnerability, critical and
    /// high are fixed within 48 hours).
    #[serde(default = "default_never_open_incidents")]
    pub never_open_incidents: Vec<IncidentClass>,
}

/// A class of incidents: a kind and the severities of it (every severity
/// when none is listed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentClass {
    pub kind: IncidentKind,
    #[serde(default)]
    pub severities: Vec<Severity>,
}

impl IncidentClass {
    /// Whether an incident of `kind` and `severity` is of this class.
    pub fn covers(&self, kind: IncidentKind, severity: Severity) -> bool {
        self.kind == kind && (self.severities.is_empty() || self.severities.contains(&severity))
    }
}

fn default_never_open_incidents() -> Vec<IncidentClass> {
    vec![IncidentClass {
        kind: IncidentKind::named(IncidentKind::SECURITY),
        severities: vec![Severity::Critical, Severity::High],
    }]
}

fn default_max_days() -> u32 {
    90
}

fn default_warn_days() -> u32 {
    7
}

fn default_forbidden() -> Vec<Code> {
    vec![Code::SecurityOpen, Code::Integrity]
}

impl Default for WaiverPolicy {
    fn default() -> Self {
        WaiverPolicy {
            max_days: default_max_days(),
            warn_days: default_warn_days(),
            forbidden: default_forbidden(),
            never_open_incidents: default_never_open_incidents(),
        }
    }
}
