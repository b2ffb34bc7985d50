//! Layer: bottom (the policy's types). The waivers section of the policy:
//! how long a waiver may run and which rules it may never name
//! (`domain::waiver` judges waivers by it).

use serde::{Deserialize, Serialize};

use crate::domain::rule::Code;

/// The waiver policy: which rules may never be waived, and for how long a
/// waiver may run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
        }
    }
}
