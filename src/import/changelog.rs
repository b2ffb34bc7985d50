//! Changelogs as people write them: release headings become releases.
//!
//! A release heading is an ATX heading of any level (`## …`) or a setext
//! one (a line underlined with `===` or `---`) whose first or second word
//! is a version: bare, with `v`, in brackets, as a link
//! (`[1.2.0](https://…)`), or after a product name (`Cargo 1.80`, read as
//! `1.80.0`). Its date may be ISO with or without leading zeros
//! (`2020-08-5`), `YYYY/MM/DD`, or in words (`February 15, 2022`,
//! `May 30th, 2024`, `15 February 2022`), after `-`, `–`, `—`, `--` or in
//! parentheses; a status word (`Draft`, `Tag-only`, …) may follow. A
//! `### Breaking Changes` section under a release marks it breaking.
//!
//! Upcoming releases (`Unreleased`, `TBD`, no date) are not recorded but
//! listed; a heading that looks like a release and cannot be read is listed
//! with its line and reason (or, with `strict`, fails the import); a
//! version listed twice is recorded once, at its first date in file order.

use chrono::NaiveDate;
use semver::Version;

use super::{ReleaseItem, Releases, file_error};
use crate::domain::{
    Error,
    release::{self, ReleaseStatus},
    time,
};

/// One heading: its level (setext `===` is 1, `---` is 2) and text.
struct Heading<'t> {
    level: usize,
    text: &'t str,
    line: usize,
}

/// How a heading reads.
enum Reading {
    Release {
        version: Version,
        date: NaiveDate,
        status: ReleaseStatus,
    },
    Upcoming(String),
    Unreadable(String),
    Other,
}

/// Reads every release heading of a changelog; `strict` fails on the first
/// release heading that cannot be read.
/// A release date as the ledger's time: its first second, UTC.
fn midnight(date: chrono::NaiveDate) -> Result<crate::domain::Time, Error> {
    match date.and_hms_opt(0, 0, 0).map(|d| time::format(d.and_utc())) {
        Some(text) => time::parse(&text),
        None => Err(Error::invalid("date", date, "a calendar date")),
    }
}

pub fn parse(file: &str, text: &str, strict: bool) -> Result<Releases, Error> {
    let mut out = Releases::default();
    let mut in_release = false;
    let mut seen_any = false;
    for h in headings(text) {
        let lower = h
            .text
            .trim_matches(|c| c == '*' || c == '_')
            .to_ascii_lowercase();
        if h.level >= 3 && lower.starts_with("breaking") {
            if in_release && let Some(last) = out.entries.last_mut() {
                last.breaking = true;
            }
            continue;
        }
        match read_heading(h.text) {
            Reading::Release {
                version,
                date,
                status,
            } => {
                seen_any = true;
                let at = format!("line {}", h.line);
                let date = match midnight(date) {
                    Ok(d) => d,
                    Err(e) => {
                        let reason = format!("release {version}: {e}");
                        if strict {
                            return Err(file_error(file, Some(at), reason));
                        }
                        out.not_recorded
                            .push(format!("{at}: {reason}; not recorded"));
                        in_release = false;
                        continue;
                    }
                };
                in_release = out.push(ReleaseItem {
                    version,
                    date,
                    status,
                    breaking: false,
                    commit: None,
                    at,
                    tag: None,
                });
            }
            Reading::Upcoming(label) => {
                seen_any = true;
                out.not_recorded.push(format!(
                    "line {}: \"{label}\" is an upcoming release (no date); not recorded",
                    h.line
                ));
                in_release = false;
            }
            Reading::Unreadable(reason) => {
                seen_any = true;
                if strict {
                    return Err(file_error(file, Some(format!("line {}", h.line)), reason));
                }
                out.not_recorded
                    .push(format!("line {}: {reason}; not recorded", h.line));
                in_release = false;
            }
            Reading::Other => {
                // A new section at a release's level or above ends it.
                if h.level <= 2 {
                    in_release = false;
                }
            }
        }
    }
    if !seen_any {
        return Err(file_error(
            file,
            None,
            "has no release headings such as \"## [0.1.0] - 2026-02-08\" or \"0.1.0 (2026-02-08)\" underlined",
        ));
    }
    Ok(out)
}

/// Every ATX and setext heading outside code blocks, in order.
fn headings(text: &str) -> Vec<Heading<'_>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut fenced = false;
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim();
        if line.starts_with("```") || line.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced || raw.starts_with("    ") || raw.starts_with('\t') {
            continue;
        }
        let hashes = line.bytes().take_while(|b| *b == b'#').count();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(|c: char| c.is_whitespace()) {
            let text = line[hashes..].trim().trim_end_matches('#').trim();
            out.push(Heading {
                level: hashes,
                text,
                line: i + 1,
            });
            continue;
        }
        // Setext: a paragraph line underlined with `=` or `-`.
        let next = lines.get(i + 1).map(|l| l.trim()).unwrap_or_default();
        let underline = |c: char| next.len() >= 3 && next.chars().all(|x| x == c);
        let paragraph = !line.is_empty()
            && !line.starts_with(['-', '*', '+', '>', '|'])
            && !line.starts_with(|c: char| c.is_ascii_digit() && line.contains(". "));
        if paragraph && (underline('=') || underline('-')) {
            out.push(Heading {
                level: if underline('=') { 1 } else { 2 },
                text: line,
                line: i + 1,
            });
        }
    }
    out
}

/// Markdown links and emphasis read as their text: `[1.2.0](url)` is
/// `1.2.0`, `**Draft**` is `Draft`.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(']') {
            Some(close) => {
                out.push_str(&after[..close]);
                let tail = &after[close + 1..];
                rest = match tail.strip_prefix('(') {
                    Some(t) => t.find(')').map_or(tail, |end| &t[end + 1..]),
                    None => tail,
                };
            }
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace(['*', '`'], "")
}

/// The words of a heading, without the punctuation around them.
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.trim_matches(|c: char| "()[]:;_".contains(c)))
        .filter(|w| !w.is_empty() && !["-", "–", "—", "--"].contains(w))
        .collect()
}

/// A word that reads as a version (`1.2`, `v1.2.3`, `1.0.0-rc.1`), with a
/// missing patch filled in.
fn version_word(word: &str) -> Option<Result<Version, String>> {
    let bare = word.strip_prefix(['v', 'V']).unwrap_or(word);
    let core = bare.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    let numeric = parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !bare.starts_with(|c: char| c.is_ascii_digit()) || !core.contains('.') {
        return None;
    }
    if !numeric || parts.len() > 3 {
        return Some(Err(format!("\"{word}\" is not a SemVer version")));
    }
    let full = if parts.len() == 2 {
        format!("{core}.0{}", &bare[core.len()..])
    } else {
        bare.to_string()
    };
    Some(release::parse_version(&full).map_err(|e| e.to_string()))
}

const UPCOMING: [&str; 5] = ["unreleased", "upcoming", "tbd", "tba", "next"];

fn read_heading(text: &str) -> Reading {
    let plain = plain(text);
    let words = words(&plain);
    let Some(first) = words.first() else {
        return Reading::Other;
    };
    if UPCOMING.contains(&first.to_ascii_lowercase().as_str()) {
        return Reading::Upcoming((*first).to_string());
    }
    // The version is the first word, or the second after a product name.
    let found = words
        .iter()
        .take(2)
        .enumerate()
        .find_map(|(i, w)| version_word(w).map(|v| (i, v)));
    let Some((i, version)) = found else {
        return Reading::Other;
    };
    let version = match version {
        Ok(v) => v,
        Err(reason) => return Reading::Unreadable(reason),
    };
    let rest = &words[i + 1..];
    let date = match find_date(rest) {
        Some(Ok(d)) => d,
        Some(Err(reason)) => return Reading::Unreadable(format!("release {version}: {reason}")),
        // No date (`TBD`, or nothing): not released yet.
        None => return Reading::Upcoming(version.to_string()),
    };
    let status = status_of(&rest.join(" "));
    Reading::Release {
        version,
        date,
        status,
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| {
            m.starts_with(&w) && (w.len() == 3 || *m == w || (w == "sept" && *m == "september"))
        })
        .map(|i| i as u32 + 1)
}

fn day(word: &str) -> Option<u32> {
    let d = word
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .parse::<u32>()
        .ok()?;
    let suffix = &word[word
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .len()..];
    (["", "st", "nd", "rd", "th"].contains(&suffix) && (1..=31).contains(&d)).then_some(d)
}

fn year(word: &str) -> Option<i32> {
    (word.len() == 4 && word.bytes().all(|b| b.is_ascii_digit()))
        .then(|| word.parse().ok())
        .flatten()
}

/// The first date among the words: `YYYY-M-D`, `YYYY/MM/DD`, `Month D,
/// YYYY` or `D Month YYYY`. `Some(Err)` for a date-shaped word that is no
/// calendar date.
fn find_date(words: &[&str]) -> Option<Result<NaiveDate, String>> {
    for (i, w) in words.iter().enumerate() {
        let parts: Vec<&str> = w.split(['-', '/']).collect();
        if parts.len() == 3
            && parts[0].len() == 4
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
            && parts[1].len() <= 2
            && parts[2].len() <= 2
        {
            let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
            return Some(
                NaiveDate::from_ymd_opt(n[0] as i32, n[1], n[2])
                    .ok_or_else(|| format!("date {w} is not a calendar date")),
            );
        }
        let next = |k: usize| words.get(i + k).copied().unwrap_or_default();
        let (m, d, y) = if let Some(m) = month(w) {
            (Some(m), day(next(1)), year(next(2)))
        } else if let Some(d) = day(w) {
            (month(next(1)), Some(d), year(next(2)))
        } else {
            continue;
        };
        if let (Some(m), Some(d), Some(y)) = (m, d, y) {
            let text = format!("{w} {} {}", next(1), next(2));
            return Some(
                NaiveDate::from_ymd_opt(y, m, d)
                    .ok_or_else(|| format!("date \"{text}\" is not a calendar date")),
            );
        }
    }
    None
}

/// The status a heading states after its version (`Draft`, `Tag-only`,
/// `Unpublished`); released unless it says otherwise.
fn status_of(rest: &str) -> ReleaseStatus {
    let r = rest.to_ascii_lowercase();
    if r.contains("tag-only") || r.contains("tag only") {
        ReleaseStatus::TagOnly
    } else if r.contains("unpublished") {
        ReleaseStatus::Unpublished
    } else if r
        .split_whitespace()
        .any(|w| w.trim_matches(|c: char| !c.is_alphabetic()) == "draft")
    {
        ReleaseStatus::Draft
    } else {
        ReleaseStatus::Released
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Releases {
        parse("C.md", text, false).unwrap()
    }

    fn got(r: &Releases) -> Vec<(String, String)> {
        r.entries
            .iter()
            .map(|e| (e.version.to_string(), time::date(e.date)))
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(v, d)| (v.to_string(), d.to_string()))
            .collect()
    }

    const KEEP_A_CHANGELOG: &str = "# Changelog\n\n## [Unreleased]\n\nNothing yet.\n\n\
## [v0.4.0] — 2026-02-08 — **Release**\n\n### Breaking Changes\n\n- removed a thing\n\n### Fixed\n\n\
## [v0.3.1] -- 2026-01-20 -- Tag-only\n\n## [0.3.0] - 2026-01-10\n\n## [v0.2.0] — 2025-12-01 — Unpublished milestone\n\n\
## [v0.1.0-rc.1] — 2025-11-01 — _Draft_\n";

    #[test]
    fn keep_a_changelog_headings_with_status_and_breaking_sections() {
        let r = read(KEEP_A_CHANGELOG);
        let got: Vec<(String, ReleaseStatus, bool)> = r
            .entries
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
        assert_eq!(r.entries[0].at, "line 7");
        assert_eq!(
            r.not_recorded,
            ["line 3: \"Unreleased\" is an upcoming release (no date); not recorded"]
        );
    }

    #[test]
    fn headings_of_any_level_and_setext_headings() {
        let text = "# 1.17.0 (February 15, 2022)\n\n### Fixed\n\n# 1.16.1 (January 28th, 2022)\n\n\
14.1.0 (2024-01-06)\n===================\n\nSome text.\n\n14.0.3 (2023-12-22)\n-------------------\n\n\
### 0.9.0 - 15 March 2021\n";
        assert_eq!(
            got(&read(text)),
            pairs(&[
                ("1.17.0", "2022-02-15"),
                ("1.16.1", "2022-01-28"),
                ("14.1.0", "2024-01-06"),
                ("14.0.3", "2023-12-22"),
                ("0.9.0", "2021-03-15"),
            ])
        );
    }

    #[test]
    fn versions_bare_linked_or_after_a_product_name() {
        let text = "## v2.32.0 (2018-06-26)\n\n## [2.33.2] - 2020-08-5\n\n\
## [1.2.0](https://example.org/compare/v1.1.0...v1.2.0) (2024/01/01)\n\n\
## Cargo 1.80 (2024-07-25)\n\n## 1.0.0 – May 30th, 2024\n\n## 0.1.0 -- Feb 3, 2020\n";
        assert_eq!(
            got(&read(text)),
            pairs(&[
                ("2.32.0", "2018-06-26"),
                ("2.33.2", "2020-08-05"),
                ("1.2.0", "2024-01-01"),
                ("1.80.0", "2024-07-25"),
                ("1.0.0", "2024-05-30"),
                ("0.1.0", "2020-02-03"),
            ])
        );
    }

    #[test]
    fn upcoming_repeated_and_unreadable_headings_are_listed_not_fatal() {
        let text = "## 5.0.0 - TBD\n\n## Upcoming\n\n## 4.1.0\n\n## v2.24.0 (2017-05-07)\n\n\
## v2.24.0 (2017-05-05)\n\n## [1.x] - 2026-01-01\n\n## 1.0.0 - 2026-02-30\n\n## 0.1.0 - 1969-12-31\n\n\
## 0.0.1 - 2017-01-01\n\n## Notes\n";
        let r = read(text);
        assert_eq!(
            got(&r),
            pairs(&[("2.24.0", "2017-05-07"), ("0.0.1", "2017-01-01")])
        );
        assert_eq!(
            r.repeated,
            [
                "2.24.0 appears twice: line 7 (2017-05-07) and line 9 (2017-05-05); the first is recorded"
            ]
        );
        let lines: Vec<&str> = r
            .not_recorded
            .iter()
            .map(|n| n.split(':').next().unwrap())
            .collect();
        assert_eq!(
            lines,
            [
                "line 1", "line 3", "line 5", "line 11", "line 13", "line 15"
            ]
        );
        assert!(r.not_recorded[0].contains("\"5.0.0\" is an upcoming release"));
        assert!(r.not_recorded[3].contains("\"1.x\" is not a SemVer version"));
        assert!(r.not_recorded[4].contains("2026-02-30 is not a calendar date"));
        assert!(r.not_recorded[5].contains("from 1970"));
        // --strict: the first unreadable heading fails the whole file.
        let err = parse("C.md", text, true).unwrap_err().to_string();
        assert!(
            err.starts_with("C.md, line 11: \"1.x\" is not a SemVer version"),
            "{err}"
        );
    }

    #[test]
    fn code_blocks_and_lists_are_not_headings() {
        let text = "## 1.0.0 (2026-01-01)\n\n```\n## 9.9.9 (2026-01-02)\n```\n\n- 2.0.0 (2026-01-03)\n---\n";
        assert_eq!(got(&read(text)), pairs(&[("1.0.0", "2026-01-01")]));
    }

    #[test]
    fn a_file_without_releases_is_rejected() {
        assert!(parse("x.json", "{\"schema\": 1}", false).is_err());
        assert!(parse("C.md", "# Changelog\n\n## Notes\n", false).is_err());
    }
}
