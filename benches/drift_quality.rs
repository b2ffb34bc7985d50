//! How well drift detectors find real shifts and ignore noise, measured on
//! labelled series generated from a seed.
//!
//! `cargo bench --bench drift_quality` (`LEDGER_QUALITY_SEED` picks the
//! seed, `LEDGER_QUALITY_REPEATS` the series per cell, default 6;
//! `LEDGER_QUALITY_MISSES=1` lists the changes of 15% or more the ledger's
//! detector missed).
//!
//! The series: four kinds of stationary noise (Gaussian; log-normal;
//! bimodal, two modes 8% apart between which the series switches at random
//! and stays a while, as a CPU frequency step or a shared runner does;
//! Gaussian with 2% outliers at 5x), at noise levels of 1%, 2% and 4% of
//! the level, 30 to 1,000 samples long; some stationary, some with an
//! upward step of 2% to 30% (a regression of a `max` budget) a quarter to
//! three quarters of the way in, some with a slow ramp of 15% or 30%.
//!
//! A step or ramp of at least the minimum effect (the policy's drift
//! tolerance, 10%) is a true change; a smaller one is left out of every
//! count (reporting it is no error, missing it no miss). A detection
//! counts when it lies within 5 samples of a true step (within a ramp's
//! span for a ramp); any other detection is a false alarm.
//!
//! The detectors, all told to look for a 10% regression:
//! - `change points`: the ledger's detector (windowed Mann-Whitney, p <=
//!   0.001 after its guard), run on the whole series; its delay is the
//!   fewest samples after the change it needs to report it.
//! - `thirds`: the earlier `drift` method over a trailing 30-sample
//!   window (last third's median against the first third's), alarming when
//!   it turns over 10%.
//! - `percentage`: a Bencher-style percentage threshold, the newest sample
//!   against the mean of the 30 before it.
//! - `t-test`: a Bencher-style t-test threshold, the newest sample against
//!   the 99% upper bound of the t distribution of the 30 before it.
//!
//! The online ones alarm when their test turns true and start a fresh
//! baseline after an alarm.

use ledger::domain::{budget, changepoint};

const MIN_EFFECT: f64 = 10.0;
const TOLERANCE_SAMPLES: usize = 5;
const BASELINE: usize = 30;

/// SplitMix64: a small, seedable generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(1e-300);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Noise {
    Gaussian,
    LogNormal,
    Bimodal,
    Outliers,
}

impl Noise {
    fn name(self) -> &'static str {
        match self {
            Noise::Gaussian => "gaussian",
            Noise::LogNormal => "log-normal",
            Noise::Bimodal => "bimodal",
            Noise::Outliers => "outliers",
        }
    }
}

/// What was injected into a series.
#[derive(Clone, Copy)]
enum Change {
    None,
    /// An upward step of `pct` at index `at`.
    Step {
        at: usize,
        pct: f64,
    },
    /// A rise of `pct` spread evenly over `at..end`.
    Ramp {
        at: usize,
        end: usize,
        pct: f64,
    },
}

impl Change {
    fn pct(self) -> f64 {
        match self {
            Change::None => 0.0,
            Change::Step { pct, .. } | Change::Ramp { pct, .. } => pct,
        }
    }

    /// Whether a detection at `i` finds this change.
    fn matches(self, i: usize) -> bool {
        match self {
            Change::None => false,
            Change::Step { at, .. } => i.abs_diff(at) <= TOLERANCE_SAMPLES,
            Change::Ramp { at, end, .. } => {
                i + TOLERANCE_SAMPLES >= at && i <= end + TOLERANCE_SAMPLES
            }
        }
    }

    fn start(self) -> usize {
        match self {
            Change::None => 0,
            Change::Step { at, .. } | Change::Ramp { at, .. } => at,
        }
    }
}

struct Series {
    noise: Noise,
    sigma: f64,
    values: Vec<f64>,
    change: Change,
}

fn generate(rng: &mut Rng, noise: Noise, sigma: f64, n: usize, change: Change) -> Series {
    let mut mode = 0.0;
    let values = (0..n)
        .map(|i| {
            let level = 100.0
                * (1.0
                    + match change {
                        Change::None => 0.0,
                        Change::Step { at, pct } => {
                            if i >= at {
                                pct / 100.0
                            } else {
                                0.0
                            }
                        }
                        Change::Ramp { at, end, pct } => {
                            let done = (i.saturating_sub(at)) as f64 / (end - at) as f64;
                            done.clamp(0.0, 1.0) * pct / 100.0
                        }
                    });
            let e = rng.normal() * sigma;
            match noise {
                Noise::Gaussian => level * (1.0 + e),
                Noise::LogNormal => level * e.exp(),
                Noise::Bimodal => {
                    if rng.uniform() < 0.08 {
                        mode = 0.08 - mode;
                    }
                    level * (1.0 + mode) * (1.0 + e)
                }
                Noise::Outliers => {
                    let x = level * (1.0 + e);
                    if rng.uniform() < 0.02 { x * 5.0 } else { x }
                }
            }
        })
        .collect();
    Series {
        noise,
        sigma,
        values,
        change,
    }
}

/// A detector: the indexes where it reports a regression in `values`.
trait Detector {
    fn name(&self) -> &'static str;
    fn detect(&self, values: &[f64]) -> Vec<usize>;
    /// The samples after `at` it needs to report a change there, at most
    /// `limit`.
    fn delay(&self, values: &[f64], change: Change, limit: usize) -> Option<usize>;
}

struct ChangePoints;

impl Detector for ChangePoints {
    fn name(&self) -> &'static str {
        "change points"
    }

    fn detect(&self, values: &[f64]) -> Vec<usize> {
        changepoint::shifts(values, &changepoint::Params::new(0.001, MIN_EFFECT))
            .into_iter()
            .filter(|s| s.change_pct > 0.0)
            .map(|s| s.index)
            .collect()
    }

    fn delay(&self, values: &[f64], change: Change, limit: usize) -> Option<usize> {
        let at = change.start();
        (1..=limit)
            .take_while(|d| at + d <= values.len())
            .find(|d| {
                self.detect(&values[..at + d])
                    .iter()
                    .any(|i| change.matches(*i))
            })
    }
}

/// An online detector: a test of the newest sample against a baseline of
/// the samples since the last alarm (the last 30 of them).
struct Online {
    name: &'static str,
    test: fn(&[f64], f64) -> bool,
}

impl Online {
    fn alarms(&self, values: &[f64]) -> Vec<usize> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut on = false;
        for i in 0..values.len() {
            let from = start.max(i.saturating_sub(BASELINE));
            if i - from < 10 {
                continue;
            }
            let hit = (self.test)(&values[from..i], values[i]);
            if hit && !on {
                out.push(i);
                start = i;
            }
            on = hit;
        }
        out
    }
}

impl Detector for Online {
    fn name(&self) -> &'static str {
        self.name
    }

    fn detect(&self, values: &[f64]) -> Vec<usize> {
        self.alarms(values)
    }

    fn delay(&self, values: &[f64], change: Change, limit: usize) -> Option<usize> {
        let at = change.start();
        self.alarms(values)
            .into_iter()
            .find(|i| change.matches(*i) && *i >= at)
            .map(|i| i - at)
            .filter(|d| *d <= limit)
    }
}

fn thirds(window: &[f64], newest: f64) -> bool {
    let mut w = window.to_vec();
    w.push(newest);
    budget::change_pct(&w).is_some_and(|c| c > MIN_EFFECT)
}

fn mean_sd(w: &[f64]) -> (f64, f64) {
    let n = w.len() as f64;
    let mean = w.iter().sum::<f64>() / n;
    let var = w.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

fn percentage(window: &[f64], newest: f64) -> bool {
    let (mean, _) = mean_sd(window);
    newest > mean * (1.0 + MIN_EFFECT / 100.0)
}

fn t_test(window: &[f64], newest: f64) -> bool {
    let (mean, sd) = mean_sd(window);
    let df = (window.len() - 1) as f64;
    // The 99% quantile of Student's t (Cornish-Fisher from the normal's).
    let z: f64 = 2.326_347_874;
    let t = z
        + (z.powi(3) + z) / (4.0 * df)
        + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * df * df);
    newest > mean + t * sd * (1.0 + 1.0 / (df + 1.0)).sqrt()
}

#[derive(Default, Clone)]
struct Tally {
    true_positives: usize,
    false_positives: usize,
    changes: usize,
    found: usize,
    big_changes: usize,
    big_found: usize,
    delays: Vec<usize>,
    stationary_samples: usize,
    stationary_alarms: usize,
}

impl Tally {
    fn add(&mut self, d: &dyn Detector, s: &Series) {
        let hits = d.detect(&s.values);
        let counted = s.change.pct() >= MIN_EFFECT;
        let mut matched = false;
        for i in &hits {
            if s.change.matches(*i) {
                if counted && !matched {
                    self.true_positives += 1;
                }
                // A second report of the same change, or one of a change
                // below the minimum effect, is neither right nor wrong.
                matched = true;
            } else {
                self.false_positives += 1;
            }
        }
        if matches!(s.change, Change::None) {
            self.stationary_samples += s.values.len();
            self.stationary_alarms += hits.len();
        }
        if counted {
            self.changes += 1;
            if matched {
                self.found += 1;
                if let Some(delay) = d.delay(&s.values, s.change, 60) {
                    self.delays.push(delay);
                }
            }
            // The recall target's steps: at least 3 noise standard
            // deviations, and above the minimum effect (a step of exactly
            // the minimum is measured on either side of it about evenly).
            let pct = s.change.pct();
            if matches!(s.change, Change::Step { .. })
                && pct > MIN_EFFECT
                && pct >= 3.0 * s.sigma * 100.0
            {
                self.big_changes += 1;
                self.big_found += usize::from(matched);
            }
        }
    }

    fn precision(&self) -> f64 {
        let all = self.true_positives + self.false_positives;
        if all == 0 {
            1.0
        } else {
            self.true_positives as f64 / all as f64
        }
    }

    fn recall(&self) -> f64 {
        if self.changes == 0 {
            1.0
        } else {
            self.found as f64 / self.changes as f64
        }
    }

    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    fn false_alarms_per_1000(&self) -> f64 {
        self.stationary_alarms as f64 * 1000.0 / self.stationary_samples.max(1) as f64
    }
}

fn main() {
    let seed: u64 = std::env::var("LEDGER_QUALITY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_127);
    let repeats: usize = std::env::var("LEDGER_QUALITY_REPEATS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6);
    let mut rng = Rng(seed);
    let mut series = Vec::new();
    for noise in [
        Noise::Gaussian,
        Noise::LogNormal,
        Noise::Bimodal,
        Noise::Outliers,
    ] {
        for sigma in [0.01, 0.02, 0.04] {
            for n in [30, 100, 300, 1000] {
                for _ in 0..repeats {
                    let at = n / 4 + (rng.uniform() * (n / 2) as f64) as usize;
                    series.push(generate(&mut rng, noise, sigma, n, Change::None));
                    for pct in [2.0, 3.0, 5.0, 8.0, 10.0, 12.0, 15.0, 20.0, 30.0] {
                        series.push(generate(
                            &mut rng,
                            noise,
                            sigma,
                            n,
                            Change::Step { at, pct },
                        ));
                    }
                    for pct in [15.0, 30.0] {
                        let end = (at + n / 4).min(n - 1);
                        series.push(generate(
                            &mut rng,
                            noise,
                            sigma,
                            n,
                            Change::Ramp { at, end, pct },
                        ));
                    }
                }
            }
        }
    }
    let samples: usize = series.iter().map(|s| s.values.len()).sum::<usize>();
    if std::env::var_os("LEDGER_QUALITY_MISSES").is_some() {
        for s in series.iter().filter(|s| s.change.pct() >= 15.0) {
            let hits = ChangePoints.detect(&s.values);
            if !hits.iter().any(|i| s.change.matches(*i)) {
                println!(
                    "missed: {} sigma {} n {} at {} pct {} ramp {}: {:?}",
                    s.noise.name(),
                    s.sigma,
                    s.values.len(),
                    s.change.start(),
                    s.change.pct(),
                    matches!(s.change, Change::Ramp { .. }),
                    hits
                );
            }
        }
    }
    println!(
        "drift detector quality: {} series, {samples} samples, seed {seed}; a change is a regression of at least {MIN_EFFECT}%\n",
        series.len()
    );
    let detectors: Vec<Box<dyn Detector>> = vec![
        Box::new(ChangePoints),
        Box::new(Online {
            name: "thirds",
            test: thirds,
        }),
        Box::new(Online {
            name: "percentage",
            test: percentage,
        }),
        Box::new(Online {
            name: "t-test",
            test: t_test,
        }),
    ];
    println!(
        "{:<14} {:>9} {:>7} {:>6} {:>13} {:>11}   false alarms per 1,000 stationary samples",
        "detector", "precision", "recall", "F1", "steps >=3sd", "delay"
    );
    println!(
        "{:<14} {:>9} {:>7} {:>6} {:>13} {:>11}   {:>8} {:>10} {:>8} {:>8}",
        "", "", "", "", "(recall)", "(samples)", "gaussian", "log-normal", "bimodal", "outliers"
    );
    for d in &detectors {
        let mut all = Tally::default();
        let mut by_noise: Vec<Tally> = vec![Tally::default(); 4];
        for s in &series {
            all.add(d.as_ref(), s);
            let k = [
                Noise::Gaussian,
                Noise::LogNormal,
                Noise::Bimodal,
                Noise::Outliers,
            ]
            .iter()
            .position(|n| *n == s.noise)
            .unwrap_or(0);
            by_noise[k].add(d.as_ref(), s);
        }
        let delay = if all.delays.is_empty() {
            f64::NAN
        } else {
            all.delays.iter().sum::<usize>() as f64 / all.delays.len() as f64
        };
        println!(
            "{:<14} {:>9.3} {:>7.3} {:>6.3} {:>13.3} {:>11.1}   {:>8.2} {:>10.2} {:>8.2} {:>8.2}",
            d.name(),
            all.precision(),
            all.recall(),
            all.f1(),
            all.big_found as f64 / all.big_changes.max(1) as f64,
            delay,
            by_noise[0].false_alarms_per_1000(),
            by_noise[1].false_alarms_per_1000(),
            by_noise[2].false_alarms_per_1000(),
            by_noise[3].false_alarms_per_1000(),
        );
    }
    // Speed: one budget's ten years of daily samples (3,650), with a step.
    let ten_years = generate(
        &mut rng,
        Noise::LogNormal,
        0.02,
        3650,
        Change::Step {
            at: 2900,
            pct: 15.0,
        },
    );
    let mut times: Vec<f64> = (0..7)
        .map(|_| {
            let start = std::time::Instant::now();
            let found = ChangePoints.detect(&ten_years.values);
            assert!(!found.is_empty(), "the ten-year step is found");
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "\nchange points over 3,650 samples (one budget, ten years of nightly runs): {:.1} ms (median of 7)",
        times[3]
    );

    // Where each detector's recall comes from: by step size, then by
    // series length.
    println!("\nrecall of steps by size (every noise kind and length)");
    print!("{:<14}", "detector");
    let sizes = [10.0, 12.0, 15.0, 20.0, 30.0];
    for pct in sizes {
        print!(" {:>7}", format!("{pct}%"));
    }
    println!();
    for d in &detectors {
        print!("{:<14}", d.name());
        for pct in sizes {
            let mut t = Tally::default();
            for s in series
                .iter()
                .filter(|s| matches!(s.change, Change::Step { .. }) && s.change.pct() == pct)
            {
                t.add(d.as_ref(), s);
            }
            print!(" {:>7.3}", t.recall());
        }
        println!();
    }

    println!("\nrecall of changes of at least {MIN_EFFECT}% by series length (steps and ramps)");
    print!("{:<14}", "detector");
    let lengths = [30, 100, 300, 1000];
    for n in lengths {
        print!(" {:>7}", format!("n={n}"));
    }
    println!();
    for d in &detectors {
        print!("{:<14}", d.name());
        for n in lengths {
            let mut t = Tally::default();
            for s in series.iter().filter(|s| s.values.len() == n) {
                t.add(d.as_ref(), s);
            }
            print!(" {:>7.3}", t.recall());
        }
        println!();
    }
}
