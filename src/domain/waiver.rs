//! Layer: middle, one governance section (see `domain::LAYERS`).
//!
//! Waivers: a recorded, expiring exception for one finding.
//!
//! A waiver names a finding by its rule and its subject (the budget, item,
//! incident, task, criterion, gate or extension it is about). While it runs
//! the finding is still shown, marked waived, but it no longer blocks a
//! release nor fails `--check`; when it expires the finding is back.

use serde::Serialize;

use std::collections::BTreeMap;

use super::{
    Error, Time,
    policy::Policy,
    record::{Stamped, WaiverRec},
    rule::Code,
    time,
};

pub use super::policy::waivers::WaiverPolicy;

/// A waiver in force on a finding, as answers show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Waived {
    pub expires_at: Time,
    pub reason: String,
    pub waived_by: Option<String>,
    /// The waiver's entry (retract it to end the waiver early).
    pub entry: i64,
}

impl Waived {
    /// "until 2026-12-31 by ana: reason" (a table cell, a message suffix).
    pub fn describe(&self) -> String {
        let by = self
            .waived_by
            .as_deref()
            .map(|b| format!(" by {b}"))
            .unwrap_or_default();
        format!(
            "waived until {}{by}: {}",
            time::format_short(self.expires_at),
            self.reason
        )
    }
}

/// A waiver as listed: what it waives and until when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaiverRow {
    pub rule: Code,
    pub subject: String,
    pub expires_at: Time,
    pub reason: String,
    pub waived_by: Option<String>,
    pub entry: i64,
}

/// The waivers recorded so far (visible at the question's moment), the
/// latest of each finding, looked up by its finding.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Waivers {
    now: Option<Time>,
    latest: BTreeMap<(Code, String), Stamped<WaiverRec>>,
}

impl Waivers {
    /// The waivers `recorded` (in time order), judged at `now`: a later
    /// waiver of the same finding replaces an earlier one.
    pub fn new(recorded: Vec<Stamped<WaiverRec>>, now: Time) -> Waivers {
        let mut latest = BTreeMap::new();
        for w in recorded {
            // A waiver names its rule by id (a renamed id reads as its code).
            if let Some(code) = Code::from_id(&w.rec.rule) {
                latest.insert((code, w.rec.subject.clone()), w);
            }
        }
        Waivers {
            now: Some(now),
            latest,
        }
    }

    /// The waiver in force on the finding of `rule` about `subject`: the
    /// latest one recorded for it, if it has not expired.
    pub fn of(&self, rule: Code, subject: &str) -> Option<Waived> {
        let now = self.now?;
        let w = self.latest.get(&(rule, subject.to_string()))?;
        in_force(w, now).then(|| Waived {
            expires_at: expiry(w),
            reason: w.rec.reason.clone(),
            waived_by: w.rec.waived_by.clone(),
            entry: w.seq,
        })
    }

    /// The waivers in force, soonest to expire first.
    pub fn in_force(&self) -> Vec<WaiverRow> {
        let Some(now) = self.now else {
            return Vec::new();
        };
        let mut rows: Vec<WaiverRow> = self
            .latest
            .iter()
            .filter(|(_, w)| in_force(w, now))
            .map(|((code, _), w)| row(*code, w))
            .collect();
        rows.sort_by_key(|w| (w.expires_at, w.entry));
        rows
    }

    /// The waivers in force that expire within `days`, soonest first.
    pub fn expiring_within(&self, days: u32) -> Vec<WaiverRow> {
        let Some(now) = self.now else {
            return Vec::new();
        };
        let horizon = time::days_after(now, days);
        self.in_force()
            .into_iter()
            .filter(|w| w.expires_at <= horizon)
            .collect()
    }
}

fn expiry(w: &Stamped<WaiverRec>) -> Time {
    // Stored by `waive` in the ledger's time form; a row that is not is
    // reported by `verify`, and counts as already expired here.
    time::parse_stored(&w.rec.expires_at).unwrap_or(w.at)
}

fn in_force(w: &Stamped<WaiverRec>, now: Time) -> bool {
    w.at <= now && now < expiry(w)
}

fn row(rule: Code, w: &Stamped<WaiverRec>) -> WaiverRow {
    WaiverRow {
        rule,
        subject: w.rec.subject.clone(),
        expires_at: expiry(w),
        reason: w.rec.reason.clone(),
        waived_by: w.rec.waived_by.clone(),
        entry: w.seq,
    }
}

/// Whether the policy lets a waiver of `rule` recorded at `now` run until
/// `until`: a rule it forbids never, an expiry in the past never, and no
/// longer than its cap.
pub fn allowed(policy: &Policy, rule: Code, now: Time, until: Time) -> Result<(), Error> {
    let rules = &policy.waivers;
    rule.waivable_or_why()?;
    if rules.forbidden.contains(&rule) {
        return Err(Error::Refused {
            subject: format!("a waiver of {rule}"),
            rules: vec![format!(
                "the policy never allows waiving {rule} findings (waivers.forbidden: {})",
                forbidden_list(policy)
            )],
        });
    }
    if until <= now {
        return Err(Error::invalid(
            "expiry",
            time::format(until),
            format!("a time after now ({})", time::format(now)),
        ));
    }
    let cap = time::days_after(now, rules.max_days);
    if until > cap {
        return Err(Error::Refused {
            subject: format!("a waiver until {}", time::format_short(until)),
            rules: vec![format!(
                "a waiver may run at most {} days (waivers.max_days), so until {} at the latest",
                rules.max_days,
                time::format_short(cap)
            )],
        });
    }
    Ok(())
}

fn forbidden_list(policy: &Policy) -> String {
    let mut names: Vec<&str> = policy
        .waivers
        .forbidden
        .iter()
        .map(|r| r.as_str())
        .collect();
    if !names.contains(&Code::Integrity.as_str()) {
        names.push(Code::Integrity.as_str());
    }
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::parse;

    fn waiver(seq: i64, at: &str, rule: Code, subject: &str, until: &str) -> Stamped<WaiverRec> {
        Stamped::at(
            seq,
            at,
            WaiverRec {
                rule: rule.as_str().into(),
                subject: subject.into(),
                expires_at: time::format(parse(until).unwrap()),
                reason: "known".into(),
                waived_by: None,
            },
        )
    }

    #[test]
    fn a_waiver_runs_from_its_entry_until_just_before_it_expires() {
        let recorded = vec![waiver(
            1,
            "2026-11-01",
            Code::BudgetOver,
            "cold-load-p95",
            "2026-11-10",
        )];
        let at = |t: &str| Waivers::new(recorded.clone(), parse(t).unwrap());
        assert!(
            at("2026-10-31")
                .of(Code::BudgetOver, "cold-load-p95")
                .is_none()
        );
        assert!(
            at("2026-11-01")
                .of(Code::BudgetOver, "cold-load-p95")
                .is_some()
        );
        assert!(
            at("2026-11-09T23:59:59Z")
                .of(Code::BudgetOver, "cold-load-p95")
                .is_some()
        );
        // Expiring exactly now: the finding is back.
        assert!(
            at("2026-11-10")
                .of(Code::BudgetOver, "cold-load-p95")
                .is_none()
        );
        // Only its own finding.
        let w = at("2026-11-05");
        assert!(w.of(Code::BudgetDrift, "cold-load-p95").is_none());
        assert!(w.of(Code::BudgetOver, "warm-load-p95").is_none());
    }

    #[test]
    fn a_waiver_recorded_under_a_renamed_id_covers_its_code() {
        let mut old = waiver(
            1,
            "2026-11-01",
            Code::BudgetOver,
            "cold-load-p95",
            "2026-11-10",
        );
        old.rec.rule = "budget-over-blocking".into();
        let w = Waivers::new(vec![old], parse("2026-11-05").unwrap());
        assert!(w.of(Code::BudgetOver, "cold-load-p95").is_some());
        assert_eq!(w.in_force()[0].rule, Code::BudgetOver);
    }

    #[test]
    fn the_latest_waiver_of_a_finding_decides() {
        let recorded = vec![
            waiver(1, "2026-11-01", Code::GateFailing, "fmt", "2026-12-01"),
            waiver(2, "2026-11-02", Code::GateFailing, "fmt", "2026-11-03"),
        ];
        let w = Waivers::new(recorded, parse("2026-11-05").unwrap());
        assert!(
            w.of(Code::GateFailing, "fmt").is_none(),
            "the shorter, later waiver replaced the first"
        );
        assert!(w.expiring_within(30).is_empty());
    }

    #[test]
    fn expiring_lists_only_waivers_in_force_within_the_horizon() {
        let recorded = vec![
            waiver(1, "2026-11-01", Code::GateFailing, "fmt", "2026-11-08"),
            waiver(2, "2026-11-01", Code::GateFailing, "clippy", "2026-11-20"),
            waiver(3, "2026-11-01", Code::GateFailing, "old", "2026-11-02"),
        ];
        let w = Waivers::new(recorded, parse("2026-11-03").unwrap());
        let soon: Vec<String> = w
            .expiring_within(7)
            .into_iter()
            .map(|r| r.subject)
            .collect();
        assert_eq!(soon, ["fmt"]);
        let w = Waivers::new(Vec::new(), parse("2026-11-03").unwrap());
        assert!(w.expiring_within(7).is_empty());
    }

    #[test]
    fn the_policy_caps_and_forbids_waivers() {
        let p = Policy::builtin();
        let now = parse("2026-11-01").unwrap();
        let ok = |rule, until: &str| allowed(&p, rule, now, parse(until).unwrap());
        assert!(ok(Code::BudgetOver, "2026-12-31").is_ok());
        assert!(
            ok(Code::BudgetOver, "2027-01-30").is_ok(),
            "exactly 90 days"
        );
        let e = ok(Code::BudgetOver, "2027-01-31").unwrap_err().to_string();
        assert!(
            e.contains("at most 90 days") && e.contains("2027-01-30"),
            "{e}"
        );
        let e = ok(Code::SecurityOpen, "2026-11-05")
            .unwrap_err()
            .to_string();
        assert!(e.contains("never allows waiving security-open"), "{e}");
        assert!(ok(Code::Integrity, "2026-11-05").is_err());
        let e = ok(Code::VersionOrder, "2026-11-05")
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot be waived"), "{e}");
        let e = ok(Code::BudgetOver, "2026-11-01").unwrap_err().to_string();
        assert!(e.contains("a time after now"), "{e}");
    }
}
