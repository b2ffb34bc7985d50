//! Layer: middle, one governance section (see `domain::LAYERS`).
//!
//! Maintenance cadence: which recurring tasks are due.

use std::collections::BTreeMap;

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
/// completion times in any order). A task is due one cadence after it was
/// last done; one never done is due one cadence after it came under the
/// policy (`introduced`: the project's start or the policy version that
/// added it), so nothing is overdue on the day it is adopted. Overdue past
/// its due time.
pub fn statuses(
    policy: &Policy,
    done: &[(String, Time)],
    introduced: &BTreeMap<String, Time>,
    now: Time,
) -> Vec<TaskStatus> {
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
            let from = last.or_else(|| introduced.get(&t.id).copied());
            let next = from.map(|l| super::time::days_after(l, days));
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
        let none = BTreeMap::new();
        let rows = statuses(&policy, &done, &none, now);
        let audit = rows.iter().find(|r| r.task == "dependency-audit").unwrap();
        assert!(!audit.overdue);
        let rows = statuses(&policy, &done, &none, now + chrono::Duration::seconds(1));
        let audit = rows.iter().find(|r| r.task == "dependency-audit").unwrap();
        assert!(audit.overdue);
        let roadmap = rows.iter().find(|r| r.task == "roadmap-review").unwrap();
        assert!(!roadmap.overdue, "92 days from Jan 1 is in April");
        let never = rows.iter().find(|r| r.task == "budget-review").unwrap();
        assert!(never.overdue && never.last_done.is_none());
        assert_eq!(rows.len(), 11);
    }

    #[test]
    fn a_task_never_done_is_due_one_cadence_after_it_came_under_the_policy() {
        let policy = Policy::builtin();
        let adopted = parse("2026-03-01").unwrap();
        let introduced: BTreeMap<String, Time> = policy
            .maintenance
            .tasks
            .iter()
            .map(|t| (t.id.clone(), adopted))
            .collect();
        let rows = statuses(&policy, &[], &introduced, adopted);
        assert!(
            rows.iter().all(|r| !r.overdue),
            "nothing is overdue on day one"
        );
        let audit = rows.iter().find(|r| r.task == "dependency-audit").unwrap();
        assert_eq!(audit.next_due, Some(parse("2026-03-08").unwrap()));
        assert_eq!(audit.last_done, None);
        // A second past one weekly cadence, the weekly task is overdue and
        // the monthly and quarterly ones are not.
        let later = parse("2026-03-08T00:00:01Z").unwrap();
        let rows = statuses(&policy, &[], &introduced, later);
        let audit = rows.iter().find(|r| r.task == "dependency-audit").unwrap();
        assert!(audit.overdue);
        let roadmap = rows.iter().find(|r| r.task == "roadmap-review").unwrap();
        assert!(!roadmap.overdue);
        // A task the policy added later is due a cadence after that.
        let mut added = introduced.clone();
        added.insert("dependency-audit".into(), parse("2026-03-05").unwrap());
        let rows = statuses(&policy, &[], &added, later);
        assert!(
            !rows
                .iter()
                .find(|r| r.task == "dependency-audit")
                .unwrap()
                .overdue
        );
    }
}
