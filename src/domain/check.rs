//! The release check: what would break policy if a version were cut now.

use semver::Version;
use serde::Serialize;

use super::{
    Snapshot,
    budget::Standing,
    deprecation::{self},
    incident::{IncidentKind, Severity, SlaState},
};

/// How much a finding weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingSeverity {
    Blocking,
    Warning,
}

/// One thing the release would break.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub severity: FindingSeverity,
    pub rule: String,
    pub message: String,
}

/// The verdict on cutting a version now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseCheck {
    pub version: String,
    pub allowed: bool,
    pub findings: Vec<Finding>,
}

/// Everything cutting `version` now would break, blocking first.
pub fn check_release(snap: &Snapshot, version: &Version) -> ReleaseCheck {
    let mut findings = Vec::new();
    let mut add = |severity, rule: &str, message: String| {
        findings.push(Finding {
            severity,
            rule: rule.to_string(),
            message,
        })
    };
    use FindingSeverity::{Blocking, Warning};

    if let Some(r) = snap
        .release_rows()
        .iter()
        .find(|r| r.version == version.to_string())
    {
        add(
            if r.shipped { Blocking } else { Warning },
            "already-recorded",
            format!(
                "{} is already recorded as {} on {}",
                r.version, r.status, r.date
            ),
        );
    }
    if let Some(latest) = snap.latest_shipped()
        && let Ok(latest_v) = Version::parse(&latest.version)
        && *version < latest_v
    {
        add(
            Warning,
            "version-order",
            format!("{version} is older than the latest shipped release {latest_v}"),
        );
    }

    let shipped = snap.shipped();
    let rules = &snap.policy.deprecations;
    for d in &snap.deprecations {
        let Ok(dv) = Version::parse(&d.rec.version) else {
            continue;
        };
        let removed_here = snap.removals.iter().any(|r| {
            r.rec.item == d.rec.item && r.seq > d.seq && r.rec.version == version.to_string()
        });
        if !removed_here {
            continue;
        }
        let w = deprecation::window(rules, d.rec.kind, &dv);
        if !deprecation::is_opportunity(rules, w, version, &dv, &shipped) {
            add(
                Blocking,
                "premature-removal",
                format!(
                    "{} ({}, deprecated in {dv}) is removed in {version}, before its window of {w} minor line(s){}",
                    d.rec.item,
                    d.rec.kind,
                    if dv.major > 0 && rules.post_1_0_removal_requires_major {
                        " and a new major"
                    } else {
                        ""
                    }
                ),
            );
        }
    }

    for i in snap.incident_rows().iter().filter(|i| i.is_open()) {
        let name = format!(
            "incident {} ({} {}, \"{}\")",
            i.id, i.severity, i.kind, i.title
        );
        if i.kind == IncidentKind::Security
            && matches!(i.severity, Severity::Critical | Severity::High)
        {
            add(Blocking, "open-security", format!("{name} is open"));
        } else if i.sla_state == SlaState::Overdue {
            add(
                Blocking,
                "incident-sla",
                format!(
                    "{name} is past its SLA by {} h",
                    i.overdue_by_hours.unwrap_or_default()
                ),
            );
        } else if i.due_at_next_release {
            add(
                Blocking,
                "incident-sla",
                format!("{name} must be resolved before the next release"),
            );
        }
    }

    for g in snap.gate_rows().iter().filter(|g| g.passed == Some(false)) {
        let on = g
            .platform
            .as_deref()
            .map(|p| format!(" on {p}"))
            .unwrap_or_default();
        let value = g
            .value
            .map(|v| format!(" with {} {}", super::fmt_num(v), g.unit))
            .unwrap_or_default();
        add(
            Blocking,
            "gate-failing",
            format!("{} {} gate fails{on}{value}", g.gate, g.kind),
        );
    }

    for b in snap.budget_rows() {
        let (Some(p), Some(v)) = (b.over_pct, b.last_value) else {
            continue;
        };
        let message = format!(
            "{} is {} {} against {} ({}% over)",
            b.budget,
            super::fmt_num(v),
            b.unit,
            super::fmt_num(b.threshold),
            super::fmt_num(p)
        );
        match b.standing {
            Some(Standing::OverBlocking) => add(Blocking, "budget-over-blocking", message),
            Some(Standing::Over) => add(Warning, "budget-over", format!("{message}; document it")),
            _ => {}
        }
    }

    findings.sort_by_key(|f| f.severity);
    ReleaseCheck {
        version: version.to_string(),
        allowed: findings.iter().all(|f| f.severity != Blocking),
        findings,
    }
}
