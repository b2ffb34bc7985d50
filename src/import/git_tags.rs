//! The SemVer tags of a git repository, read with the `git` command line.
//!
//! A tag that is a SemVer version (with or without `v`) is a release, dated
//! by its tagger date (annotated tag) or its commit's date (lightweight
//! tag), with the commit recorded; a pre-release tag is a pre-release.
//! Other tags are counted and left alone.

use std::path::Path;
use std::process::Command;

use super::{ReleaseItem, Releases};
use crate::domain::{Error, release, release::ReleaseStatus, time};

/// The `for-each-ref` fields, separated by a unit separator: name, object
/// type, tagger date, commit date, commit (the tag's own object for a
/// lightweight tag, the tagged one for an annotated tag).
const FORMAT: &str = "%(refname:strip=2)%1f%(objecttype)%1f%(taggerdate:iso-strict)%1f%(committerdate:iso-strict)%1f%(*committerdate:iso-strict)%1f%(objectname)%1f%(*objectname)";

/// Reads the tags of the repository at `repo` (those under `refs/tags/`
/// matching `pattern`, a git glob, when given).
pub fn read(repo: &Path, pattern: Option<&str>) -> Result<Releases, Error> {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(args)
            .output()
            .map_err(|e| {
                Error::invalid("git", "git", format!("the git command line on PATH ({e})"))
            })
    };
    let check = git(&["rev-parse", "--git-dir"])?;
    if !check.status.success() {
        return Err(Error::invalid(
            "repository",
            repo.display(),
            "a folder inside a git repository (pass --repo PATH)",
        ));
    }
    let refs = format!("refs/tags/{}", pattern.unwrap_or(""));
    let out = git(&["for-each-ref", &format!("--format={FORMAT}"), &refs])?;
    if !out.status.success() {
        return Err(Error::invalid(
            "tag pattern",
            pattern.unwrap_or_default(),
            format!(
                "a pattern git accepts ({})",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ));
    }
    Ok(parse(&String::from_utf8_lossy(&out.stdout)))
}

/// Reads `for-each-ref` output in [`FORMAT`].
pub fn parse(text: &str) -> Releases {
    let mut out = Releases::default();
    let mut ignored: Vec<&str> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\u{1f}').collect();
        let [
            name,
            kind,
            tagger,
            committed,
            tagged_committed,
            object,
            tagged,
        ] = f[..]
        else {
            ignored.push(line);
            continue;
        };
        let Some(version) = release::tag_version(name) else {
            ignored.push(name);
            continue;
        };
        let (date, commit) = if kind == "tag" {
            // Annotated: the tagger's date; the commit it points to.
            let date = if tagger.is_empty() {
                tagged_committed
            } else {
                tagger
            };
            (date, tagged)
        } else {
            (committed, object)
        };
        let at = format!("tag {name}");
        match time::parse(date) {
            Ok(date) => {
                out.push(ReleaseItem {
                    version,
                    date,
                    status: ReleaseStatus::Released,
                    breaking: false,
                    commit: (!commit.is_empty()).then(|| commit.to_string()),
                    at,
                    tag: crate::domain::text::name("tag", name).ok(),
                });
            }
            Err(e) => out.not_recorded.push(format!("{at}: {e}; not recorded")),
        }
    }
    if !ignored.is_empty() {
        let shown: Vec<&str> = ignored.iter().take(5).copied().collect();
        out.not_recorded.push(format!(
            "{} tag(s) are not SemVer versions ({}{}); ignored",
            ignored.len(),
            shown.join(", "),
            if ignored.len() > shown.len() {
                ", …"
            } else {
                ""
            }
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotated_and_lightweight_tags_are_dated_and_others_counted() {
        let sep = '\u{1f}';
        let rows = [
            format!(
                "v1.0.0{sep}tag{sep}2026-02-01T10:00:00+01:00{sep}{sep}2026-01-31T09:00:00Z{sep}aaaa{sep}c1c1"
            ),
            format!("0.9.0{sep}commit{sep}{sep}2026-01-10T08:00:00Z{sep}{sep}c0c0{sep}"),
            format!("v1.1.0-rc.1{sep}commit{sep}{sep}2026-02-10T08:00:00Z{sep}{sep}c2c2{sep}"),
            format!("nightly{sep}commit{sep}{sep}2026-02-11T08:00:00Z{sep}{sep}c3c3{sep}"),
            format!("v5.0.0+build.1{sep}commit{sep}{sep}2026-03-01T08:00:00Z{sep}{sep}c5c5{sep}"),
        ];
        let r = parse(&rows.join("\n"));
        let got: Vec<(String, String, Option<String>)> = r
            .entries
            .iter()
            .map(|e| {
                (
                    e.version.to_string(),
                    time::format(e.date),
                    e.commit.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "1.0.0".into(),
                    "2026-02-01T09:00:00Z".into(),
                    Some("c1c1".into())
                ),
                (
                    "0.9.0".into(),
                    "2026-01-10T08:00:00Z".into(),
                    Some("c0c0".into())
                ),
                (
                    "1.1.0-rc.1".into(),
                    "2026-02-10T08:00:00Z".into(),
                    Some("c2c2".into())
                ),
                // SemVer with build metadata: the release of its version.
                (
                    "5.0.0".into(),
                    "2026-03-01T08:00:00Z".into(),
                    Some("c5c5".into())
                ),
            ]
        );
        assert_eq!(
            r.not_recorded,
            ["1 tag(s) are not SemVer versions (nightly); ignored"]
        );
    }

    proptest::proptest! {
        /// Whatever git prints, reading it never panics.
        #[test]
        fn any_output_reads_without_panic(lines in proptest::collection::vec("[ -~\u{1f}]{0,80}", 0..8)) {
            let _ = parse(&lines.join("\n"));
        }
    }
}
