//! Layer: upper, reads releases, incidents, maintenance and deprecations together (see
//! `domain::LAYERS`).
//!
//! Delivery metrics from the recorded history: DORA's four keys, as a
//! project with releases (not deployments) has them, and the governance's
//! own rhythm.
//!
//! - Release frequency: shipped releases, and the Four Keys bucket: daily
//!   when the median week of the window has releases on at least 3 days,
//!   weekly when it has at least one, monthly when the median month has at
//!   least one, yearly otherwise.
//! - Lead time for changes: from the commit time of a release's newest
//!   change (`record-release --commit-date`) to the release; absent when
//!   no release in the window says when its changes were committed.
//! - Change failure rate: the share of shipped releases that needed
//!   remediation: an incident names it (`open-incident --introduced-in`)
//!   or a later release fixes it (`record-release --fixes`).
//! - Time to restore: from an incident's opening to its resolution, for
//!   the incidents resolved in the window.
//!
//! The performance levels each figure is shown against are the policy's
//! (`[delivery.levels]`), not code.

use chrono::Datelike;
use semver::Version;
use serde::Serialize;

use super::{
    Time,
    deprecation::ShippedLines,
    incident::{IncidentKind, Severity, SlaState},
    inputs::{DeliveryInputs, Frame, IncidentRow},
    stats::median,
    time,
};

pub use super::policy::delivery::{Bounds, Bucket, DeliveryPolicy, FrequencyLevels, Level, Levels};

/// The four keys over one span of time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Keys {
    /// Shipped releases in the span.
    pub releases: usize,
    /// Median hours from commit to release; `None` when no release in the
    /// span has a commit time.
    pub lead_time_median_hours: Option<f64>,
    /// The releases whose commit time is known.
    pub lead_time_releases: usize,
    /// `None` without releases.
    pub change_failure_rate_pct: Option<f64>,
    /// The releases that needed remediation.
    pub failed_releases: Vec<String>,
    /// Median hours from opening to resolution of the incidents resolved
    /// in the span; `None` when none was.
    pub time_to_restore_median_hours: Option<f64>,
    pub restored_incidents: usize,
}

/// Time to restore for one kind and severity of incident, next to its SLA.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RestoreRow {
    pub kind: IncidentKind,
    pub severity: Severity,
    pub incidents: usize,
    pub median_hours: f64,
    /// The SLA that covers them (the first one's), if any.
    pub sla: Option<String>,
}

/// One calendar quarter's keys (the part of it inside the window).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quarter {
    pub quarter: String,
    #[serde(flatten)]
    pub keys: Keys,
}

/// What `ledger delivery` answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    pub window_days: u32,
    pub from: Time,
    pub to: Time,
    #[serde(flatten)]
    pub keys: Keys,
    pub release_frequency_bucket: Bucket,
    pub release_frequency_level: Level,
    pub lead_time_level: Option<Level>,
    pub change_failure_level: Option<Level>,
    pub time_to_restore_level: Option<Level>,
    pub time_to_restore: Vec<RestoreRow>,
    /// Of the incidents opened in the window whose SLA is settled (met,
    /// breached, or running past due), the share met; `None` when none is.
    pub incidents_within_sla_pct: Option<f64>,
    /// Of the maintenance completions in the window that followed an
    /// earlier one, the share that came within the task's cadence.
    pub maintenance_on_time_pct: Option<f64>,
    /// Of the deprecations whose first removal opportunity shipped in the
    /// window, the share removed in it.
    pub deprecations_removed_on_time_pct: Option<f64>,
    pub quarters: Vec<Quarter>,
    /// The policy's levels the figures were judged by.
    pub levels: Levels,
}

/// A shipped release as the metrics read it.
struct Release<'a> {
    version: Version,
    at: Time,
    committed_at: Option<Time>,
    fixes: Option<&'a str>,
}

/// The delivery metrics over the `days` before the frame's moment.
pub fn delivery(f: &Frame, i: &DeliveryInputs, days: u32) -> Delivery {
    delivery_of(f, i, days, &i.incidents.rows(f))
}

/// [`delivery`] with the incident rows already judged (the dashboard
/// judges them once for both).
pub fn delivery_of(
    f: &Frame,
    i: &DeliveryInputs,
    days: u32,
    incidents: &[IncidentRow],
) -> Delivery {
    let to = f.now;
    let from = time::days_before(to, days);
    let shipped = shipped(f, i);
    let window = keys(&shipped, incidents, from, to);
    let levels = &f.policy.delivery.levels;
    let bucket = bucket(&shipped, from, to, days);
    let in_window = |t: Time| t > from && t <= to;

    let settled: Vec<bool> = incidents
        .iter()
        .filter(|i| in_window(i.opened_at))
        .filter_map(|i| match i.sla_state {
            SlaState::Met => Some(true),
            SlaState::Breached | SlaState::Overdue => Some(false),
            SlaState::None | SlaState::Pending => None,
        })
        .collect();

    Delivery {
        window_days: days,
        from,
        to,
        release_frequency_bucket: bucket,
        release_frequency_level: levels.release_frequency.level(bucket),
        lead_time_level: window
            .lead_time_median_hours
            .map(|h| levels.lead_time_hours.level(h)),
        change_failure_level: window
            .change_failure_rate_pct
            .map(|p| levels.change_failure_rate_pct.level(p)),
        time_to_restore_level: window
            .time_to_restore_median_hours
            .map(|h| levels.time_to_restore_hours.level(h)),
        time_to_restore: restore_rows(incidents, from, to),
        incidents_within_sla_pct: share(&settled),
        maintenance_on_time_pct: share(&maintenance_on_time(f, i, from, to)),
        deprecations_removed_on_time_pct: share(&removed_on_time(f, i, from, to)),
        quarters: quarters(from, to)
            .into_iter()
            .map(|(quarter, start, end)| Quarter {
                quarter,
                keys: keys(&shipped, incidents, start, end),
            })
            .collect(),
        keys: window,
        levels: *levels,
    }
}

/// The shipped releases with their dates, commit times and fixes.
fn shipped<'i>(f: &Frame, i: &'i DeliveryInputs) -> Vec<Release<'i>> {
    let mut out: Vec<Release<'i>> = i
        .releases
        .releases
        .iter()
        .filter_map(|r| {
            let version = Version::parse(&r.rec.version).ok()?;
            super::release::is_shipped(&f.policy, &version, r.rec.status).then(|| Release {
                version,
                at: r.at,
                committed_at: r
                    .rec
                    .committed_at
                    .as_deref()
                    .and_then(|c| time::parse_stored(c).ok()),
                fixes: r.rec.fixes.as_deref(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.at.cmp(&b.at).then(a.version.cmp(&b.version)));
    out
}

/// The four keys over `(from, to]`.
fn keys(shipped: &[Release<'_>], incidents: &[IncidentRow], from: Time, to: Time) -> Keys {
    let inside = |t: Time| t > from && t <= to;
    let releases: Vec<&Release<'_>> = shipped.iter().filter(|s| inside(s.at)).collect();
    let lead: Vec<f64> = releases
        .iter()
        .filter_map(|s| s.committed_at.map(|c| time::hours_between(c, s.at)))
        .collect();
    // A release failed when an incident names it or a later release fixes it.
    let named: std::collections::HashSet<&str> = incidents
        .iter()
        .filter_map(|i| i.introduced_in.as_deref())
        .chain(shipped.iter().filter_map(|s| s.fixes))
        .collect();
    let failed: Vec<String> = releases
        .iter()
        .map(|r| r.version.to_string())
        .filter(|v| named.contains(v.as_str()))
        .collect();
    let restore: Vec<f64> = incidents
        .iter()
        .filter_map(|i| {
            let resolved = i.resolved_at.filter(|r| inside(*r))?;
            Some(time::hours_between(i.opened_at, resolved))
        })
        .collect();
    Keys {
        releases: releases.len(),
        lead_time_median_hours: median(&lead).map(round1),
        lead_time_releases: lead.len(),
        change_failure_rate_pct: (!releases.is_empty())
            .then(|| round1(failed.len() as f64 * 100.0 / releases.len() as f64)),
        failed_releases: failed,
        time_to_restore_median_hours: median(&restore).map(round1),
        restored_incidents: restore.len(),
    }
}

/// The Four Keys bucket of the releases in `(from, to]`, a window of
/// `days` days cut into weeks and 30-day months back from `to`.
fn bucket(shipped: &[Release<'_>], from: Time, to: Time, days: u32) -> Bucket {
    let release_days: Vec<Time> = {
        let mut d: Vec<Time> = shipped
            .iter()
            .filter(|s| s.at > from && s.at <= to)
            .map(|s| time::truncate_to_day(s.at))
            .collect();
        d.dedup();
        d
    };
    // Distinct release days in each period of `len` days back from `to`.
    let per_period = |len: u32| -> Vec<f64> {
        let periods = (days / len).max(1);
        (0..periods)
            .map(|k| {
                let end = time::days_before(to, k * len);
                let start = time::days_before(end, len);
                release_days
                    .iter()
                    .filter(|d| **d > start && **d <= end)
                    .count() as f64
            })
            .collect()
    };
    let week = median(&per_period(7)).unwrap_or_default();
    if week >= 3.0 {
        Bucket::Daily
    } else if week >= 1.0 {
        Bucket::Weekly
    } else if median(&per_period(30)).unwrap_or_default() >= 1.0 {
        Bucket::Monthly
    } else {
        Bucket::Yearly
    }
}

/// Time to restore by kind and severity, for the incidents resolved in
/// `(from, to]`.
fn restore_rows(incidents: &[IncidentRow], from: Time, to: Time) -> Vec<RestoreRow> {
    let mut groups: std::collections::BTreeMap<
        (IncidentKind, Severity),
        (Vec<f64>, Option<String>),
    > = std::collections::BTreeMap::new();
    for i in incidents {
        if let Some(resolved) = i.resolved_at.filter(|r| *r > from && *r <= to) {
            let slot = groups.entry((i.kind, i.severity)).or_default();
            slot.0.push(time::hours_between(i.opened_at, resolved));
            if slot.1.is_none() {
                slot.1 = i.sla.clone();
            }
        }
    }
    groups
        .into_iter()
        .map(|((kind, severity), (hours, sla))| RestoreRow {
            kind,
            severity,
            incidents: hours.len(),
            median_hours: median(&hours).map(round1).unwrap_or_default(),
            sla,
        })
        .collect()
}

/// For each maintenance completion in `(from, to]` after an earlier one of
/// the same task: whether it came within the task's cadence.
fn maintenance_on_time(f: &Frame, i: &DeliveryInputs, from: Time, to: Time) -> Vec<bool> {
    let mut out = Vec::new();
    for task in &f.policy.maintenance.tasks {
        let days = f.policy.maintenance.cadence_days.get(task.cadence);
        let done: Vec<Time> = i
            .maintenance
            .completions
            .iter()
            .filter(|m| m.rec.task == task.id)
            .map(|m| m.at)
            .collect();
        for pair in done.windows(2) {
            if pair[1] > from && pair[1] <= to {
                out.push(pair[1] <= time::days_after(pair[0], days));
            }
        }
    }
    out
}

/// For each deprecation whose first removal opportunity shipped in
/// `(from, to]`: whether the item was removed in that release.
fn removed_on_time(f: &Frame, i: &DeliveryInputs, from: Time, to: Time) -> Vec<bool> {
    let lines = ShippedLines::new(&i.releases.shipped(f));
    let rules = &f.policy.deprecations;
    let d = &i.deprecations;
    let removals = super::inputs::by_key(&d.removals, |r| r.rec.item.as_str());
    d.deprecations
        .iter()
        .filter_map(|d| {
            let dv = Version::parse(&d.rec.version).ok()?;
            if super::deprecation::is_kept(rules, &d.rec) {
                return None;
            }
            let window = super::deprecation::window(rules, d.rec.kind, &dv)?;
            let first = lines.first_opportunity(rules, window, &dv)?;
            if !(first.date > from && first.date <= to) {
                return None;
            }
            let removed_in = removals
                .get(d.rec.item.as_str())
                .and_then(|rs| rs.iter().find(|r| r.seq > d.seq))
                .and_then(|r| Version::parse(&r.rec.version).ok());
            // Removed at the first opportunity (or one as early): not
            // later, and not before its window allowed (premature).
            Some(removed_in.is_some_and(|r| {
                r <= first.version && lines.is_opportunity(rules, window, &r, &dv)
            }))
        })
        .collect()
}

/// The calendar quarters that `(from, to]` touches, oldest first, each as
/// its name and the part of it inside the span.
fn quarters(from: Time, to: Time) -> Vec<(String, Time, Time)> {
    let mut out = Vec::new();
    let mut start = quarter_start(from);
    while start < to {
        let next = quarter_start(time::days_after(start, 95));
        let name = format!("{}-Q{}", start.year(), start.month0() / 3 + 1);
        out.push((name, start.max(from), next.min(to)));
        start = next;
    }
    out
}

/// The first moment of the calendar quarter `t` falls in.
fn quarter_start(t: Time) -> Time {
    let month = t.month0() / 3 * 3 + 1;
    chrono::NaiveDate::from_ymd_opt(t.year(), month, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(t, |d| d.and_utc())
}

/// The share of `true`, in percent to one decimal; `None` when empty.
fn share(flags: &[bool]) -> Option<f64> {
    (!flags.is_empty())
        .then(|| round1(flags.iter().filter(|f| **f).count() as f64 * 100.0 / flags.len() as f64))
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        policy::Policy,
        record::{IncidentEventRec, IncidentRec, MaintenanceRec, ReleaseRec, Stamped},
        time::parse,
    };

    /// A moment and the delivery inputs read at it.
    struct At {
        f: Frame,
        i: DeliveryInputs,
    }

    fn snap(now: &str) -> At {
        At {
            f: Frame::new("pi", parse(now).unwrap(), Policy::builtin()),
            i: DeliveryInputs::default(),
        }
    }

    fn release(s: &mut At, version: &str, at: &str, committed: Option<&str>) {
        let seq = s.i.releases.releases.len() as i64 + 100;
        s.i.releases.releases.push(Stamped::at(
            seq,
            at,
            ReleaseRec {
                committed_at: committed.map(|c| time::format(parse(c).unwrap())),
                ..ReleaseRec::released(version, at)
            },
        ));
    }

    #[test]
    fn no_releases_and_no_incidents_leave_every_rate_unknown() {
        let d = delivery(&snap("2026-06-30").f, &snap("2026-06-30").i, 90);
        assert_eq!(d.keys.releases, 0);
        assert_eq!(d.release_frequency_bucket, Bucket::Yearly);
        assert_eq!(d.release_frequency_level, Level::Low);
        assert_eq!(d.keys.lead_time_median_hours, None);
        assert_eq!(d.keys.change_failure_rate_pct, None);
        assert_eq!(d.keys.time_to_restore_median_hours, None);
        assert_eq!(d.incidents_within_sla_pct, None);
        assert_eq!(d.maintenance_on_time_pct, None);
        assert!(d.time_to_restore.is_empty());
        assert_eq!((d.lead_time_level, d.change_failure_level), (None, None));
    }

    #[test]
    fn one_release_counts_without_a_lead_time_unless_its_commit_time_is_known() {
        let mut s = snap("2026-06-30");
        release(&mut s, "0.4.0", "2026-06-01", None);
        let d = delivery(&s.f, &s.i, 90);
        assert_eq!(d.keys.releases, 1);
        assert_eq!(d.keys.change_failure_rate_pct, Some(0.0));
        assert_eq!(d.change_failure_level, Some(Level::Elite));
        assert_eq!(d.keys.lead_time_median_hours, None, "not guessed");
        assert_eq!(d.release_frequency_bucket, Bucket::Yearly);
        s.i.releases.releases[0].rec.committed_at = Some("2026-05-30T12:00:00Z".into());
        let d = delivery(&s.f, &s.i, 90);
        assert_eq!(d.keys.lead_time_median_hours, Some(36.0));
        assert_eq!(d.lead_time_level, Some(Level::High));
        // Outside the window it counts for nothing.
        assert_eq!(delivery(&s.f, &s.i, 20).keys.releases, 0);
    }

    #[test]
    fn the_bucket_follows_the_median_week_then_the_median_month() {
        // Three release days a week for four weeks: daily.
        let mut s = snap("2026-06-29");
        for week in 0..4 {
            for day in [1, 3, 5] {
                let at = time::days_after(parse("2026-06-01").unwrap(), week * 7 + day);
                release(&mut s, &format!("0.{week}.{day}"), &time::format(at), None);
            }
        }
        assert_eq!(
            delivery(&s.f, &s.i, 28).release_frequency_bucket,
            Bucket::Daily
        );
        // Two a week: weekly.
        s.i.releases
            .releases
            .retain(|r| !r.rec.version.ends_with(".5"));
        assert_eq!(
            delivery(&s.f, &s.i, 28).release_frequency_bucket,
            Bucket::Weekly
        );
        // One a month over three months: monthly.
        let mut s = snap("2026-06-30");
        for (minor, at) in [(4, "2026-04-15"), (5, "2026-05-15"), (6, "2026-06-15")] {
            release(&mut s, &format!("0.{minor}.0"), at, None);
        }
        assert_eq!(
            delivery(&s.f, &s.i, 90).release_frequency_bucket,
            Bucket::Monthly
        );
        // Two in three months: the median month still has one.
        s.i.releases.releases.remove(1);
        assert_eq!(
            delivery(&s.f, &s.i, 90).release_frequency_bucket,
            Bucket::Monthly
        );
        // One in three: the median month has none.
        s.i.releases.releases.remove(1);
        assert_eq!(
            delivery(&s.f, &s.i, 90).release_frequency_bucket,
            Bucket::Yearly
        );
    }

    #[test]
    fn a_release_fails_when_an_incident_names_it_or_a_later_release_fixes_it() {
        let mut s = snap("2026-06-30");
        release(&mut s, "0.4.0", "2026-05-01", None);
        release(&mut s, "0.4.1", "2026-05-03", None);
        release(&mut s, "0.5.0", "2026-06-01", None);
        release(&mut s, "0.5.1", "2026-06-02", None);
        s.i.releases.releases[1].rec.fixes = Some("0.4.0".into());
        s.i.incidents.incidents.push(Stamped::at(
            1,
            "2026-06-01T12:00:00Z",
            IncidentRec {
                kind: IncidentKind::named("conformance-regression"),
                severity: Severity::Medium,
                title: "t".into(),
                over_pct: None,
                introduced_in: Some("0.5.0".into()),
            },
        ));
        let d = delivery(&s.f, &s.i, 90);
        assert_eq!(d.keys.failed_releases, ["0.4.0", "0.5.0"]);
        assert_eq!(d.keys.change_failure_rate_pct, Some(50.0));
        assert_eq!(d.change_failure_level, Some(Level::Low));
        // Per quarter: all four in 2026-Q2.
        assert_eq!(d.quarters.len(), 1);
        assert_eq!(d.quarters[0].quarter, "2026-Q2");
        assert_eq!(d.quarters[0].keys.releases, 4);
    }

    #[test]
    fn time_to_restore_counts_incidents_resolved_in_the_window() {
        let mut s = snap("2026-06-30");
        for (seq, opened, resolved) in [
            (1, "2026-03-01", "2026-03-02"),
            (2, "2026-06-01", "2026-06-01T10:00:00Z"),
            (3, "2026-06-10", "2026-06-11T06:00:00Z"),
        ] {
            s.i.incidents.incidents.push(Stamped::at(
                seq,
                opened,
                IncidentRec {
                    kind: IncidentKind::named("conformance-regression"),
                    severity: Severity::Medium,
                    title: "t".into(),
                    over_pct: None,
                    introduced_in: None,
                },
            ));
            s.i.incidents.events.push(Stamped::at(
                seq + 10,
                resolved,
                IncidentEventRec {
                    incident: seq,
                    action: crate::domain::record::IncidentAction::Resolve,
                    release: None,
                },
            ));
        }
        let d = delivery(&s.f, &s.i, 60);
        assert_eq!(d.keys.restored_incidents, 2);
        assert_eq!(d.keys.time_to_restore_median_hours, Some(20.0));
        assert_eq!(d.time_to_restore_level, Some(Level::High));
        assert_eq!(d.time_to_restore.len(), 1);
        assert_eq!(
            d.time_to_restore[0].sla.as_deref(),
            Some("conformance-triage")
        );
        // Both triaged (resolved) within 24 h: within SLA.
        assert_eq!(d.incidents_within_sla_pct, Some(50.0));
    }

    #[test]
    fn maintenance_is_on_time_within_its_cadence_of_the_one_before() {
        let mut s = snap("2026-06-30");
        for (seq, at) in [(1, "2026-06-01"), (2, "2026-06-08"), (3, "2026-06-20")] {
            s.i.maintenance.completions.push(Stamped::at(
                seq,
                at,
                MaintenanceRec {
                    task: "dependency-audit".into(),
                },
            ));
        }
        // 06-08 is exactly 7 days after 06-01 (on time); 06-20 is 12 after.
        assert_eq!(delivery(&s.f, &s.i, 90).maintenance_on_time_pct, Some(50.0));
    }

    #[test]
    fn a_deprecation_is_removed_on_time_at_its_first_opportunity() {
        use crate::domain::{
            deprecation::DeprecationKind,
            record::{DeprecationRec, RemovalRec},
        };
        let mut s = snap("2026-06-30");
        release(&mut s, "0.3.0", "2026-04-01", None);
        release(&mut s, "0.4.0", "2026-05-01", None);
        release(&mut s, "0.5.0", "2026-06-01", None);
        for (seq, item, removed_in) in [
            (1, "a", Some("0.4.0")),
            (2, "b", Some("0.5.0")),
            (3, "c", None),
            (4, "d", Some("0.3.1")),
        ] {
            s.i.deprecations.deprecations.push(Stamped::at(
                seq,
                "2026-04-01",
                DeprecationRec {
                    item: item.into(),
                    kind: DeprecationKind::named(DeprecationKind::API),
                    version: "0.3.0".into(),
                    replacement: None,
                    note: None,
                    kept: None,
                },
            ));
            if let Some(v) = removed_in {
                s.i.deprecations.removals.push(Stamped::at(
                    seq + 10,
                    "2026-05-01",
                    RemovalRec {
                        item: item.into(),
                        version: v.into(),
                    },
                ));
            }
        }
        // The first opportunity, 0.4.0, shipped in the window: only "a"
        // went then; "b" went late, "c" not at all, "d" prematurely.
        assert_eq!(
            delivery(&s.f, &s.i, 90).deprecations_removed_on_time_pct,
            Some(25.0)
        );
        // A window after the opportunity judges none.
        assert_eq!(
            delivery(&s.f, &s.i, 30).deprecations_removed_on_time_pct,
            None
        );
    }

    #[test]
    fn levels_are_the_policys_bounds() {
        let b = Bounds {
            elite: 1.0,
            high: 24.0,
            medium: 168.0,
        };
        assert_eq!(b.level(1.0), Level::Elite);
        assert_eq!(b.level(1.1), Level::High);
        assert_eq!(b.level(168.0), Level::Medium);
        assert_eq!(b.level(168.1), Level::Low);
    }

    #[test]
    fn quarters_cover_the_window_in_calendar_order() {
        let q = quarters(parse("2026-02-15").unwrap(), parse("2026-07-02").unwrap());
        let names: Vec<&str> = q.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(names, ["2026-Q1", "2026-Q2", "2026-Q3"]);
        assert_eq!(q[0].1, parse("2026-02-15").unwrap());
        assert_eq!(q[1].1, parse("2026-04-01").unwrap());
        assert_eq!(q[2].2, parse("2026-07-02").unwrap());
    }
}
