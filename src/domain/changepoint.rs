//! Layer: middle, one governance section (see `domain::LAYERS`).
//!
//! Change points in a budget's series: where it shifted, by how much, and
//! how sure that is.
//!
//! The method is a multi-scale windowed Mann–Whitney U test:
//! - At each scale W (8, 16, 32, … samples, half the series, all of it),
//!   every point is scored by the U statistic of the W samples before it
//!   against the W after it (fewer at the ends, never under
//!   `min_segment`).
//! - A score's p-value (normal approximation, tie-corrected) is multiplied
//!   by the number of independent tests made (Bonferroni over about
//!   points / W windows per scale), the guard against finding a change in
//!   noise because many places were looked at.
//! - The most significant point is a change; points within its window are
//!   then passed over, and the next most significant is taken, until none
//!   is left under `alpha`.
//!
//! Comparing a window on each side, rather than the whole series split in
//! two (binary segmentation), finds a step that is later undone (a
//! regression fixed a month on) and a late step that two long sides would
//! dilute. Small windows place a large step precisely; large ones find a
//! small step in heavy noise.
//!
//! Why ranks rather than means (E-divisive with a t-test, as Otava does):
//! CI timings are log-normal, bimodal and dotted with outliers, and a rank
//! test needs no normality and gives an outlier five times the median no
//! more weight than any sample above it. It is also deterministic (no
//! permutation test).
//!
//! A change only says the two sides differ. Whether it is a shift worth
//! reporting is the effect: the change of the median after against the
//! median before (between the neighbouring changes), in percent, which
//! must reach a minimum (the policy's drift tolerance by default). The
//! size is also given as the Hodges–Lehmann estimate (the median of every
//! after-minus-before difference), which one outlier cannot move.

use serde::Serialize;

use super::stats::median;

/// How the detector judges.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// The largest p-value (after the multiple-testing guard) a shift may
    /// have.
    pub alpha: f64,
    /// The smallest change of the median, in percent either way, that is
    /// reported.
    pub min_effect_pct: f64,
    /// The fewest samples on each side of a split.
    pub min_segment: usize,
}

impl Params {
    /// The detector at significance `alpha` and minimum effect
    /// `min_effect_pct`, with segments of at least 4 samples.
    pub fn new(alpha: f64, min_effect_pct: f64) -> Params {
        Params {
            alpha,
            min_effect_pct,
            min_segment: 4,
        }
    }
}

/// One shift found in a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shift {
    /// The index of the first sample after the change.
    #[serde(skip)]
    pub index: usize,
    /// The median of the segment before it.
    pub before: f64,
    /// The median of the segment after it.
    pub after: f64,
    /// `after` against `before`, in percent.
    pub change_pct: f64,
    /// The Hodges–Lehmann shift of after against before, in the series'
    /// unit, with its 95% confidence interval.
    pub shift: f64,
    pub shift_low: f64,
    pub shift_high: f64,
    /// The change's p-value, multiplied by the independent tests made.
    pub p_value: f64,
}

/// Every shift in `values` (in time order) that is significant and at
/// least the minimum effect, in order.
pub fn shifts(values: &[f64], p: &Params) -> Vec<Shift> {
    let cuts = changes(values, p);
    let mut out = Vec::new();
    for (n, c) in cuts.iter().enumerate() {
        // Each side: the change's window, stopping at the next change.
        let from =
            c.at.saturating_sub(c.window)
                .max(if n > 0 { cuts[n - 1].at } else { 0 });
        let to = (c.at + c.window).min(cuts.get(n + 1).map_or(values.len(), |next| next.at));
        let (before_seg, after_seg) = (&values[from..c.at], &values[c.at..to]);
        let (Some(before), Some(after)) = (median(before_seg), median(after_seg)) else {
            continue;
        };
        if before == 0.0 {
            continue;
        }
        let change_pct = (after - before) * 100.0 / before.abs();
        if change_pct.abs() < p.min_effect_pct {
            continue;
        }
        let (shift, shift_low, shift_high) = hodges_lehmann(before_seg, after_seg);
        out.push(Shift {
            index: c.at,
            before,
            after,
            change_pct,
            shift,
            shift_low,
            shift_high,
            p_value: c.p_value,
        });
    }
    out
}

/// The significant change points of `values`, in order.
fn changes(values: &[f64], p: &Params) -> Vec<Cut> {
    let n = values.len();
    let m = p.min_segment.max(2);
    if n < 2 * m {
        return Vec::new();
    }
    // Windows of 8, 16, 32, … samples a side, half the series, and all of
    // it (everything before a point against everything after: an early
    // or late step in a short series has only that many samples).
    let mut scales = Vec::new();
    let mut w = 8.max(m);
    while w < n / 2 {
        scales.push(w);
        w *= 2;
    }
    scales.push(n / 2);
    scales.push(n);
    // The guard counts the independent tests made: neighbouring points
    // of one scale share all but one sample of their windows, so a scale
    // of window w makes about (points / w) independent tests; Bonferroni
    // over every point would count each change w times over.
    let points = n - 2 * m + 1;
    let tried: f64 = scales.iter().map(|w| points.div_ceil(*w) as f64).sum();
    let dense = DenseRanks::of(values);
    // (p-value, |z|, point, half-width of its window)
    let mut candidates: Vec<(f64, f64, usize, usize)> = Vec::new();
    // A point needs |z| of at least this to be significant: found once,
    // so the tail is computed only for the few points past it.
    let critical = critical_z(p.alpha / (2.0 * tried));
    for &w in &scales {
        for (t, z) in dense.window_scores(w, m, critical) {
            let p_value = (2.0 * normal_sf(z.abs()) * tried).min(1.0);
            if p_value <= p.alpha {
                candidates.push((p_value, z.abs(), t, w));
            }
        }
    }
    // Most significant first (the larger |z| where p-values underflow
    // alike), then the narrower window, which places a change closer.
    candidates.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then(b.1.total_cmp(&a.1))
            .then(a.3.cmp(&b.3))
            .then(a.2.cmp(&b.2))
    });
    // A change's window is its own: a less significant point inside it
    // (at its own scale or the change's) is the same change.
    let mut taken: Vec<(usize, f64, usize)> = Vec::new();
    for (p_value, _, t, w) in candidates {
        if !taken.iter().any(|(u, _, uw)| t.abs_diff(*u) < w.max(*uw)) {
            taken.push((t, p_value, w));
        }
    }
    // Each change placed where a split of its own window separates best.
    let mut cuts: Vec<Cut> = taken
        .into_iter()
        .map(|(t, p_value, w)| {
            let from = t.saturating_sub(w);
            let to = (t + w).min(n);
            let at = best_split(&values[from..to], m).map_or(t, |k| from + k);
            Cut {
                at,
                p_value,
                window: w,
            }
        })
        .collect();
    cuts.sort_by_key(|c| c.at);
    cuts.dedup_by_key(|c| c.at);
    cuts
}

/// A change point: where, how sure, and the window it was seen in.
struct Cut {
    at: usize,
    p_value: f64,
    window: usize,
}

/// The split of `seg` (each side at least `m` long) whose Mann–Whitney |z|
/// is largest.
fn best_split(seg: &[f64], m: usize) -> Option<usize> {
    let n = seg.len();
    if n < 2 * m {
        return None;
    }
    let (ranks, _) = ranks(seg);
    let nf = n as f64;
    let mut rank_sum = 0.0;
    let mut best: Option<(usize, f64)> = None;
    for (k, r) in ranks.iter().enumerate().take(n - m) {
        rank_sum += r;
        let n1 = (k + 1) as f64;
        if k + 1 < m {
            continue;
        }
        let n2 = nf - n1;
        let u = rank_sum - n1 * (n1 + 1.0) / 2.0;
        let z = (u - n1 * n2 / 2.0) / (n1 * n2 * (nf + 1.0) / 12.0).sqrt();
        if best.is_none_or(|(_, bz)| z.abs() > bz) {
            best = Some((k + 1, z.abs()));
        }
    }
    best.map(|(k, _)| k)
}

/// A series' values as dense ranks (equal values share one), for sliding
/// two windows along it with counts kept in Fenwick trees.
struct DenseRanks {
    ranks: Vec<usize>,
    distinct: usize,
}

impl DenseRanks {
    fn of(values: &[f64]) -> DenseRanks {
        let mut sorted: Vec<f64> = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        sorted.dedup();
        let ranks = values
            .iter()
            .map(|v| sorted.partition_point(|s| s.total_cmp(v).is_lt()))
            .collect();
        DenseRanks {
            ranks,
            distinct: sorted.len(),
        }
    }

    /// For each point t with at least `m` samples on each side, the
    /// Mann–Whitney z of the (up to) `w` samples from t on against the (up
    /// to) `w` before it, tie-corrected: those with |z| of at least
    /// `critical` (compared squared, so most points cost no square root).
    fn window_scores(&self, w: usize, m: usize, critical: f64) -> Vec<(usize, f64)> {
        let n = self.ranks.len();
        let mut out = Vec::new();
        if m == 0 || w < m || n < 2 * m {
            return out;
        }
        let mut left = Fenwick::new(self.distinct);
        let mut right = Fenwick::new(self.distinct);
        let (mut nl, mut nr) = (0usize, 0usize);
        // How many of each value the two windows hold together, and the
        // tie term: the sum of c³ − c over those counts.
        let mut together = vec![0usize; self.distinct];
        let mut ties = 0.0;
        let mut count = |d: usize, up: bool, ties: &mut f64| {
            let c = together[d] as f64;
            *ties -= c * c * c - c;
            together[d] = if up { together[d] + 1 } else { together[d] - 1 };
            let c = together[d] as f64;
            *ties += c * c * c - c;
        };
        // u: pairs (after, before) with after higher, ties counting half.
        let mut u = 0.0;
        for &d in &self.ranks[..m] {
            left.add(d, 1);
            nl += 1;
            count(d, true, &mut ties);
        }
        for &d in &self.ranks[m..(m + w).min(n)] {
            u += left.below(d) as f64 + left.at(d) as f64 / 2.0;
            right.add(d, 1);
            nr += 1;
            count(d, true, &mut ties);
        }
        let mut t = m;
        loop {
            let (n1, n2) = (nl as f64, nr as f64);
            let total = n1 + n2;
            let spread = (total + 1.0) - ties / (total * (total - 1.0));
            let (d, var) = (u - n1 * n2 / 2.0, n1 * n2 / 12.0 * spread);
            if spread > 0.0 && d * d >= critical * critical * var {
                out.push((t, d / var.sqrt()));
            }
            if t + m >= n {
                break;
            }
            // Slide: the oldest leaves the left window once it is full, the
            // first of the right window moves to the left, and a new one
            // joins the right while there is one.
            if t >= w {
                let old = self.ranks[t - w];
                u -= (nr - right.through(old)) as f64 + right.at(old) as f64 / 2.0;
                left.add(old, -1);
                nl -= 1;
                count(old, false, &mut ties);
            }
            let mid = self.ranks[t];
            right.add(mid, -1);
            nr -= 1;
            u -= left.below(mid) as f64 + left.at(mid) as f64 / 2.0;
            u += (nr - right.through(mid)) as f64 + right.at(mid) as f64 / 2.0;
            left.add(mid, 1);
            nl += 1;
            if t + w < n {
                let new = self.ranks[t + w];
                u += left.below(new) as f64 + left.at(new) as f64 / 2.0;
                right.add(new, 1);
                nr += 1;
                count(new, true, &mut ties);
            }
            t += 1;
        }
        out
    }
}

/// Counts by dense rank, with prefix sums in O(log n).
struct Fenwick {
    tree: Vec<i64>,
    at: Vec<i64>,
}

impl Fenwick {
    fn new(n: usize) -> Fenwick {
        Fenwick {
            tree: vec![0; n + 1],
            at: vec![0; n],
        }
    }

    fn add(&mut self, d: usize, by: i64) {
        self.at[d] += by;
        let mut i = d + 1;
        while i < self.tree.len() {
            self.tree[i] += by;
            i += i & i.wrapping_neg();
        }
    }

    /// How many at ranks up to and including `d`.
    fn through(&self, d: usize) -> usize {
        let mut i = d + 1;
        let mut sum = 0;
        while i > 0 {
            sum += self.tree[i];
            i -= i & i.wrapping_neg();
        }
        sum as usize
    }

    /// How many below rank `d`.
    fn below(&self, d: usize) -> usize {
        if d == 0 { 0 } else { self.through(d - 1) }
    }

    /// How many at rank `d`.
    fn at(&self, d: usize) -> usize {
        self.at[d] as usize
    }
}

/// The ranks of `values` (1-based, ties sharing their mean rank), and the
/// sum of t³ − t over the groups of t tied values.
fn ranks(values: &[f64]) -> (Vec<f64>, f64) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut ties = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && values[order[j]] == values[order[i]] {
            j += 1;
        }
        let mean_rank = (i + j + 1) as f64 / 2.0;
        for &o in &order[i..j] {
            ranks[o] = mean_rank;
        }
        let t = (j - i) as f64;
        ties += t * t * t - t;
        i = j;
    }
    (ranks, ties)
}

/// The median of every `after - before` difference, with its 95%
/// confidence interval (the distribution-free one that inverts the
/// Mann–Whitney test: the K-th smallest and K-th largest differences).
pub fn hodges_lehmann(before: &[f64], after: &[f64]) -> (f64, f64, f64) {
    // A long series is thinned to at most 100 samples a side (evenly),
    // which keeps the estimate's cost bounded and its value close.
    let thin = |s: &[f64]| -> Vec<f64> {
        let step = s.len().div_ceil(100).max(1);
        s.iter().step_by(step).copied().collect()
    };
    let (b, a) = (thin(before), thin(after));
    let mut diffs: Vec<f64> = a
        .iter()
        .flat_map(|x| b.iter().map(move |y| x - y))
        .collect();
    if diffs.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    diffs.sort_by(f64::total_cmp);
    let estimate = median(&diffs).unwrap_or_default();
    let (n1, n2) = (b.len() as f64, a.len() as f64);
    let z = 1.959_963_985;
    let k = (n1 * n2 / 2.0 - z * (n1 * n2 * (n1 + n2 + 1.0) / 12.0).sqrt()).floor();
    let k = (k.max(1.0) as usize).min(diffs.len());
    (estimate, diffs[k - 1], diffs[diffs.len() - k])
}

/// The z whose upper tail is `tail` (bisection on [`normal_sf`]), a
/// little under it so no significant point is passed over.
fn critical_z(tail: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 40.0f64);
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if normal_sf(mid) > tail {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo - 1e-9
}

/// P(Z > z) of a standard normal Z.
pub fn normal_sf(z: f64) -> f64 {
    erfc(z / std::f64::consts::SQRT_2) / 2.0
}

/// The complementary error function, to a fractional error below 1.2e-7
/// everywhere (the Chebyshev fit of Numerical Recipes' `erfcc`), so the
/// small p-values the detector compares keep their precision.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let ans = t * poly.exp();
    if x >= 0.0 { ans } else { 2.0 - ans }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic wobble of about ±1% around `level`.
    fn noisy(level: f64, n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = (s >> 11) as f64 / (1u64 << 53) as f64;
                level * (1.0 + (u - 0.5) * 0.02)
            })
            .collect()
    }

    /// The Mann–Whitney z of `right` against `left`, computed directly.
    fn direct_z(left: &[f64], right: &[f64]) -> f64 {
        let both: Vec<f64> = left.iter().chain(right).copied().collect();
        let (ranks, ties) = ranks(&both);
        let (n1, n2) = (left.len() as f64, right.len() as f64);
        let n = n1 + n2;
        let u: f64 = ranks[left.len()..].iter().sum::<f64>() - n2 * (n2 + 1.0) / 2.0;
        let var = n1 * n2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)));
        (u - n1 * n2 / 2.0) / var.sqrt()
    }

    proptest::proptest! {
        /// The sliding windows score every point as a fresh count would,
        /// ties included.
        #[test]
        fn sliding_scores_equal_direct_ones(
            values in proptest::collection::vec(0u8..6, 16..80),
            w in 2usize..9,
        ) {
            let values: Vec<f64> = values.into_iter().map(f64::from).collect();
            let scores = DenseRanks::of(&values).window_scores(w, 2, 0.0);
            proptest::prop_assert!(!scores.is_empty());
            for (t, z) in scores {
                let n = values.len();
                let direct = direct_z(&values[t.saturating_sub(w)..t], &values[t..(t + w).min(n)]);
                proptest::prop_assert!((z - direct).abs() < 1e-9, "t {t}: {z} vs {direct}");
            }
        }
    }

    #[test]
    fn the_normal_tail_is_right_where_p_values_are_judged() {
        assert!((normal_sf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_sf(1.959_963_985) - 0.025).abs() < 1e-7);
        assert!((normal_sf(3.290_526_731) / 0.0005 - 1.0).abs() < 1e-5);
        assert!((normal_sf(-1.0) - 0.841_344_746).abs() < 1e-7);
    }

    #[test]
    fn a_step_is_found_where_it_happened_with_its_size() {
        let mut v = noisy(100.0, 40, 1);
        v.extend(noisy(120.0, 30, 2));
        let s = shifts(&v, &Params::new(0.001, 10.0));
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].index, 40);
        assert!((s[0].change_pct - 20.0).abs() < 1.5, "{s:?}");
        assert!((s[0].shift - 20.0).abs() < 1.5, "{s:?}");
        assert!(
            s[0].shift_low < s[0].shift && s[0].shift < s[0].shift_high,
            "{s:?}"
        );
        assert!(s[0].shift_low > 15.0 && s[0].shift_high < 25.0, "{s:?}");
        assert!(s[0].p_value < 1e-6, "{s:?}");
    }

    #[test]
    fn noise_and_shifts_below_the_minimum_effect_are_not_reported() {
        let flat = noisy(100.0, 200, 3);
        assert!(shifts(&flat, &Params::new(0.001, 10.0)).is_empty());
        let mut small = noisy(100.0, 50, 4);
        small.extend(noisy(105.0, 50, 5));
        assert!(shifts(&small, &Params::new(0.001, 10.0)).is_empty());
        // With a smaller minimum effect, the same 5% step is a shift.
        assert_eq!(shifts(&small, &Params::new(0.001, 2.0)).len(), 1);
    }

    #[test]
    fn several_steps_are_each_found_and_outliers_do_not_make_one() {
        let mut v = noisy(100.0, 30, 6);
        v.extend(noisy(130.0, 30, 7));
        v.extend(noisy(100.0, 30, 8));
        v[10] = 500.0;
        v[75] = 5.0;
        let s = shifts(&v, &Params::new(0.001, 10.0));
        let at: Vec<usize> = s.iter().map(|s| s.index).collect();
        assert_eq!(at, [30, 60], "{s:?}");
        assert!(s[0].change_pct > 25.0 && s[1].change_pct < -20.0, "{s:?}");
    }

    #[test]
    fn too_short_or_constant_series_have_no_shift() {
        let p = Params::new(0.001, 10.0);
        assert!(shifts(&[], &p).is_empty());
        assert!(shifts(&[1.0, 2.0, 3.0], &p).is_empty());
        assert!(shifts(&[7.0; 50], &p).is_empty());
        // A step between two constant runs is certain, and found.
        let mut v = vec![10.0; 20];
        v.extend([20.0; 20]);
        assert_eq!(shifts(&v, &p)[0].index, 20);
    }

    #[test]
    fn a_ten_year_daily_series_yields_its_one_shift() {
        let mut v = noisy(100.0, 2000, 9);
        v.extend(noisy(115.0, 1650, 10));
        let s = shifts(&v, &Params::new(0.001, 10.0));
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].index, 2000);
    }
}
