//! The README's CI recipes, run as written: their shell steps, the
//! action's and the GitLab template's scripts, in a scratch repository
//! whose `origin` is a local bare repository standing in for the host.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{Backend, Ledger, backend};

/// The YAML block after `<!-- recipe: NAME -->` in the README.
fn recipe(name: &str) -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let marker = format!("<!-- recipe: {name} -->\n```yaml\n");
    let start = readme.find(&marker).expect("the recipe's marker") + marker.len();
    readme[start..][..readme[start..].find("```").unwrap()].to_string()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One step of a workflow: what it uses, its `with:` and its script.
#[derive(Debug, Default)]
struct Step {
    uses: Option<String>,
    with: Vec<(String, String)>,
    run: Option<String>,
    condition: Option<String>,
}

/// The steps of a workflow or composite action, read by indentation (the
/// files here keep to block style).
fn steps(yaml: &str) -> Vec<Step> {
    let lines: Vec<&str> = yaml.lines().collect();
    let at = lines.iter().position(|l| l.trim() == "steps:").unwrap();
    let item_indent = lines[at + 1].find('-').unwrap();
    let mut steps: Vec<Step> = Vec::new();
    let mut i = at + 1;
    while i < lines.len() {
        let line = lines[i];
        let indent = line.len() - line.trim_start().len();
        if !line.trim().is_empty() && indent < item_indent {
            break;
        }
        if indent == item_indent && line.trim_start().starts_with("- ") {
            steps.push(Step::default());
        }
        let key_line = line.trim_start().trim_start_matches("- ");
        let key_indent = line.len() - key_line.len();
        let step = steps.last_mut().unwrap();
        if let Some(v) = key_line.strip_prefix("uses: ") {
            step.uses = Some(v.split(" #").next().unwrap().trim().to_string());
        } else if let Some(v) = key_line.strip_prefix("if: ") {
            step.condition = Some(v.to_string());
        } else if key_line == "run: |" || key_line.starts_with("run: ") {
            let mut script = key_line.strip_prefix("run: ").unwrap().to_string();
            if script == "|" {
                script.clear();
                while i + 1 < lines.len() {
                    let next = lines[i + 1];
                    let next_indent = next.len() - next.trim_start().len();
                    if !next.trim().is_empty() && next_indent <= key_indent {
                        break;
                    }
                    script.push_str(next.get(key_indent + 2..).unwrap_or(""));
                    script.push('\n');
                    i += 1;
                }
            }
            step.run = Some(script);
        } else if key_line == "with:" {
            while i + 1 < lines.len() {
                let next = lines[i + 1];
                let next_indent = next.len() - next.trim_start().len();
                if next_indent <= key_indent {
                    break;
                }
                if let Some((k, v)) = next.trim().split_once(": ") {
                    step.with
                        .push((k.to_string(), v.trim_matches('"').to_string()));
                }
                i += 1;
            }
        }
        i += 1;
    }
    steps
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "ci")
        .env("GIT_AUTHOR_EMAIL", "ci@localhost")
        .env("GIT_COMMITTER_NAME", "ci")
        .env("GIT_COMMITTER_EMAIL", "ci@localhost")
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

/// Runs `script` with bash in `dir` with `env`; returns its exit code.
fn bash(dir: &Path, script: &str, env: &[(&str, String)]) -> i32 {
    let mut c = Command::new("bash");
    c.current_dir(dir)
        .arg("-e")
        .arg("-c")
        .arg(script)
        .env_remove("LEDGER_DB")
        .env("LEDGER_NOW", "2026-03-01T12:00:00Z")
        .env("GIT_AUTHOR_NAME", "ci")
        .env("GIT_AUTHOR_EMAIL", "ci@localhost")
        .env("GIT_COMMITTER_NAME", "ci")
        .env("GIT_COMMITTER_EMAIL", "ci@localhost");
    for (k, v) in env {
        c.env(k, v);
    }
    c.status().unwrap().code().unwrap_or(-1)
}

/// A project's clone whose `origin` is a bare repository in `l`'s folder,
/// with a rust-cli policy committed as `ledger.toml`.
fn project(l: &Ledger) -> PathBuf {
    let origin = l.path("origin.git");
    git(
        l.path("").as_path(),
        &["init", "--quiet", "--bare", origin.to_str().unwrap()],
    );
    let work = l.path("project");
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "--quiet", "--initial-branch", "main"]);
    git(
        &work,
        &["remote", "add", "origin", origin.to_str().unwrap()],
    );
    std::fs::write(
        work.join("ledger.toml"),
        crate::harness::template("rust-cli", "demo-app"),
    )
    .unwrap();
    git(&work, &["add", "ledger.toml"]);
    git(&work, &["commit", "--quiet", "-m", "policy"]);
    work
}

/// The GitHub recipe twice (two runs of the workflow, the second on
/// another machine's fresh clone): the ledger lives on the `ledger`
/// branch, the check fails the job with the blocking finding in the step
/// summary and SARIF at the policy's line, and a release run publishes a
/// checkpoint that verifies.
#[test]
fn the_github_recipe_runs_as_written() {
    if backend() == Backend::Postgres {
        return;
    }
    let l = Ledger::empty_file();
    let work = project(&l);
    let bin = assert_cmd::cargo::cargo_bin("ledger").display().to_string();
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let action_run = steps(&action)
        .into_iter()
        .find(|s| {
            s.run
                .as_deref()
                .is_some_and(|r| r.contains("\"$LEDGER_BIN\" \"$COMMAND\""))
        })
        .and_then(|s| s.run)
        .expect("the action's run step");
    let workflow = recipe("github");
    // The first run writes the ledger's first entries; the second starts
    // from the branch alone.
    let key = l.path("release.key");
    let keygen = Command::new(&bin)
        .args(["keygen", "--out", key.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(keygen.status.success());
    for run in 0..2 {
        let temp = l.path(&format!("runner-temp-{run}"));
        std::fs::create_dir_all(&temp).unwrap();
        let summary = temp.join("summary.md");
        let output = temp.join("output");
        let gh = temp.join("bin");
        std::fs::create_dir_all(&gh).unwrap();
        std::fs::write(
            gh.join("gh"),
            "#!/bin/sh\necho \"$@\" >> \"$RUNNER_TEMP/gh-calls\"\n",
        )
        .unwrap();
        Command::new("chmod")
            .arg("+x")
            .arg(gh.join("gh"))
            .status()
            .unwrap();
        let path = format!("{}:{}", gh.display(), std::env::var("PATH").unwrap());
        let base = vec![
            ("LEDGER_DB", "ledger.db".to_string()),
            ("RUNNER_TEMP", temp.display().to_string()),
            ("GITHUB_STEP_SUMMARY", summary.display().to_string()),
            ("GITHUB_OUTPUT", output.display().to_string()),
            ("LEDGER", bin.clone()),
            ("LEDGER_BIN", bin.clone()),
            ("PATH", path),
            ("LEDGER_KEY", std::fs::read_to_string(&key).unwrap()),
            ("TAG", "v0.2.0".to_string()),
        ];
        let mut codes = Vec::new();
        for step in steps(&workflow) {
            let code = match (&step.uses, &step.run) {
                (Some(uses), _) if uses.starts_with("actions/checkout") => 0,
                (Some(uses), _) if uses.starts_with("OWNER/ledger") => {
                    let get = |k: &str| {
                        step.with
                            .iter()
                            .find(|(key, _)| key == k)
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default()
                    };
                    let mut env = base.clone();
                    env.extend([
                        ("COMMAND", get("command")),
                        ("ARGS", get("args")),
                        ("DB", String::new()),
                        ("SARIF", get("sarif")),
                        ("SUMMARY", "auto".to_string()),
                    ]);
                    bash(&work, &action_run, &env)
                }
                (None, Some(script)) => {
                    if step.condition.is_some() && run == 0 {
                        continue; // the release step runs on the second run, "a tag"
                    }
                    bash(&work, script, &base)
                }
                other => panic!("a step this test cannot run: {other:?}"),
            };
            codes.push(code);
        }
        assert!(codes.iter().all(|c| *c == 0), "run {run}: {codes:?}");
        // The check found the failing clippy gate: exit 1, blocking.
        let outputs = std::fs::read_to_string(&output).unwrap();
        assert!(outputs.contains("exit-code=1"), "{outputs}");
        let written = std::fs::read_to_string(&summary).unwrap();
        assert!(
            written.contains("ledger check-release: 1 blocking"),
            "{written}"
        );
        let sarif: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(temp.join("ledger.sarif")).unwrap())
                .unwrap();
        let loc = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "ledger.toml", "{sarif:#}");
        assert!(loc["region"]["startLine"].as_u64().unwrap() > 1);
        // The next run is another machine: only the branch carries over.
        std::fs::remove_file(work.join("ledger.db")).unwrap();
        if run == 1 {
            let calls = std::fs::read_to_string(temp.join("gh-calls")).unwrap();
            assert!(
                calls.starts_with("release upload v0.2.0 checkpoint.txt"),
                "{calls}"
            );
        }
    }
    // Both runs' gates are on the branch, once each, and the checkpoint
    // the release published verifies against a fresh copy.
    let fresh = l.path("fresh.db");
    let out = Command::new(&bin)
        .current_dir(&work)
        .env("LEDGER_DB", &fresh)
        .env("LEDGER_NOW", "2026-03-01T12:00:00Z")
        .args(["sync", "--git", "origin", "--branch", "ledger"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let gates = Command::new(&bin)
        .env("LEDGER_DB", &fresh)
        .args(["export"])
        .output()
        .unwrap();
    let export = String::from_utf8(gates.stdout).unwrap();
    let verifier = std::fs::read_to_string(l.path("release.key.pub")).unwrap();
    let checked = Command::new(&bin)
        .env("LEDGER_DB", &fresh)
        .args(["verify", "--checkpoint"])
        .arg(work.join("checkpoint.txt"))
        .args(["--key", verifier.trim()])
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    assert_eq!(
        export
            .lines()
            .filter(|l| l.contains("\"kind\":\"gate-result\""))
            .count(),
        2,
        "{export}"
    );
}

/// The GitLab recipe's job: the template's script with the job's
/// variables writes the Code Quality and JUnit reports and fails the job
/// when the release is blocked.
#[test]
fn the_gitlab_recipe_runs_as_written() {
    if backend() == Backend::Postgres {
        return;
    }
    let l = Ledger::empty_file();
    let work = project(&l);
    let bin = assert_cmd::cargo::cargo_bin("ledger");
    let db = work.join("ledger.db");
    for args in [
        &["init", "--policy", "ledger.toml"][..],
        &["record-gate", "clippy", "--fail"],
    ] {
        let out = Command::new(&bin)
            .current_dir(&work)
            .env("LEDGER_DB", &db)
            .env("LEDGER_NOW", "2026-03-01T12:00:00Z")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let job = recipe("gitlab");
    let var = |name: &str| -> String {
        let line = job
            .lines()
            .find(|l| l.trim().starts_with(&format!("{name}:")))
            .unwrap();
        let value = line.split_once(": ").unwrap().1;
        value
            .split(" #")
            .next()
            .unwrap()
            .trim()
            .trim_matches('"')
            .to_string()
    };
    let template = std::fs::read_to_string(root().join("ci/gitlab/ledger.yml")).unwrap();
    let script_at = template.find("  script:\n    - |\n").unwrap() + "  script:\n    - |\n".len();
    let script: String = template[script_at..]
        .lines()
        .take_while(|l| l.starts_with("      ") || l.trim().is_empty())
        .map(|l| format!("{}\n", l.get(6..).unwrap_or("")))
        .collect();
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap()
    );
    let code = bash(
        &work,
        &script,
        &[
            ("LEDGER_COMMAND", var("LEDGER_COMMAND")),
            ("LEDGER_ARGS", var("LEDGER_ARGS")),
            ("LEDGER_DB", db.display().to_string()),
            ("LEDGER_ARCHIVE", String::new()),
            ("LEDGER_SOURCE", String::new()),
            ("CARGO_HOME", l.path("cargo").display().to_string()),
            ("PATH", path),
        ],
    );
    assert_eq!(code, 1, "the blocked release fails the job");
    let quality: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(work.join("gl-code-quality-report.json")).unwrap(),
    )
    .unwrap();
    let issue = &quality[0];
    assert_eq!(issue["check_name"], "ledger/gate-failing", "{quality:#}");
    assert_eq!(issue["severity"], "blocker");
    assert_eq!(issue["location"]["path"], "ledger.toml");
    let junit = std::fs::read_to_string(work.join("ledger-junit.xml")).unwrap();
    assert!(junit.contains("failures=\"1\""), "{junit}");
}
