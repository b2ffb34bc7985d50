//! Layer: upper, reads budgets and deprecations together (see `domain::LAYERS`).
//!
//! What the HTML report draws beyond the dashboard: each budget's series
//! over a window, and releases and deprecations on one timeline.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{
    Time,
    budget::{Direction, Drift},
    deprecation::{DeprecationKind, DeprecationStatus},
    inputs::{DeprecationInputs, DriftInputs, Frame},
    time,
};

/// One budget's samples over the report's window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub budget: String,
    pub title: String,
    pub unit: String,
    pub direction: Direction,
    pub threshold: f64,
    /// Every sample in the window, in time order.
    pub points: Vec<(Time, f64)>,
    /// The budget judged over the drift window (its status and shifts).
    pub drift: Drift,
}

/// Every budget's series over a window, with the drift window inside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Charts {
    pub from: Time,
    pub to: Time,
    pub days: u32,
    /// Where the drift window starts (never before `from`).
    pub drift_from: Time,
    pub drift_days: u32,
    pub series: Vec<Series>,
}

/// Each budget's samples after `days` before now (drift inputs of
/// `days`), and its drift over the policy's window.
pub fn charts(f: &Frame, i: &DriftInputs, days: u32) -> Charts {
    let from = time::days_before(f.now, days);
    let drift_days = f.policy.budgets.drift_days;
    let drift: BTreeMap<String, Drift> = i
        .drift(f, drift_days.min(days))
        .into_iter()
        .map(|d| (d.budget.clone(), d))
        .collect();
    let series = i
        .budgets
        .defs(&f.policy)
        .into_iter()
        .filter_map(|b| {
            Some(Series {
                drift: drift.get(&b.id)?.clone(),
                points: i.budgets.samples(&b.id, from),
                budget: b.id,
                title: b.title,
                unit: b.unit,
                direction: b.direction,
                threshold: b.threshold,
            })
        })
        .collect();
    Charts {
        from,
        to: f.now,
        days,
        drift_from: time::days_before(f.now, drift_days.min(days)),
        drift_days: drift_days.min(days),
        series,
    }
}

/// A release on the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mark {
    pub version: String,
    pub at: Time,
}

/// A deprecation's window on the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Span {
    pub item: String,
    pub kind: DeprecationKind,
    pub deprecated_in: String,
    /// When it was deprecated: its version's release, else when recorded.
    pub from: Time,
    /// The window in minor lines (`None`: its kind has none).
    pub window: Option<u32>,
    /// The first release that may remove it, and when it shipped (none
    /// while it has not).
    pub first_removal: Option<String>,
    pub first_removal_at: Option<Time>,
    pub removed_in: Option<String>,
    pub removed_at: Option<Time>,
    pub status: DeprecationStatus,
}

/// The deprecations that still matter, each with its window, most urgent
/// first, over the releases shipped in the span they cover.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub from: Time,
    pub to: Time,
    pub releases: Vec<Mark>,
    pub spans: Vec<Span>,
    /// Deprecations removed before the window, left out.
    pub removed_earlier: usize,
}

/// Releases and deprecations (the deprecations' inputs): every deprecation not removed yet, removed too
/// early, or removed in the last `days` days; premature removals first,
/// then overdue, active and removed ones, each group oldest first.
pub fn timeline(f: &Frame, i: &DeprecationInputs, days: u32) -> Timeline {
    let window = time::days_before(f.now, days);
    let mut releases: Vec<Mark> = f
        .shipped(&i.shipped)
        .into_iter()
        .map(|s| Mark {
            version: s.version.to_string(),
            at: s.date,
        })
        .collect();
    releases.sort_by_key(|r| r.at);
    let shipped_at = |version: &str| releases.iter().find(|r| r.version == version).map(|r| r.at);
    let recorded_at: BTreeMap<i64, Time> = i.deprecations.iter().map(|d| (d.seq, d.at)).collect();
    let removed_at: BTreeMap<&str, Time> = i
        .removals
        .iter()
        .map(|r| (r.rec.item.as_str(), r.at))
        .collect();
    let mut spans: Vec<Span> = i
        .rows(f)
        .into_iter()
        .map(|d| {
            let from = shipped_at(&d.deprecated_in)
                .or_else(|| recorded_at.get(&d.entry).copied())
                .unwrap_or(f.now);
            Span {
                first_removal_at: d.earliest_removal.as_deref().and_then(shipped_at),
                removed_at: d.removed_in.as_deref().and_then(|v| {
                    shipped_at(v).or_else(|| removed_at.get(d.item.as_str()).copied())
                }),
                item: d.item,
                kind: d.kind,
                deprecated_in: d.deprecated_in,
                from,
                window: d.window,
                first_removal: d.earliest_removal,
                removed_in: d.removed_in,
                status: d.status,
            }
        })
        .collect();
    let all = spans.len();
    spans.retain(|s| {
        s.status != DeprecationStatus::Removed || s.removed_at.is_none_or(|at| at > window)
    });
    let urgency = |s: &Span| match s.status {
        DeprecationStatus::Premature => 0,
        DeprecationStatus::Overdue => 1,
        DeprecationStatus::Active => 2,
        DeprecationStatus::Removed | DeprecationStatus::Kept => 3,
    };
    spans.sort_by_key(|s| (urgency(s), s.from));
    let from = spans
        .iter()
        .map(|s| s.from)
        .min()
        .unwrap_or(window)
        .min(window);
    releases.retain(|r| r.at >= from);
    Timeline {
        from,
        to: f.now,
        releases,
        removed_earlier: all - spans.len(),
        spans,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        inputs::{ReleaseVersion, Sample},
        policy::Policy,
        record::*,
        time::parse,
    };

    fn frame() -> Frame {
        Frame::new("pi", parse("2026-03-01").unwrap(), Policy::builtin())
    }

    #[test]
    fn a_chart_holds_every_sample_of_its_window_and_no_older_one() {
        let f = frame();
        let mut s = DriftInputs::default();
        let budget = f.policy.budgets.definitions[0].id.clone();
        for (i, day) in ["2026-01-10", "2026-02-10", "2026-02-20", "2026-02-28"]
            .iter()
            .enumerate()
        {
            s.budgets
                .samples
                .extend(&budget, [Sample::at(i as i64 + 1, day, 10.0 + i as f64)]);
        }
        let c = charts(&f, &s, 30);
        let series = c.series.iter().find(|x| x.budget == budget).unwrap();
        assert_eq!(
            series.points.iter().map(|p| p.1).collect::<Vec<_>>(),
            vec![11.0, 12.0, 13.0]
        );
        assert_eq!(c.drift_days, 30);
        // A window shorter than the drift window bounds it.
        let short = charts(&f, &s, 10);
        assert_eq!(short.drift_days, 10);
        assert_eq!(short.drift_from, short.from);
        assert_eq!(
            short
                .series
                .iter()
                .find(|x| x.budget == budget)
                .unwrap()
                .points
                .len(),
            2
        );
    }

    #[test]
    fn a_deprecation_spans_from_its_release_to_its_first_removal_opportunity() {
        let f = frame();
        let mut s = DeprecationInputs::default();
        for (seq, v, day) in [(1, "0.3.0", "2026-01-01"), (2, "0.4.0", "2026-02-01")] {
            let r = Stamped::at(seq, day, ReleaseRec::released(v, day));
            s.shipped.push(ReleaseVersion::from(&r));
        }
        s.deprecations.push(Stamped::at(
            3,
            "2026-01-02",
            DeprecationRec {
                item: "old".into(),
                kind: DeprecationKind::named(DeprecationKind::API),
                version: "0.3.0".into(),
                replacement: None,
                note: None,
                kept: None,
            },
        ));
        let t = timeline(&f, &s, 30);
        assert_eq!(t.releases.len(), 2);
        let span = &t.spans[0];
        assert_eq!(span.from, parse("2026-01-01").unwrap());
        assert_eq!(span.first_removal.as_deref(), Some("0.4.0"));
        assert_eq!(span.first_removal_at, Some(parse("2026-02-01").unwrap()));
        assert_eq!(span.removed_at, None);
        assert_eq!(span.status, DeprecationStatus::Overdue);
        assert_eq!(t.from, parse("2026-01-01").unwrap());

        // Removed on time, long before the window: left out, and counted.
        s.removals.push(Stamped::at(
            4,
            "2026-02-01",
            RemovalRec {
                item: "old".into(),
                version: "0.4.0".into(),
            },
        ));
        let t = timeline(&f, &s, 7);
        assert!(t.spans.is_empty());
        assert_eq!(t.removed_earlier, 1);
        assert_eq!(t.from, parse("2026-02-22").unwrap());
        assert!(t.releases.is_empty());
        // Within a longer window it is shown.
        assert_eq!(
            timeline(&f, &s, 60).spans[0].status,
            DeprecationStatus::Removed
        );
    }
}
