//! Layer: middle, one governance section (see `domain::LAYERS`).
//!
//! Releases: SemVer versions, their derived channel and tag, and which count
//! as shipped.

use semver::Version;
use serde::Serialize;

use super::{Error, policy::Policy};

pub use super::terms::ReleaseStatus;

/// A shipped release, as the window and SLA rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shipped {
    pub version: Version,
    pub date: super::Time,
}

/// The release channel, derived from the version (governance: Release Cadence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    Major,
    Minor,
    Patch,
    PreRelease,
}

impl Channel {
    /// The channel's name as shown and stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Major => "major",
            Channel::Minor => "minor",
            Channel::Patch => "patch",
            Channel::PreRelease => "pre-release",
        }
    }

    /// `x.0.0` is major, `x.y.0` minor, anything else patch; any
    /// pre-release suffix makes it a pre-release.
    pub fn of(version: &Version) -> Channel {
        if !version.pre.is_empty() {
            Channel::PreRelease
        } else if version.minor == 0 && version.patch == 0 {
            Channel::Major
        } else if version.patch == 0 {
            Channel::Minor
        } else {
            Channel::Patch
        }
    }
}

/// Parses a SemVer 2.0 version; a leading `v` is accepted. Build metadata
/// is refused: SemVer ignores it when telling versions apart, so
/// `1.2.0+build` would be a second name for `1.2.0`.
pub fn parse_version(text: &str) -> Result<Version, Error> {
    let trimmed = text.trim();
    let bare = trimmed.strip_prefix('v').unwrap_or(trimmed);
    match Version::parse(bare) {
        Ok(v) if v.build.is_empty() => Ok(v),
        Ok(v) => {
            let plain = Version {
                build: semver::BuildMetadata::EMPTY,
                ..v.clone()
            };
            Err(Error::invalid(
                "version",
                text,
                format!(
                    "a version without build metadata (\"+{}\" does not make a new version; use {plain}, and put the build in --notes)",
                    v.build
                ),
            ))
        }
        Err(_) => Err(Error::invalid(
            "version",
            text,
            "a SemVer 2.0 version such as 0.4.0, v1.2.3 or 1.0.0-rc.1",
        )),
    }
}

/// The release a tag names: a SemVer version with or without `v`, its
/// build metadata (`v5.0.0+build.1`) dropped, as it makes no new version.
pub fn tag_version(tag: &str) -> Option<Version> {
    let bare = tag.trim().strip_prefix('v').unwrap_or(tag.trim());
    Version::parse(bare).ok().map(|v| Version {
        build: semver::BuildMetadata::EMPTY,
        ..v
    })
}

/// The `major.minor` line a version belongs to.
pub fn line(version: &Version) -> (u64, u64) {
    (version.major, version.minor)
}

/// Whether a release counts as shipped: a non-pre-release whose status is
/// one of the policy's shipped statuses (governance: Versioning Rules).
pub fn is_shipped(policy: &Policy, version: &Version, status: ReleaseStatus) -> bool {
    version.pre.is_empty() && policy.releases.shipped_statuses.contains(&status)
}

/// The tag of a version under the policy's tag format (`v1.2.3`).
pub fn tag(policy: &Policy, version: &Version) -> String {
    format!("{}{}", policy.releases.tag_prefix, version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        parse_version(s).unwrap()
    }

    #[test]
    fn channel_is_derived_from_the_version() {
        assert_eq!(Channel::of(&v("1.0.0")), Channel::Major);
        assert_eq!(Channel::of(&v("0.4.0")), Channel::Minor);
        assert_eq!(Channel::of(&v("0.4.2")), Channel::Patch);
        assert_eq!(Channel::of(&v("1.0.0-rc.1")), Channel::PreRelease);
    }

    #[test]
    fn accepts_a_leading_v_and_rejects_non_semver() {
        assert_eq!(v("v0.1.7"), Version::new(0, 1, 7));
        let err = parse_version("1.2").unwrap_err();
        assert!(
            err.to_string().starts_with("invalid version \"1.2\""),
            "{err}"
        );
        assert!(parse_version("v").is_err());
    }
}
