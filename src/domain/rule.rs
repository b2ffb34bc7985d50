//! Layer: bottom (imports only the domain's error). The rule codes: every
//! kind of finding the ledger emits, each described once, and the policy's
//! sections, which a rule names as where its findings are answered.
//!
//! A code's id is what SARIF's `ruleId`, JUnit, the annotations and
//! `waive` name; its level (blocking, warning, info) is decided where the
//! finding is made and carried beside it, so `budget-over` is one code at
//! either level. Everything that lists rules (SARIF's rule table, `waive`'s
//! accepted ids, `ledger policy`, the help texts) reads [`Code::ALL`] and
//! [`Code::about`]; a new rule is one variant here, and the compiler then
//! asks for its description.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Error;

/// How much a finding weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Blocking,
    Warning,
    /// Worth knowing before the cut; never blocks.
    Info,
}

impl Level {
    /// The word tables and CI formats print: blocking, warning, info.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Blocking => "blocking",
            Level::Warning => "warning",
            Level::Info => "info",
        }
    }
}

/// Whether a finding of a code may be waived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waivable {
    /// Yes, where the policy does not forbid it (`waivers.forbidden`).
    Yes,
    /// Never, and why not (a short clause: "versions only move forward").
    Never(&'static str),
}

/// What a code is: the one description every listing of rules reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct About {
    /// One line: what a finding of it means.
    pub help: &'static str,
    /// A short title (SARIF's rule name is the id; this names it in lists).
    pub title: &'static str,
    /// The section of the governance it enforces.
    pub governance: &'static str,
    /// What a finding of it is about, in words (what a waiver names).
    pub subject: &'static str,
    pub waivable: Waivable,
    /// The file of the project's repository a maintainer changes to
    /// answer a finding (where CI formats point it).
    pub answered_in: Answered,
}

/// Where, in the project's repository, a finding is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// The policy file, at the section that sets the rule's terms.
    Policy(Section),
    /// The policy file as a whole.
    PolicyFile,
    /// The changelog, which says what a release is.
    Changelog,
}

/// A section of a policy that may be left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    Gates,
    Budgets,
    Deprecations,
    Incidents,
    Extensions,
    Maintenance,
    Attestations,
    Milestones,
}

impl Section {
    /// Every section, in the document's order.
    pub const ALL: [Section; 8] = [
        Section::Gates,
        Section::Budgets,
        Section::Deprecations,
        Section::Incidents,
        Section::Extensions,
        Section::Maintenance,
        Section::Attestations,
        Section::Milestones,
    ];

    /// Its key in the document.
    pub fn key(self) -> &'static str {
        match self {
            Section::Gates => "gates",
            Section::Budgets => "budgets",
            Section::Deprecations => "deprecations",
            Section::Incidents => "incidents",
            Section::Extensions => "extensions",
            Section::Maintenance => "maintenance",
            Section::Attestations => "attestations",
            Section::Milestones => "milestones",
        }
    }

    /// The line (from 1) of a policy document where the section starts:
    /// its first table header (`[deprecations]`, `[[gates]]`,
    /// `[deprecations.windows.pre_1_0]`) or top-level key.
    pub fn line_in(self, text: &str) -> Option<usize> {
        let key = self.key();
        let mut top_level = true;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if let Some(header) = line.strip_prefix('[') {
                top_level = false;
                let name = header.trim_start_matches('[').trim_start();
                let name = name.strip_prefix('"').unwrap_or(name);
                if name
                    .strip_prefix(key)
                    .is_some_and(|rest| rest.starts_with([']', '.', '"', ' ']))
                {
                    return Some(i + 1);
                }
            } else if top_level
                && line
                    .strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with(['=', '.']))
            {
                return Some(i + 1);
            }
        }
        None
    }

    /// What it governs, in words ("deprecations are not governed …").
    pub fn subject(self) -> &'static str {
        match self {
            Section::Gates => "gates",
            Section::Budgets => "performance budgets",
            Section::Deprecations => "deprecations",
            Section::Incidents => "incident SLAs",
            Section::Extensions => "extensions",
            Section::Maintenance => "maintenance tasks",
            Section::Attestations => "sign-offs",
            Section::Milestones => "milestones",
        }
    }
}

/// The id a code had before levels were separated from codes: a waiver
/// or policy that names it still reads, as [`Code::BudgetOver`].
pub const RENAMED: &[(&str, Code)] = &[("budget-over-blocking", Code::BudgetOver)];

macro_rules! codes {
    ($($variant:ident = $text:literal { $($field:ident: $value:expr),+ $(,)? }),+ $(,)?) => {
        /// The rule a finding is under.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($variant),+
        }

        impl Code {
            /// Every code, in the order lists show them.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The id users type and formats print.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text),+ }
            }

            /// The code's description, given where the code is declared:
            /// a new code does not compile until it says what it means and
            /// whether it can be waived.
            pub fn about(self) -> About {
                match self { $(Code::$variant => About { $($field: $value),+ }),+ }
            }
        }
    };
}

codes! {
    DeprecationOverdue = "deprecation-overdue" {
        title: "Deprecation overdue",
        help: "A deprecated item is still present after its removal window has shipped.",
        governance: "Deprecation Policy",
        subject: "deprecated item",
        waivable: Waivable::Yes,
        answered_in: Answered::Policy(Section::Deprecations),
    },
    DeprecationPremature = "deprecation-premature" {
        title: "Premature removal",
        help: "A deprecated item was removed before its deprecation window allowed.",
        governance: "Deprecation Policy",
        subject: "deprecated item",
        waivable: Waivable::Yes,
        answered_in: Answered::Policy(Section::Deprecations),
    },
    BudgetOver = "budget-over" {
        title: "Budget over",
        help: "A performance budget's latest measurement is over its threshold (a warning; blocking past its margin).",
        governance: "Performance Gates; Incident Response: Performance Regression",
        subject: "budget",
        waivable: Waivable::Yes,
        answered_in: Answered::Policy(Section::Budgets),
    },
    BudgetDrift = "budget-drift" {
        title: "Budget drift",
        help: "A budget's series shifted the bad way, significantly, and nobody accepted the shift.",
        governance: "Incident Response: Performance Regression",
        subject: "budget",
        waivable: Waivable::Yes,
        answered_in: Answered::Policy(Section::Budgets),
    },
    GateFailing = "gate-failing" {
        title: "Gate failing",
        help: "A CI, conformance or performance gate's latest result fails.",
        governance: "Quality Gates",
        subject: "gate",
        waivable: Waivable::Yes,
        answered_in: Answered::Policy(Section::Gates),
    },
    IncidentSla = "incident-sla" {
        title: "Incident SLA",
        help: "An incident is past its triage or resolution SLA.",
        governance: "Incident Response",
        subject: "incident",
        waivable: Waivable::Yes,
        answered_in: Answered::Policy(Section::Incidents),
    },
    SecurityOpen = "security-open" {
        title: "Security incident open",
        help: "A critical or high security incident is open.",
        governance: "Incident Response: Security Vulnerability",
        subject: "incident",
        waivable: Waivable::Yes,
        answered_in: Answered::Policy(Section::Incidents),
    },
    MaintenanceOverdue = "maintenance-overdue" {
        title: "Maintenance overdue",
        help: "A recurring maintenance task is past its cadence.",
        governance: "Maintenance Cadence",
        subject: "maintenance task",
        waivable: Waivable::Yes,
        answered_in: Answered::Policy(Section::Maintenance),
    },
    ReadinessCriterion = "readiness-criterion" {
        title: "Criterion unmet",
        help: "A milestone criterion is unmet.",
        governance: "Release Gates (1.0 Criteria); Roadmap: 1.0 Milestones",
        subject: "criterion",
        waivable: Waivable::Yes,
        answered_in: Answered::Policy(Section::Milestones),
    },
    ExtensionViolation = "extension-violation" {
        title: "Extension violation",
        help: "An extension in the corpus breaks a vetting or adding rule.",
        governance: "Extension Governance: Adding New Extensions",
        subject: "extension",
        waivable: Waivable::Yes,
        answered_in: Answered::Policy(Section::Extensions),
    },
    Integrity = "integrity" {
        title: "Integrity",
        help: "The ledger's hash chain or a row does not match its entry: something was altered.",
        governance: "the ledger's append-only journal",
        subject: "entry",
        waivable: Waivable::Never("an altered ledger is restored from a backup, not waived"),
        answered_in: Answered::PolicyFile,
    },
    GateNoEvidence = "gate-no-evidence" {
        title: "No evidence",
        help: "A gate the policy enforces has no result on a platform it must run on, so nothing shows the release passes it.",
        governance: "Quality Gates",
        subject: "gate",
        waivable: Waivable::Yes,
        answered_in: Answered::Policy(Section::Gates),
    },
    TierConformance = "tier-conformance" {
        title: "Tier conformance",
        help: "An extension tier passes less of its conformance corpus than the tier requires.",
        governance: "Extension Governance: Tiers and Vetting",
        subject: "tier",
        waivable: Waivable::Yes,
        answered_in: Answered::Policy(Section::Extensions),
    },
    AlreadyRecorded = "already-recorded" {
        title: "Already recorded",
        help: "The version is already recorded.",
        governance: "Release Cadence",
        subject: "version",
        waivable: Waivable::Never("a version is recorded once"),
        answered_in: Answered::Changelog,
    },
    VersionOrder = "version-order" {
        title: "Version order",
        help: "The version is older than the latest shipped release.",
        governance: "Versioning Rules",
        subject: "version",
        waivable: Waivable::Never("versions only move forward"),
        answered_in: Answered::Changelog,
    },
    BreakingNeedsMajor = "breaking-needs-major" {
        title: "Breaking needs a major",
        help: "After 1.0 a breaking change needs a new major version.",
        governance: "Versioning Rules",
        subject: "version",
        waivable: Waivable::Never("cut a new major instead"),
        answered_in: Answered::Changelog,
    },
    ShiftAccepted = "shift-accepted" {
        title: "Shift accepted",
        help: "A budget shift since the last release was accepted as the new baseline.",
        governance: "Incident Response: Performance Regression",
        subject: "budget",
        waivable: Waivable::Never("information; it blocks nothing"),
        answered_in: Answered::Policy(Section::Budgets),
    },
}

impl Code {
    /// Whether a finding of it may ever be waived.
    pub fn is_waivable(self) -> bool {
        self.about().waivable == Waivable::Yes
    }

    /// The codes a waiver may name.
    pub fn waivable() -> impl Iterator<Item = Code> {
        Code::ALL.iter().copied().filter(|c| c.is_waivable())
    }

    /// The code of an id as stored or typed, a renamed id included.
    pub fn from_id(id: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == id)
            .or_else(|| RENAMED.iter().find(|(old, _)| *old == id).map(|(_, c)| *c))
    }

    /// Refuses a waiver of a code that can never be waived, saying why.
    pub fn waivable_or_why(self) -> Result<(), Error> {
        match self.about().waivable {
            Waivable::Yes => Ok(()),
            Waivable::Never(why) => Err(Error::Refused {
                subject: format!("a waiver of {self}"),
                rules: vec![format!("{self} findings cannot be waived: {why}")],
            }),
        }
    }

    /// The code a waiver names: a waivable one, else an error saying why
    /// not or listing those that are.
    pub fn to_waive(id: &str) -> Result<Code, Error> {
        match Code::from_id(id) {
            Some(c) => c.waivable_or_why().map(|()| c),
            None => Err(Error::unknown(
                "waivable rule",
                id,
                Code::waivable().map(Code::as_str),
            )),
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Code {
    type Err = Error;

    fn from_str(s: &str) -> Result<Code, Error> {
        Code::from_id(s)
            .ok_or_else(|| Error::unknown("rule", s, Code::ALL.iter().map(|c| c.as_str())))
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl schemars::JsonSchema for Code {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RuleCode".into()
    }

    /// A string naming one code (the retired ids of [`RENAMED`] included).
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut ids: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        ids.extend(RENAMED.iter().map(|(old, _)| *old));
        let schema = serde_json::json!({
            "type": "string",
            "enum": ids,
            "description": "A rule code, as `ledger policy` lists them."
        });
        schemars::Schema::try_from(schema).unwrap_or_else(|_| schemars::Schema::from(true))
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let id = String::deserialize(d)?;
        id.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_read_back() {
        for (i, c) in Code::ALL.iter().enumerate() {
            assert_eq!(Code::from_id(c.as_str()), Some(*c));
            assert!(!Code::ALL[..i].iter().any(|o| o.as_str() == c.as_str()));
            assert!(!RENAMED.iter().any(|(old, _)| *old == c.as_str()));
        }
    }

    #[test]
    fn a_renamed_id_reads_as_its_code() {
        assert_eq!(
            Code::from_id("budget-over-blocking"),
            Some(Code::BudgetOver)
        );
        assert_eq!(
            Code::to_waive("budget-over-blocking").unwrap(),
            Code::BudgetOver
        );
        let c: Code = serde_json::from_str("\"budget-over-blocking\"").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"budget-over\"");
    }

    #[test]
    fn waive_names_the_waivable_codes_and_says_why_the_rest_are_not() {
        let e = Code::to_waive("budget-overr").unwrap_err().to_string();
        assert!(
            e.contains("budget-over") && e.contains("tier-conformance"),
            "{e}"
        );
        assert!(!e.contains("version-order"), "{e}");
        let e = Code::to_waive("version-order").unwrap_err().to_string();
        assert!(
            e.contains("cannot be waived: versions only move forward"),
            "{e}"
        );
        assert_eq!(
            Code::to_waive("tier-conformance").unwrap(),
            Code::TierConformance
        );
    }

    #[test]
    fn every_code_says_what_it_is() {
        for c in Code::ALL {
            let a = c.about();
            assert!(a.help.ends_with('.'), "{c}: {}", a.help);
            assert!(!a.title.is_empty() && !a.governance.is_empty() && !a.subject.is_empty());
            if let Waivable::Never(why) = a.waivable {
                assert!(!why.is_empty(), "{c} is unwaivable without a reason");
            }
        }
    }
}
