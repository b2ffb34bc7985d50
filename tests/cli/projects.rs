//! Several projects in one ledger: each judged by its own policy.

use crate::harness::{Ledger, seed_policy};

/// A policy for project `project`: the seed's, with `gate` as its first
/// gate's id and `title` as its title.
fn policy_file(l: &Ledger, name: &str, project: &str, gate: &str, title: &str) -> String {
    let text = seed_policy()
        .replacen("project = \"pi\"", &format!("project = \"{project}\""), 1)
        .replacen(
            "title = \"Extension Platform Program Governance\"",
            &format!("title = \"{title}\""),
            1,
        )
        .replacen("id = \"fmt\"", &format!("id = \"{gate}\""), 1);
    let path = l.path(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// The gate ids `project`'s `gates` lists.
fn gates(l: &Ledger, project: &str) -> Vec<String> {
    let rows = l.json(&["--project", project, "gates"]);
    let mut ids: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["gate"].as_str().unwrap().to_string())
        .collect();
    ids.dedup();
    ids
}

#[test]
fn loading_one_projects_policy_changes_no_answer_of_another() {
    let l = Ledger::new();
    let pi_gates = gates(&l, "pi");
    assert!(pi_gates.contains(&"fmt".to_string()), "{pi_gates:?}");
    let rg = policy_file(&l, "rg.toml", "rg", "rustfmt", "ripgrep governance");
    l.ok(&["init", "--policy", &rg]);
    let rg_gates = gates(&l, "rg");
    assert!(rg_gates.contains(&"rustfmt".to_string()) && !rg_gates.contains(&"fmt".to_string()));
    assert_eq!(
        gates(&l, "pi"),
        pi_gates,
        "rg's policy leaked into pi's answers"
    );
    // pi loads a second version; rg keeps its first.
    let pi2 = policy_file(
        &l,
        "pi2.toml",
        "pi",
        "fmt-check",
        "Pi governance, version 2",
    );
    l.ok(&["init", "--policy", &pi2]);
    assert!(gates(&l, "pi").contains(&"fmt-check".to_string()));
    assert_eq!(
        gates(&l, "rg"),
        rg_gates,
        "pi's policy leaked into rg's answers"
    );
    let policy = |project: &str| l.json(&["--project", project, "policy"]);
    assert_eq!(
        (
            policy("pi")["version"].as_i64(),
            policy("rg")["version"].as_i64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(policy("rg")["title"], "ripgrep governance");
    // A write is judged by its project's policy: rg has no gate "fmt-check".
    l.rejects(
        &[
            "--project",
            "rg",
            "record-gate",
            "fmt-check",
            "--value",
            "0",
            "--platform",
            "linux",
        ],
        "unknown gate \"fmt-check\"",
    );
    l.ok(&[
        "--project",
        "pi",
        "record-gate",
        "fmt-check",
        "--value",
        "0",
        "--platform",
        "linux",
    ]);
    // Loading the same policy again is no new version of that project.
    let r = l.ok(&["init", "--policy", &rg]);
    assert!(r.contains("policy version 1 unchanged"), "{r}");
}

/// A policy may govern as little as a project's name: every question then
/// says what it does not govern, flags nothing and exits 0.
#[test]
fn a_policy_of_a_name_alone_governs_nothing_and_flags_nothing() {
    let l = Ledger::empty();
    l.load_policy("rg.toml", "project = \"rg\"\n");
    l.ok(&["record-release", "15.1.0", "--date", "2026-02-01"]);
    for (args, subject) in [
        (&["gates"][..], "gates are not governed by the policy of rg"),
        (&["budgets"][..], "performance budgets are not governed"),
        (&["drift"][..], "performance budgets are not governed"),
        (&["deprecations"][..], "deprecations are not governed"),
        (&["extensions"][..], "extensions are not governed"),
        (&["incidents"][..], "incident SLAs are not governed"),
        (&["maintenance"][..], "maintenance tasks are not governed"),
        (&["readiness"][..], "milestones are not governed"),
    ] {
        let mut checked = args.to_vec();
        checked.push("--check");
        let r = l.run(&checked);
        assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(subject), "{args:?}: {}", r.stderr);
        assert_eq!(
            r.stderr.matches("note:").count(),
            1,
            "said once: {}",
            r.stderr
        );
    }
    assert_eq!(l.run(&["status", "--check"]).code, 0);
    assert_eq!(l.run(&["check-release", "15.2.0", "--check"]).code, 0);
    // No invented tag prefix.
    assert_eq!(l.json(&["releases"])[0]["tag"], "15.1.0");
    // A deprecation of a kind the policy sets no window for has nothing
    // to be judged by: refused, and nothing written.
    l.rejects(
        &[
            "deprecate",
            "--old-flag",
            "--kind",
            "cli-flag",
            "--in",
            "15.1.0",
        ],
        "the policy sets no deprecation window for cli-flag items deprecated in 15.1.0",
    );
}

/// A deprecation section with one kind governs that kind alone.
#[test]
fn a_deprecation_window_for_one_kind_governs_that_kind() {
    let l = Ledger::empty();
    let text = "project = \"rg\"\n\n[deprecations.windows.post_1_0]\ncli-flag = 1\n";
    l.load_policy("rg.toml", text);
    l.ok(&["record-release", "14.0.0", "--date", "2026-01-01"]);
    l.ok(&[
        "deprecate",
        "--old-flag",
        "--kind",
        "cli-flag",
        "--in",
        "14.0.0",
    ]);
    l.ok(&["record-release", "14.1.0", "--date", "2026-02-01"]);
    // After 1.0 a removal waits for a major, by default.
    let rows = l.json(&["deprecations"]);
    assert_eq!(rows[0]["status"], "active", "{rows}");
    assert_eq!(rows[0]["earliest_removal"], "15.0.0");
    l.ok(&["record-release", "15.0.0", "--date", "2026-03-01"]);
    let rows = l.json(&["deprecations"]);
    assert_eq!(rows[0]["status"], "overdue", "{rows}");
    assert_eq!(rows[0]["window"], 1);
    assert_eq!(l.run(&["deprecations", "--check"]).code, 1);
    l.rejects(
        &["deprecate", "old_api", "--kind", "api", "--in", "14.1.0"],
        "unknown deprecation kind \"api\"; known deprecation kinds: cli-flag",
    );
}

/// Deprecation kinds are the policy's names: a kind of its own gets its
/// window like any other.
#[test]
fn a_deprecation_kind_of_the_policys_own_is_judged_by_its_window() {
    let l = Ledger::empty();
    let text = "project = \"app\"\n\n[deprecations.windows.pre_1_0]\nconfig-key = 1\n";
    l.load_policy("app.toml", text);
    l.ok(&["record-release", "0.3.0", "--date", "2026-01-01"]);
    l.ok(&[
        "deprecate",
        "log.level",
        "--kind",
        "config-key",
        "--in",
        "0.3.0",
    ]);
    l.ok(&["record-release", "0.4.0", "--date", "2026-02-01"]);
    l.ok(&["record-release", "0.5.0", "--date", "2026-02-20"]);
    let rows = l.json(&["deprecations"]);
    assert_eq!(
        (rows[0]["kind"].as_str(), rows[0]["status"].as_str()),
        (Some("config-key"), Some("overdue")),
        "{rows}"
    );
    let policy = l.json(&["policy"]);
    assert_eq!(
        policy["deprecations"]["windows"]["pre_1_0"]["config-key"],
        1
    );
}
