//! Release history from the sources real projects keep: changelogs in
//! their common shapes, git tags, GitHub releases. The samples are written
//! for these tests.

use std::path::Path;
use std::process::Command;

use crate::harness::{Ledger, fixture};

fn import(l: &Ledger, args: &[&str]) -> serde_json::Value {
    let mut a = vec!["import"];
    a.extend_from_slice(args);
    l.json(&a)
}

fn versions(l: &Ledger) -> Vec<(String, String, String)> {
    let rows = l.json(&["releases"]);
    let mut v: Vec<(String, String, String)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["version"].as_str().unwrap().to_string(),
                r["date"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Shapes of three widely used styles, written for this test.
const CLAP_LIKE: &str = "# Change Log\n\n## 5.0.0 - TBD\n\n## [2.33.2] - 2020-08-5\n\n### Fixes\n\n\
## v2.32.0 (2018-06-26)\n\n## v2.24.0 (2017-05-07)\n\n## v2.24.0 (2017-05-05)\n";
const TOKIO_LIKE: &str =
    "# 1.17.0 (February 15, 2022)\n\n### Fixed\n\n- a fix\n\n# 1.16.1 (January 28th, 2022)\n";
const RIPGREP_LIKE: &str =
    "14.1.0 (2024-01-06)\n===================\nText.\n\n14.0.3 (2023-12-22)\n===================\n";

#[test]
fn changelogs_in_their_common_shapes_are_read() {
    let l = Ledger::new();
    let cases = [
        (CLAP_LIKE, 3, 1, 1),
        (TOKIO_LIKE, 2, 0, 0),
        (RIPGREP_LIKE, 2, 0, 0),
    ];
    for (i, (text, added, not_recorded, conflicts)) in cases.iter().enumerate() {
        let file = l.path(&format!("CHANGELOG-{i}.md"));
        std::fs::write(&file, text).unwrap();
        let s = import(&l, &["changelog", file.to_str().unwrap()]);
        assert_eq!(s["added"], *added, "{s}");
        assert_eq!(s["not_recorded"], *not_recorded, "{s}");
        assert_eq!(s["conflicts"].as_array().unwrap().len(), *conflicts, "{s}");
        // Idempotent.
        let head = l.head();
        let again = import(&l, &["changelog", file.to_str().unwrap()]);
        assert_eq!(again["added"], 0);
        assert_eq!(l.head(), head);
    }
    let got = versions(&l);
    for (v, d) in [
        ("2.33.2", "2020-08-05"),
        ("2.24.0", "2017-05-07"),
        ("1.17.0", "2022-02-15"),
        ("1.16.1", "2022-01-28"),
        ("14.1.0", "2024-01-06"),
    ] {
        assert!(
            got.iter().any(|(gv, gd, _)| gv == v && gd == d),
            "{v} {d} not in {got:?}"
        );
    }
    assert!(
        !got.iter().any(|(v, _, _)| v == "5.0.0"),
        "TBD is not recorded"
    );
}

#[test]
fn check_and_strict_say_what_was_not_read() {
    let l = Ledger::new();
    let file = l.path("CHANGELOG.md");
    std::fs::write(&file, format!("{CLAP_LIKE}\n## [1.x] - 2016-01-01\n")).unwrap();
    let path = file.to_str().unwrap();
    let head = l.head();
    let r = l.rejects(
        &["import", "changelog", path, "--strict"],
        "\"1.x\" is not a SemVer version",
    );
    assert!(r.stderr.contains("line 15"), "{}", r.stderr);
    assert_eq!(l.head(), head);
    let r = l.run(&["import", "changelog", path, "--check"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("3 added"), "{}", r.stdout);
    assert!(r.stdout.contains("2 not recorded"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("2.24.0 appears twice: line 11 (2017-05-07) and line 13 (2017-05-05)")
    );
    assert!(
        r.stdout
            .contains("line 3: \"5.0.0\" is an upcoming release"),
        "{}",
        r.stdout
    );
}

pub fn git(repo: &Path, args: &[&str], date: &str) {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn git_tags_become_releases() {
    let l = Ledger::new();
    let repo = l.path("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"], "2026-01-01T00:00:00Z");
    git(
        &repo,
        &["commit", "-q", "--allow-empty", "-m", "one"],
        "2026-01-10T08:00:00Z",
    );
    git(&repo, &["tag", "v0.1.0"], "2026-01-10T08:00:00Z");
    git(
        &repo,
        &["commit", "-q", "--allow-empty", "-m", "two"],
        "2026-01-20T08:00:00Z",
    );
    git(
        &repo,
        &["tag", "-a", "v0.2.0", "-m", "0.2.0"],
        "2026-01-21T09:00:00Z",
    );
    git(&repo, &["tag", "0.3.0-rc.1"], "2026-01-22T00:00:00Z");
    git(&repo, &["tag", "nightly"], "2026-01-22T00:00:00Z");
    let repo_arg = repo.to_str().unwrap();
    let s = import(&l, &["git-tags", "--repo", repo_arg]);
    assert_eq!(s["added"], 3, "{s}");
    assert!(
        s["notes"][0]
            .as_str()
            .unwrap()
            .contains("1 tag(s) are not SemVer versions (nightly)")
    );
    let got = versions(&l);
    assert_eq!(
        got,
        vec![
            ("0.1.0".into(), "2026-01-10".into(), "released".into()),
            ("0.2.0".into(), "2026-01-21".into(), "released".into()),
            ("0.3.0-rc.1".into(), "2026-01-20".into(), "released".into()),
        ],
        "annotated: the tagger's date; lightweight: the commit's"
    );
    let rows = l.json(&[
        "sql",
        "SELECT version, commit_sha FROM releases ORDER BY version",
    ]);
    assert_eq!(rows[0]["commit_sha"].as_str().unwrap().len(), 40);
    // Idempotent; --pattern narrows.
    let head = l.head();
    assert_eq!(
        import(&l, &["git-tags", "--repo", repo_arg, "--pattern", "v*"])["skipped"],
        2
    );
    assert_eq!(l.head(), head);
    // Not a repository, a file argument: input errors.
    let not_repo = l.path("plain");
    std::fs::create_dir(&not_repo).unwrap();
    l.rejects(
        &["import", "git-tags", "--repo", not_repo.to_str().unwrap()],
        "a folder inside a git repository",
    );
    l.rejects(&["import", "git-tags", "tags.txt"], "pass --repo PATH");
}

#[test]
fn github_releases_become_releases() {
    let l = Ledger::new();
    let file = fixture("github-releases.json");
    let s = import(&l, &["github-releases", file.to_str().unwrap()]);
    assert_eq!(s["added"], 4, "{s}");
    assert_eq!(s["not_recorded"], 1, "{s}");
    let got = versions(&l);
    assert_eq!(
        got,
        vec![
            ("0.2.1".into(), "2025-12-02".into(), "released".into()),
            ("0.3.0".into(), "2026-01-20".into(), "released".into()),
            ("0.3.0-rc.1".into(), "2026-01-12".into(), "released".into()),
            ("0.4.0".into(), "2026-02-20".into(), "draft".into()),
        ]
    );
    let head = l.head();
    assert_eq!(
        import(&l, &["github-releases", file.to_str().unwrap()])["skipped"],
        4
    );
    assert_eq!(l.head(), head);
    let bad = l.path("bad.json");
    std::fs::write(&bad, "{\"releases\": []}").unwrap();
    l.rejects(
        &["import", "github-releases", bad.to_str().unwrap()],
        "is not a list of releases",
    );
}
