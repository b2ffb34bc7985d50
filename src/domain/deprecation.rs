//! Deprecation windows (governance: Deprecation Policy).
//!
//! A window W is the number of `major.minor` lines that must ship the
//! deprecation warning before an item may be removed. Post-1.0 a removal is
//! a breaking change and may only land in a later major.

use semver::Version;
use serde::Serialize;

use super::{Time, policy::DeprecationPolicy};

named_enum! {
    /// What was deprecated.
    DeprecationKind, "deprecation kind" {
        Api = "api",
        ExtensionApi = "extension-api",
        CliFlag = "cli-flag",
        CapabilityPolicy = "capability-policy",
    }
}

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
}

impl DeprecationStatus {
    /// Whether the status breaks policy: past its window, or removed early.
    pub fn is_finding(self) -> bool {
        matches!(
            self,
            DeprecationStatus::Overdue | DeprecationStatus::Premature
        )
    }

    /// The status as shown.
    pub fn as_str(self) -> &'static str {
        match self {
            DeprecationStatus::Active => "active",
            DeprecationStatus::Overdue => "overdue",
            DeprecationStatus::Removed => "removed",
            DeprecationStatus::Premature => "premature",
        }
    }
}

/// A shipped release, as the window rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shipped {
    pub version: Version,
    pub date: Time,
}

/// The window for a deprecation: by kind, and by phase of the version it
/// was deprecated in (pre-1.0 when its major is 0).
pub fn window(policy: &DeprecationPolicy, kind: DeprecationKind, deprecated_in: &Version) -> u32 {
    if deprecated_in.major == 0 {
        policy.windows.pre_1_0.get(kind)
    } else {
        policy.windows.post_1_0.get(kind)
    }
}

/// The shipped releases, ordered once so that each window question is a
/// binary search: a ten-year history judges every deprecation without
/// rescanning the releases for each.
#[derive(Debug, Clone, Default)]
pub struct ShippedLines {
    /// In version order.
    versions: Vec<Shipped>,
    /// The distinct `major.minor` lines, in order.
    lines: Vec<(u64, u64)>,
    /// Positions in `versions` of the `X.0.0` releases.
    majors: Vec<usize>,
}

impl ShippedLines {
    /// Orders the shipped releases (given in any order).
    pub fn new(shipped: &[Shipped]) -> ShippedLines {
        let mut versions = shipped.to_vec();
        versions.sort_by(|a, b| a.version.cmp(&b.version));
        let mut lines: Vec<(u64, u64)> = versions
            .iter()
            .map(|s| (s.version.major, s.version.minor))
            .collect();
        lines.dedup();
        let majors = versions
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                s.version.minor == 0 && s.version.patch == 0 && s.version.pre.is_empty()
            })
            .map(|(i, _)| i)
            .collect();
        ShippedLines {
            versions,
            lines,
            majors,
        }
    }

    /// lines(R): distinct `major.minor` lines earlier than R's own, among
    /// shipped releases at or after the deprecation.
    pub fn lines_before(&self, release: &Version, deprecated_in: &Version) -> usize {
        let own = (release.major, release.minor);
        let first = (deprecated_in.major, deprecated_in.minor);
        if own <= first {
            // Every release at or after the deprecation is in its line or later.
            return 0;
        }
        // The deprecation's own line counts if a release at or after it shipped there.
        let at = self
            .versions
            .partition_point(|s| s.version < *deprecated_in);
        let own_line = self
            .versions
            .get(at)
            .is_some_and(|s| (s.version.major, s.version.minor) == first);
        let later =
            self.lines.partition_point(|l| *l < own) - self.lines.partition_point(|l| *l <= first);
        usize::from(own_line) + later
    }

    /// Whether removing the item in `release` keeps the policy.
    pub fn is_opportunity(
        &self,
        policy: &DeprecationPolicy,
        window: u32,
        release: &Version,
        deprecated_in: &Version,
    ) -> bool {
        if release <= deprecated_in || !release.pre.is_empty() {
            return false;
        }
        if self.lines_before(release, deprecated_in) < window as usize {
            return false;
        }
        if deprecated_in.major > 0 && policy.post_1_0_removal_requires_major {
            return release.minor == 0 && release.patch == 0 && release.major > deprecated_in.major;
        }
        true
    }

    /// The first shipped release (in version order) that is a removal
    /// opportunity. lines(R) only grows with R, so the releases with
    /// enough lines behind them are a suffix, found by bisection.
    pub fn first_opportunity(
        &self,
        policy: &DeprecationPolicy,
        window: u32,
        deprecated_in: &Version,
    ) -> Option<&Shipped> {
        let after = self
            .versions
            .partition_point(|s| s.version <= *deprecated_in);
        let rest = &self.versions[after..];
        let enough = after
            + rest.partition_point(|s| {
                self.lines_before(&s.version, deprecated_in) < window as usize
            });
        if deprecated_in.major > 0 && policy.post_1_0_removal_requires_major {
            let next_major = Version::new(deprecated_in.major + 1, 0, 0);
            let from = self
                .majors
                .partition_point(|&i| i < enough || self.versions[i].version < next_major);
            return self.majors.get(from).map(|&i| &self.versions[i]);
        }
        self.versions[enough..]
            .iter()
            .find(|s| s.version.pre.is_empty())
    }
}

/// The judgement on one deprecation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judgement {
    pub window: u32,
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

/// Judges a deprecation against releases already ordered (one ordering
/// serves every deprecation of a project).
pub fn judge_in(
    policy: &DeprecationPolicy,
    kind: DeprecationKind,
    deprecated_in: &Version,
    removed_in: Option<&Version>,
    shipped: &ShippedLines,
) -> Judgement {
    let w = window(policy, kind, deprecated_in);
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
        window: w,
        status,
        first_opportunity: first.map(|s| s.version.clone()),
        overdue_since,
    }
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
    fn pre_1_0_api_waits_one_minor_line() {
        let mut s = shipped(&[("0.3.0", "2026-01-01"), ("0.3.1", "2026-01-10")]);
        let j = judge(&rules(), DeprecationKind::Api, &v("0.3.0"), None, &s);
        assert_eq!(j.status, DeprecationStatus::Active);
        s.extend(shipped(&[("0.4.0", "2026-02-01")]));
        let j = judge(&rules(), DeprecationKind::Api, &v("0.3.0"), None, &s);
        assert_eq!(j.status, DeprecationStatus::Overdue);
        assert_eq!(j.overdue_since, Some(parse("2026-02-01").unwrap()));
        assert_eq!(j.first_opportunity, Some(v("0.4.0")));
        let j = judge(
            &rules(),
            DeprecationKind::Api,
            &v("0.3.0"),
            Some(&v("0.3.1")),
            &s,
        );
        assert_eq!(j.status, DeprecationStatus::Premature);
        let j = judge(
            &rules(),
            DeprecationKind::Api,
            &v("0.3.0"),
            Some(&v("0.4.0")),
            &s,
        );
        assert_eq!(j.status, DeprecationStatus::Removed);
    }

    #[test]
    fn a_zero_window_allows_removal_in_the_next_release_but_not_the_same_one() {
        let s = shipped(&[("0.3.0", "2026-01-01")]);
        let kind = DeprecationKind::CliFlag;
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
        let api = DeprecationKind::Api;
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
            DeprecationKind::ExtensionApi,
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
            DeprecationKind::ExtensionApi,
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
            for kind in DeprecationKind::ALL {
                let j = judge(&rules(), *kind, &d, Some(&r), &s);
                proptest::prop_assert_eq!(j.status, DeprecationStatus::Premature);
            }
        }
    }

    #[test]
    fn unshipped_versions_do_not_count_as_lines() {
        // Only shipped releases are passed in; a draft 0.4.0 is simply absent.
        let s = shipped(&[("0.3.0", "2026-01-01")]);
        let s = ShippedLines::new(&s);
        assert_eq!(s.lines_before(&v("0.5.0"), &v("0.3.0")), 1);
        assert_eq!(s.lines_before(&v("0.3.5"), &v("0.3.0")), 0);
        assert!(!s.is_opportunity(&rules(), 1, &v("0.5.0-rc.1"), &v("0.3.0")));
    }

    /// The rules as first written, scanning every release for every
    /// question: the reference the ordered index must agree with.
    mod reference {
        use super::*;

        pub fn lines_before(release: &Version, d: &Version, shipped: &[Shipped]) -> usize {
            let own = (release.major, release.minor);
            let mut lines: Vec<(u64, u64)> = shipped
                .iter()
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
            if release <= d || !release.pre.is_empty() {
                return false;
            }
            if lines_before(release, d, shipped) < window as usize {
                return false;
            }
            if d.major > 0 && policy.post_1_0_removal_requires_major {
                return release.minor == 0 && release.patch == 0 && release.major > d.major;
            }
            true
        }

        pub fn first(
            policy: &DeprecationPolicy,
            window: u32,
            d: &Version,
            shipped: &[Shipped],
        ) -> Option<Version> {
            let mut ordered: Vec<&Shipped> = shipped.iter().collect();
            ordered.sort_by(|a, b| a.version.cmp(&b.version));
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
        #[test]
        fn the_ordered_index_answers_as_the_scan_does(
            versions in prop::collection::vec(version(), 0..25),
            d in version(),
            r in version(),
            window in 0u32..4,
            requires_major in any::<bool>(),
        ) {
            let shipped: Vec<Shipped> = versions
                .iter()
                .enumerate()
                .map(|(i, v)| Shipped {
                    version: v.clone(),
                    date: parse("2026-01-01").unwrap() + chrono::Duration::days(i as i64),
                })
                .collect();
            let mut policy = rules();
            policy.post_1_0_removal_requires_major = requires_major;
            let index = ShippedLines::new(&shipped);
            prop_assert_eq!(
                index.lines_before(&r, &d),
                reference::lines_before(&r, &d, &shipped)
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
}
