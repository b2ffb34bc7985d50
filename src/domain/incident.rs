//! Layer: middle, one governance section (see `domain::LAYERS`).
//!
//! Incident SLAs (governance: Incident Response).

use serde::Serialize;

use super::{
    Error, Time,
    policy::{Clock, Policy, Sla},
    record::{IncidentAction, IncidentEventRec},
    release::Shipped,
    time,
};

pub use super::terms::{IncidentKind, Severity};

/// An incident as recorded so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub kind: IncidentKind,
    pub severity: Severity,
    pub over_pct: Option<f64>,
    pub opened_at: Time,
    pub triaged_at: Option<Time>,
    pub resolved_at: Option<Time>,
    /// When the release named as the fix shipped, if it has.
    pub fix_shipped_at: Option<Time>,
}

impl Facts {
    /// Open until resolved.
    pub fn is_open(&self) -> bool {
        self.resolved_at.is_none()
    }
}

/// Where an incident stands against its SLA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SlaState {
    /// No SLA covers it.
    None,
    /// The clock runs and the due time has not passed.
    Pending,
    /// The clock stopped in time.
    Met,
    /// The clock stopped, but late (while the incident is open, this is
    /// still a finding).
    Breached,
    /// The clock runs past its due time.
    Overdue,
}

/// The SLA judgement on one incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judgement {
    pub sla: Option<String>,
    /// Whether the SLA ends at the next shipped release.
    pub next_release: bool,
    /// When the SLA ends, once it is known.
    pub due_at: Option<Time>,
    pub state: SlaState,
    /// Open and past its SLA: running past its due time, or stopped late.
    pub overdue: bool,
    pub overdue_by_hours: Option<f64>,
}

/// The first SLA of the policy that covers an incident.
pub fn sla_for<'p>(policy: &'p Policy, facts: &Facts) -> Option<&'p Sla> {
    policy.incidents.slas.iter().find(|s| {
        s.kind == facts.kind
            && (s.severities.is_empty() || s.severities.contains(&facts.severity))
            && s.over_pct_above
                .is_none_or(|floor| facts.over_pct.is_some_and(|p| p > floor))
    })
}

/// Judges an incident at `now`; `shipped` are the shipped releases.
pub fn judge(policy: &Policy, facts: &Facts, shipped: &[Shipped], now: Time) -> Judgement {
    let mut dates: Vec<Time> = shipped.iter().map(|s| s.date).collect();
    dates.sort_unstable();
    judge_by_dates(policy, facts, &dates, now)
}

/// Judges an incident at `now`; `shipped` are the dates of the shipped
/// releases in order, so the next release after the opening is a bisection.
pub fn judge_by_dates(policy: &Policy, facts: &Facts, shipped: &[Time], now: Time) -> Judgement {
    let Some(sla) = sla_for(policy, facts) else {
        return Judgement {
            sla: None,
            next_release: false,
            due_at: None,
            state: SlaState::None,
            overdue: false,
            overdue_by_hours: None,
        };
    };
    let due_at = match sla.within_hours {
        Some(h) => Some(time::hours_after(facts.opened_at, h)),
        None => shipped
            .get(shipped.partition_point(|d| *d <= facts.opened_at))
            .copied()
            .filter(|d| *d <= now),
    };
    let stopped = match sla.clock {
        Clock::Triage => facts.triaged_at.or(facts.resolved_at),
        // governance: Incident Response, "fix in next scheduled release".
        // A fix that shipped in time is on time, however late its
        // resolution was recorded.
        Clock::Resolve if sla.next_release => match (facts.resolved_at, facts.fix_shipped_at) {
            (Some(r), Some(f)) => Some(r.min(f)),
            (r, _) => r,
        },
        Clock::Resolve => facts.resolved_at,
    };
    let state = match (stopped, due_at) {
        (Some(s), Some(d)) if s > d => SlaState::Breached,
        (Some(_), _) => SlaState::Met,
        (None, Some(d)) if now > d || (sla.next_release && now >= d) => SlaState::Overdue,
        (None, _) => SlaState::Pending,
    };
    // governance: Incident Response. A late triage is recorded as breached,
    // not forgiven: the incident stays a finding until it is resolved.
    let late_by = match state {
        SlaState::Overdue => due_at.map(|d| time::hours_between(d, now)),
        SlaState::Breached if facts.is_open() => {
            due_at.zip(stopped).map(|(d, s)| time::hours_between(d, s))
        }
        _ => None,
    };
    Judgement {
        sla: Some(sla.id.clone()),
        next_release: sla.next_release,
        due_at,
        state,
        overdue: late_by.is_some(),
        overdue_by_hours: late_by,
    }
}

/// Where an incident's lifecycle stands: what its next step is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    pub id: i64,
    pub opened_at: Time,
    pub triaged_at: Option<Time>,
    pub resolved_at: Option<Time>,
}

/// A fix release named by a resolve, and whether the ledger has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub version: String,
    pub recorded: bool,
}

/// The event a triage or resolve at `at` appends, or why it cannot: not
/// before the incident opened, nothing after it was resolved, one triage,
/// and a fix release that is recorded.
pub fn step(
    state: &Lifecycle,
    action: IncidentAction,
    at: Time,
    fix: Option<Fix>,
) -> Result<IncidentEventRec, Error> {
    let id = state.id;
    if at < state.opened_at {
        return Err(Error::invalid(
            "time",
            time::format(at),
            format!(
                "a time after incident {id} opened ({})",
                time::format(state.opened_at)
            ),
        ));
    }
    if state.resolved_at.is_some() {
        return Err(Error::State(format!("incident {id} is already resolved")));
    }
    if action == IncidentAction::Triage && state.triaged_at.is_some() {
        return Err(Error::State(format!("incident {id} is already triaged")));
    }
    if let Some(f) = fix.as_ref().filter(|f| !f.recorded) {
        return Err(Error::invalid(
            "fix release",
            &f.version,
            "a release recorded with `ledger record-release` (see `ledger releases`)",
        ));
    }
    Ok(IncidentEventRec {
        incident: id,
        action,
        release: fix.map(|f| f.version),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::parse;
    use semver::Version;

    fn facts(kind: IncidentKind, severity: Severity, opened: &str) -> Facts {
        Facts {
            kind,
            severity,
            over_pct: None,
            opened_at: parse(opened).unwrap(),
            triaged_at: None,
            resolved_at: None,
            fix_shipped_at: None,
        }
    }

    #[test]
    fn conformance_regressions_must_be_triaged_within_24_hours() {
        let p = Policy::builtin();
        let mut f = facts(
            IncidentKind::named("conformance-regression"),
            Severity::Medium,
            "2026-03-01T00:00:00Z",
        );
        let at_24h = parse("2026-03-02T00:00:00Z").unwrap();
        let j = judge(&p, &f, &[], at_24h);
        assert_eq!(
            (j.state, j.overdue),
            (SlaState::Pending, false),
            "exactly 24 h is on time"
        );
        let j = judge(&p, &f, &[], at_24h + chrono::Duration::hours(6));
        assert_eq!((j.overdue, j.overdue_by_hours), (true, Some(6.0)));
        f.triaged_at = Some(parse("2026-03-01T20:00:00Z").unwrap());
        let j = judge(&p, &f, &[], at_24h + chrono::Duration::hours(6));
        assert_eq!(j.state, SlaState::Met);
        f.triaged_at = Some(parse("2026-03-02T01:00:00Z").unwrap());
        assert_eq!(
            judge(&p, &f, &[], at_24h + chrono::Duration::days(3)).state,
            SlaState::Breached
        );
    }

    /// governance: Incident Response. Triage 48 h late does not forgive the
    /// breach: the open incident stays overdue (by the 48 h) until resolved.
    #[test]
    fn a_late_triage_keeps_an_open_incident_overdue() {
        let p = Policy::builtin();
        let mut f = facts(
            IncidentKind::named("conformance-regression"),
            Severity::Medium,
            "2026-03-01T00:00:00Z",
        );
        f.triaged_at = Some(parse("2026-03-04T00:00:00Z").unwrap());
        let now = parse("2026-03-05T00:00:00Z").unwrap();
        let j = judge(&p, &f, &[], now);
        assert_eq!(
            (j.state, j.overdue, j.overdue_by_hours),
            (SlaState::Breached, true, Some(48.0))
        );
        f.resolved_at = Some(now);
        let j = judge(&p, &f, &[], now);
        assert_eq!((j.state, j.overdue), (SlaState::Breached, false));
        // Triaged exactly at the due time is on time.
        f.triaged_at = Some(parse("2026-03-02T00:00:00Z").unwrap());
        f.resolved_at = None;
        assert_eq!(judge(&p, &f, &[], now).state, SlaState::Met);
    }

    /// governance: Incident Response, "fix in next scheduled release".
    #[test]
    fn a_fix_shipped_in_the_next_release_is_on_time_however_late_it_is_recorded() {
        let p = Policy::builtin();
        let mut f = facts(
            IncidentKind::named(IncidentKind::SECURITY),
            Severity::Medium,
            "2026-03-01T00:00:00Z",
        );
        let next = Shipped {
            version: Version::new(0, 4, 1),
            date: parse("2026-03-10T00:00:00Z").unwrap(),
        };
        let later = Shipped {
            version: Version::new(0, 4, 2),
            date: parse("2026-03-20T00:00:00Z").unwrap(),
        };
        let now = parse("2026-03-25T00:00:00Z").unwrap();
        let shipped = [next.clone(), later.clone()];
        f.resolved_at = Some(parse("2026-03-10T01:00:00Z").unwrap());
        assert_eq!(
            judge(&p, &f, &shipped, now).state,
            SlaState::Breached,
            "no fix release named"
        );
        f.fix_shipped_at = Some(next.date);
        assert_eq!(judge(&p, &f, &shipped, now).state, SlaState::Met);
        // Fixed in the release after the next one: breached.
        f.fix_shipped_at = Some(later.date);
        assert_eq!(judge(&p, &f, &shipped, now).state, SlaState::Breached);
        // A release that shipped before the opening already held the fix.
        f.fix_shipped_at = Some(parse("2026-02-01").unwrap());
        assert_eq!(judge(&p, &f, &shipped, now).state, SlaState::Met);
    }

    #[test]
    fn critical_security_must_be_resolved_within_48_hours() {
        let p = Policy::builtin();
        let f = facts(
            IncidentKind::named(IncidentKind::SECURITY),
            Severity::High,
            "2026-03-01T00:00:00Z",
        );
        let j = judge(&p, &f, &[], parse("2026-03-04T00:00:00Z").unwrap());
        assert_eq!(j.sla.as_deref(), Some("security-critical"));
        assert_eq!(j.overdue_by_hours, Some(24.0));
    }

    #[test]
    fn next_release_slas_fall_due_when_a_release_ships() {
        let p = Policy::builtin();
        let f = facts(
            IncidentKind::named(IncidentKind::SECURITY),
            Severity::Low,
            "2026-03-01T00:00:00Z",
        );
        let now = parse("2026-03-20T00:00:00Z").unwrap();
        let j = judge(&p, &f, &[], now);
        assert_eq!(
            (j.state, j.next_release, j.due_at),
            (SlaState::Pending, true, None)
        );
        let before = Shipped {
            version: Version::new(0, 3, 0),
            date: parse("2026-02-01").unwrap(),
        };
        let after = Shipped {
            version: Version::new(0, 4, 0),
            date: parse("2026-03-10").unwrap(),
        };
        let j = judge(&p, &f, std::slice::from_ref(&before), now);
        assert!(!j.overdue, "a release before the incident does not count");
        let j = judge(&p, &f, &[before, after], now);
        assert_eq!((j.overdue, j.overdue_by_hours), (true, Some(240.0)));
    }

    #[test]
    fn performance_regressions_need_an_sla_only_beyond_20_percent() {
        let p = Policy::builtin();
        let mut f = facts(
            IncidentKind::named(IncidentKind::PERFORMANCE_REGRESSION),
            Severity::Medium,
            "2026-03-01",
        );
        f.over_pct = Some(20.0);
        assert!(sla_for(&p, &f).is_none());
        f.over_pct = Some(25.0);
        assert_eq!(
            sla_for(&p, &f).map(|s| s.id.as_str()),
            Some("performance-blocking")
        );
        f.kind = IncidentKind::named(IncidentKind::OTHER);
        assert_eq!(
            judge(&p, &f, &[], parse("2027-01-01").unwrap()).state,
            SlaState::None
        );
    }

    #[test]
    fn an_incident_is_triaged_once_and_resolved_once_never_before_it_opened() {
        let opened = time::parse("2026-03-01").unwrap();
        let at = |t: &str| time::parse(t).unwrap();
        let open = Lifecycle {
            id: 7,
            opened_at: opened,
            triaged_at: None,
            resolved_at: None,
        };
        let triage = step(&open, IncidentAction::Triage, at("2026-03-02"), None).unwrap();
        assert_eq!(
            (triage.incident, triage.action),
            (7, IncidentAction::Triage)
        );
        let e = step(&open, IncidentAction::Triage, at("2026-02-28"), None).unwrap_err();
        assert!(
            e.to_string().contains("a time after incident 7 opened"),
            "{e}"
        );
        let triaged = Lifecycle {
            triaged_at: Some(at("2026-03-02")),
            ..open
        };
        let e = step(&triaged, IncidentAction::Triage, at("2026-03-03"), None).unwrap_err();
        assert!(e.to_string().contains("already triaged"), "{e}");
        let fix = |recorded| {
            Some(Fix {
                version: "1.2.1".into(),
                recorded,
            })
        };
        let e = step(
            &triaged,
            IncidentAction::Resolve,
            at("2026-03-03"),
            fix(false),
        )
        .unwrap_err();
        assert!(e.to_string().contains("fix release"), "{e}");
        let resolve = step(
            &triaged,
            IncidentAction::Resolve,
            at("2026-03-03"),
            fix(true),
        )
        .unwrap();
        assert_eq!(resolve.release.as_deref(), Some("1.2.1"));
        // Resolving without triage is allowed; anything after it is not.
        assert!(step(&open, IncidentAction::Resolve, at("2026-03-03"), None).is_ok());
        let resolved = Lifecycle {
            resolved_at: Some(at("2026-03-03")),
            ..triaged
        };
        for action in [IncidentAction::Triage, IncidentAction::Resolve] {
            let e = step(&resolved, action, at("2026-03-04"), None).unwrap_err();
            assert!(e.to_string().contains("already resolved"), "{e}");
        }
    }
}
