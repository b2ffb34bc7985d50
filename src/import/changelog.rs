//! Keep a Changelog files: `## [vX.Y.Z] — DATE — STATUS` headings become
//! releases.
//!
//! Real headings use an em dash, an en dash, a double or single hyphen as
//! separator, may put the status in bold, may omit it, and may repeat
//! `[Unreleased]` sections (skipped). A `### Breaking Changes` section
//! under a release marks it breaking.

use chrono::NaiveDate;
use semver::Version;

use super::file_error;
use crate::domain::{
    Error, Time,
    release::{self, ReleaseStatus},
};

/// A release as the changelog states it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub version: Version,
    pub date: Time,
    pub status: ReleaseStatus,
    pub breaking: bool,
    pub line: usize,
}

/// Reads every release heading of a changelog.
pub fn parse(file: &str, text: &str) -> Result<Vec<Entry>, Error> {
    let mut out: Vec<Entry> = Vec::new();
    let mut in_release = false;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if let Some(heading) = line.strip_prefix("## ") {
            in_release = false;
            let Some((label, tail)) = split_heading(heading.trim()) else {
                continue;
            };
            if label.eq_ignore_ascii_case("unreleased") {
                continue;
            }
            let at = Some(format!("line {line_no}"));
            let version = release::parse_version(label).map_err(|_| {
                file_error(
                    file,
                    at.clone(),
                    format!("\"{label}\" is not a SemVer version"),
                )
            })?;
            let written = find_date(tail).ok_or_else(|| {
                file_error(
                    file,
                    at.clone(),
                    format!("release {version} has no date (YYYY-MM-DD)"),
                )
            })?;
            // The one definition of a valid time, as every command uses.
            let date = crate::domain::time::parse(written)
                .map_err(|e| file_error(file, at.clone(), format!("release {version}: {e}")))?;
            let status = split_fields(tail)
                .iter()
                .find_map(|f| status_word(f))
                .unwrap_or(ReleaseStatus::Released);
            if out.iter().any(|e| e.version == version) {
                return Err(file_error(
                    file,
                    at,
                    format!("release {version} appears twice"),
                ));
            }
            out.push(Entry {
                version,
                date,
                status,
                breaking: false,
                line: line_no,
            });
            in_release = true;
        } else if let Some(section) = line.strip_prefix("### ") {
            if in_release
                && section
                    .trim()
                    .trim_matches('*')
                    .to_ascii_lowercase()
                    .starts_with("breaking")
                && let Some(last) = out.last_mut()
            {
                last.breaking = true;
            }
        } else if line.starts_with("# ") {
            in_release = false;
        }
    }
    if out.is_empty() {
        return Err(file_error(
            file,
            None,
            "has no release headings such as \"## [v0.1.0] — 2026-02-08\"",
        ));
    }
    Ok(out)
}

/// The version label and the rest of a heading: `[v1.2.3] — …`,
/// `[1.2.3](link) - …`, or a bare `v1.2.3 (…)`; `None` for other headings.
fn split_heading(heading: &str) -> Option<(&str, &str)> {
    if let Some(rest) = heading.strip_prefix('[') {
        let close = rest.find(']')?;
        let tail = &rest[close + 1..];
        // A link target right after the bracket is not a field.
        let tail = match tail.trim_start().strip_prefix('(') {
            Some(t) => t.split_once(')').map(|(_, r)| r).unwrap_or(""),
            None => tail,
        };
        return Some((rest[..close].trim(), tail));
    }
    let (label, tail) = heading
        .split_once(char::is_whitespace)
        .unwrap_or((heading, ""));
    let bare = label.strip_prefix('v').unwrap_or(label);
    bare.starts_with(|c: char| c.is_ascii_digit())
        .then_some((label, tail))
}

/// The first `YYYY-MM-DD` date anywhere in the text (a real calendar
/// date; whether the ledger accepts it is [`crate::domain::time::parse`]'s
/// call).
fn find_date(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    (0..b.len().saturating_sub(9)).find_map(|i| {
        let shaped = [0, 1, 2, 3, 5, 6, 8, 9].iter().all(|k| digit(i + k))
            && b[i + 4] == b'-'
            && b[i + 7] == b'-'
            && !(i > 0 && digit(i - 1))
            && !digit(i + 10);
        if !shaped {
            return None;
        }
        let date = text.get(i..i + 10)?;
        NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .is_ok()
            .then_some(date)
    })
}

fn split_fields(tail: &str) -> Vec<String> {
    let normalized = tail
        .replace(['—', '–', '(', ')', ','], "\u{1}")
        .replace("--", "\u{1}")
        .replace(" - ", "\u{1}");
    normalized
        .split('\u{1}')
        .map(|f| {
            f.trim()
                .trim_matches(|c| c == '*' || c == '_' || c == '`')
                .trim()
                .to_string()
        })
        .filter(|f| !f.is_empty())
        .collect()
}

fn status_word(field: &str) -> Option<ReleaseStatus> {
    let f = field.to_ascii_lowercase();
    let f = f.trim_end_matches(['.', ')']).trim_start_matches('(');
    if f.starts_with("release") {
        Some(ReleaseStatus::Released)
    } else if f.starts_with("tag-only") || f.starts_with("tag only") {
        Some(ReleaseStatus::TagOnly)
    } else if f.starts_with("draft") {
        Some(ReleaseStatus::Draft)
    } else if f.starts_with("unpublished") {
        Some(ReleaseStatus::Unpublished)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# Changelog\n\n## [Unreleased]\n\nNothing yet.\n\n## [Unreleased] (second, with a note)\n\n\
## [v0.4.0] — 2026-02-08 — **Release**\n\n### Breaking Changes\n\n- removed a thing\n\n### Fixed\n\n\
## [v0.3.1] -- 2026-01-20 -- Tag-only\n\n## [0.3.0] - 2026-01-10\n\n## [v0.2.0] — 2025-12-01 — Unpublished milestone\n\n\
## [v0.1.0-rc.1] — 2025-11-01 — _Draft_\n";

    #[test]
    fn reads_every_heading_style() {
        let e = parse("CHANGELOG.md", SAMPLE).unwrap();
        let got: Vec<(String, ReleaseStatus, bool)> = e
            .iter()
            .map(|e| (e.version.to_string(), e.status, e.breaking))
            .collect();
        assert_eq!(
            got,
            vec![
                ("0.4.0".to_string(), ReleaseStatus::Released, true),
                ("0.3.1".to_string(), ReleaseStatus::TagOnly, false),
                ("0.3.0".to_string(), ReleaseStatus::Released, false),
                ("0.2.0".to_string(), ReleaseStatus::Unpublished, false),
                ("0.1.0-rc.1".to_string(), ReleaseStatus::Draft, false),
            ]
        );
        assert_eq!(crate::domain::time::date(e[1].date), "2026-01-20");
        assert_eq!(e[0].line, 9);
    }

    #[test]
    fn bare_and_linked_headings_are_read_too() {
        let text = "## v1.2.3 (2026-03-04)\n\n## 1.2.2 - 2026-03-01 - Draft\n\n\
                    ## [1.2.1](https://example.org/compare) – 2026-02-27 – (tag-only)\n\n## Notes\n";
        let e = parse("C.md", text).unwrap();
        let got: Vec<(String, String, ReleaseStatus)> = e
            .iter()
            .map(|e| {
                (
                    e.version.to_string(),
                    crate::domain::time::date(e.date),
                    e.status,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("1.2.3".into(), "2026-03-04".into(), ReleaseStatus::Released),
                ("1.2.2".into(), "2026-03-01".into(), ReleaseStatus::Draft),
                ("1.2.1".into(), "2026-02-27".into(), ReleaseStatus::TagOnly),
            ]
        );
    }

    #[test]
    fn a_heading_without_a_date_names_its_line() {
        let err = parse("C.md", "## [v1.0.0]\n").unwrap_err().to_string();
        assert_eq!(err, "C.md, line 1: release 1.0.0 has no date (YYYY-MM-DD)");
    }

    #[test]
    fn a_file_without_releases_is_rejected() {
        assert!(parse("x.json", "{\"schema\": 1}").is_err());
        assert!(
            parse("C.md", "## [v1.x] — 2026-01-01")
                .unwrap_err()
                .to_string()
                .contains("line 1")
        );
    }
}
