//! Layer: top, judges across sections (see `domain::LAYERS`).
//!
//! The dashboard's facts: everything that needs attention, in one value.

use serde::Serialize;

use super::{
    Time,
    budget::{Drift, ShiftRow},
    delivery::Delivery,
    finding::{Check, Outcome},
    inputs::{DashboardInputs, DeprecationRow, Frame, GateRow, IncidentRow, ReleaseRow},
    maintenance::TaskStatus,
    readiness::{self, Readiness},
    waiver::WaiverRow,
};

/// A shift accepted as a budget's new baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AcceptedShift {
    pub budget: String,
    #[serde(flatten)]
    pub shift: ShiftRow,
}

/// What `ledger status` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    pub project: String,
    pub as_of: Time,
    /// The policy it is judged by.
    pub policy: Option<super::inputs::PolicyInUse>,
    pub drift_days: u32,
    pub latest_release: Option<ReleaseRow>,
    pub failing_gates: Vec<GateRow>,
    /// Budgets over or drifting over the policy's drift window.
    pub budgets: Vec<Drift>,
    /// The shifts of the drift window recorded as expected.
    pub accepted_shifts: Vec<AcceptedShift>,
    /// Deprecations overdue or removed prematurely.
    pub deprecations: Vec<DeprecationRow>,
    pub overdue_incidents: Vec<IncidentRow>,
    pub open_incidents: usize,
    pub overdue_maintenance: Vec<TaskStatus>,
    /// The milestones not shipped yet, as of now; then each shipped one
    /// that shipped before it was ready, as of its release.
    pub readiness: Vec<Readiness>,
    /// Waivers in force that expire within the policy's warning days:
    /// their findings come back then.
    pub expiring_waivers: Vec<WaiverRow>,
    pub waiver_warn_days: u32,
    /// The delivery metrics over the policy's window.
    pub delivery: Delivery,
}

impl Status {
    /// Gathers the dashboard from its inputs.
    pub fn of(f: &Frame, i: &DashboardInputs) -> Status {
        let d = &i.delivery;
        let incidents = d.incidents.rows(f);
        let drift = i.readiness.budgets.drift_after(
            f,
            super::time::days_before(f.now, f.policy.budgets.drift_days),
            super::budget::DriftMethod::ChangePoints,
            d.releases.shipped(f),
        );
        let delivery =
            super::delivery::delivery_of(f, d, f.policy.delivery.window_days, &incidents);
        Status {
            project: f.project.clone(),
            as_of: f.now,
            policy: f.policy_in_use.clone(),
            drift_days: f.policy.budgets.drift_days,
            latest_release: d.releases.latest_shipped(f),
            failing_gates: i
                .readiness
                .gates
                .rows(f)
                .into_iter()
                .filter(|g| g.is_failing())
                .collect(),
            accepted_shifts: drift
                .iter()
                .flat_map(|d| {
                    d.shifts
                        .iter()
                        .filter(|s| s.accepted)
                        .map(|s| AcceptedShift {
                            budget: d.budget.clone(),
                            shift: s.clone(),
                        })
                })
                .collect(),
            budgets: drift
                .into_iter()
                .filter(|d| d.status.is_finding())
                .collect(),
            deprecations: d
                .deprecations
                .rows(f)
                .into_iter()
                .filter(|d| d.status.is_finding())
                .collect(),
            open_incidents: incidents.iter().filter(|i| i.is_open()).count(),
            overdue_incidents: incidents.into_iter().filter(|i| i.overdue).collect(),
            overdue_maintenance: d
                .maintenance
                .rows(f)
                .into_iter()
                .filter(|t| t.overdue)
                .collect(),
            readiness: f
                .policy
                .milestones
                .iter()
                .filter(|m| readiness::shipped(f, &i.readiness.milestones, m).is_none())
                .map(|m| readiness::readiness(f, &i.readiness, m))
                .collect(),
            expiring_waivers: f.waivers.expiring_within(f.policy.waivers.warn_days),
            waiver_warn_days: f.policy.waivers.warn_days,
            delivery,
        }
    }

    /// Adds the shipped milestones' verdicts as of their releases, keeping
    /// those that shipped before they were ready.
    pub fn with_retrospectives(mut self, retrospectives: Vec<Readiness>) -> Status {
        self.readiness.extend(
            retrospectives
                .into_iter()
                .filter(|r| r.shipped_before_ready == Some(true)),
        );
        self
    }

    /// What the dashboard judged, for the CI formats: each finding on it,
    /// and the criteria of each milestone. A milestone not shipped yet is
    /// not a finding on the dashboard (`readiness` judges it), so its unmet
    /// criteria are listed as not judged yet.
    pub fn checks(&self) -> Vec<Check> {
        let mut checks: Vec<Check> = self
            .failing_gates
            .iter()
            .map(GateRow::check)
            .chain(self.budgets.iter().map(Drift::check))
            .chain(self.deprecations.iter().map(DeprecationRow::check))
            .chain(self.overdue_incidents.iter().map(IncidentRow::check))
            .chain(self.overdue_maintenance.iter().map(TaskStatus::check))
            .collect();
        for r in &self.readiness {
            let judged = r.shipped_before_ready == Some(true);
            checks.extend(r.checks().into_iter().map(|mut c| {
                if !judged && let Outcome::Failed(f) = &c.outcome {
                    c.outcome = Outcome::NotJudged(format!("not met yet: {}", f.message));
                }
                c
            }));
        }
        checks
    }

    /// Whether anything on the dashboard breaks policy (for `--check`);
    /// a waived finding is shown but does not.
    pub fn breaks_policy(&self) -> bool {
        self.failing_gates.iter().any(GateRow::breaks_policy)
            || self.budgets.iter().any(Drift::breaks_policy)
            || self.deprecations.iter().any(DeprecationRow::breaks_policy)
            || self
                .overdue_incidents
                .iter()
                .any(IncidentRow::breaks_policy)
            || self
                .overdue_maintenance
                .iter()
                .any(TaskStatus::breaks_policy)
        // Milestones are shown, not judged: one not shipped yet is judged
        // by `readiness` and `check-release`, and one that shipped unready
        // is history, not a gate (`readiness --check-retrospective`).
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        inputs::Frame,
        policy::Policy,
        readiness::{Criterion, ShippedAs},
        time::parse,
    };

    #[test]
    fn a_milestone_that_shipped_unready_is_shown_but_fails_no_check() {
        let now = parse("2026-03-01").unwrap();
        let mut s = Status::of(
            &Frame::new("pi", now, Policy::builtin()),
            &Default::default(),
        );
        s.overdue_maintenance.clear();
        assert!(!s.breaks_policy());
        let shown = s.readiness.len();
        let retrospective = Readiness {
            milestone: "1.0".into(),
            title: "1.0 release".into(),
            ready: false,
            criteria: vec![Criterion {
                id: "docs-complete".into(),
                title: "Docs complete".into(),
                met: false,
                evidence: Vec::new(),
                blockers: vec!["no sign-off".into()],
                waived: None,
            }],
            shipped: Some(ShippedAs {
                version: "1.0.0".into(),
                at: now,
                entry: 7,
            }),
            shipped_before_ready: Some(true),
        };
        let s = s.with_retrospectives(vec![retrospective]);
        assert_eq!(s.readiness.len(), shown + 1, "it is on the dashboard");
        assert!(!s.breaks_policy(), "history, not a gate");
    }
}
