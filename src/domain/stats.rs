//! Layer: bottom (see `domain::LAYERS`).
//!
//! Layer: bottom (imports nothing). Summary statistics the rules share:
//! medians and the change between the ends of a series.

/// The median of a non-empty slice (mean of the middle two when even).
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}

/// The change from the early to the late part of a series, in percent:
/// with n samples and k = max(1, n/3), the median of the last k against the
/// median of the first k. `None` with fewer than two samples or an early
/// median of zero.
pub fn change_pct(values: &[f64]) -> Option<f64> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let k = (n / 3).max(1);
    let early = median(&values[..k])?;
    let late = median(&values[n - k..])?;
    if early == 0.0 {
        return None;
    }
    Some((late - early) * 100.0 / early)
}
