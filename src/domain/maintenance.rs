//! Layer: middle, one governance section (see `domain::LAYERS`).
//!
//! Maintenance cadence: which recurring tasks are due.

use serde::Serialize;

use super::{Time, policy::Policy};

pub use super::terms::Cadence;

/// One task's standing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskStatus {
    pub task: String,
    pub title: String,
    pub cadence: Cadence,
    pub last_done: Option<Time>,
    pub next_due: Option<Time>,
    pub overdue: bool,
    /// The waiver in force on its being overdue.
    pub waived: Option<super::waiver::Waived>,
}

impl TaskStatus {
    /// Overdue and not waived.
    pub fn breaks_policy(&self) -> bool {
        self.overdue && self.waived.is_none()
    }
}

/// Every policy task with its last completion (`done` holds each task's
/// completion times in any order). A task is overdue when never done or
/// last done longer ago than its cadence.
pub fn statuses(policy: &Policy, done: &[(String, Time)], now: Time) -> Vec<TaskStatus> {
    policy
        .maintenance
        .tasks
        .iter()
        .map(|t| {
            let last = done
                .iter()
                .filter(|(id, _)| *id == t.id)
                .map(|(_, at)| *at)
                .max();
            let days = policy.maintenance.cadence_days.get(t.cadence);
            let next = last.map(|l| super::time::days_after(l, days));
            TaskStatus {
                task: t.id.clone(),
                title: t.title.clone(),
                cadence: t.cadence,
                last_done: last,
                next_due: next,
                overdue: next.is_none_or(|n| now > n),
                waived: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::parse;

    #[test]
    fn overdue_when_never_done_or_past_the_cadence() {
        let policy = Policy::builtin();
        let done = vec![
            ("dependency-audit".to_string(), parse("2026-03-01").unwrap()),
            ("roadmap-review".to_string(), parse("2026-01-01").unwrap()),
        ];
        // Exactly seven days later is still on time; a second later is not.
        let now = parse("2026-03-08T00:00:00Z").unwrap();
        let rows = statuses(&policy, &done, now);
        let audit = rows.iter().find(|r| r.task == "dependency-audit").unwrap();
        assert!(!audit.overdue);
        let rows = statuses(&policy, &done, now + chrono::Duration::seconds(1));
        let audit = rows.iter().find(|r| r.task == "dependency-audit").unwrap();
        assert!(audit.overdue);
        let roadmap = rows.iter().find(|r| r.task == "roadmap-review").unwrap();
        assert!(!roadmap.overdue, "92 days from Jan 1 is in April");
        let never = rows.iter().find(|r| r.task == "budget-review").unwrap();
        assert!(never.overdue && never.last_done.is_none());
        assert_eq!(rows.len(), 11);
    }
}
