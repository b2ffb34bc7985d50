//! Layer: top (reads the snapshot and the release check). What a waiver
//! may name, and whether a finding it names stands now: `waive` records a
//! waiver only of something a finding can be about, and says so when none
//! stands today.

use super::{
    Error, Snapshot,
    check::{self, Finding, Level},
    rule::Code,
};

/// What a waiver of `rule` may name, as the snapshot knows it (read with
/// [`super::snapshot::Need::waive`]): the budgets, items, incidents,
/// gates, tasks, criteria or extensions its findings are about.
pub fn subjects(snap: &Snapshot, rule: Code) -> Vec<String> {
    let policy = &snap.policy;
    let mut out: Vec<String> = match rule {
        Code::DeprecationOverdue | Code::DeprecationPremature => snap
            .deprecations
            .iter()
            .map(|d| d.rec.item.clone())
            .collect(),
        Code::BudgetOver | Code::BudgetDrift => {
            snap.budget_defs().into_iter().map(|b| b.id).collect()
        }
        Code::GateFailing => policy.gates.iter().map(|g| g.id.clone()).collect(),
        Code::IncidentSla | Code::SecurityOpen => {
            snap.incidents.iter().map(|i| i.seq.to_string()).collect()
        }
        Code::MaintenanceOverdue => policy
            .maintenance
            .tasks
            .iter()
            .map(|t| t.id.clone())
            .collect(),
        Code::ReadinessCriterion => policy
            .milestones
            .iter()
            .flat_map(|m| &m.criteria)
            .map(|c| c.id.clone())
            .collect(),
        Code::ExtensionViolation => snap
            .extensions
            .iter()
            .map(|e| e.rec.extension.clone())
            .collect(),
        Code::TierConformance => policy.tier_ids().into_iter().map(str::to_string).collect(),
        // Never waived (`allowed` refuses them first).
        Code::Integrity
        | Code::AlreadyRecorded
        | Code::VersionOrder
        | Code::BreakingNeedsMajor
        | Code::ShiftAccepted => Vec::new(),
    };
    out.sort();
    out.dedup();
    out
}

/// The subject, if a waiver of `rule` may name it; else an error listing
/// what it may name (when the list is short enough to read).
pub fn require_subject(snap: &Snapshot, rule: Code, subject: &str) -> Result<(), Error> {
    let known = subjects(snap, rule);
    if known.iter().any(|k| k == subject) {
        return Ok(());
    }
    if known.len() > 30 {
        return Err(Error::State(format!(
            "{subject:?} is not a {} that {rule} findings are about; {} are known",
            rule.about().subject,
            known.len()
        )));
    }
    Err(Error::unknown(rule.about().subject, subject, known))
}

/// Refuses a waiver of a finding about an open incident of a class the
/// policy never lets be waived while open (`waivers.never_open_incidents`;
/// by default a critical or high security incident), whatever its rule.
pub fn refuse_protected_incident(snap: &Snapshot, rule: Code, subject: &str) -> Result<(), Error> {
    if !matches!(rule, Code::IncidentSla | Code::SecurityOpen) {
        return Ok(());
    }
    let classes = &snap.policy.waivers.never_open_incidents;
    let protected = snap.incident_rows().into_iter().find(|i| {
        i.id.to_string() == subject
            && i.is_open()
            && classes.iter().any(|c| c.covers(i.kind, i.severity))
    });
    match protected {
        Some(i) => Err(Error::Refused {
            subject: format!("a waiver of {rule} for incident {}", i.id),
            rules: vec![format!(
                "incident {} is an open {} {} incident, and no finding about one can be waived while it is open (waivers.never_open_incidents; governance: Incident Response)",
                i.id, i.severity, i.kind
            )],
        }),
        None => Ok(()),
    }
}

/// Whether a finding of `rule` about `subject` stands now (waived or
/// not), judged as its list command judges it on a snapshot read with
/// [`super::snapshot::Need::waive`]: a waiver of one that does not is
/// recorded, but changes nothing until one appears.
pub fn found_now(snap: &Snapshot, rule: Code, subject: &str) -> bool {
    use super::snapshot::{BudgetRow, DeprecationRow, ExtensionRow, GateRow};
    let found: Vec<Finding> = match rule {
        Code::DeprecationOverdue | Code::DeprecationPremature => snap
            .deprecation_rows()
            .iter()
            .filter_map(DeprecationRow::finding)
            .collect(),
        Code::BudgetOver => snap
            .budget_rows()
            .iter()
            .filter_map(BudgetRow::finding)
            .collect(),
        Code::BudgetDrift => snap
            .drift(snap.policy.budgets.drift_days)
            .iter()
            .filter_map(super::budget::Drift::finding)
            .collect(),
        Code::GateFailing => snap
            .gate_rows()
            .iter()
            .filter_map(GateRow::finding)
            .collect(),
        Code::IncidentSla | Code::SecurityOpen => incident_findings(snap, rule),
        Code::MaintenanceOverdue => snap
            .maintenance_rows()
            .iter()
            .filter_map(super::maintenance::TaskStatus::finding)
            .collect(),
        Code::ReadinessCriterion => snap
            .policy
            .milestones
            .iter()
            .flat_map(|m| {
                let r = super::readiness::readiness(snap, m);
                r.criteria
                    .iter()
                    .filter_map(|c| c.finding(&r.milestone))
                    .collect::<Vec<_>>()
            })
            .collect(),
        Code::ExtensionViolation => snap
            .extension_rows()
            .iter()
            .filter_map(ExtensionRow::finding)
            .collect(),
        Code::TierConformance => check::tier_findings(snap),
        Code::Integrity
        | Code::AlreadyRecorded
        | Code::VersionOrder
        | Code::BreakingNeedsMajor
        | Code::ShiftAccepted => Vec::new(),
    };
    found
        .iter()
        .any(|f| f.rule == rule && f.subject.as_deref() == Some(subject))
}

/// The findings of `rule` about open incidents: past their SLA or due at
/// the next release (incident-sla), or severe security ones
/// (security-open).
fn incident_findings(snap: &Snapshot, rule: Code) -> Vec<Finding> {
    let found = |i: &super::snapshot::IncidentRow, level| {
        Finding::new(level, rule, &i.id.to_string(), String::new(), None, None)
    };
    snap.incident_rows()
        .iter()
        .filter(|i| i.is_open())
        .filter_map(|i| match rule {
            Code::SecurityOpen => check::is_severe_security(i).then(|| found(i, Level::Blocking)),
            _ => i
                .finding()
                .or_else(|| i.due_at_next_release.then(|| found(i, Level::Warning))),
        })
        .collect()
}
