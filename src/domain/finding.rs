//! Layer: top, judges across sections (see `domain::LAYERS`).
//!
//! Findings and the checks behind them: one shape for everything a command
//! judges, so the CI formats (SARIF results, JUnit test cases, workflow
//! annotations) say the same as the tables and `--check`.
//!
//! A [`Check`] is one thing judged (a gate on a platform, a budget, a
//! criterion); it passed, failed with a [`Finding`], or could not be judged.
//! Each row type says here which of its states is a finding, under which
//! rule and how heavy, so the list commands, the dashboard and
//! `check-release` word a finding the same way.

use serde::Serialize;

use super::{
    budget::{Drift, DriftStatus, ShiftRow, Standing},
    deprecation::DeprecationStatus,
    extension::TierStanding,
    fmt_num,
    inputs::{BudgetRow, DeprecationRow, ExtensionRow, GateRow, IncidentRow, TierCount},
    maintenance::TaskStatus,
    readiness::{Criterion, Readiness},
    rule::Code,
    time,
    waiver::Waived,
};

pub use super::rule::Level;

/// One thing that breaks (or, as information, bears on) policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// How much it weighs (the JSON key `severity`).
    #[serde(rename = "severity")]
    pub level: Level,
    pub rule: Code,
    /// What it is about (a budget, item, incident, gate, criterion, tier
    /// or version): with `rule`, what a waiver names.
    pub subject: Option<String>,
    pub message: String,
    /// The entry that caused it, when one did (the failing result, the
    /// deprecation, the incident): CI formats fingerprint it.
    pub entry: Option<i64>,
    /// The waiver in force on it: it is shown, but blocks nothing.
    pub waived: Option<Waived>,
}

impl Finding {
    /// A finding about `subject`.
    pub fn new(
        level: Level,
        rule: Code,
        subject: &str,
        message: String,
        entry: Option<i64>,
        waived: Option<Waived>,
    ) -> Finding {
        Finding {
            level,
            rule,
            subject: Some(subject.to_string()),
            message,
            entry,
            waived,
        }
    }

    /// Blocking and not waived.
    pub fn blocks(&self) -> bool {
        self.level == Level::Blocking && self.waived.is_none()
    }
}

/// How a check came out.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Passed,
    /// Passed, with information worth knowing (an accepted shift).
    Noted(Finding),
    Failed(Finding),
    /// Nothing to judge it by (no result recorded, too few samples).
    NotJudged(String),
}

/// One thing a command judged: a test case in JUnit, and when it failed a
/// SARIF result and a workflow annotation.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The kind of thing judged: `gates`, `budgets`, `criteria`, …
    pub group: String,
    /// Which one: `unit-tests on linux`, `cold-load`, …
    pub name: String,
    /// What was seen, in a sentence.
    pub evidence: String,
    pub outcome: Outcome,
}

impl Check {
    fn new(group: &str, name: impl Into<String>, evidence: String, outcome: Outcome) -> Check {
        Check {
            group: group.to_string(),
            name: name.into(),
            evidence,
            outcome,
        }
    }

    /// The finding, when it failed or noted something.
    pub fn finding(&self) -> Option<&Finding> {
        match &self.outcome {
            Outcome::Failed(f) | Outcome::Noted(f) => Some(f),
            _ => None,
        }
    }

    /// Passed, noted or not.
    pub fn passed(&self) -> bool {
        matches!(self.outcome, Outcome::Passed | Outcome::Noted(_))
    }

    /// The check that a finding with no row behind it failed (check-release's
    /// findings); information passes, noted.
    pub fn of_finding(group: &str, f: &Finding) -> Check {
        let name = match &f.subject {
            Some(s) => format!("{} {s}", f.rule),
            None => f.rule.to_string(),
        };
        let outcome = if f.level == Level::Info {
            Outcome::Noted(f.clone())
        } else {
            Outcome::Failed(f.clone())
        };
        Check::new(group, name, f.message.clone(), outcome)
    }
}

impl GateRow {
    /// "unit-tests on linux".
    pub fn label(&self) -> String {
        match &self.platform {
            Some(p) => format!("{} on {p}", self.gate),
            None => self.gate.clone(),
        }
    }

    /// Its latest result failing: a blocking finding.
    pub fn finding(&self) -> Option<Finding> {
        if !self.is_failing() {
            return None;
        }
        let on = self
            .platform
            .as_deref()
            .map(|p| format!(" on {p}"))
            .unwrap_or_default();
        let value = self
            .value
            .map(|v| format!(" with {} {}", fmt_num(v), self.unit))
            .unwrap_or_default();
        Some(Finding::new(
            Level::Blocking,
            Code::GateFailing,
            &self.gate,
            format!("{} {} gate fails{on}{value}", self.gate, self.kind),
            self.entry,
            self.waived.clone(),
        ))
    }

    pub fn check(&self) -> Check {
        let Some(passed) = self.passed else {
            return Check::new(
                "gates",
                self.label(),
                "no result recorded".into(),
                Outcome::NotJudged("no result recorded".into()),
            );
        };
        let value = self
            .value
            .map(|v| format!("{} {} ", fmt_num(v), self.unit))
            .unwrap_or_default();
        let against = self
            .threshold
            .map(|t| format!("(needs {} {}) ", self.comparator, fmt_num(t)))
            .unwrap_or_default();
        let evidence = format!(
            "{value}{against}{} at {}",
            if passed { "passed" } else { "failed" },
            self.at.map(time::format).unwrap_or_default()
        );
        let outcome = self.finding().map_or(Outcome::Passed, Outcome::Failed);
        Check::new("gates", self.label(), evidence, outcome)
    }
}

/// The sentence of a budget over its threshold (`…; document it` when only
/// over, not blocking).
fn over_message(budget: &str, value: f64, unit: &str, threshold: f64, over_pct: f64) -> String {
    format!(
        "{budget} is {} {unit} against {} ({}% over)",
        fmt_num(value),
        fmt_num(threshold),
        fmt_num(over_pct)
    )
}

/// A budget's finding: over its threshold a warning to document, past the
/// margin blocking; drifting a warning.
fn budget_finding(
    (rule, level): (Code, Level),
    budget: &str,
    message: String,
    waived: Option<Waived>,
) -> Finding {
    let message = match (rule, level) {
        (Code::BudgetOver, Level::Warning) => format!("{message}; document it"),
        _ => message,
    };
    Finding::new(level, rule, budget, message, None, waived)
}

impl BudgetRow {
    /// Its latest measurement over the threshold.
    pub fn finding(&self) -> Option<Finding> {
        let rule = self.standing.and_then(Standing::judged)?;
        let (Some(p), Some(v)) = (self.over_pct, self.last_value) else {
            return None;
        };
        let message = over_message(&self.budget, v, &self.unit, self.threshold, p);
        Some(budget_finding(
            rule,
            &self.budget,
            message,
            self.waived.clone(),
        ))
    }

    pub fn check(&self) -> Check {
        let Some(v) = self.last_value else {
            return Check::new(
                "budgets",
                &self.budget,
                "no measurement recorded".into(),
                Outcome::NotJudged("no measurement recorded".into()),
            );
        };
        let evidence = format!(
            "{} {} against a {} of {} at {}",
            fmt_num(v),
            self.unit,
            self.direction.as_str(),
            fmt_num(self.threshold),
            self.last_at.map(time::format).unwrap_or_default()
        );
        let outcome = self.finding().map_or(Outcome::Passed, Outcome::Failed);
        Check::new("budgets", &self.budget, evidence, outcome)
    }
}

impl Drift {
    /// Over its threshold at the end of the window, or drifting.
    pub fn finding(&self) -> Option<Finding> {
        let rule = self.status.judged()?;
        let message = match (self.status, self.last, self.over_pct) {
            (DriftStatus::Drifting, _, _) => {
                let shifts: Vec<String> = self
                    .shifts
                    .iter()
                    .filter(|s| s.regression && !s.accepted)
                    .map(ShiftRow::describe)
                    .collect();
                if shifts.is_empty() {
                    format!(
                        "{} drifted {}% over the window",
                        self.budget,
                        fmt_num(self.change_pct.unwrap_or_default())
                    )
                } else {
                    format!("{} shifted {}", self.budget, shifts.join("; "))
                }
            }
            (_, Some(v), Some(p)) => over_message(&self.budget, v, &self.unit, self.threshold, p),
            _ => format!("{} is {}", self.budget, self.status.as_str()),
        };
        Some(budget_finding(
            rule,
            &self.budget,
            message,
            self.waived.clone(),
        ))
    }

    pub fn check(&self) -> Check {
        let evidence = match (self.first, self.last) {
            (Some(first), Some(last)) => format!(
                "{} from {} to {} {} ({} found)",
                super::text::count(self.samples, "sample"),
                fmt_num(first),
                fmt_num(last),
                self.unit,
                super::text::count(self.shifts.len(), "shift")
            ),
            _ => "no samples in the window".to_string(),
        };
        let outcome = match self.finding() {
            Some(f) => Outcome::Failed(f),
            None if self.status == DriftStatus::TooFewSamples => {
                Outcome::NotJudged(format!("too few samples to judge ({})", self.samples))
            }
            None if self.status == DriftStatus::NoData => {
                Outcome::NotJudged("no samples in the window".into())
            }
            None => Outcome::Passed,
        };
        Check::new("drift", &self.budget, evidence, outcome)
    }
}

impl DeprecationRow {
    /// Past its window and still present (warning), or removed before its
    /// window allowed (blocking).
    pub fn finding(&self) -> Option<Finding> {
        let rule = self.status.rule()?;
        let (severity, message) = match self.status {
            DeprecationStatus::Premature => (
                Level::Blocking,
                format!(
                    "{} ({}, deprecated in {}) was removed in {}, before its window of {} minor line(s)",
                    self.item,
                    self.kind,
                    self.deprecated_in,
                    self.removed_in.as_deref().unwrap_or("?"),
                    self.window.unwrap_or_default()
                ),
            ),
            _ => (
                Level::Warning,
                format!(
                    "{} ({}, deprecated in {}) is overdue for removal since {}{}",
                    self.item,
                    self.kind,
                    self.deprecated_in,
                    self.overdue_since.map(time::date).unwrap_or_default(),
                    self.earliest_removal
                        .as_deref()
                        .map(|v| format!(" (removable from {v})"))
                        .unwrap_or_default()
                ),
            ),
        };
        Some(Finding::new(
            severity,
            rule,
            &self.item,
            message,
            Some(self.entry),
            self.waived.clone(),
        ))
    }

    pub fn check(&self) -> Check {
        let evidence = format!(
            "deprecated in {}, {}, {}",
            self.deprecated_in,
            match self.window {
                Some(w) => format!("window {w} minor line(s)"),
                None => "no window for its kind".into(),
            },
            match &self.removed_in {
                Some(v) => format!("removed in {v}"),
                None => "not removed".into(),
            }
        );
        let outcome = self.finding().map_or(Outcome::Passed, Outcome::Failed);
        Check::new("deprecations", &self.item, evidence, outcome)
    }
}

impl ExtensionRow {
    /// Breaking a vetting or adding rule.
    pub fn finding(&self) -> Option<Finding> {
        if self.violations.is_empty() {
            return None;
        }
        Some(Finding::new(
            Level::Blocking,
            Code::ExtensionViolation,
            &self.id,
            format!(
                "extension {} ({} tier) breaks policy: {}",
                self.id,
                self.tier,
                self.violations.join("; ")
            ),
            None,
            self.waived.clone(),
        ))
    }

    pub fn check(&self) -> Check {
        let evidence = format!(
            "{} tier, license {}, provenance {}",
            self.tier, self.license, self.provenance
        );
        let outcome = self.finding().map_or(Outcome::Passed, Outcome::Failed);
        Check::new("extensions", &self.id, evidence, outcome)
    }
}

impl TierCount {
    /// Below the tier's required conformance pass rate (blocking) or its
    /// target (warning).
    pub fn finding(&self) -> Option<Finding> {
        let (severity, level, what) = match self.standing {
            TierStanding::Ok => return None,
            TierStanding::BelowRequired => {
                (Level::Blocking, self.conformance_required_pct, "required")
            }
            TierStanding::BelowTarget => (Level::Warning, self.conformance_target_pct, "target"),
        };
        Some(tier_finding(
            severity,
            &self.tier,
            self.conformance_pass_pct,
            what,
            level,
        ))
    }

    pub fn check(&self) -> Check {
        let evidence = format!(
            "{} of {} extensions; conformance pass {}",
            self.actual,
            self.expected,
            self.conformance_pass_pct
                .map(|p| format!("{}%", fmt_num(p)))
                .unwrap_or_else(|| "not measured".into())
        );
        let outcome = self.finding().map_or(Outcome::Passed, Outcome::Failed);
        Check::new("tiers", &self.tier, evidence, outcome)
    }
}

/// A tier below its conformance level (`what` is required or target).
fn tier_finding(
    severity: Level,
    tier: &str,
    pass_pct: Option<f64>,
    what: &str,
    level: Option<f64>,
) -> Finding {
    Finding {
        level: severity,
        rule: Code::TierConformance,
        subject: Some(tier.to_string()),
        message: format!(
            "the {tier} tier passes {}% of its conformance corpus, below its {what} {}%",
            fmt_num(pass_pct.unwrap_or_default()),
            fmt_num(level.unwrap_or_default())
        ),
        entry: None,
        waived: None,
    }
}

impl IncidentRow {
    /// "incident 12 (high security, "title")".
    pub fn label(&self) -> String {
        format!(
            "incident {} ({} {}, \"{}\")",
            self.id, self.severity, self.kind, self.title
        )
    }

    /// Past its SLA: blocking (governance: Incident Response). A breached
    /// SLA stays a finding while the incident is open, even once the clock
    /// has stopped.
    pub fn finding(&self) -> Option<Finding> {
        if !self.overdue {
            return None;
        }
        let how = if self.sla_state == super::incident::SlaState::Breached {
            "breached its SLA by"
        } else {
            "is past its SLA by"
        };
        Some(Finding::new(
            Level::Blocking,
            Code::IncidentSla,
            &self.id.to_string(),
            format!(
                "{} {how} {} h",
                self.label(),
                fmt_num(self.overdue_by_hours.unwrap_or_default())
            ),
            Some(self.id),
            self.waived.clone(),
        ))
    }

    pub fn check(&self) -> Check {
        let evidence = format!(
            "opened {}, {}, SLA {}",
            time::format(self.opened_at),
            match self.resolved_at {
                Some(t) => format!("resolved {}", time::format(t)),
                None => "open".into(),
            },
            self.sla.as_deref().unwrap_or("none")
        );
        let outcome = self.finding().map_or(Outcome::Passed, Outcome::Failed);
        Check::new(
            "incidents",
            format!("incident {}", self.id),
            evidence,
            outcome,
        )
    }
}

impl TaskStatus {
    /// Past its cadence.
    pub fn finding(&self) -> Option<Finding> {
        if !self.overdue {
            return None;
        }
        Some(Finding::new(
            Level::Warning,
            Code::MaintenanceOverdue,
            &self.task,
            format!(
                "{} ({}) is overdue: {}",
                self.task,
                self.cadence,
                match self.last_done {
                    Some(t) => format!("last done {}", time::date(t)),
                    None => "never done".into(),
                }
            ),
            None,
            self.waived.clone(),
        ))
    }

    pub fn check(&self) -> Check {
        let evidence = format!(
            "{}; last done {}",
            self.cadence,
            self.last_done
                .map(time::format)
                .unwrap_or_else(|| "never".into())
        );
        let outcome = self.finding().map_or(Outcome::Passed, Outcome::Failed);
        Check::new("maintenance", &self.task, evidence, outcome)
    }
}

impl Criterion {
    /// Unmet: blocking for its milestone.
    pub fn finding(&self, milestone: &str) -> Option<Finding> {
        if self.met {
            return None;
        }
        let why = self
            .blockers
            .first()
            .map(|b| format!(": {b}"))
            .unwrap_or_default();
        Some(Finding::new(
            Level::Blocking,
            Code::ReadinessCriterion,
            &self.id,
            format!("milestone {milestone}: {} is unmet{why}", self.id),
            None,
            self.waived.clone(),
        ))
    }

    pub fn check(&self, milestone: &str) -> Check {
        let evidence = if self.evidence.is_empty() {
            self.blockers.join("; ")
        } else {
            self.evidence.join("; ")
        };
        let outcome = self
            .finding(milestone)
            .map_or(Outcome::Passed, Outcome::Failed);
        Check::new(
            "criteria",
            format!("{milestone}: {}", self.id),
            evidence,
            outcome,
        )
    }
}

impl Readiness {
    /// Each criterion, judged.
    pub fn checks(&self) -> Vec<Check> {
        self.criteria
            .iter()
            .map(|c| c.check(&self.milestone))
            .collect()
    }
}

/// The checks of a verify run: the chain, failed once per problem found.
pub fn integrity(entries: i64, problems: &[String]) -> Vec<Check> {
    if problems.is_empty() {
        return vec![Check::new(
            "integrity",
            "hash chain",
            format!("{entries} entries, chain intact, every row matches its entry"),
            Outcome::Passed,
        )];
    }
    problems
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Check::new(
                "integrity",
                format!("problem {}", i + 1),
                p.clone(),
                Outcome::Failed(Finding {
                    level: Level::Blocking,
                    rule: Code::Integrity,
                    subject: None,
                    message: p.clone(),
                    entry: None,
                    waived: None,
                }),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn information_passes_and_a_warning_fails() {
        let f = |level| Finding {
            level,
            rule: Code::ShiftAccepted,
            subject: Some("cold-load".into()),
            message: "accepted".into(),
            entry: None,
            waived: None,
        };
        let info = Check::of_finding("check-release", &f(Level::Info));
        assert!(info.passed() && info.finding().is_some());
        assert_eq!(info.name, "shift-accepted cold-load");
        let warning = Check::of_finding("check-release", &f(Level::Warning));
        assert!(!warning.passed() && warning.finding().is_some());
    }

    #[test]
    fn a_clean_chain_is_one_passing_check_and_each_problem_one_failure() {
        assert_eq!(integrity(3, &[]).len(), 1);
        assert!(integrity(3, &[]).iter().all(|c| c.finding().is_none()));
        let bad = integrity(3, &["entry 2 altered".into(), "entry 3 altered".into()]);
        assert_eq!(bad.len(), 2);
        assert!(bad.iter().all(|c| c.finding().is_some_and(Finding::blocks)));
    }
}
