//! GitHub releases: the JSON that `gh release list --json
//! tagName,name,publishedAt,isDraft,isPrerelease` prints, or the REST
//! API's list of releases (`tag_name`, `published_at`, `draft`,
//! `prerelease`).
//!
//! A draft is a draft; a pre-release is a pre-release (one whose tag has no
//! pre-release part is recorded as unpublished: it did not ship); the
//! publish time is the release date (a draft's creation time, when it has
//! one).

use serde_json::Value;

use super::{ReleaseItem, Releases, file_error, json_document};
use crate::domain::{Error, release, release::ReleaseStatus, time};

/// Reads a list of releases.
pub fn parse(file: &str, text: &str) -> Result<Releases, Error> {
    let doc = json_document(file, text)?;
    let list = doc.as_array().ok_or_else(|| {
        file_error(
            file,
            None,
            "is not a list of releases (expected the JSON of `gh release list --json tagName,name,publishedAt,isDraft,isPrerelease`)",
        )
    })?;
    let mut out = Releases::default();
    for (i, r) in list.iter().enumerate() {
        let field =
            |gh: &str, rest: &str| r.get(gh).or_else(|| r.get(rest)).filter(|v| !v.is_null());
        let Some(tag) = field("tagName", "tag_name").and_then(Value::as_str) else {
            return Err(file_error(
                file,
                Some(format!("[{i}]")),
                "has no tagName (or tag_name)",
            ));
        };
        let at = format!("release {}", tag.escape_debug());
        let Ok(version) = release::parse_version(tag) else {
            out.not_recorded.push(format!(
                "{at}: \"{}\" is not a SemVer version; not recorded",
                tag.escape_debug()
            ));
            continue;
        };
        let flag = |gh: &str, rest: &str| field(gh, rest).and_then(Value::as_bool).unwrap_or(false);
        let draft = flag("isDraft", "draft");
        let prerelease = flag("isPrerelease", "prerelease");
        let date = field("publishedAt", "published_at")
            .or_else(|| field("createdAt", "created_at"))
            .and_then(Value::as_str);
        let Some(date) = date else {
            out.not_recorded.push(format!(
                "{at}: has no publish or creation time; not recorded"
            ));
            continue;
        };
        let date = match time::parse(date) {
            Ok(d) => d,
            Err(e) => {
                out.not_recorded.push(format!("{at}: {e}; not recorded"));
                continue;
            }
        };
        let status = if draft {
            ReleaseStatus::Draft
        } else if prerelease && version.pre.is_empty() {
            ReleaseStatus::Unpublished
        } else {
            ReleaseStatus::Released
        };
        out.push(ReleaseItem {
            version,
            date,
            status,
            breaking: false,
            commit: None,
            at,
            tag: crate::domain::text::name("tag", tag).ok(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gh_and_rest_shapes_with_drafts_and_pre_releases() {
        let gh = r#"[
          {"tagName":"v1.2.0","name":"1.2","publishedAt":"2026-02-01T10:00:00Z","isDraft":false,"isPrerelease":false},
          {"tagName":"v1.3.0-rc.1","name":"rc","publishedAt":"2026-02-10T10:00:00Z","isDraft":false,"isPrerelease":true},
          {"tagName":"v1.3.0","name":"next","publishedAt":null,"createdAt":"2026-02-12T10:00:00Z","isDraft":true,"isPrerelease":false},
          {"tagName":"nightly","publishedAt":"2026-02-11T10:00:00Z","isDraft":false,"isPrerelease":true}
        ]"#;
        let r = parse("r.json", gh).unwrap();
        let got: Vec<(String, ReleaseStatus)> = r
            .entries
            .iter()
            .map(|e| (e.version.to_string(), e.status))
            .collect();
        assert_eq!(
            got,
            vec![
                ("1.2.0".into(), ReleaseStatus::Released),
                ("1.3.0-rc.1".into(), ReleaseStatus::Released),
                ("1.3.0".into(), ReleaseStatus::Draft),
            ]
        );
        assert_eq!(r.not_recorded.len(), 1);
        let rest = r#"[{"tag_name":"2.0.0","published_at":"2026-03-01T00:00:00Z","draft":false,"prerelease":true}]"#;
        let r = parse("r.json", rest).unwrap();
        assert_eq!(
            r.entries[0].status,
            ReleaseStatus::Unpublished,
            "marked pre-release, no pre-release part"
        );
        assert!(parse("r.json", "{}").is_err());
        assert!(
            parse("r.json", "[{\"name\":\"x\"}]")
                .unwrap_err()
                .to_string()
                .contains("[0]")
        );
    }
}
