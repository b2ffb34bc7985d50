//! Layer: middle, one governance section (see `domain::LAYERS`).
//!
//! Performance budgets: over-budget percentages and drift.

use serde::Serialize;

use super::{
    Error, Time,
    policy::BudgetPolicy,
    rule::{Code, Level},
    waiver::Waived,
};

pub use super::stats::{change_pct, median};
pub use super::terms::Direction;

/// A budget as it stands: the policy's definition, or the latest recorded one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Budget {
    pub id: String,
    pub title: String,
    pub category: String,
    pub metric: String,
    pub unit: String,
    pub threshold: f64,
    pub direction: Direction,
    pub ci_enforced: bool,
    pub source: String,
}

/// How far over budget a value is, in percent of the threshold; negative
/// when within budget (governance: Performance Regression).
/// A measured value as a budget accepts it: finite and not negative, since
/// every budget measures an amount (a latency, a size, a count).
pub fn measured(value: f64) -> Result<f64, Error> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(Error::invalid(
            "value",
            value,
            "a finite number from 0 (a budget measures a time, size or count)",
        ))
    }
}

pub fn over_pct(value: f64, threshold: f64, direction: Direction) -> f64 {
    // Multiply before dividing so that exactly 20% over is exactly 20.0.
    match direction {
        Direction::Max => (value - threshold) * 100.0 / threshold,
        Direction::Min => (threshold - value) * 100.0 / threshold,
    }
}

/// Where a value stands against its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// Over by more than the blocking margin: blocks the next release.
    OverBlocking,
    /// Over by no more than the blocking margin: must be documented.
    Over,
    /// Within budget.
    Within,
}

/// Judges a value against its budget.
pub fn standing(over_pct: f64, rules: &BudgetPolicy) -> Standing {
    if over_pct > rules.blocking_over_pct {
        Standing::OverBlocking
    } else if over_pct > 0.0 {
        Standing::Over
    } else {
        Standing::Within
    }
}

/// A budget's drift status, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DriftStatus {
    OverBlocking,
    Over,
    Drifting,
    /// Too few samples in the window to judge a shift.
    TooFewSamples,
    Ok,
    NoData,
}

impl DriftStatus {
    /// The status as shown.
    pub fn as_str(self) -> &'static str {
        match self {
            DriftStatus::OverBlocking => "over-blocking",
            DriftStatus::Over => "over",
            DriftStatus::Drifting => "drifting",
            DriftStatus::TooFewSamples => "too-few-samples",
            DriftStatus::Ok => "ok",
            DriftStatus::NoData => "no-data",
        }
    }

    /// Whether the status breaks policy (for `--check`).
    pub fn is_finding(self) -> bool {
        self.rule().is_some()
    }

    /// The rule of the finding this status is, if it is one.
    pub fn rule(self) -> Option<Code> {
        self.judged().map(|(rule, _)| rule)
    }

    /// The rule and level of the finding this status is, if it is one.
    pub fn judged(self) -> Option<(Code, Level)> {
        match self {
            DriftStatus::OverBlocking => Some((Code::BudgetOver, Level::Blocking)),
            DriftStatus::Over => Some((Code::BudgetOver, Level::Warning)),
            DriftStatus::Drifting => Some((Code::BudgetDrift, Level::Warning)),
            DriftStatus::TooFewSamples | DriftStatus::Ok | DriftStatus::NoData => None,
        }
    }
}

impl Standing {
    /// The rule of the finding this standing is, if it is one.
    pub fn rule(self) -> Option<Code> {
        self.judged().map(|(rule, _)| rule)
    }

    /// The rule and level of the finding this standing is, if it is one.
    pub fn judged(self) -> Option<(Code, Level)> {
        match self {
            Standing::OverBlocking => Some((Code::BudgetOver, Level::Blocking)),
            Standing::Over => Some((Code::BudgetOver, Level::Warning)),
            Standing::Within => None,
        }
    }
}

impl Drift {
    /// A finding (over, drifting) that is not waived.
    pub fn breaks_policy(&self) -> bool {
        self.status.is_finding() && self.waived.is_none()
    }
}

/// One budget's drift over a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drift {
    pub budget: String,
    pub unit: String,
    pub direction: Direction,
    pub threshold: f64,
    pub samples: usize,
    pub first: Option<f64>,
    pub last: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub median: Option<f64>,
    pub change_pct: Option<f64>,
    pub over_pct: Option<f64>,
    pub status: DriftStatus,
    /// The window's values in time order, for a trend line.
    pub values: Vec<f64>,
    /// The shifts the change-point detector found in the window (empty
    /// with the thirds method).
    pub shifts: Vec<ShiftRow>,
    /// The waiver in force on its finding.
    pub waived: Option<Waived>,
}

named_enum! {
    /// How drift is judged: shifts found by the change-point detector
    /// (`domain::changepoint`), or the median of the last third of the
    /// window against the first third's.
    DriftMethod, "drift method" {
        ChangePoints = "change-points",
        Thirds = "thirds",
    }
}

/// A shift in a budget's series, as `drift` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShiftRow {
    /// The time of the first sample after the change.
    pub at: Time,
    /// The first release shipped at or after `at`, when known.
    pub release: Option<String>,
    /// The medians around it, its size and its p-value.
    #[serde(flatten)]
    pub measured: super::changepoint::Shift,
    /// Recorded as expected (`accept-shift`): the new baseline.
    pub accepted: bool,
    /// In the budget's bad direction.
    pub regression: bool,
}

impl ShiftRow {
    /// The shift in words: "+24.6% on 2026-11-06 (shipped in 1.2.0)".
    pub fn describe(&self) -> String {
        let sign = if self.measured.change_pct > 0.0 {
            "+"
        } else {
            ""
        };
        let shipped = self
            .release
            .as_deref()
            .map(|r| format!(" (shipped in {r})"))
            .unwrap_or_default();
        format!(
            "{sign}{}% on {}{shipped}",
            super::fmt_num(self.measured.change_pct),
            super::time::date(self.at)
        )
    }
}

/// Whether accepting a shift at `at` accepts one of the shifts the
/// detector finds in `samples` (within 5 samples of it, as [`shifts`]
/// marks them): an acceptance that accepts none records nothing useful.
pub fn accepts_a_shift(
    budget: &Budget,
    samples: &[(Time, f64)],
    rules: &BudgetPolicy,
    at: Time,
) -> bool {
    shifts(budget, samples, rules, &[at])
        .iter()
        .any(|s| s.accepted)
}

/// The shifts of one budget's window, the ones accepted marked: a shift
/// is accepted when an acceptance names a time within 5 samples of it.
pub fn shifts(
    budget: &Budget,
    samples: &[(Time, f64)],
    rules: &BudgetPolicy,
    accepted: &[Time],
) -> Vec<ShiftRow> {
    let values: Vec<f64> = samples.iter().map(|(_, v)| *v).collect();
    let params = super::changepoint::Params::new(rules.drift_alpha, rules.drift_min_effect());
    super::changepoint::shifts(&values, &params)
        .into_iter()
        .map(|s| ShiftRow {
            at: samples[s.index].0,
            release: None,
            accepted: accepted.iter().any(|t| {
                let i = samples.partition_point(|(at, _)| at < t);
                i.abs_diff(s.index) <= 5
            }),
            regression: match budget.direction {
                Direction::Max => s.change_pct > 0.0,
                Direction::Min => s.change_pct < 0.0,
            },
            measured: s,
        })
        .collect()
}

/// Drift of one budget over the samples of a window, in time order,
/// judged by `method`; `accepted` holds the times of its accepted shifts.
pub fn drift(
    budget: &Budget,
    samples: &[(Time, f64)],
    rules: &BudgetPolicy,
    method: DriftMethod,
    accepted: &[Time],
) -> Drift {
    let values: Vec<f64> = samples.iter().map(|(_, v)| *v).collect();
    let last = values.last().copied();
    let over = last.map(|v| over_pct(v, budget.threshold, budget.direction));
    let change = change_pct(&values);
    let shifts = match method {
        DriftMethod::ChangePoints => shifts(budget, samples, rules, accepted),
        DriftMethod::Thirds => Vec::new(),
    };
    let worse = match method {
        DriftMethod::ChangePoints => shifts.iter().any(|s| s.regression && !s.accepted),
        DriftMethod::Thirds => change.is_some_and(|c| match budget.direction {
            Direction::Max => c > rules.drift_tolerance_pct,
            Direction::Min => c < -rules.drift_tolerance_pct,
        }),
    };
    let too_few = method == DriftMethod::ChangePoints && values.len() < rules.drift_min_samples;
    let status = match over.map(|p| standing(p, rules)) {
        None => DriftStatus::NoData,
        Some(Standing::OverBlocking) => DriftStatus::OverBlocking,
        Some(Standing::Over) => DriftStatus::Over,
        Some(Standing::Within) if too_few => DriftStatus::TooFewSamples,
        Some(Standing::Within) if worse => DriftStatus::Drifting,
        Some(Standing::Within) => DriftStatus::Ok,
    };
    Drift {
        budget: budget.id.clone(),
        unit: budget.unit.clone(),
        direction: budget.direction,
        threshold: budget.threshold,
        samples: values.len(),
        first: values.first().copied(),
        last,
        min: values.iter().copied().min_by(f64::total_cmp),
        max: values.iter().copied().max_by(f64::total_cmp),
        median: median(&values),
        change_pct: change,
        over_pct: over,
        status,
        values,
        shifts,
        waived: None,
    }
}

/// Sorts drift rows worst first, then by budget id.
pub fn sort_worst_first(rows: &mut [Drift]) {
    rows.sort_by(|a, b| {
        a.status
            .cmp(&b.status)
            .then_with(|| a.budget.cmp(&b.budget))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::Policy;

    fn budget(direction: Direction, threshold: f64) -> Budget {
        Budget {
            id: "b".into(),
            title: String::new(),
            category: "c".into(),
            metric: "m".into(),
            unit: "ms".into(),
            threshold,
            direction,
            ci_enforced: true,
            source: String::new(),
        }
    }

    fn series(values: &[f64]) -> Vec<(Time, f64)> {
        let t0 = crate::domain::time::parse("2026-01-01").unwrap();
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (t0 + chrono::Duration::days(i as i64), *v))
            .collect()
    }

    #[test]
    fn over_pct_follows_the_direction() {
        assert_eq!(over_pct(240.0, 200.0, Direction::Max), 20.0);
        assert_eq!(over_pct(150.0, 200.0, Direction::Max), -25.0);
        assert_eq!(over_pct(4000.0, 5000.0, Direction::Min), 20.0);
        assert_eq!(over_pct(6000.0, 5000.0, Direction::Min), -20.0);
    }

    #[test]
    fn exactly_the_blocking_margin_is_a_warning_and_beyond_it_blocks() {
        let rules = Policy::builtin().budgets;
        assert_eq!(standing(20.0, &rules), Standing::Over);
        assert_eq!(standing(20.01, &rules), Standing::OverBlocking);
        assert_eq!(standing(0.0, &rules), Standing::Within);
        assert_eq!(standing(0.5, &rules), Standing::Over);
    }

    #[test]
    fn change_compares_the_medians_of_the_outer_thirds() {
        // n = 6, k = 2: early median 100, late median 130.
        assert_eq!(
            change_pct(&[100.0, 100.0, 1.0, 999.0, 130.0, 130.0]),
            Some(30.0)
        );
        // n = 2, k = 1.
        assert_eq!(change_pct(&[100.0, 90.0]), Some(-10.0));
        assert_eq!(change_pct(&[100.0]), None);
        assert_eq!(change_pct(&[]), None);
        assert_eq!(change_pct(&[0.0, 5.0]), None);
    }

    #[test]
    fn drift_status_covers_every_case() {
        let rules = Policy::builtin().budgets;
        let max = budget(Direction::Max, 200.0);
        assert_eq!(
            drift(&max, &[], &rules, DriftMethod::Thirds, &[]).status,
            DriftStatus::NoData
        );
        let single = drift(&max, &series(&[150.0]), &rules, DriftMethod::Thirds, &[]);
        assert_eq!(
            (single.status, single.samples, single.change_pct),
            (DriftStatus::Ok, 1, None)
        );
        assert_eq!(
            drift(
                &max,
                &series(&[100.0, 111.0]),
                &rules,
                DriftMethod::Thirds,
                &[]
            )
            .status,
            DriftStatus::Drifting
        );
        // Exactly at the tolerance is not drift.
        assert_eq!(
            drift(
                &max,
                &series(&[100.0, 110.0]),
                &rules,
                DriftMethod::Thirds,
                &[]
            )
            .status,
            DriftStatus::Ok
        );
        assert_eq!(
            drift(
                &max,
                &series(&[150.0, 240.0]),
                &rules,
                DriftMethod::Thirds,
                &[]
            )
            .status,
            DriftStatus::Over
        );
        assert_eq!(
            drift(
                &max,
                &series(&[150.0, 241.0]),
                &rules,
                DriftMethod::Thirds,
                &[]
            )
            .status,
            DriftStatus::OverBlocking
        );
        // Improving is never drift.
        assert_eq!(
            drift(
                &max,
                &series(&[190.0, 100.0]),
                &rules,
                DriftMethod::Thirds,
                &[]
            )
            .status,
            DriftStatus::Ok
        );
    }

    /// `n` samples a day apart: `level` with a ±1% wobble, times `step`
    /// from sample `at` on.
    fn stepped(n: usize, level: f64, at: usize, step: f64) -> Vec<(Time, f64)> {
        let values: Vec<f64> = (0..n)
            .map(|i| {
                let wobble = [0.0, 0.01, -0.005, 0.008, -0.01, 0.003][i % 6];
                level * (1.0 + wobble) * if i >= at { step } else { 1.0 }
            })
            .collect();
        series(&values)
    }

    #[test]
    fn change_points_flag_an_unaccepted_regression_shift_and_say_when() {
        let rules = Policy::builtin().budgets;
        let max = budget(Direction::Max, 200.0);
        let cp = DriftMethod::ChangePoints;
        let samples = stepped(30, 100.0, 18, 1.2);
        let d = drift(&max, &samples, &rules, cp, &[]);
        assert_eq!(d.status, DriftStatus::Drifting, "{d:?}");
        assert_eq!(d.shifts.len(), 1);
        assert_eq!(d.shifts[0].at, samples[18].0);
        assert!(d.shifts[0].regression && !d.shifts[0].accepted);
        assert!(d.shifts[0].measured.p_value <= rules.drift_alpha);
        // Accepted (within a few samples of when it happened): the baseline.
        let d = drift(&max, &samples, &rules, cp, &[samples[17].0]);
        assert_eq!(d.status, DriftStatus::Ok, "{d:?}");
        assert!(d.shifts[0].accepted);
        // An improvement is reported, not flagged.
        let better = stepped(30, 100.0, 18, 0.8);
        let d = drift(&max, &better, &rules, cp, &[]);
        assert_eq!(d.status, DriftStatus::Ok);
        assert!(!d.shifts[0].regression);
        // A floor regresses downwards.
        let floor = budget(Direction::Min, 50.0);
        let d = drift(&floor, &better, &rules, cp, &[]);
        assert_eq!(d.status, DriftStatus::Drifting);
        // A steady series has no shift; a short one is not judged.
        let steady = stepped(30, 100.0, 30, 1.0);
        assert_eq!(
            drift(&max, &steady, &rules, cp, &[]).status,
            DriftStatus::Ok
        );
        let short = stepped(7, 100.0, 4, 1.5);
        assert_eq!(
            drift(&max, &short, &rules, cp, &[]).status,
            DriftStatus::TooFewSamples
        );
        // Over the threshold is judged whatever the count.
        let over = stepped(3, 210.0, 3, 1.0);
        assert_eq!(
            drift(&max, &over, &rules, cp, &[]).status,
            DriftStatus::Over
        );
    }

    #[test]
    fn an_acceptance_accepts_a_shift_only_near_one() {
        let b = budget(Direction::Max, 500.0);
        let rules = Policy::builtin().budgets;
        let series = stepped(60, 100.0, 30, 1.4);
        let shift_at = series[30].0;
        assert!(accepts_a_shift(&b, &series, &rules, shift_at));
        assert!(accepts_a_shift(&b, &series, &rules, series[34].0));
        assert!(!accepts_a_shift(&b, &series, &rules, series[5].0));
        let flat = stepped(60, 100.0, 30, 1.0);
        assert!(!accepts_a_shift(&b, &flat, &rules, shift_at));
    }

    #[test]
    fn a_floor_drifts_when_it_falls() {
        let rules = Policy::builtin().budgets;
        let floor = budget(Direction::Min, 5000.0);
        let d = drift(
            &floor,
            &series(&[8000.0, 7900.0, 7000.0, 6500.0, 6000.0, 5900.0]),
            &rules,
            DriftMethod::Thirds,
            &[],
        );
        assert_eq!(d.status, DriftStatus::Drifting);
        assert!(d.change_pct.unwrap() < -10.0);
        assert_eq!(
            drift(
                &floor,
                &series(&[5000.0, 9000.0]),
                &rules,
                DriftMethod::Thirds,
                &[]
            )
            .status,
            DriftStatus::Ok
        );
        assert_eq!(
            drift(&floor, &series(&[4500.0]), &rules, DriftMethod::Thirds, &[]).status,
            DriftStatus::Over
        );
    }

    proptest::proptest! {
        #[test]
        fn over_pct_is_positive_exactly_when_the_value_breaks_the_budget(
            value in 0.0f64..1000.0,
            threshold in 1.0f64..1000.0,
        ) {
            proptest::prop_assert_eq!(over_pct(value, threshold, Direction::Max) > 0.0, value > threshold);
            proptest::prop_assert_eq!(over_pct(value, threshold, Direction::Min) > 0.0, value < threshold);
        }

        #[test]
        fn a_series_that_only_rises_never_improves(mut values in proptest::collection::vec(1.0f64..1000.0, 2..40)) {
            values.sort_by(f64::total_cmp);
            let c = change_pct(&values).unwrap();
            proptest::prop_assert!(c >= 0.0);
            let m = median(&values).unwrap();
            proptest::prop_assert!(values[0] <= m && m <= values[values.len() - 1]);
        }
    }

    #[test]
    fn summary_figures_are_taken_over_the_window() {
        let rules = Policy::builtin().budgets;
        let d = drift(
            &budget(Direction::Max, 200.0),
            &series(&[120.0, 100.0, 140.0]),
            &rules,
            DriftMethod::Thirds,
            &[],
        );
        assert_eq!(
            (d.first, d.last, d.min, d.max, d.median),
            (
                Some(120.0),
                Some(140.0),
                Some(100.0),
                Some(140.0),
                Some(120.0)
            )
        );
        assert_eq!(d.over_pct, Some(-30.0));
    }
}
