//! Layer: bottom (the policy's types). The delivery section of the
//! policy: the window and the DORA levels each figure is shown against
//! (`domain::delivery` measures the figures).

use serde::{Deserialize, Serialize};

named_enum! {
    /// A DORA performance level.
    Level, "performance level" {
        Elite = "elite",
        High = "high",
        Medium = "medium",
        Low = "low",
    }
}

named_enum! {
    /// A Four Keys release frequency bucket.
    Bucket, "release frequency" {
        Daily = "daily",
        Weekly = "weekly",
        Monthly = "monthly",
        Yearly = "yearly",
    }
}

/// The upper bounds of the elite, high and medium levels of a figure where
/// less is better (at most this much); above `medium` is low.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bounds {
    #[serde(deserialize_with = "super::bounded::number")]
    pub elite: f64,
    #[serde(deserialize_with = "super::bounded::number")]
    pub high: f64,
    #[serde(deserialize_with = "super::bounded::number")]
    pub medium: f64,
}

impl Bounds {
    /// The level of `value`.
    pub fn level(&self, value: f64) -> Level {
        if value <= self.elite {
            Level::Elite
        } else if value <= self.high {
            Level::High
        } else if value <= self.medium {
            Level::Medium
        } else {
            Level::Low
        }
    }
}

/// The level each release frequency bucket stands for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrequencyLevels {
    pub daily: Level,
    pub weekly: Level,
    pub monthly: Level,
    pub yearly: Level,
}

impl FrequencyLevels {
    /// The level of a bucket.
    pub fn level(&self, bucket: Bucket) -> Level {
        match bucket {
            Bucket::Daily => self.daily,
            Bucket::Weekly => self.weekly,
            Bucket::Monthly => self.monthly,
            Bucket::Yearly => self.yearly,
        }
    }
}

/// The performance levels of the four keys.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Levels {
    pub release_frequency: FrequencyLevels,
    pub lead_time_hours: Bounds,
    pub change_failure_rate_pct: Bounds,
    pub time_to_restore_hours: Bounds,
}

/// The delivery section of the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryPolicy {
    /// The window `ledger delivery` looks back over by default.
    #[serde(
        default = "default_window_days",
        deserialize_with = "super::bounded::days"
    )]
    pub window_days: u32,
    #[serde(default = "default_levels")]
    pub levels: Levels,
}

fn default_window_days() -> u32 {
    90
}

/// DORA's levels (Accelerate State of DevOps 2023), for a policy written
/// before it had its own.
fn default_levels() -> Levels {
    Levels {
        release_frequency: FrequencyLevels {
            daily: Level::Elite,
            weekly: Level::High,
            monthly: Level::Medium,
            yearly: Level::Low,
        },
        lead_time_hours: Bounds {
            elite: 24.0,
            high: 168.0,
            medium: 720.0,
        },
        change_failure_rate_pct: Bounds {
            elite: 5.0,
            high: 10.0,
            medium: 15.0,
        },
        time_to_restore_hours: Bounds {
            elite: 1.0,
            high: 24.0,
            medium: 168.0,
        },
    }
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        DeliveryPolicy {
            window_days: default_window_days(),
            levels: default_levels(),
        }
    }
}
