//! Layer: upper, judges gates, budgets and sign-offs together (see `domain::LAYERS`).
//!
//! Milestone readiness (governance: Release Gates (1.0 Criteria), 1.0
//! Milestones): each criterion met or not, with evidence and blockers.

use semver::Version;
use serde::Serialize;

use super::{
    Time,
    budget::{self},
    fmt_num,
    inputs::{Frame, ReadinessInputs, ReleaseInputs},
    policy::{Milestone, MilestoneCriterion, MilestoneRule},
    time,
};

/// One criterion's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Criterion {
    pub id: String,
    pub title: String,
    pub met: bool,
    pub evidence: Vec<String>,
    pub blockers: Vec<String>,
    /// The waiver in force on its being unmet.
    pub waived: Option<super::waiver::Waived>,
}

impl Criterion {
    /// Unmet and not waived.
    pub fn breaks_policy(&self) -> bool {
        !self.met && self.waived.is_none()
    }
}

/// A milestone's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readiness {
    pub milestone: String,
    pub title: String,
    pub ready: bool,
    pub criteria: Vec<Criterion>,
    /// The release that shipped the milestone; the verdict is then the one
    /// of that moment.
    pub shipped: Option<ShippedAs>,
    /// For a shipped milestone: whether it shipped with criteria unmet (a
    /// governance finding); `None` until it ships.
    pub shipped_before_ready: Option<bool>,
}

/// The release that shipped a milestone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShippedAs {
    pub version: String,
    pub at: Time,
    pub entry: i64,
}

/// Judges every criterion of a milestone on its inputs.
pub fn readiness(f: &Frame, i: &ReadinessInputs, milestone: &Milestone) -> Readiness {
    let criteria: Vec<Criterion> = milestone.criteria.iter().map(|c| judge(f, i, c)).collect();
    Readiness {
        milestone: milestone.id.clone(),
        title: milestone.title.clone(),
        ready: criteria.iter().all(|c| c.met),
        criteria,
        shipped: None,
        shipped_before_ready: None,
    }
}

/// A shipped milestone judged on inputs read as of its release: which
/// criteria were met when it shipped.
pub fn retrospective(
    then: &Frame,
    i: &ReadinessInputs,
    milestone: &Milestone,
    shipped: ShippedAs,
) -> Readiness {
    let mut r = readiness(then, i, milestone);
    r.shipped_before_ready = Some(!r.ready);
    r.shipped = Some(shipped);
    r
}

/// The first shipped release of the milestone's version, if any.
pub fn shipped(f: &Frame, releases: &ReleaseInputs, milestone: &Milestone) -> Option<ShippedAs> {
    let version = milestone.version()?;
    releases
        .releases
        .iter()
        .filter(|r| {
            Version::parse(&r.rec.version).is_ok_and(|v| {
                v == version && super::release::is_shipped(&f.policy, &v, r.rec.status)
            })
        })
        .min_by_key(|r| (r.at, r.seq))
        .map(|r| ShippedAs {
            version: r.rec.version.clone(),
            at: r.at,
            entry: r.seq,
        })
}

/// The milestone a question is about by default: the first, in version
/// order, that has not shipped; once every one has, the last.
pub fn default_milestone<'f>(f: &'f Frame, releases: &ReleaseInputs) -> Option<&'f Milestone> {
    let mut milestones: Vec<&Milestone> = f.policy.milestones.iter().collect();
    milestones.sort_by_key(|m| m.version());
    milestones
        .iter()
        .find(|m| shipped(f, releases, m).is_none())
        .or(milestones.last())
        .copied()
}

fn judge(f: &Frame, i: &ReadinessInputs, c: &MilestoneCriterion) -> Criterion {
    let (evidence, blockers) = match c.rule {
        MilestoneRule::CiGatesGreen => ci_gates_green(f, i),
        MilestoneRule::GateAtLeast => gate_at_least(i, c),
        MilestoneRule::BudgetsConsistent => budgets_consistent(f, i),
        MilestoneRule::Attestation => attestation(f, i, c.attestation.as_deref().unwrap_or(&c.id)),
    };
    let met = blockers.is_empty();
    Criterion {
        waived: f.waived_if(
            (!met).then_some(super::rule::Code::ReadinessCriterion),
            &c.id,
        ),
        id: c.id.clone(),
        title: c.title.clone(),
        met,
        evidence,
        blockers,
    }
}

fn ci_gates_green(f: &Frame, i: &ReadinessInputs) -> (Vec<String>, Vec<String>) {
    let rows: Vec<_> = i
        .gates
        .rows(f)
        .into_iter()
        .filter(|g| g.kind.is_ci())
        .collect();
    let mut blockers = Vec::new();
    let mut passing = Vec::new();
    // Missing results grouped by gate, so 24 gaps read as one line each.
    let mut missing: Vec<(String, Vec<String>)> = Vec::new();
    for g in &rows {
        let on = g
            .platform
            .as_deref()
            .map(|p| format!(" on {p}"))
            .unwrap_or_default();
        match (g.passed, g.entry, g.at) {
            (Some(true), Some(entry), _) => passing.push(entry),
            (Some(false), Some(entry), Some(at)) => blockers.push(format!(
                "{}{on} failed at {} (entry {entry}); fix it and record a passing result",
                g.gate,
                time::format(at)
            )),
            _ => {
                let platform = g.platform.clone().unwrap_or_default();
                match missing.iter_mut().find(|(gate, _)| *gate == g.gate) {
                    Some((_, platforms)) => platforms.push(platform),
                    None => missing.push((g.gate.clone(), vec![platform])),
                }
            }
        }
    }
    if !missing.is_empty() {
        let gates: Vec<String> = missing
            .iter()
            .map(|(gate, p)| format!("{gate} ({})", p.join(", ")))
            .collect();
        blockers.push(format!(
            "no result yet for {}; record them with `ledger record-gate`",
            gates.join(", ")
        ));
    }
    passing.sort_unstable();
    let entries: Vec<String> = passing.iter().map(i64::to_string).collect();
    let evidence = vec![format!(
        "{} of {} latest CI results pass{}",
        passing.len(),
        rows.len(),
        if passing.is_empty() {
            String::new()
        } else {
            format!(" (entries {})", entries.join(", "))
        }
    )];
    (evidence, blockers)
}

/// DESIGN: "latest corpus pass rate". The latest result decides: a failing
/// result without a value is unmet, whatever value came before it; a
/// passing one without a value stands on the latest value recorded.
fn gate_at_least(i: &ReadinessInputs, c: &MilestoneCriterion) -> (Vec<String>, Vec<String>) {
    let gate = c.gate.as_deref().unwrap_or_default();
    let least = c.at_least.unwrap_or_default();
    let results = || i.gates.results.iter().filter(|r| r.rec.gate == gate);
    if let Some(r) = results().next_back()
        && r.rec.value.is_none()
        && !r.rec.passed
    {
        return (
            vec![format!(
                "{gate} failed without a value at {} (entry {})",
                time::format(r.at),
                r.seq
            )],
            vec![format!(
                "{gate}'s latest result fails; record a passing result of at least {}",
                fmt_num(least)
            )],
        );
    }
    let latest = results().rfind(|r| r.rec.value.is_some());
    match latest.and_then(|r| r.rec.value.map(|v| (r, v))) {
        Some((r, v)) if v >= least => (
            vec![format!(
                "{gate} is {} at {} (entry {}), at least {}",
                fmt_num(v),
                time::format(r.at),
                r.seq,
                fmt_num(least)
            )],
            vec![],
        ),
        Some((r, v)) => (
            vec![format!(
                "{gate} is {} at {} (entry {})",
                fmt_num(v),
                time::format(r.at),
                r.seq
            )],
            vec![format!(
                "{gate} is {}, below the {} this milestone needs",
                fmt_num(v),
                fmt_num(least)
            )],
        ),
        None => (
            vec![],
            vec![format!(
                "{gate} has no recorded value; import a conformance summary"
            )],
        ),
    }
}

/// The shifts of a budget's window the bad way that were not accepted as
/// the new baseline, in words.
fn unaccepted_shifts(
    f: &Frame,
    i: &ReadinessInputs,
    b: &budget::Budget,
    timed: &[(Time, f64)],
) -> Vec<String> {
    let accepted = i.budgets.accepted_shifts(&b.id);
    budget::shifts(b, timed, &f.policy.budgets, &accepted)
        .into_iter()
        .filter(|s| s.regression && !s.accepted)
        .map(|s| {
            format!(
                "{} shifted {}% on {} and the shift is not accepted",
                b.id,
                fmt_num(s.measured.change_pct),
                time::date(s.at)
            )
        })
        .collect()
}

/// The blocker of a budget over in `over` of its `samples` samples.
fn over_blocker(b: &budget::Budget, over: &[f64], samples: usize, days: u32) -> String {
    let pct = |v: f64| budget::over_pct(v, b.threshold, b.direction);
    let worst = over
        .iter()
        .copied()
        .max_by(|x, y| pct(*x).total_cmp(&pct(*y)))
        .unwrap_or_default();
    format!(
        "{} was over budget in {} of {} in the last {days} days (worst {} {} against {})",
        b.id,
        over.len(),
        super::text::count(samples, "sample"),
        fmt_num(worst),
        b.unit,
        fmt_num(b.threshold)
    )
}

fn budgets_consistent(f: &Frame, i: &ReadinessInputs) -> (Vec<String>, Vec<String>) {
    let days = f.policy.budgets.consistency_days;
    let since = time::days_before(f.now, days);
    let mut evidence = Vec::new();
    let mut blockers = Vec::new();
    let mut young = Vec::new();
    for b in i.budgets.defs(&f.policy).iter().filter(|b| b.ci_enforced) {
        let timed = i.budgets.samples(&b.id, since);
        let window: Vec<f64> = timed.iter().map(|(_, v)| *v).collect();
        let Some((first_at, _)) = i.budgets.first_sample(&b.id) else {
            blockers.push(format!("{} has never been measured", b.id));
            continue;
        };
        if first_at > since {
            young.push(format!("{} (since {})", b.id, time::date(first_at)));
            continue;
        }
        if window.is_empty() {
            blockers.push(format!("{} has no samples in the last {days} days", b.id));
            continue;
        }
        let over: Vec<f64> = window
            .iter()
            .copied()
            .filter(|v| budget::over_pct(*v, b.threshold, b.direction) > 0.0)
            .collect();
        // Met consistently: no sample over, and no regression shift that
        // was not accepted as the new baseline.
        let shifted = unaccepted_shifts(f, i, b, &timed);
        let steady = shifted.is_empty();
        blockers.extend(shifted);
        if over.is_empty() {
            if !steady {
                continue;
            }
            evidence.push(format!(
                "{}: {} in {days} days, all within {} {}",
                b.id,
                super::text::count(window.len(), "sample"),
                fmt_num(b.threshold),
                b.unit
            ));
        } else {
            blockers.push(over_blocker(b, &over, window.len(), days));
        }
    }
    if !young.is_empty() {
        blockers.push(format!(
            "measured for less than {days} days: {}",
            young.join(", ")
        ));
    }
    (evidence, blockers)
}

fn attestation(f: &Frame, i: &ReadinessInputs, criterion: &str) -> (Vec<String>, Vec<String>) {
    match i.attestation(f, criterion) {
        None => (
            vec![],
            vec![format!(
                "no sign-off yet; record it with `ledger attest {criterion}`"
            )],
        ),
        Some((a, stale)) => {
            let by = a
                .rec
                .signed_by
                .as_deref()
                .map(|b| format!(" by {b}"))
                .unwrap_or_default();
            let evidence = vec![format!(
                "signed off{by} on {} (entry {})",
                time::date(a.at),
                a.seq
            )];
            match stale {
                Some(why) => (
                    evidence,
                    vec![format!("sign-off is stale: {why}; sign off again")],
                ),
                None => (evidence, vec![]),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        inputs::{Frame, ReadinessInputs, Sample},
        policy::{Milestone, Policy},
        record::{AttestationRec, GateResultRec, ReleaseRec, Stamped},
        release::ReleaseStatus,
        time::parse,
    };

    /// A moment and the readiness inputs read at it.
    struct At {
        f: Frame,
        i: ReadinessInputs,
    }

    impl At {
        fn new(now: &str) -> At {
            At {
                f: Frame::new("pi", parse(now).unwrap(), Policy::builtin()),
                i: ReadinessInputs::default(),
            }
        }
    }

    fn release(seq: i64, at: &str, version: &str, status: ReleaseStatus) -> Stamped<ReleaseRec> {
        Stamped::at(
            seq,
            at,
            ReleaseRec {
                date: at.into(),
                status,
                ..ReleaseRec::released(version, at)
            },
        )
    }

    #[test]
    fn a_regression_shift_not_accepted_breaks_budget_consistency() {
        let mut s = At::new("2026-03-01");
        let budgets: Vec<String> =
            s.i.budgets
                .defs(&s.f.policy)
                .into_iter()
                .filter(|b| b.ci_enforced)
                .map(|b| b.id)
                .collect();
        let mut seq = 0;
        for day in 0..40u32 {
            let at = time::days_after(parse("2026-01-20").unwrap(), day);
            for b in &budgets {
                seq += 1;
                // Far within every budget; cold load steps up a fifth on day 30.
                let step = if b == "cold-load-p95" && day >= 30 {
                    1.2
                } else {
                    1.0
                };
                let wobble = [1.0, 1.01, 0.99, 1.005][day as usize % 4];
                let value = 1.0 * wobble * step;
                s.i.budgets.samples.extend(b, [Sample { seq, at, value }]);
            }
        }
        let (_, blockers) = budgets_consistent(&s.f, &s.i);
        assert_eq!(blockers.len(), 1, "{blockers:?}");
        assert!(
            blockers[0].starts_with("cold-load-p95 shifted 19.7% on 2026-02-1")
                && blockers[0].ends_with("not accepted"),
            "{blockers:?}"
        );
        s.i.budgets.acceptances.push(Stamped::at(
            seq + 1,
            "2026-02-25",
            crate::domain::record::ShiftAcceptanceRec {
                budget: "cold-load-p95".into(),
                shift_at: "2026-02-19T00:00:00Z".into(),
                reason: "expected".into(),
            },
        ));
        let (evidence, blockers) = budgets_consistent(&s.f, &s.i);
        assert!(blockers.is_empty(), "{blockers:?}");
        assert_eq!(evidence.len(), budgets.len());
    }

    fn milestone(id: &str, version: Option<&str>) -> Milestone {
        Milestone {
            id: id.into(),
            title: format!("{id} release"),
            version: version.map(str::to_string),
            criteria: Vec::new(),
        }
    }

    #[test]
    fn a_milestone_names_the_release_that_ships_it() {
        let v = |id: &str, version: Option<&str>| milestone(id, version).version();
        assert_eq!(v("1.0", None), Some(semver::Version::new(1, 0, 0)));
        assert_eq!(v("2", None), Some(semver::Version::new(2, 0, 0)));
        assert_eq!(
            v("lts", Some("v3.1.0")),
            Some(semver::Version::new(3, 1, 0))
        );
        assert_eq!(v("lts", None), None);
        assert_eq!(v("1.0.0.0", None), None);
    }

    #[test]
    fn a_milestone_ships_with_its_first_shipped_release_not_a_candidate_or_draft() {
        let mut s = At::new("2026-09-01");
        let m = s.f.policy.milestones[0].clone();
        s.i.milestones.releases.push(release(
            3,
            "2026-08-01",
            "1.0.0-rc.1",
            ReleaseStatus::Released,
        ));
        s.i.milestones
            .releases
            .push(release(4, "2026-08-10", "1.0.0", ReleaseStatus::Draft));
        assert_eq!(
            shipped(&s.f, &s.i.milestones, &m),
            None,
            "a candidate and a draft do not ship it"
        );
        assert_eq!(
            default_milestone(&s.f, &s.i.milestones).map(|m| m.id.as_str()),
            Some("1.0")
        );
        s.i.milestones
            .releases
            .push(release(5, "2026-08-20", "1.0.0", ReleaseStatus::Released));
        s.i.milestones
            .releases
            .push(release(6, "2026-08-25", "1.0.0", ReleaseStatus::Released));
        let at = shipped(&s.f, &s.i.milestones, &m).unwrap();
        assert_eq!((at.version.as_str(), at.entry), ("1.0.0", 5));
        assert_eq!(at.at, parse("2026-08-20").unwrap());
    }

    #[test]
    fn the_default_milestone_is_the_next_one_not_shipped_else_the_last() {
        let mut s = At::new("2026-09-01");
        // Listed out of order: the default goes by version.
        s.f.policy.milestones = vec![milestone("2.0", None), milestone("1.0", None)];
        assert_eq!(
            default_milestone(&s.f, &s.i.milestones).map(|m| m.id.as_str()),
            Some("1.0")
        );
        s.i.milestones
            .releases
            .push(release(3, "2026-08-20", "1.0.0", ReleaseStatus::Released));
        assert_eq!(
            default_milestone(&s.f, &s.i.milestones).map(|m| m.id.as_str()),
            Some("2.0")
        );
        s.i.milestones
            .releases
            .push(release(4, "2026-08-30", "2.0.0", ReleaseStatus::Released));
        assert_eq!(
            default_milestone(&s.f, &s.i.milestones).map(|m| m.id.as_str()),
            Some("2.0")
        );
        s.f.policy.milestones.clear();
        assert!(default_milestone(&s.f, &s.i.milestones).is_none());
    }

    #[test]
    fn a_retrospective_says_whether_it_shipped_before_ready() {
        let s = At::new("2026-08-20");
        let m = &s.f.policy.milestones[0];
        let at = ShippedAs {
            version: "1.0.0".into(),
            at: s.f.now,
            entry: 9,
        };
        let r = retrospective(&s.f, &s.i, m, at.clone());
        assert_eq!((r.ready, r.shipped_before_ready), (false, Some(true)));
        assert_eq!(r.shipped, Some(at.clone()));
        // A milestone with nothing to meet was ready when it shipped.
        let r = retrospective(&s.f, &s.i, &milestone("1.0", None), at);
        assert_eq!((r.ready, r.shipped_before_ready), (true, Some(false)));
        // Not shipped: no verdict on shipping yet.
        assert_eq!(readiness(&s.f, &s.i, m).shipped_before_ready, None);
    }

    fn criterion<'a>(r: &'a Readiness, id: &str) -> &'a Criterion {
        r.criteria.iter().find(|c| c.id == id).unwrap()
    }

    fn judge_now(s: &At) -> Readiness {
        readiness(&s.f, &s.i, &s.f.policy.milestones[0])
    }

    #[test]
    fn nothing_recorded_means_every_criterion_is_unmet_with_a_reason() {
        let s = At::new("2026-03-01");
        let r = judge_now(&s);
        assert!(!r.ready);
        for c in &r.criteria {
            assert!(!c.met && !c.blockers.is_empty(), "{c:?}");
        }
    }

    #[test]
    fn ci_is_green_only_with_a_passing_result_on_every_platform() {
        let mut s = At::new("2026-03-01");
        let ci: Vec<String> =
            s.f.policy
                .gates
                .iter()
                .filter(|g| g.kind.is_ci())
                .map(|g| g.id.clone())
                .collect();
        let mut seq = 0;
        for gate in &ci {
            for platform in ["linux", "macos", "windows"] {
                seq += 1;
                s.i.gates.results.push(Stamped::at(
                    seq,
                    "2026-02-01",
                    GateResultRec::of(
                        gate,
                        Some(platform),
                        None,
                        !(gate == "fmt" && platform == "windows"),
                    ),
                ));
            }
        }
        let r = judge_now(&s);
        let c = criterion(&r, "ci-green");
        assert!(!c.met);
        assert_eq!(c.blockers.len(), 1);
        assert!(c.blockers[0].starts_with("fmt on windows failed"), "{c:?}");
        s.i.gates
            .results
            .iter_mut()
            .for_each(|g| g.rec.passed = true);
        assert!(criterion(&judge_now(&s), "ci-green").met);
    }

    /// DESIGN: "latest corpus pass rate"; the latest result decides.
    #[test]
    fn a_failing_corpus_result_without_a_value_is_unmet() {
        let mut s = At::new("2026-03-01");
        let result = |value: Option<f64>, passed: bool| {
            GateResultRec::of("corpus-pass-rate", None, value, passed)
        };
        s.i.gates
            .results
            .push(Stamped::at(1, "2026-02-01", result(Some(95.0), true)));
        assert!(criterion(&judge_now(&s), "conformance").met);
        s.i.gates
            .results
            .push(Stamped::at(2, "2026-02-02", result(None, true)));
        assert!(
            criterion(&judge_now(&s), "conformance").met,
            "a pass stands on 95"
        );
        s.i.gates
            .results
            .push(Stamped::at(3, "2026-02-03", result(None, false)));
        let r = judge_now(&s);
        let c = criterion(&r, "conformance");
        assert!(!c.met);
        assert!(c.blockers[0].contains("latest result fails"), "{c:?}");
    }

    #[test]
    fn budgets_need_thirty_days_of_history_and_no_sample_over() {
        // Each budget measured 1.0 a month ago and `latest` yesterday.
        let measured = |latest: [f64; 4]| {
            let mut s = At::new("2026-03-31");
            let budgets = [
                "cold-load-p95",
                "warm-load-p95",
                "event-dispatch-p95",
                "binary-size",
            ];
            for (i, (budget, value)) in budgets.into_iter().zip(latest).enumerate() {
                let seq = 2 * i as i64;
                // Exactly 30 days before now counts as history, not as a
                // window sample.
                let month_ago = Sample::at(seq + 1, "2026-03-01", 1.0);
                s.i.budgets.samples.extend(
                    budget,
                    [month_ago, Sample::at(seq + 2, "2026-03-30", value)],
                );
            }
            s
        };
        let mut s = measured([1.0; 4]);
        let r = judge_now(&s);
        assert!(
            criterion(&r, "budgets-consistent").met,
            "{:?}",
            criterion(&r, "budgets-consistent")
        );
        // Cold load is fine at 10.5 ms; event dispatch is over 10 ms.
        s = measured([10.5, 1.0, 10.5, 1.0]);
        let r = judge_now(&s);
        let c = criterion(&r, "budgets-consistent");
        assert!(!c.met);
        assert!(
            c.blockers[0].starts_with("event-dispatch-p95 was over budget in 1 of 1"),
            "{c:?}"
        );
        s.f.now = parse("2026-03-30T12:00:00Z").unwrap();
        let c = criterion(&judge_now(&s), "budgets-consistent").clone();
        assert!(
            c.blockers
                .iter()
                .any(|b| b.starts_with("measured for less than 30 days")),
            "{c:?}"
        );
    }

    #[test]
    fn a_capability_policy_change_stales_the_security_review() {
        let mut s = At::new("2026-03-01");
        s.i.attestations.push(Stamped::at(
            1,
            "2026-02-01",
            AttestationRec {
                criterion: "security-review".into(),
                signed_by: Some("alice".into()),
                note: None,
            },
        ));
        assert!(criterion(&judge_now(&s), "security-review").met);
        s.f.policy_changes.push(parse("2026-02-10").unwrap());
        let r = judge_now(&s);
        let c = criterion(&r, "security-review");
        assert!(
            !c.met && c.blockers[0].contains("policy changed on 2026-02-10"),
            "{c:?}"
        );
    }

    /// governance: Security Review, "capability policy changes
    /// (adding/removing capabilities)".
    #[test]
    fn removing_a_capability_stales_the_security_review() {
        use crate::domain::{
            deprecation::DeprecationKind,
            record::{DeprecationRec, RemovalRec},
        };
        let mut s = At::new("2026-03-01");
        s.i.changes.deprecations.push(Stamped::at(
            1,
            "2026-01-01",
            DeprecationRec {
                item: "net.raw".into(),
                kind: DeprecationKind::named(DeprecationKind::CAPABILITY_POLICY),
                version: "0.3.0".into(),
                replacement: None,
                note: None,
                kept: None,
            },
        ));
        s.i.attestations.push(Stamped::at(
            2,
            "2026-02-01",
            AttestationRec {
                criterion: "security-review".into(),
                signed_by: Some("alice".into()),
                note: None,
            },
        ));
        assert!(criterion(&judge_now(&s), "security-review").met);
        s.i.changes.removals.push(Stamped::at(
            3,
            "2026-02-15",
            RemovalRec {
                item: "net.raw".into(),
                version: "0.4.0".into(),
            },
        ));
        let r = judge_now(&s);
        let c = criterion(&r, "security-review");
        assert!(
            !c.met && c.blockers[0].contains("capability-policy removal of \"net.raw\""),
            "{c:?}"
        );
    }
}
