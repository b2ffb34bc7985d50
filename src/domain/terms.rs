//! Layer: bottom (imports nothing of the domain but its error, through
//! `named_enum!`). The closed sets of names users type and the policy
//! names (`--kind api`, `severity = "high"`, `direction = "max"`): each
//! section's module re-exports its own, and the policy and the records
//! read them from here, below every rule.

use serde::{Deserialize, Serialize};

/// A policy's name, kept once for the life of the process: the kinds a
/// policy names are few, and a kind that is a `&'static str` is a
/// copyable value compared in the loops that judge every item.
fn intern(name: &str) -> &'static str {
    static NAMES: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut names = NAMES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(known) = names.iter().find(|n| **n == name) {
        return known;
    }
    let interned: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.push(interned);
    interned
}

/// A kind whose names are the policy's: a copyable reference to the
/// interned name, read and written as the plain string, any name a user
/// may type.
macro_rules! policy_name {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(&'static str);

        impl $name {
            /// A kind by name, as a policy, a record or a test states it
            /// (a name a user types goes through [`str::parse`], which
            /// checks it).
            pub fn named(name: &str) -> $name {
                $name(intern(name))
            }

            /// The name users type and the ledger stores.
            pub fn as_str(self) -> &'static str {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = super::Error;

            /// A kind a user typed: a name (which kinds a policy accepts
            /// is the policy's to say).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                super::text::name($what, s).map(|n| $name::named(&n))
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let name = String::deserialize(d)?;
                Ok($name::named(&name))
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let mut schema = String::json_schema(generator);
                schema.insert(
                    "description".into(),
                    concat!("The ", $what, ", a name the policy gives.").into(),
                );
                schema
            }
        }
    };
}

policy_name! {
    /// What a gate guards (governance: Quality Gates): a name the policy
    /// gives (`ci`, `conformance`, `security`, ...). `ci` keeps its
    /// meaning: a milestone's `ci-gates-green` criterion reads every `ci`
    /// gate.
    GateKind, "gate kind"
}

impl GateKind {
    /// The gates `ci-gates-green` reads.
    pub const CI: &'static str = "ci";

    /// Whether it is a CI gate.
    pub fn is_ci(self) -> bool {
        self.0 == Self::CI
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

policy_name! {
    /// What went wrong: a name the policy gives (its SLAs' kinds and
    /// `incidents.kinds`), such as `regression` or `outage`. `security`
    /// means what the governance says of security incidents: an open
    /// critical or high one blocks every release.
    IncidentKind, "incident kind"
}

impl IncidentKind {
    /// The kind whose open critical and high incidents block releases.
    pub const SECURITY: &'static str = "security";
    /// The kind that measures how far over budget it is (`--over-pct`).
    pub const PERFORMANCE_REGRESSION: &'static str = "performance-regression";
    /// The kind a policy that names none of its own still accepts.
    pub const OTHER: &'static str = "other";

    /// Whether it is a security incident.
    pub fn is_security(self) -> bool {
        self.0 == Self::SECURITY
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

policy_name! {
    /// What a deprecated item is: a name the policy gives its deprecation
    /// windows (`api`, `cli-flag`, `config-key`, ...). `capability-policy`
    /// keeps its meaning: deprecating or removing one stales the sign-offs
    /// a capability change stales.
    DeprecationKind, "deprecation kind"
}

impl DeprecationKind {
    pub const API: &'static str = "api";
    pub const EXTENSION_API: &'static str = "extension-api";
    pub const CLI_FLAG: &'static str = "cli-flag";
    /// Its deprecations and removals stale capability sign-offs.
    pub const CAPABILITY_POLICY: &'static str = "capability-policy";

    /// Whether it is a capability policy.
    pub fn is_capability_policy(self) -> bool {
        self.0 == Self::CAPABILITY_POLICY
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
