//! Layer: middle, one governance section (see `domain::LAYERS`).
//!
//! Deprecation windows (governance: Deprecation Policy).
//!
//! A window W is the number of `major.minor` lines that must ship the
//! deprecation warning before an item may be removed. Post-1.0 a removal is
//! a breaking change and may only land in a later major.

use semver::Version;
use serde::Serialize;

use super::{
    Error, Time,
    policy::DeprecationPolicy,
    record::{DeprecationRec, RemovalRec},
};

pub use super::terms::DeprecationKind;

/// Where a deprecation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeprecationStatus {
    /// Within its window, or its window has not yet offered a removal.
    Active,
    /// Not removed, though a removal opportunity has shipped.
    Overdue,
    /// Removed in an opportunity.
    Removed,
    /// Removed in a version that is not an opportunity: a policy violation.
    Premature,
    /// Kept on purpose (the item's `--keep`, or a kind the policy keeps):
    /// never overdue, and no release is asked to remove it.
    Kept,
}

impl DeprecationStatus {
    /// Whether the status breaks policy: past its window, or removed early.
    pub fn is_finding(self) -> bool {
        self.rule().is_some()
    }

    /// The rule of the finding this status is, if it is one.
    pub fn rule(self) -> Option<super::rule::Code> {
        match self {
            DeprecationStatus::Overdue => Some(super::rule::Code::DeprecationOverdue),
            DeprecationStatus::Premature => Some(super::rule::Code::DeprecationPremature),
            _ => None,
        }
    }

    /// The status as shown.
    pub fn as_str(self) -> &'static str {
        match self {
            DeprecationStatus::Active => "active",
            DeprecationStatus::Overdue => "overdue",
            DeprecationStatus::Removed => "removed",
            DeprecationStatus::Premature => "premature",
            DeprecationStatus::Kept => "kept",
        }
    }
}

pub use super::release::Shipped;

/// The window for a deprecation: by kind, and by phase of the version it
/// was deprecated in (pre-1.0 when its major is 0).
pub fn window(
    policy: &DeprecationPolicy,
    kind: DeprecationKind,
    deprecated_in: &Version,
) -> Option<u32> {
    if deprecated_in.major == 0 {
        policy.windows.pre_1_0.get(kind)
    } else {
        policy.windows.post_1_0.get(kind)
    }
}

/// The window an item of `kind` deprecated in `version` gets, or a refusal
/// naming what the policy would need: a kind the policy sets no window for
/// is not governed, so nothing could ever say when it may go.
pub fn governed_window(
    policy: &DeprecationPolicy,
    kind: DeprecationKind,
    version: &Version,
) -> Result<u32, Error> {
    window(policy, kind, version).ok_or_else(|| {
        let w = &policy.windows;
        let mut known: Vec<&str> = w.pre_1_0.kinds().chain(w.post_1_0.kinds()).collect();
        known.sort_unstable();
        known.dedup();
        if !known.is_empty() && !known.contains(&kind.as_str()) {
            return Error::unknown("deprecation kind", kind.as_str(), known);
        }
        let phase = if version.major == 0 { "pre_1_0" } else { "post_1_0" };
        Error::State(format!(
            "the policy sets no deprecation window for {kind} items deprecated in {version}; add deprecations.windows.{phase}.{kind} (in minor lines) to govern them"
        ))
    })
}

/// The release a version leads to (governance: Release Types, a
/// pre-release is a validation window before its release): it is judged as
/// the release it prepares (`0.5.0-rc.1` as `0.5.0`), so removing an item in a release
/// candidate is judged as removing it in the release.
pub fn leads_to(version: &Version) -> Version {
    Version::new(version.major, version.minor, version.patch)
}

type Line = (u64, u64);

fn line_of(v: &Version) -> Line {
    (v.major, v.minor)
}

/// One `major.minor` line and the releases shipped in it.
#[derive(Debug, Clone)]
struct ShippedLine {
    line: Line,
    /// When the line first shipped.
    first: Time,
    /// Its releases in shipping order (then version order).
    releases: Vec<Shipped>,
}

impl ShippedLine {
    /// When the line first shipped a version at or after `deprecated_in`
    /// (its releases are in shipping order).
    fn warned_from(&self, deprecated_in: &Version) -> Option<Time> {
        self.releases
            .iter()
            .find(|s| s.version >= *deprecated_in)
            .map(|s| s.date)
    }
}

/// Keeps `t` among the `window` earliest warning dates (`warned`,
/// ascending) if it is one of them.
fn warn(warned: &mut Vec<Time>, window: usize, t: Time) {
    if warned.len() == window && warned.last().is_none_or(|w| *w <= t) {
        return;
    }
    let at = warned.partition_point(|w| *w <= t);
    warned.insert(at, t);
    warned.truncate(window);
}

/// The shipped releases, grouped by line and ordered once, so that every
/// deprecation of a project is judged without rescanning the history.
///
/// governance: Deprecation Policy. A line warns before a release R only if
/// it shipped before R did (the same day counts): a release shipped later
/// never rewrites a past answer. Pre-releases are not shipped lines.
#[derive(Debug, Clone, Default)]
pub struct ShippedLines {
    /// In line order.
    lines: Vec<ShippedLine>,
    /// `suffix_first[i]`: the earliest `first` among `lines[i..]`.
    suffix_first: Vec<Time>,
    /// When the first stable (`>= 1.0.0`) release shipped.
    stable_since: Option<Time>,
    /// `next_major[i]`: the first line after `lines[i]` that opens a major
    /// (`X.0`), or the number of lines.
    next_major: Vec<usize>,
    /// `in_order_until[i]`: the end of the run of lines from `lines[i]`
    /// that first shipped in line order.
    in_order_until: Vec<usize>,
}

impl ShippedLines {
    /// Groups the shipped releases (given in any order); pre-releases are
    /// left out.
    pub fn new(shipped: &[Shipped]) -> ShippedLines {
        let mut releases: Vec<Shipped> = shipped
            .iter()
            .filter(|s| s.version.pre.is_empty())
            .cloned()
            .collect();
        releases.sort_by(|a, b| {
            (line_of(&a.version), a.date, &a.version).cmp(&(
                line_of(&b.version),
                b.date,
                &b.version,
            ))
        });
        let stable_since = releases
            .iter()
            .filter(|s| s.version.major >= 1)
            .map(|s| s.date)
            .min();
        let mut lines: Vec<ShippedLine> = Vec::new();
        for s in releases {
            match lines.last_mut() {
                Some(l) if l.line == line_of(&s.version) => l.releases.push(s),
                _ => lines.push(ShippedLine {
                    line: line_of(&s.version),
                    first: s.date,
                    releases: vec![s],
                }),
            }
        }
        let mut suffix_first: Vec<Time> = lines.iter().map(|l| l.first).collect();
        for i in (0..suffix_first.len().saturating_sub(1)).rev() {
            suffix_first[i] = suffix_first[i].min(suffix_first[i + 1]);
        }
        let n = lines.len();
        let (mut next_major, mut in_order_until) = (vec![n; n], vec![n; n]);
        for i in (0..n.saturating_sub(1)).rev() {
            next_major[i] = if lines[i + 1].line.1 == 0 {
                i + 1
            } else {
                next_major[i + 1]
            };
            in_order_until[i] = if lines[i].first <= lines[i + 1].first {
                in_order_until[i + 1]
            } else {
                i + 1
            };
        }
        ShippedLines {
            lines,
            suffix_first,
            stable_since,
            next_major,
            in_order_until,
        }
    }

    /// When `version` shipped, if it did.
    pub fn shipped_at(&self, version: &Version) -> Option<Time> {
        let i = self
            .lines
            .binary_search_by(|l| l.line.cmp(&line_of(version)))
            .ok()?;
        self.lines[i]
            .releases
            .iter()
            .find(|s| s.version == *version)
            .map(|s| s.date)
    }

    /// Whether 1.0.0 (or a later stable release) had shipped by `at`
    /// (`None`: by now).
    fn stable_by(&self, at: Option<Time>) -> bool {
        self.stable_since
            .is_some_and(|first| at.is_none_or(|t| first <= t))
    }

    /// The earliest time a release of the deprecation's own line at or
    /// after the deprecating version shipped.
    fn own_line_warned(&self, deprecated_in: &Version) -> Option<Time> {
        let i = self
            .lines
            .binary_search_by(|l| l.line.cmp(&line_of(deprecated_in)))
            .ok()?;
        self.lines[i].warned_from(deprecated_in)
    }

    /// lines(R) at time `at` (`None`: now): the distinct `major.minor`
    /// lines earlier than `release`'s own that shipped a version at or
    /// after the deprecation by then.
    pub fn lines_before(
        &self,
        release: &Version,
        deprecated_in: &Version,
        at: Option<Time>,
    ) -> usize {
        let own = line_of(release);
        let first = line_of(deprecated_in);
        if own <= first {
            return 0;
        }
        let shipped_by = |t: Time| at.is_none_or(|at| t <= at);
        let own_line = self.own_line_warned(deprecated_in).is_some_and(shipped_by);
        let from = self.lines.partition_point(|l| l.line <= first);
        let to = self.lines.partition_point(|l| l.line < own);
        usize::from(own_line)
            + self.lines[from..to]
                .iter()
                .filter(|l| shipped_by(l.first))
                .count()
    }

    /// Whether the major rule lets `release` (shipped at `at`, `None`: not
    /// yet) remove an item deprecated in `deprecated_in`.
    ///
    /// governance: Versioning Rules, Deprecation Policy (post-1.0). Once
    /// 1.0.0 has shipped, a removal is a breaking change and needs a new
    /// major; 1.0.0 is one for items deprecated before it.
    fn major_allows(
        &self,
        policy: &DeprecationPolicy,
        release: &Version,
        deprecated_in: &Version,
        at: Option<Time>,
    ) -> bool {
        if !self.needs_new_major(policy, release, deprecated_in, at) {
            return true;
        }
        release.minor == 0 && release.patch == 0 && release.major > deprecated_in.major
    }

    /// Whether removing an item in `release` must open a new major (judged
    /// as [`ShippedLines::is_opportunity`] judges it).
    pub fn removal_needs_major(
        &self,
        policy: &DeprecationPolicy,
        release: &Version,
        deprecated_in: &Version,
    ) -> bool {
        let release = leads_to(release);
        let at = self.shipped_at(&release);
        self.needs_new_major(policy, &release, deprecated_in, at)
    }

    /// Whether a removal in `release` must open a new major: the policy says
    /// so and the project is past 1.0 (by the deprecation, the release, or
    /// 1.0.0 having shipped by `at`).
    fn needs_new_major(
        &self,
        policy: &DeprecationPolicy,
        release: &Version,
        deprecated_in: &Version,
        at: Option<Time>,
    ) -> bool {
        policy.post_1_0_removal_requires_major
            && (deprecated_in.major >= 1 || release.major >= 1 || self.stable_by(at))
    }

    /// Whether removing the item in `release` keeps the policy. A
    /// pre-release is judged as the release it leads to, at the time that
    /// release shipped (or now, if it has not).
    pub fn is_opportunity(
        &self,
        policy: &DeprecationPolicy,
        window: u32,
        release: &Version,
        deprecated_in: &Version,
    ) -> bool {
        let release = leads_to(release);
        if release <= *deprecated_in {
            return false;
        }
        let at = self.shipped_at(&release);
        self.lines_before(&release, deprecated_in, at) >= window as usize
            && self.major_allows(policy, &release, deprecated_in, at)
    }

    /// In `line`, the first release that could remove an item deprecated
    /// in `deprecated_in` (given the `warned` dates so far, ascending), and
    /// from when the line warns of it.
    fn candidate_in<'s>(
        &self,
        policy: &DeprecationPolicy,
        line: &'s ShippedLine,
        own: Line,
        window: usize,
        warned: &[Time],
        deprecated_in: &Version,
    ) -> (Option<&'s Shipped>, Option<Time>) {
        let allows =
            |s: &&Shipped| self.major_allows(policy, &s.version, deprecated_in, Some(s.date));
        if line.line == own {
            // Only a zero window allows a removal in the same line.
            let candidate = if window == 0 {
                line.releases
                    .iter()
                    .filter(|s| s.version > *deprecated_in)
                    .find(allows)
            } else {
                None
            };
            return (candidate, line.warned_from(deprecated_in));
        }
        let candidate = if window == 0 || warned.len() == window {
            let from = window.checked_sub(1).map(|w| warned[w]);
            line.releases
                .iter()
                .filter(|s| from.is_none_or(|t| s.date >= t))
                .find(allows)
        } else {
            None
        };
        (candidate, Some(line.first))
    }

    /// The first shipped release (in shipping order, then version order)
    /// that is a removal opportunity.
    ///
    /// Walks the lines upward from the deprecation's, keeping the `window`
    /// earliest dates at which lines warned: a release of the next line is
    /// an opportunity from the time the `window`-th of them shipped. The
    /// walk stops once no later line shipped before the best found.
    pub fn first_opportunity(
        &self,
        policy: &DeprecationPolicy,
        window: u32,
        deprecated_in: &Version,
    ) -> Option<&Shipped> {
        let own = line_of(deprecated_in);
        let start = self.lines.partition_point(|l| l.line < own);
        // Past 1.0 only a later major can remove it: none shipped, none.
        if policy.post_1_0_removal_requires_major
            && deprecated_in.major >= 1
            && self
                .lines
                .last()
                .is_none_or(|l| l.line.0 <= deprecated_in.major)
        {
            return None;
        }
        let window = window as usize;
        // Past 1.0, only a line `X.0` of a later major can hold a candidate.
        let only_majors = policy.post_1_0_removal_requires_major && deprecated_in.major >= 1;
        // The `window` earliest warning dates so far, ascending.
        // Never more than there are lines: a window is a policy number.
        let mut warned: Vec<Time> = Vec::with_capacity(window.min(self.lines.len()) + 1);
        let mut best: Option<&Shipped> = None;
        let earlier = |a: &Shipped, b: Option<&Shipped>| {
            b.is_none_or(|b| (a.date, &a.version) < (b.date, &b.version))
        };
        let mut i = start;
        while let Some(line) = self.lines.get(i) {
            if best.is_some_and(|b| b.date <= self.suffix_first[i]) {
                break;
            }
            if only_majors && line.line != own && line.line.1 != 0 {
                // The lines up to the next major only warn (past 1.0, most
                // of the walk): where they shipped in line order, only the
                // first `window` of them can be among the earliest.
                let to = self.next_major[i];
                let warning = if self.in_order_until[i] >= to {
                    i..to.min(i + window)
                } else {
                    i..to
                };
                for l in &self.lines[warning] {
                    warn(&mut warned, window, l.first);
                }
                i = to;
                continue;
            }
            i += 1;
            let (candidates, warns_from) =
                self.candidate_in(policy, line, own, window, &warned, deprecated_in);
            if let Some(c) = candidates
                && earlier(c, best)
            {
                best = Some(c);
            }
            if let Some(t) = warns_from {
                warn(&mut warned, window, t);
            }
        }
        best
    }

    /// The next release that could remove an item with no shipped
    /// opportunity yet. For a new major, also how many more lines must ship
    /// before it (0: it may remove the item when it ships); before 1.0 the
    /// candidate line is far enough that the lines before it suffice.
    pub fn next_opportunity(
        &self,
        policy: &DeprecationPolicy,
        window: u32,
        deprecated_in: &Version,
    ) -> (Version, usize) {
        let d = deprecated_in;
        if self.needs_new_major(policy, d, d, None) {
            let highest = self.lines.last().map_or(0, |l| l.line.0);
            let major = Version::new(highest.max(d.major) + 1, 0, 0);
            let missing = (window as usize).saturating_sub(self.lines_before(&major, d, None));
            return (major, missing);
        }
        let candidate = if window == 0 {
            // Nothing after it has shipped in its line, or it would be overdue.
            if d.pre.is_empty() {
                Version::new(d.major, d.minor, d.patch + 1)
            } else {
                leads_to(d)
            }
        } else {
            // Lines still to ship: its own (unless it has), then the lines
            // after the highest shipped one; the first with `window` lines
            // warned before it is the candidate.
            let warned = self.lines_before(&Version::new(d.major, u64::MAX, 0), d, None) as u64;
            let next = self
                .lines
                .iter()
                .rev()
                .find(|l| l.line.0 == d.major && l.line >= line_of(d))
                .map_or(d.minor, |l| l.line.1)
                + 1;
            let minor = if self.own_line_warned(d).is_none() {
                next + u64::from(window).saturating_sub(warned).max(1) - 1
            } else {
                next + u64::from(window).saturating_sub(warned)
            };
            Version::new(d.major, minor, 0)
        };
        (candidate, 0)
    }
}

/// The judgement on one deprecation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judgement {
    /// `None` for a kind the policy sets no window for: not governed, so
    /// never overdue nor premature.
    pub window: Option<u32>,
    pub status: DeprecationStatus,
    /// The first shipped release that could have removed the item.
    pub first_opportunity: Option<Version>,
    /// When the first opportunity shipped, for an overdue item.
    pub overdue_since: Option<Time>,
}

/// Judges a deprecation against the shipped releases (any order).
pub fn judge(
    policy: &DeprecationPolicy,
    kind: DeprecationKind,
    deprecated_in: &Version,
    removed_in: Option<&Version>,
    shipped: &[Shipped],
) -> Judgement {
    judge_in(
        policy,
        kind,
        deprecated_in,
        removed_in,
        &ShippedLines::new(shipped),
    )
}

/// Judges a recorded deprecation: kept on purpose (by its own `kept`, or
/// its kind being one the policy keeps) until it is removed, else by its
/// window ([`judge_in`]). Removing a kept item is never premature.
pub fn judge_recorded(
    policy: &DeprecationPolicy,
    rec: &DeprecationRec,
    deprecated_in: &Version,
    removed_in: Option<&Version>,
    shipped: &ShippedLines,
) -> Judgement {
    let j = judge_in(policy, rec.kind, deprecated_in, removed_in, shipped);
    if !is_kept(policy, rec) {
        return j;
    }
    Judgement {
        status: match removed_in {
            Some(_) => DeprecationStatus::Removed,
            None => DeprecationStatus::Kept,
        },
        first_opportunity: None,
        overdue_since: None,
        ..j
    }
}

/// Whether a deprecation is kept on purpose.
pub fn is_kept(policy: &DeprecationPolicy, rec: &DeprecationRec) -> bool {
    rec.kept.is_some() || policy.kept.contains(&rec.kind)
}

/// Judges a deprecation against releases already ordered (one ordering
/// serves every deprecation of a project).
pub fn judge_in(
    policy: &DeprecationPolicy,
    kind: DeprecationKind,
    deprecated_in: &Version,
    removed_in: Option<&Version>,
    shipped: &ShippedLines,
) -> Judgement {
    let Some(w) = window(policy, kind, deprecated_in) else {
        let status = match removed_in {
            Some(_) => DeprecationStatus::Removed,
            None => DeprecationStatus::Active,
        };
        return Judgement {
            window: None,
            status,
            first_opportunity: None,
            overdue_since: None,
        };
    };
    let first = shipped.first_opportunity(policy, w, deprecated_in);
    let (status, overdue_since) = match removed_in {
        Some(r) if shipped.is_opportunity(policy, w, r, deprecated_in) => {
            (DeprecationStatus::Removed, None)
        }
        Some(_) => (DeprecationStatus::Premature, None),
        None => match first {
            Some(s) => (DeprecationStatus::Overdue, Some(s.date)),
            None => (DeprecationStatus::Active, None),
        },
    };
    Judgement {
        window: Some(w),
        status,
        first_opportunity: first.map(|s| s.version.clone()),
        overdue_since,
    }
}

/// A removal that breaks the deprecation window: recorded (it happened),
/// and reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Premature {
    /// The item's window, in minor lines.
    pub window: u32,
    /// A new major is needed too (post-1.0 removals wait for one).
    pub needs_major: bool,
}

/// The removal of `item` in `version`: the entry to append, and whether it
/// is premature; refused when the item was already removed or `version`
/// is not after the one it was deprecated in. `deprecation` is the item's
/// (first) deprecation; `shipped`, the releases shipped so far.
pub fn removal(
    policy: &DeprecationPolicy,
    deprecation: &DeprecationRec,
    already_removed: bool,
    version: &Version,
    shipped: &[Shipped],
) -> Result<(RemovalRec, Option<Premature>), Error> {
    let item = &deprecation.item;
    if already_removed {
        return Err(Error::Duplicate {
            what: "removal of",
            value: item.clone(),
        });
    }
    let deprecated_in = super::release::parse_version(&deprecation.version)?;
    if *version <= deprecated_in {
        return Err(Error::invalid(
            "removal version",
            version,
            format!("a version after {deprecated_in}, where {item} was deprecated"),
        ));
    }
    let lines = ShippedLines::new(shipped);
    let j = judge_recorded(policy, deprecation, &deprecated_in, Some(version), &lines);
    let premature = (j.status == DeprecationStatus::Premature).then(|| Premature {
        window: j.window.unwrap_or_default(),
        needs_major: lines.removal_needs_major(policy, version, &deprecated_in),
    });
    let rec = RemovalRec {
        item: item.clone(),
        version: version.to_string(),
    };
    Ok((rec, premature))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::Policy;
    use crate::domain::time::parse;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn shipped(list: &[(&str, &str)]) -> Vec<Shipped> {
        list.iter()
            .map(|(ver, date)| Shipped {
                version: v(ver),
                date: parse(date).unwrap(),
            })
            .collect()
    }

    fn rules() -> DeprecationPolicy {
        Policy::builtin().deprecations
    }

    #[test]
    fn a_removal_is_refused_twice_or_not_after_its_deprecation_and_judged_premature() {
        let dep = DeprecationRec {
            item: "--no-sandbox".into(),
            kind: DeprecationKind::named(DeprecationKind::API),
            version: "1.0.0".into(),
            replacement: None,
            note: None,
            kept: None,
        };
        let none = shipped(&[("1.0.0", "2026-01-05")]);
        let e = removal(&rules(), &dep, true, &v("2.0.0"), &none).unwrap_err();
        assert_eq!(
            e.to_string(),
            "removal of \"--no-sandbox\" is already recorded"
        );
        let e = removal(&rules(), &dep, false, &v("1.0.0"), &none).unwrap_err();
        assert!(
            e.to_string()
                .contains("a version after 1.0.0, where --no-sandbox was deprecated"),
            "{e}"
        );
        // Removed in the next minor, with its window unshipped: premature,
        // and after 1.0 a removal waits for a major too.
        let (rec, premature) = removal(&rules(), &dep, false, &v("1.1.0"), &none).unwrap();
        assert_eq!(
            (rec.item.as_str(), rec.version.as_str()),
            ("--no-sandbox", "1.1.0")
        );
        let p = premature.expect("premature");
        assert_eq!(p.window, 2);
        assert!(p.needs_major);
        // Once its window has shipped, a removal in the next major is on time.
        let lines = shipped(&[
            ("1.0.0", "2026-01-05"),
            ("1.1.0", "2026-02-05"),
            ("1.2.0", "2026-03-05"),
        ]);
        let (_, premature) = removal(&rules(), &dep, false, &v("2.0.0"), &lines).unwrap();
        assert_eq!(premature, None);
    }

    #[test]
    fn pre_1_0_api_waits_one_minor_line() {
        let mut s = shipped(&[("0.3.0", "2026-01-01"), ("0.3.1", "2026-01-10")]);
        let j = judge(
            &rules(),
            DeprecationKind::named(DeprecationKind::API),
            &v("0.3.0"),
            None,
            &s,
        );
        assert_eq!(j.status, DeprecationStatus::Active);
        s.extend(shipped(&[("0.4.0", "2026-02-01")]));
        let j = judge(
            &rules(),
            DeprecationKind::named(DeprecationKind::API),
            &v("0.3.0"),
            None,
            &s,
        );
        assert_eq!(j.status, DeprecationStatus::Overdue);
        assert_eq!(j.overdue_since, Some(parse("2026-02-01").unwrap()));
        assert_eq!(j.first_opportunity, Some(v("0.4.0")));
        let j = judge(
            &rules(),
            DeprecationKind::named(DeprecationKind::API),
            &v("0.3.0"),
            Some(&v("0.3.1")),
            &s,
        );
        assert_eq!(j.status, DeprecationStatus::Premature);
        let j = judge(
            &rules(),
            DeprecationKind::named(DeprecationKind::API),
            &v("0.3.0"),
            Some(&v("0.4.0")),
            &s,
        );
        assert_eq!(j.status, DeprecationStatus::Removed);
    }

    #[test]
    fn a_zero_window_allows_removal_in_the_next_release_but_not_the_same_one() {
        let s = shipped(&[("0.3.0", "2026-01-01")]);
        let kind = DeprecationKind::named(DeprecationKind::CLI_FLAG);
        let j = judge(&rules(), kind, &v("0.3.0"), Some(&v("0.3.1")), &s);
        assert_eq!(j.status, DeprecationStatus::Removed);
        let j = judge(&rules(), kind, &v("0.3.0"), Some(&v("0.3.0")), &s);
        assert_eq!(j.status, DeprecationStatus::Premature);
    }

    #[test]
    fn post_1_0_removal_needs_the_window_and_a_new_major() {
        let s = shipped(&[
            ("1.2.0", "2026-05-01"),
            ("1.3.0", "2026-06-01"),
            ("1.4.0", "2026-07-01"),
            ("2.0.0", "2026-08-01"),
        ]);
        let api = DeprecationKind::named(DeprecationKind::API);
        let j = judge(&rules(), api, &v("1.2.0"), Some(&v("1.4.0")), &s);
        assert_eq!(j.status, DeprecationStatus::Premature, "not a major");
        let j = judge(&rules(), api, &v("1.2.0"), Some(&v("2.0.0")), &s);
        assert_eq!(j.status, DeprecationStatus::Removed);
        let j = judge(&rules(), api, &v("1.2.0"), None, &s);
        assert_eq!(j.status, DeprecationStatus::Overdue);
        assert_eq!(j.overdue_since, Some(parse("2026-08-01").unwrap()));
    }

    #[test]
    fn post_1_0_extension_api_deprecated_late_waits_for_the_next_major() {
        let s = shipped(&[("1.3.0", "2026-06-01"), ("2.0.0", "2026-08-01")]);
        let j = judge(
            &rules(),
            DeprecationKind::named(DeprecationKind::EXTENSION_API),
            &v("1.3.0"),
            None,
            &s,
        );
        assert_eq!(
            j.status,
            DeprecationStatus::Active,
            "one warning line, two needed"
        );
        let j = judge(
            &rules(),
            DeprecationKind::named(DeprecationKind::EXTENSION_API),
            &v("1.3.0"),
            Some(&v("3.0.0")),
            &s,
        );
        assert_eq!(
            j.status,
            DeprecationStatus::Removed,
            "1.3 and 2.0 shipped the warning"
        );
        assert!(ShippedLines::new(&s).is_opportunity(&rules(), 2, &v("3.0.0"), &v("1.3.0")));
    }

    proptest::proptest! {
        /// Removing in the deprecating version, or any earlier one, is never
        /// allowed, whatever has shipped.
        #[test]
        fn removal_at_or_before_the_deprecation_is_premature(
            major in 0u64..3, minor in 0u64..5, patch in 0u64..5, back in 0u64..3,
            lines in proptest::collection::vec((0u64..3, 0u64..6), 0..12),
        ) {
            let d = Version::new(major, minor, patch);
            let r = Version::new(major, minor, patch.saturating_sub(back));
            let s: Vec<Shipped> = lines
                .iter()
                .map(|(a, b)| Shipped { version: Version::new(*a, *b, 0), date: parse("2026-01-01").unwrap() })
                .collect();
            for kind in [DeprecationKind::API, DeprecationKind::EXTENSION_API, DeprecationKind::CLI_FLAG, DeprecationKind::CAPABILITY_POLICY] {
                let j = judge(&rules(), DeprecationKind::named(kind), &d, Some(&r), &s);
                proptest::prop_assert_eq!(j.status, DeprecationStatus::Premature);
            }
        }
    }

    #[test]
    fn unshipped_versions_do_not_count_as_lines() {
        // Only shipped releases are passed in; a draft 0.4.0 is simply absent.
        let s = shipped(&[("0.3.0", "2026-01-01"), ("0.4.0-rc.1", "2026-01-05")]);
        let s = ShippedLines::new(&s);
        assert_eq!(s.lines_before(&v("0.5.0"), &v("0.3.0"), None), 1);
        assert_eq!(s.lines_before(&v("0.3.5"), &v("0.3.0"), None), 0);
        assert!(s.is_opportunity(&rules(), 1, &v("0.5.0-rc.1"), &v("0.3.0")));
        assert!(!s.is_opportunity(&rules(), 2, &v("0.5.0-rc.1"), &v("0.3.0")));
    }

    /// governance: Release Types (a pre-release validates the release it
    /// leads to) and Deprecation Policy.
    #[test]
    fn a_pre_release_is_judged_as_the_release_it_leads_to() {
        let api = DeprecationKind::named(DeprecationKind::API);
        let s = shipped(&[("0.3.0", "2026-01-01"), ("0.4.0", "2026-02-01")]);
        let j = judge(&rules(), api, &v("0.3.0"), Some(&v("0.5.0-rc.1")), &s);
        assert_eq!(j.status, DeprecationStatus::Removed);
        let s = shipped(&[
            ("1.2.0", "2026-01-01"),
            ("1.3.0", "2026-02-01"),
            ("2.0.0", "2026-03-01"),
        ]);
        let j = judge(&rules(), api, &v("1.2.0"), Some(&v("2.0.0-rc.1")), &s);
        assert_eq!(j.status, DeprecationStatus::Removed);
        // Still only as good as the release it leads to.
        let j = judge(&rules(), api, &v("1.2.0"), Some(&v("2.1.0-rc.1")), &s);
        assert_eq!(j.status, DeprecationStatus::Premature);
    }

    /// governance: Versioning Rules, "post-1.0: breaking changes require a
    /// major version bump".
    #[test]
    fn once_1_0_has_shipped_a_pre_1_0_item_needs_a_new_major() {
        let api = DeprecationKind::named(DeprecationKind::API);
        let s = shipped(&[
            ("0.9.0", "2026-01-01"),
            ("1.0.0", "2026-02-01"),
            ("1.1.0", "2026-03-01"),
        ]);
        let j = judge(&rules(), api, &v("0.9.0"), Some(&v("1.1.0")), &s);
        assert_eq!(j.status, DeprecationStatus::Premature);
        let j = judge(&rules(), api, &v("0.9.0"), Some(&v("1.0.0")), &s);
        assert_eq!(j.status, DeprecationStatus::Removed, "1.0.0 is a new major");
        let j = judge(&rules(), api, &v("0.9.0"), None, &s);
        assert_eq!(j.status, DeprecationStatus::Overdue);
        assert_eq!(j.overdue_since, Some(parse("2026-02-01").unwrap()));
        // A 0.x backport shipped after 1.0.0 is no opportunity either.
        let mut late = s.clone();
        late.extend(shipped(&[("0.10.0", "2026-04-01")]));
        let j = judge(&rules(), api, &v("0.9.0"), Some(&v("0.10.0")), &late);
        assert_eq!(j.status, DeprecationStatus::Premature);
        let lines = ShippedLines::new(&late);
        assert!(lines.removal_needs_major(&rules(), &v("0.10.0"), &v("0.9.0")));
        // Before 1.0 shipped, the same removal needed no major.
        let early = shipped(&[("0.9.0", "2026-01-01"), ("0.10.0", "2026-01-15")]);
        let lines = ShippedLines::new(&early);
        assert!(!lines.removal_needs_major(&rules(), &v("0.10.0"), &v("0.9.0")));
        assert_eq!(
            judge(&rules(), api, &v("0.9.0"), Some(&v("0.10.0")), &early).status,
            DeprecationStatus::Removed
        );
    }

    /// governance: Deprecation Policy. A line warns before R only if it
    /// shipped before R did.
    #[test]
    fn a_release_shipped_later_does_not_rewrite_the_past() {
        let api = DeprecationKind::named(DeprecationKind::API);
        let before = shipped(&[("1.3.0", "2026-01-01"), ("2.0.0", "2026-02-01")]);
        let after = shipped(&[
            ("1.3.0", "2026-01-01"),
            ("2.0.0", "2026-02-01"),
            ("1.4.0", "2026-03-01"),
        ]);
        for s in [&before, &after] {
            let j = judge(&rules(), api, &v("1.3.0"), None, s);
            assert_eq!(
                j.status,
                DeprecationStatus::Active,
                "2.0.0 had one line behind it"
            );
            let lines = ShippedLines::new(s);
            assert_eq!(
                lines.next_opportunity(&rules(), j.window.unwrap(), &v("1.3.0")),
                (v("3.0.0"), 0),
                "1.3, 1.4 and 2.0 will have shipped before 3.0.0"
            );
        }
        let lines = ShippedLines::new(&before);
        assert_eq!(
            lines.next_opportunity(&rules(), 2, &v("1.3.0")),
            (v("3.0.0"), 0)
        );
        let only = ShippedLines::new(&shipped(&[("1.3.0", "2026-01-01")]));
        assert_eq!(
            only.next_opportunity(&rules(), 2, &v("1.3.0")),
            (v("2.0.0"), 1)
        );
        // 2.0.0 and 2.1.0 shipped: the next opportunity is 3.0.0, not 2.0.0.
        let mut more = after.clone();
        more.extend(shipped(&[("2.1.0", "2026-04-01")]));
        let lines = ShippedLines::new(&more);
        assert_eq!(
            lines.next_opportunity(&rules(), 2, &v("1.3.0")),
            (v("3.0.0"), 0)
        );
    }

    #[test]
    fn the_next_opportunity_before_1_0_is_the_next_line_with_enough_warning() {
        let none = ShippedLines::new(&[]);
        assert_eq!(
            none.next_opportunity(&rules(), 1, &v("0.3.0")),
            (v("0.4.0"), 0)
        );
        assert_eq!(
            none.next_opportunity(&rules(), 0, &v("0.3.0")),
            (v("0.3.1"), 0)
        );
        assert_eq!(
            none.next_opportunity(&rules(), 0, &v("0.3.0-rc.1")),
            (v("0.3.0"), 0)
        );
        let s = ShippedLines::new(&shipped(&[
            ("0.3.0", "2026-01-01"),
            ("0.3.1", "2026-01-02"),
        ]));
        assert_eq!(
            s.next_opportunity(&rules(), 1, &v("0.3.0")),
            (v("0.4.0"), 0)
        );
        assert_eq!(
            s.next_opportunity(&rules(), 2, &v("0.3.0")),
            (v("0.5.0"), 0)
        );
    }

    /// The rules as written in DESIGN.md, scanning every release for every
    /// question: the reference the line index must agree with.
    mod reference {
        use super::*;

        fn stable(r: &Version, d: &Version, at: Option<Time>, shipped: &[Shipped]) -> bool {
            d.major >= 1
                || r.major >= 1
                || shipped.iter().any(|s| {
                    s.version.pre.is_empty()
                        && s.version.major >= 1
                        && at.is_none_or(|t| s.date <= t)
                })
        }

        pub fn lines_before(
            release: &Version,
            d: &Version,
            at: Option<Time>,
            shipped: &[Shipped],
        ) -> usize {
            let own = (release.major, release.minor);
            let mut lines: Vec<(u64, u64)> = shipped
                .iter()
                .filter(|s| s.version.pre.is_empty() && at.is_none_or(|t| s.date <= t))
                .map(|s| &s.version)
                .filter(|v| *v >= d && (v.major, v.minor) < own)
                .map(|v| (v.major, v.minor))
                .collect();
            lines.sort_unstable();
            lines.dedup();
            lines.len()
        }

        pub fn is_opportunity(
            policy: &DeprecationPolicy,
            window: u32,
            release: &Version,
            d: &Version,
            shipped: &[Shipped],
        ) -> bool {
            let r = Version::new(release.major, release.minor, release.patch);
            if r <= *d {
                return false;
            }
            let at = shipped.iter().find(|s| s.version == r).map(|s| s.date);
            if lines_before(&r, d, at, shipped) < window as usize {
                return false;
            }
            if policy.post_1_0_removal_requires_major && stable(&r, d, at, shipped) {
                return r.minor == 0 && r.patch == 0 && r.major > d.major;
            }
            true
        }

        pub fn first(
            policy: &DeprecationPolicy,
            window: u32,
            d: &Version,
            shipped: &[Shipped],
        ) -> Option<Version> {
            let mut ordered: Vec<&Shipped> = shipped
                .iter()
                .filter(|s| s.version.pre.is_empty())
                .collect();
            ordered.sort_by(|a, b| (a.date, &a.version).cmp(&(b.date, &b.version)));
            ordered
                .into_iter()
                .find(|s| is_opportunity(policy, window, &s.version, d, shipped))
                .map(|s| s.version.clone())
        }
    }

    use proptest::prelude::*;

    fn version() -> impl Strategy<Value = Version> {
        (
            0u64..4,
            0u64..5,
            0u64..3,
            prop::option::weighted(0.1, 0u64..2),
        )
            .prop_map(|(major, minor, patch, pre)| {
                let mut v = Version::new(major, minor, patch);
                if let Some(n) = pre {
                    v.pre = semver::Prerelease::new(&format!("rc.{n}")).unwrap();
                }
                v
            })
    }

    proptest! {
        /// A version parses only from the text it prints as, so a judged
        /// row may show the stored text instead of printing the version.
        #[test]
        fn a_version_prints_as_the_text_it_parsed_from(
            text in r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(-[0-9A-Za-z.-]{1,8})?(\+[0-9A-Za-z.-]{1,8})?"
        ) {
            if let Ok(v) = Version::parse(&text) {
                prop_assert_eq!(v.to_string(), text);
            }
        }

        #[test]
        fn the_line_index_answers_as_the_scan_does(
            versions in prop::collection::vec(version(), 0..25),
            days in prop::collection::vec(0i64..30, 25),
            d in version(),
            r in version(),
            window in 0u32..4,
            requires_major in any::<bool>(),
        ) {
            // A version ships once; dates may disagree with version order
            // (backports) and repeat (two releases on one day).
            let mut seen = std::collections::BTreeSet::new();
            let shipped: Vec<Shipped> = versions
                .iter()
                .zip(days)
                .filter(|(v, _)| seen.insert((*v).clone()))
                .map(|(v, day)| Shipped {
                    version: v.clone(),
                    date: parse("2026-01-01").unwrap() + chrono::Duration::days(day),
                })
                .collect();
            let mut policy = rules();
            policy.post_1_0_removal_requires_major = requires_major;
            let index = ShippedLines::new(&shipped);
            let at = shipped.get(window as usize).map(|s| s.date);
            prop_assert_eq!(
                index.lines_before(&r, &d, at),
                reference::lines_before(&r, &d, at, &shipped)
            );
            prop_assert_eq!(
                index.lines_before(&r, &d, None),
                reference::lines_before(&r, &d, None, &shipped)
            );
            prop_assert_eq!(
                index.is_opportunity(&policy, window, &r, &d),
                reference::is_opportunity(&policy, window, &r, &d, &shipped)
            );
            prop_assert_eq!(
                index.first_opportunity(&policy, window, &d).map(|s| s.version.clone()),
                reference::first(&policy, window, &d, &shipped)
            );
        }
    }

    #[test]
    fn a_kind_without_a_window_is_not_governed_never_overdue_nor_premature() {
        let mut rules = rules();
        rules.windows.pre_1_0.set(DeprecationKind::CLI_FLAG, None);
        let err = governed_window(
            &rules,
            DeprecationKind::named(DeprecationKind::CLI_FLAG),
            &v("0.3.0"),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("add deprecations.windows.pre_1_0.cli-flag"),
            "{err}"
        );
        assert_eq!(
            governed_window(
                &rules,
                DeprecationKind::named(DeprecationKind::API),
                &v("0.3.0")
            )
            .unwrap(),
            1
        );
        let many = shipped(&[("0.4.0", "2026-01-01"), ("0.9.0", "2026-06-01")]);
        let j = judge(
            &rules,
            DeprecationKind::named(DeprecationKind::CLI_FLAG),
            &v("0.3.0"),
            None,
            &many,
        );
        assert_eq!((j.status, j.window), (DeprecationStatus::Active, None));
        let j = judge(
            &rules,
            DeprecationKind::named(DeprecationKind::CLI_FLAG),
            &v("0.3.0"),
            Some(&v("0.3.1")),
            &many,
        );
        assert_eq!(j.status, DeprecationStatus::Removed, "never premature");
        // Governed, the same item is overdue.
        let j = judge(
            &rules,
            DeprecationKind::named(DeprecationKind::API),
            &v("0.3.0"),
            None,
            &many,
        );
        assert_eq!(j.status, DeprecationStatus::Overdue);
    }
}
