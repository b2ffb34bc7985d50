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
