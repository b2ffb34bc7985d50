//! Layer: top (reads the questions' inputs and the release check). What a
//! waiver may name, and whether a finding it names stands now: `waive`
//! records a waiver only of something a finding can be about, and says so
//! when none stands today.

use super::{
    Error,
    check::{self, Finding, Level},
    inputs::{
        BudgetRow, DeprecationRow, ExtensionRow, Frame, GateRow, IncidentInputs, IncidentRow,
        WaiveInputs,
    },
    rule::Code,
};

/// What a waiver of `rule` may name, as its inputs know it: the budgets,
/// items, incidents, gates, tasks, criteria or extensions its findings are
/// about.
pub fn subjects(f: &Frame, inputs: &WaiveInputs) -> Vec<String> {
    let policy = &f.policy;
    let mut out: Vec<String> = match inputs {
        WaiveInputs::Deprecations(d) => d.deprecations.iter().map(|d| d.rec.item.clone()).collect(),
        WaiveInputs::Budgets(b)
        | WaiveInputs::Drift(super::inputs::DriftInputs { budgets: b, .. }) => {
            b.defs(policy).into_iter().map(|b| b.id).collect()
        }
        WaiveInputs::Gates(_) => policy.gates.iter().map(|g| g.id.clone()).collect(),
        WaiveInputs::Incidents(i) => i.incidents.iter().map(|i| i.seq.to_string()).collect(),
        WaiveInputs::Maintenance(_) => policy
            .maintenance
            .tasks
            .iter()
            .map(|t| t.id.clone())
            .collect(),
        WaiveInputs::Readiness(_) => policy
            .milestones
            .iter()
            .flat_map(|m| &m.criteria)
            .map(|c| c.id.clone())
            .collect(),
        WaiveInputs::Extensions(e) => e
            .extensions
            .iter()
            .map(|e| e.rec.extension.clone())
            .collect(),
        WaiveInputs::Tiers(_) => policy.tier_ids().into_iter().map(str::to_string).collect(),
        // Never waived (`allowed` refuses them first).
        WaiveInputs::Nothing => Vec::new(),
    };
    out.sort();
    out.dedup();
    out
}

/// The subject, if a waiver of `rule` may name it; else an error listing
/// what it may name (when the list is short enough to read).
pub fn require_subject(
    f: &Frame,
    inputs: &WaiveInputs,
    rule: Code,
    subject: &str,
) -> Result<(), Error> {
    let known = subjects(f, inputs);
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
pub fn refuse_protected_incident(
    f: &Frame,
    inputs: &WaiveInputs,
    rule: Code,
    subject: &str,
) -> Result<(), Error> {
    let WaiveInputs::Incidents(incidents) = inputs else {
        return Ok(());
    };
    let classes = &f.policy.waivers.never_open_incidents;
    let protected = incidents.rows(f).into_iter().find(|i| {
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
/// not), judged as its list command judges it on the same inputs: a
/// waiver of one that does not is recorded, but changes nothing until one
/// appears.
pub fn found_now(f: &Frame, inputs: &WaiveInputs, rule: Code, subject: &str) -> bool {
    if let (WaiveInputs::Gates(g), Code::GateNoEvidence) = (inputs, rule) {
        return check::gates_without_evidence(&g.rows(f))
            .iter()
            .any(|(gate, _)| *gate == subject);
    }
    let found: Vec<Finding> = match inputs {
        WaiveInputs::Deprecations(d) => d
            .rows(f)
            .iter()
            .filter_map(DeprecationRow::finding)
            .collect(),
        WaiveInputs::Budgets(b) => b.rows(f).iter().filter_map(BudgetRow::finding).collect(),
        WaiveInputs::Drift(d) => d
            .drift(f, f.policy.budgets.drift_days)
            .iter()
            .filter_map(super::budget::Drift::finding)
            .collect(),
        WaiveInputs::Gates(g) => g.rows(f).iter().filter_map(GateRow::finding).collect(),
        WaiveInputs::Incidents(i) => incident_findings(f, i, rule),
        WaiveInputs::Maintenance(m) => m
            .rows(f)
            .iter()
            .filter_map(super::maintenance::TaskStatus::finding)
            .collect(),
        WaiveInputs::Readiness(r) => f
            .policy
            .milestones
            .iter()
            .flat_map(|m| {
                let r = super::readiness::readiness(f, r, m);
                r.criteria
                    .iter()
                    .filter_map(|c| c.finding(&r.milestone))
                    .collect::<Vec<_>>()
            })
            .collect(),
        WaiveInputs::Extensions(e) => e.rows(f).iter().filter_map(ExtensionRow::finding).collect(),
        WaiveInputs::Tiers(t) => check::tier_findings(f, t),
        WaiveInputs::Nothing => Vec::new(),
    };
    found
        .iter()
        .any(|f| f.rule == rule && f.subject.as_deref() == Some(subject))
}

/// The findings of `rule` about open incidents: past their SLA or due at
/// the next release (incident-sla), or severe security ones
/// (security-open).
fn incident_findings(f: &Frame, incidents: &IncidentInputs, rule: Code) -> Vec<Finding> {
    let found = |i: &IncidentRow, level| {
        Finding::new(level, rule, &i.id.to_string(), String::new(), None, None)
    };
    incidents
        .rows(f)
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
