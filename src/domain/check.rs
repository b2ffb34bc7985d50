//! Layer: top, judges across sections (see `domain::LAYERS`).
//!
//! The release check: what would break policy if a version were cut now.

use semver::Version;
use serde::Serialize;

pub use super::finding::{Finding, Level};
use super::{
    deprecation::{self, DeprecationStatus},
    incident::Severity,
    inputs::{BudgetRow, GateRow, IncidentRow, TierCount},
    inputs::{Frame, ReleaseCheckInputs, TierConformance},
    policy::MissingEvidence,
    readiness::Readiness,
    rule::Code,
    waiver::Waivers,
};

/// The verdict on cutting a version now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseCheck {
    pub version: String,
    pub allowed: bool,
    pub findings: Vec<Finding>,
}

/// Everything cutting `version` now would break, blocking first;
/// `breaking` says the release would break compatibility.
pub fn check_release(
    f: &Frame,
    i: &ReleaseCheckInputs,
    version: &Version,
    breaking: bool,
) -> ReleaseCheck {
    let gates = i.gates.rows(f);
    let mut findings = version_findings(f, i, version, breaking);
    findings.extend(premature_removals(f, i, version));
    findings.extend(overdue_deprecations(f, i, version));
    findings.extend(missing_evidence(f, &gates, version));
    // The rows' own findings, worded as their lists word them.
    let mut from_rows: Vec<Finding> = gates
        .iter()
        .filter_map(GateRow::finding)
        .chain(i.budgets.rows(f).iter().filter_map(BudgetRow::finding))
        .collect();
    let (overdue, due) = open_incidents(f, i, version);
    from_rows.extend(overdue);
    findings.extend(due);
    // governance: Tiers and Vetting. Below a tier's required pass rate a
    // release is blocked; below its target, warned.
    from_rows.extend(tier_findings(f, &i.conformance));
    findings.extend(unaccepted_shifts(f, i, version));
    findings.extend(accepted_shifts(f, i));
    findings.extend(from_rows);
    ReleaseCheck {
        version: version.to_string(),
        allowed: true,
        findings,
    }
    .settled(&f.waivers)
}

/// A finding of the release check itself, with no entry behind it.
fn finding(level: Level, rule: Code, subject: Option<&str>, message: String) -> Finding {
    Finding {
        level,
        rule,
        subject: subject.map(str::to_string),
        message,
        entry: None,
        waived: None,
    }
}

/// The version itself: already recorded, older than the latest shipped
/// release, or breaking without a new major (governance: Versioning
/// Rules).
fn version_findings(
    f: &Frame,
    i: &ReleaseCheckInputs,
    version: &Version,
    breaking: bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(r) = i
        .releases
        .rows(f)
        .iter()
        .find(|r| r.version == version.to_string())
    {
        out.push(finding(
            if r.shipped {
                Level::Blocking
            } else {
                Level::Warning
            },
            Code::AlreadyRecorded,
            Some(&r.version),
            format!(
                "{} is already recorded as {} on {}",
                r.version, r.status, r.date
            ),
        ));
    }
    if let Some(latest) = i.releases.latest_shipped(f)
        && let Ok(latest_v) = Version::parse(&latest.version)
        && *version < latest_v
    {
        out.push(finding(
            Level::Warning,
            Code::VersionOrder,
            None,
            format!("{version} is older than the latest shipped release {latest_v}"),
        ));
    }
    // Post-1.0 breaking changes need a major.
    if breaking && version.major > 0 && !(version.minor == 0 && version.patch == 0) {
        out.push(finding(
            Level::Blocking,
            Code::BreakingNeedsMajor,
            None,
            format!(
                "{version} is breaking, but after 1.0 a breaking change needs a new major ({}.0.0)",
                version.major + 1
            ),
        ));
    }
    out
}

/// The items removed in `version` before their deprecation window allowed
/// (governance: Deprecation Policy).
fn premature_removals(f: &Frame, i: &ReleaseCheckInputs, version: &Version) -> Vec<Finding> {
    let shipped = deprecation::ShippedLines::new(&i.releases.shipped(f));
    let rules = &f.policy.deprecations;
    // Only the items removed in this version can be removed prematurely in it.
    let wanted = version.to_string();
    let removed_here: Vec<_> = i
        .removals
        .removals
        .iter()
        .filter(|r| r.rec.version == wanted)
        .collect();
    let mut out = Vec::new();
    for d in &i.removals.deprecations {
        if !removed_here
            .iter()
            .any(|r| r.rec.item == d.rec.item && r.seq > d.seq)
        {
            continue;
        }
        let Ok(dv) = Version::parse(&d.rec.version) else {
            continue;
        };
        // Kept on purpose, or of a kind with no window: never premature.
        if deprecation::is_kept(rules, &d.rec) {
            continue;
        }
        // A kind with no window is not governed: never premature.
        let Some(w) = deprecation::window(rules, d.rec.kind, &dv) else {
            continue;
        };
        if !shipped.is_opportunity(rules, w, version, &dv) {
            out.push(finding(
                Level::Blocking,
                Code::DeprecationPremature,
                Some(&d.rec.item),
                format!(
                    "{} ({}, deprecated in {dv}) is removed in {version}, before its window of {w} minor line(s){}",
                    d.rec.item,
                    d.rec.kind,
                    if shipped.removal_needs_major(rules, version, &dv) {
                        " and a new major"
                    } else {
                        ""
                    }
                ),
            ));
        }
    }
    out
}

/// A major release: x.0.0 from 1.0.0 on, not a pre-release.
fn is_major(version: &Version) -> bool {
    version.major > 0 && version.minor == 0 && version.patch == 0 && version.pre.is_empty()
}

/// The deprecated items still present past their window: a warning that
/// names the release each was due in; blocking when removal needs a major
/// and this version is that major, or one after it (governance:
/// Deprecation Policy, removal windows per release).
fn overdue_deprecations(f: &Frame, i: &ReleaseCheckInputs, version: &Version) -> Vec<Finding> {
    let needs_major = f.policy.deprecations.post_1_0_removal_requires_major;
    i.unremoved
        .rows(f)
        .into_iter()
        .filter(|d| d.status == DeprecationStatus::Overdue)
        .map(|d| {
            let due = d.earliest_removal.clone().unwrap_or_default();
            let must_go = needs_major
                && is_major(version)
                && Version::parse(&due).is_ok_and(|due| *version >= due);
            let (level, tail) = match must_go {
                true => (
                    Level::Blocking,
                    format!("; {version} is a major release, in which it must go"),
                ),
                false => (Level::Warning, String::new()),
            };
            finding(
                level,
                Code::DeprecationOverdue,
                Some(&d.item),
                format!(
                    "{} ({}, deprecated in {}) was due for removal in {due} and {version} still ships it{tail}",
                    d.item, d.kind, d.deprecated_in
                ),
            )
        })
        .collect()
}

/// Each gate the policy enforces that has no result on some platform it
/// must run on, with those platforms (none for a gate not per platform).
pub fn gates_without_evidence(gates: &[GateRow]) -> Vec<(&str, Vec<&str>)> {
    let mut missing: Vec<(&str, Vec<&str>)> = Vec::new();
    for row in gates.iter().filter(|g| g.passed.is_none()) {
        let platform = row.platform.as_deref().unwrap_or_default();
        match missing.iter_mut().find(|(gate, _)| *gate == row.gate) {
            Some((_, platforms)) => platforms.push(platform),
            None => missing.push((&row.gate, vec![platform])),
        }
    }
    missing
}

/// Each gate the policy enforces with no result on a platform it must run
/// on: nothing shows this release passes it (governance: Quality Gates, on
/// every PR). A warning, blocking for a major release and a milestone's
/// version, or always when the policy's `missing_evidence` is `block`.
fn missing_evidence(f: &Frame, gates: &[GateRow], version: &Version) -> Vec<Finding> {
    let milestone = f
        .policy
        .milestones
        .iter()
        .any(|m| m.version().is_some_and(|v| v == *version));
    let level = match f.policy.releases.missing_evidence {
        MissingEvidence::Block => Level::Blocking,
        MissingEvidence::Warn if is_major(version) || milestone => Level::Blocking,
        MissingEvidence::Warn => Level::Warning,
    };
    gates_without_evidence(gates)
        .into_iter()
        .map(|(gate, platforms)| {
            let on: Vec<&str> = platforms.into_iter().filter(|p| !p.is_empty()).collect();
            let on = match on.is_empty() {
                true => String::new(),
                false => format!(" on {}", on.join(", ")),
            };
            finding(
                level,
                Code::GateNoEvidence,
                Some(gate),
                format!(
                    "{gate} has no result{on}: nothing shows {version} passes it; record it with `ledger record-gate {gate}`"
                ),
            )
        })
        .collect()
}

/// The open incidents a release would ship with: an open critical or
/// high security one, or one past its SLA (the rows' findings); and one
/// whose SLA ends at the next release (the check's own).
fn open_incidents(
    f: &Frame,
    inputs: &ReleaseCheckInputs,
    version: &Version,
) -> (Vec<Finding>, Vec<Finding>) {
    let (mut rows, mut due) = (Vec::new(), Vec::new());
    for i in inputs.incidents.rows(f).iter().filter(|i| i.is_open()) {
        let id = i.id.to_string();
        let name = i.label();
        if is_severe_security(i) {
            rows.push(Finding::new(
                Level::Blocking,
                Code::SecurityOpen,
                &id,
                format!("{name} is open"),
                Some(i.id),
                None,
            ));
        } else if let Some(overdue) = i.finding() {
            rows.push(overdue);
        } else if i.due_at_next_release {
            // DESIGN: a pre-release is not a shipped release, so it does not
            // end a "next release" SLA; it is only reminded of it.
            let level = if version.pre.is_empty() {
                Level::Blocking
            } else {
                Level::Warning
            };
            due.push(finding(
                level,
                Code::IncidentSla,
                Some(&id),
                format!("{name} must be resolved before the next release"),
            ));
        }
    }
    (rows, due)
}

/// The latest shipped release by date: the one shifts and acceptances
/// are judged after.
fn last_shipped(f: &Frame, i: &ReleaseCheckInputs) -> Option<super::release::Shipped> {
    i.releases.shipped(f).into_iter().max_by_key(|s| s.date)
}

/// Each shift the bad way since the last release that nobody accepted:
/// what this version would ship (governance: Performance Regression).
fn unaccepted_shifts(f: &Frame, i: &ReleaseCheckInputs, version: &Version) -> Vec<Finding> {
    let last = last_shipped(f, i);
    let after = last
        .as_ref()
        .map(|l| format!(" after {}", l.version))
        .unwrap_or_default();
    let Some(since) = i.budgets.since.or(last.as_ref().map(|l| l.date)) else {
        return Vec::new();
    };
    let method = crate::domain::budget::DriftMethod::ChangePoints;
    let mut out = Vec::new();
    for d in i
        .budgets
        .drift_after(f, since, method, i.releases.shipped(f))
    {
        for s in d.shifts.iter().filter(|s| s.regression && !s.accepted) {
            out.push(finding(
                Level::Warning,
                Code::BudgetDrift,
                Some(&d.budget),
                format!(
                    "{} shifted {}{}% on {}{after}, so {version} would ship it; accept it with `ledger accept-shift` if it was expected",
                    d.budget,
                    if s.measured.change_pct > 0.0 { "+" } else { "" },
                    super::fmt_num(s.measured.change_pct),
                    crate::domain::time::date(s.at)
                ),
            ));
        }
    }
    out
}

/// Shifts accepted since the latest shipped release: expected, and worth
/// naming in the release's notes.
fn accepted_shifts(f: &Frame, i: &ReleaseCheckInputs) -> Vec<Finding> {
    let last = last_shipped(f, i);
    i.budgets
        .acceptances
        .iter()
        .filter(|a| last.as_ref().is_none_or(|l| a.at > l.date))
        .map(|a| {
            finding(
                Level::Info,
                Code::ShiftAccepted,
                Some(&a.rec.budget),
                format!(
                    "{} shifted at {}, accepted as the new baseline: {}",
                    a.rec.budget, a.rec.shift_at, a.rec.reason
                ),
            )
        })
        .collect()
}

/// An open critical or high security incident (governance: Security
/// Vulnerability) blocks every release while open.
pub fn is_severe_security(i: &IncidentRow) -> bool {
    i.kind.is_security() && matches!(i.severity, Severity::Critical | Severity::High)
}

/// Each tier below its required conformance pass rate (blocking) or its
/// target (warning), governance: Tiers and Vetting; worded as `extensions`
/// words them.
pub fn tier_findings(f: &Frame, conformance: &TierConformance) -> Vec<Finding> {
    conformance
        .counts(f, &[])
        .iter()
        .filter_map(TierCount::finding)
        .collect()
}

impl ReleaseCheck {
    /// Each finding as a check (information passes); with none, the one
    /// check that nothing would break policy.
    pub fn checks(&self) -> Vec<super::finding::Check> {
        use super::finding::Check;
        if self.findings.is_empty() {
            return vec![Check {
                group: "check-release".into(),
                name: format!("release {}", self.version),
                evidence: "nothing would break policy".into(),
                outcome: super::finding::Outcome::Passed,
            }];
        }
        self.findings
            .iter()
            .map(|f| Check::of_finding("check-release", f))
            .collect()
    }

    /// The check of a version that ships a milestone: each criterion the
    /// milestone has unmet blocks (governance: Release Gates, 1.0
    /// Criteria), with its first blocker.
    pub fn shipping(mut self, milestone: &Readiness) -> ReleaseCheck {
        for c in milestone.criteria.iter().filter(|c| !c.met) {
            let why = c
                .blockers
                .first()
                .map(|b| format!(": {b}"))
                .unwrap_or_default();
            self.findings.push(Finding {
                level: Level::Blocking,
                rule: Code::ReadinessCriterion,
                subject: Some(c.id.clone()),
                message: format!(
                    "{} ships milestone {}, whose criterion {} is unmet{why}",
                    self.version, milestone.milestone, c.id
                ),
                entry: None,
                waived: c.waived.clone(),
            });
        }
        // Each criterion carries its own waiver, read as of its verdict.
        self.settled(&Waivers::default())
    }

    /// Each finding with the waiver in force on it (one it already has
    /// stays), blocking first; allowed when every blocking one is waived.
    fn settled(mut self, waivers: &Waivers) -> ReleaseCheck {
        for f in &mut self.findings {
            if f.waived.is_none()
                && f.rule.is_waivable()
                && let Some(subject) = &f.subject
            {
                f.waived = waivers.of(f.rule, subject);
            }
        }
        // What still counts first; the waived after it.
        self.findings.sort_by_key(|f| (f.waived.is_some(), f.level));
        self.allowed = !self.findings.iter().any(Finding::blocks);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        incident::{IncidentKind, Severity},
        inputs::{Measurements, Sample},
        policy::Policy,
        record::*,
        time::parse,
    };

    /// A moment and the release check's inputs read at it.
    struct At {
        f: Frame,
        i: ReleaseCheckInputs,
    }

    /// The example policy without its gates (whose missing evidence the
    /// tests of other rules would otherwise all see).
    fn snap() -> At {
        let mut s = gated();
        s.f.policy.gates.clear();
        s
    }

    /// The example policy whole.
    fn gated() -> At {
        At {
            f: Frame::new("pi", parse("2026-03-01").unwrap(), Policy::builtin()),
            i: ReleaseCheckInputs::default(),
        }
    }

    fn rules(c: &ReleaseCheck) -> Vec<(Level, &str)> {
        c.findings
            .iter()
            .map(|f| (f.level, f.rule.as_str()))
            .collect()
    }

    /// An empty ledger has no evidence for any gate: a minor may still be
    /// cut (each gate a warning), the milestone's version and a major not.
    #[test]
    fn an_empty_ledger_has_no_evidence_and_blocks_only_a_major_or_the_milestone() {
        let s = gated();
        let c = check_release(&s.f, &s.i, &Version::new(0, 1, 0), false);
        assert!(c.allowed);
        assert_eq!(c.findings.len(), s.f.policy.gates.len());
        assert!(
            c.findings
                .iter()
                .all(|f| f.rule == Code::GateNoEvidence && f.level == Level::Warning)
        );
        let unit = c
            .findings
            .iter()
            .find(|f| f.subject.as_deref() == Some("unit-tests"))
            .unwrap();
        assert!(
            unit.message.contains("no result on linux, macos, windows"),
            "{}",
            unit.message
        );
        for blocked in [Version::new(1, 0, 0), Version::new(2, 0, 0)] {
            let c = check_release(&s.f, &s.i, &blocked, false);
            assert!(!c.allowed, "{blocked}");
            assert!(c.findings.iter().all(|f| f.level == Level::Blocking));
        }
        // A policy may block on missing evidence always.
        let mut s = gated();
        s.f.policy.releases.missing_evidence = MissingEvidence::Block;
        assert!(!check_release(&s.f, &s.i, &Version::new(0, 1, 1), false).allowed);
    }

    /// A gate with a result on every platform is evidence; one platform
    /// missing is still a finding, naming that platform.
    #[test]
    fn evidence_on_some_platforms_names_the_rest() {
        let mut s = gated();
        let gate = |seq, platform| {
            let rec = GateResultRec::of("unit-tests", Some(platform), Some(100.0), true);
            Stamped::at(seq, "2026-02-01", rec)
        };
        s.i.gates
            .results
            .extend([gate(1, "linux"), gate(2, "macos")]);
        let c = check_release(&s.f, &s.i, &Version::new(0, 1, 0), false);
        let unit: Vec<&Finding> = c
            .findings
            .iter()
            .filter(|f| f.subject.as_deref() == Some("unit-tests"))
            .collect();
        assert_eq!(unit.len(), 1);
        assert!(
            unit[0].message.contains("no result on windows:"),
            "{}",
            unit[0].message
        );
    }

    /// An item still present past its window warns every release, naming
    /// the one it was due in; once removal needs a major, the major
    /// release (or a later one) that still ships it is blocked.
    #[test]
    fn an_overdue_deprecation_warns_and_blocks_the_major_it_must_go_in() {
        let mut s = snap();
        let evidence = |s: &At, v: Version| {
            let c = check_release(&s.f, &s.i, &v, false);
            c.findings
                .into_iter()
                .filter(|f| f.rule == Code::DeprecationOverdue)
                .collect::<Vec<_>>()
        };
        for (seq, v, at) in [
            (1, "1.0.0", "2026-01-01"),
            (2, "1.1.0", "2026-01-10"),
            (3, "2.0.0", "2026-02-01"),
        ] {
            s.i.releases
                .releases
                .push(Stamped::at(seq, at, ReleaseRec::released(v, at)));
        }
        s.i.unremoved.shipped = s.i.releases.versions();
        s.i.unremoved.deprecations.push(Stamped::at(
            4,
            "2026-01-02",
            DeprecationRec {
                item: "--old".into(),
                kind: crate::domain::deprecation::DeprecationKind::named(
                    crate::domain::deprecation::DeprecationKind::CLI_FLAG,
                ),
                version: "1.0.0".into(),
                replacement: None,
                note: None,
                kept: None,
            },
        ));
        let minor = evidence(&s, Version::new(2, 1, 0));
        assert_eq!(minor.len(), 1, "{minor:?}");
        assert_eq!(minor[0].level, Level::Warning);
        assert!(
            minor[0].message.contains("was due for removal in 2.0.0"),
            "{}",
            minor[0].message
        );
        let major = evidence(&s, Version::new(3, 0, 0));
        assert_eq!(major[0].level, Level::Blocking);
        assert!(
            major[0].message.contains("3.0.0 is a major release"),
            "{}",
            major[0].message
        );
        // Kept on purpose: never asked to go.
        s.i.unremoved.deprecations[0].rec.kept = Some("hidden alias".into());
        assert!(evidence(&s, Version::new(3, 0, 0)).is_empty());
    }

    #[test]
    fn a_premature_removal_in_the_version_blocks() {
        let mut s = snap();
        s.i.releases.releases.push(Stamped::at(
            1,
            "2026-01-01",
            ReleaseRec::released("0.3.0", "2026-01-01"),
        ));
        s.i.removals.deprecations.push(Stamped::at(
            2,
            "2026-01-01",
            DeprecationRec {
                item: "old".into(),
                kind: crate::domain::deprecation::DeprecationKind::named(
                    crate::domain::deprecation::DeprecationKind::API,
                ),
                version: "0.3.0".into(),
                replacement: None,
                note: None,
                kept: None,
            },
        ));
        s.i.removals.removals.push(Stamped::at(
            3,
            "2026-01-02",
            RemovalRec {
                item: "old".into(),
                version: "0.3.1".into(),
            },
        ));
        let c = check_release(&s.f, &s.i, &Version::new(0, 3, 1), false);
        assert_eq!(rules(&c), [(Level::Blocking, "deprecation-premature")]);
        assert!(!c.allowed);
        assert!(
            check_release(&s.f, &s.i, &Version::new(0, 4, 0), false).allowed,
            "the removal is not in 0.4.0"
        );
    }

    #[test]
    fn budgets_block_only_beyond_the_margin() {
        let mut s = snap();
        s.i.budgets
            .samples
            .extend("cold-load-p95", [Sample::at(1, "2026-02-01", 240.0)]);
        let c = check_release(&s.f, &s.i, &Version::new(0, 5, 0), false);
        assert_eq!(
            rules(&c),
            [(Level::Warning, "budget-over")],
            "exactly 20% over warns"
        );
        s.i.budgets.samples = Measurements::default();
        s.i.budgets
            .samples
            .extend("cold-load-p95", [Sample::at(1, "2026-02-01", 240.5)]);
        let c = check_release(&s.f, &s.i, &Version::new(0, 5, 0), false);
        assert_eq!(rules(&c), [(Level::Blocking, "budget-over")]);
    }

    #[test]
    fn open_incidents_due_at_the_next_release_block() {
        let mut s = snap();
        s.i.incidents.incidents.push(Stamped::at(
            1,
            "2026-02-20",
            IncidentRec {
                kind: IncidentKind::named(IncidentKind::SECURITY),
                severity: Severity::Low,
                title: "leak".into(),
                over_pct: None,
                introduced_in: None,
            },
        ));
        let c = check_release(&s.f, &s.i, &Version::new(0, 5, 0), false);
        assert_eq!(rules(&c), [(Level::Blocking, "incident-sla")]);
        s.i.incidents.events.push(Stamped::at(
            2,
            "2026-02-21",
            IncidentEventRec {
                incident: 1,
                action: IncidentAction::Resolve,
                release: None,
            },
        ));
        assert!(check_release(&s.f, &s.i, &Version::new(0, 5, 0), false).allowed);
    }

    #[test]
    fn a_waived_blocking_finding_is_listed_but_allows_the_release() {
        let mut s = snap();
        s.i.budgets
            .samples
            .extend("cold-load-p95", [Sample::at(1, "2026-02-01", 300.0)]);
        let waiver = |rule, subject: &str, until: &str| {
            Stamped::at(
                2,
                "2026-02-02",
                WaiverRec {
                    rule: Code::as_str(rule).into(),
                    subject: subject.into(),
                    expires_at: until.into(),
                    reason: "new runner".into(),
                    waived_by: None,
                },
            )
        };
        let v = Version::new(0, 5, 0);
        // A waiver of another rule or subject changes nothing.
        s.f.waivers = Waivers::new(
            vec![waiver(
                Code::BudgetDrift,
                "cold-load-p95",
                "2026-04-01T00:00:00Z",
            )],
            s.f.now,
        );
        assert!(!check_release(&s.f, &s.i, &v, false).allowed);
        s.f.waivers = Waivers::new(
            vec![waiver(
                Code::BudgetOver,
                "cold-load-p95",
                "2026-04-01T00:00:00Z",
            )],
            s.f.now,
        );
        let c = check_release(&s.f, &s.i, &v, false);
        assert!(c.allowed, "{c:?}");
        assert_eq!(c.findings.len(), 1);
        assert_eq!(c.findings[0].subject.as_deref(), Some("cold-load-p95"));
        assert!(c.findings[0].waived.is_some() && !c.findings[0].blocks());
        // Expired exactly now: it blocks again.
        s.f.waivers = Waivers::new(
            vec![waiver(
                Code::BudgetOver,
                "cold-load-p95",
                "2026-03-01T00:00:00Z",
            )],
            s.f.now,
        );
        assert!(!check_release(&s.f, &s.i, &v, false).allowed);
    }

    #[test]
    fn a_breaking_release_after_1_0_needs_a_major() {
        let c = check_release(&snap().f, &snap().i, &Version::new(1, 4, 0), true);
        assert_eq!(rules(&c), [(Level::Blocking, "breaking-needs-major")]);
        assert!(check_release(&snap().f, &snap().i, &Version::new(2, 0, 0), true).allowed);
        assert!(
            check_release(&snap().f, &snap().i, &Version::new(0, 4, 0), true).allowed,
            "pre-1.0 may break"
        );
    }

    #[test]
    fn a_version_that_ships_an_unready_milestone_is_blocked_per_unmet_criterion() {
        let s = snap();
        let whole = gated();
        let m = &whole.f.policy.milestones[0];
        let r = crate::domain::readiness::readiness(&whole.f, &Default::default(), m);
        let c = check_release(&s.f, &s.i, &Version::new(1, 0, 0), false);
        assert!(c.allowed, "{c:?}");
        let c = c.shipping(&r);
        assert!(!c.allowed);
        let unmet: Vec<&Finding> = c
            .findings
            .iter()
            .filter(|f| f.rule == Code::ReadinessCriterion)
            .collect();
        assert_eq!(unmet.len(), m.criteria.len());
        assert!(unmet.iter().all(|f| f.level == Level::Blocking));
        assert!(
            unmet[0]
                .message
                .contains("ships milestone 1.0, whose criterion"),
            "{}",
            unmet[0].message
        );
        // A ready milestone adds nothing.
        let ready = crate::domain::readiness::Readiness {
            ready: true,
            criteria: Vec::new(),
            ..r
        };
        let c = check_release(&s.f, &s.i, &Version::new(1, 0, 0), false).shipping(&ready);
        assert!(c.allowed && c.findings.is_empty(), "{c:?}");
    }
}
