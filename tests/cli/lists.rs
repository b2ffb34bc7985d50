//! Lists and formats: the contract's JSON keys, CSV and Markdown.

use serde_json::Value;

use crate::harness::Ledger;

fn keys(v: &Value) -> Vec<String> {
    v.as_object().expect("object").keys().cloned().collect()
}

fn assert_keys(v: &Value, wanted: &[&str]) {
    let have = keys(v);
    for k in wanted {
        assert!(have.iter().any(|h| h == k), "missing key {k:?} in {v}");
    }
}

fn small_history() -> Ledger {
    let l = Ledger::new();
    l.ok(&["record-release", "0.3.0", "--date", "2026-01-10"]);
    l.ok(&["record-release", "0.4.0", "--date", "2026-02-08"]);
    l.ok(&[
        "record-gate",
        "fmt",
        "--value",
        "0",
        "--platform",
        "linux",
        "--at",
        "2026-02-28",
    ]);
    l.ok(&[
        "record-budget",
        "warm-load-p95",
        "--value",
        "40",
        "--at",
        "2026-02-20",
    ]);
    l.ok(&[
        "record-budget",
        "warm-load-p95",
        "--value",
        "45",
        "--at",
        "2026-02-27",
    ]);
    l.ok(&[
        "deprecate",
        "old",
        "--kind",
        "api",
        "--in",
        "0.3.0",
        "--at",
        "2026-01-10",
    ]);
    l.ok(&[
        "add-extension",
        "e",
        "--tier",
        "official",
        "--license",
        "MIT",
        "--provenance",
        "npm:e@1.0.0",
        "--doctor",
        "pass",
    ]);
    l.ok(&[
        "open-incident",
        "--kind",
        "other",
        "--severity",
        "low",
        "--title",
        "t",
        "--at",
        "2026-02-01",
    ]);
    l
}

#[test]
fn every_list_has_the_contract_keys() {
    let l = small_history();
    assert_keys(
        &l.json(&["releases"])[0],
        &["version", "tag", "date", "status", "channel"],
    );
    assert_keys(
        &l.json(&["gates"])[0],
        &["gate", "platform", "value", "passed", "at"],
    );
    assert_keys(
        &l.json(&["drift"])[0],
        &[
            "budget",
            "unit",
            "direction",
            "threshold",
            "samples",
            "first",
            "last",
            "change_pct",
            "over_pct",
            "status",
        ],
    );
    assert_keys(
        &l.json(&["deprecations"])[0],
        &[
            "item",
            "kind",
            "deprecated_in",
            "removed_in",
            "status",
            "overdue_since",
        ],
    );
    assert_keys(
        &l.json(&["extensions"])[0],
        &["id", "tier", "license", "violations"],
    );
    assert_keys(
        &l.json(&["incidents"])[0],
        &[
            "id",
            "kind",
            "severity",
            "title",
            "opened_at",
            "triaged_at",
            "resolved_at",
            "overdue",
            "overdue_by_hours",
        ],
    );
    assert_keys(
        &l.json(&["maintenance"])[0],
        &["task", "cadence", "last_done", "overdue"],
    );
    let r = l.json(&["readiness"]);
    assert_keys(&r, &["milestone", "ready", "criteria"]);
    assert_keys(&r["criteria"][0], &["id", "met", "evidence", "blockers"]);
    let c = l.json(&["check-release", "0.5.0"]);
    assert_keys(&c, &["version", "allowed", "findings"]);
    assert_keys(&l.json(&["verify"]), &["ok", "entries", "head", "problems"]);
}

#[test]
fn gates_show_the_latest_result_per_platform() {
    let l = Ledger::new();
    l.ok(&[
        "record-gate",
        "clippy",
        "--value",
        "3",
        "--platform",
        "linux",
        "--at",
        "2026-02-01",
    ]);
    l.ok(&[
        "record-gate",
        "clippy",
        "--value",
        "0",
        "--platform",
        "linux",
        "--at",
        "2026-02-02",
    ]);
    l.ok(&[
        "record-gate",
        "clippy",
        "--fail",
        "--platform",
        "windows",
        "--at",
        "2026-02-02",
    ]);
    let rows = l.json(&["gates"]);
    let clippy: Vec<&Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["gate"] == "clippy")
        .collect();
    assert_eq!(clippy.len(), 3, "one row per platform");
    let linux = clippy.iter().find(|g| g["platform"] == "linux").unwrap();
    assert_eq!(
        (linux["value"].clone(), linux["passed"].clone()),
        (0.0.into(), true.into())
    );
    let failing = l.json(&["gates", "--failing"]);
    assert_eq!(failing.as_array().unwrap().len(), 1);
    assert_eq!(failing[0]["platform"], "windows");
    assert_eq!(l.run(&["gates", "--check"]).code, 1);
    // As of the first day, the linux result was the failing one.
    let then = l.json(&[
        "gates",
        "--failing",
        "--as-of",
        "2026-02-01T12:00:00Z",
        "--include-late",
    ]);
    assert_eq!(then[0]["value"], 3.0);
}

#[test]
fn csv_and_markdown_render_the_same_rows() {
    let l = small_history();
    let csv = l.ok(&["releases", "--format", "csv"]);
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("version,tag,date,status,channel")
    );
    assert_eq!(lines.count(), 2);
    let md = l.ok(&["releases", "--format", "markdown"]);
    assert!(md.contains("| version | tag"), "{md}");
    assert!(md.contains("| 0.4.0"), "{md}");
    let table = l.ok(&["releases"]);
    assert!(
        table.contains("v0.4.0") && table.contains("minor"),
        "{table}"
    );
    let env_json = l
        .cmd()
        .env("LEDGER_FORMAT", "json")
        .arg("releases")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&env_json.stdout).expect("LEDGER_FORMAT=json gives JSON");
    assert_eq!(v[0]["version"], "0.4.0");
}

#[test]
fn csv_of_a_verdict_is_its_findings_and_an_empty_list_keeps_its_header() {
    let l = small_history();
    l.ok(&[
        "record-gate",
        "clippy",
        "--value",
        "3",
        "--platform",
        "linux",
        "--at",
        "2026-02-28",
    ]);
    let csv = l.ok(&["check-release", "0.5.0", "--format", "csv"]);
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        ["severity", "rule", "subject", "message", "entry", "waived"]
    );
    let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    let findings = l.json(&["check-release", "0.5.0"])["findings"].clone();
    assert_eq!(records.len(), findings.as_array().unwrap().len());
    assert!(
        records
            .iter()
            .any(|r| &r[1] == "gate-failing" && &r[2] == "clippy")
    );

    // Nothing to list: the header alone, not an empty quoted field.
    assert_eq!(
        l.ok(&["waivers", "--format", "csv"]),
        "rule,subject,expires_at,waived_by,reason,entry\n"
    );
    assert_eq!(l.ok(&["waivers", "--format", "csv", "--no-headers"]), "");
}

#[test]
fn policy_shows_in_every_format() {
    let l = Ledger::new();
    let table = l.ok(&["policy"]);
    assert!(
        table.contains("corpus-pass-rate") && table.contains(">= 80 %"),
        "{table}"
    );
    let v = l.json(&["policy"]);
    assert_eq!(v["project"], "pi");
    assert_eq!(v["budgets"]["blocking_over_pct"], 20.0);
    // One CSV table cannot hold the policy's sections: refused, not cut.
    let r = l.run(&["policy", "--format", "csv"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("use --format json"), "{}", r.stderr);
    assert_eq!(l.run(&["status", "--format", "csv"]).code, 2);
    assert_eq!(l.run(&["export", "--format", "csv"]).code, 2);
    let verify = l.ok(&["verify", "--format", "csv"]);
    assert!(
        verify.starts_with("ok,entries,head,root,problem\ntrue,2,"),
        "{verify}"
    );
    assert!(
        l.ok(&["policy", "--format", "markdown"])
            .contains("## Gates")
    );
}

#[test]
fn sql_is_read_only() {
    let l = small_history();
    let rows = l.json(&["sql", "SELECT version FROM releases ORDER BY version"]);
    assert_eq!(rows[1]["version"], "0.4.0");
    l.rejects(&["sql", "DELETE FROM releases"], "read-only");
    l.rejects(&["sql", "SELEC 1"], "invalid query");
    l.rejects(&["sql", "  "], "invalid query");
}

/// Output with a shape of its own refuses a format it cannot honour, and
/// takes the one it is (JSON for a proof and the export).
#[test]
fn native_outputs_refuse_other_formats() {
    let l = small_history();
    for (args, format) in [
        (&["completions", "bash"][..], "json"),
        (&["man"][..], "csv"),
        (&["export"][..], "markdown"),
        (&["prove", "1", "--checkpoint", "cp.txt"][..], "csv"),
        (&["checkpoint", "--key", "k"][..], "json"),
    ] {
        let mut a = args.to_vec();
        a.extend(["--format", format]);
        l.rejects(&a, "cannot be honoured");
    }
    let lines = l.ok(&["export", "--format", "json"]);
    assert!(
        lines
            .lines()
            .all(|line| serde_json::from_str::<Value>(line).is_ok())
    );
}

/// The shell: completions that bash loads, and a man page.
#[test]
fn completions_load_into_bash_and_the_man_page_renders() {
    let l = Ledger::empty();
    let script = l.ok(&["completions", "bash"]);
    let file = l.path("ledger.bash");
    std::fs::write(&file, &script).unwrap();
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("source '{}' && complete -p ledger", file.display()))
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("-F _ledger ledger"));
    for shell in ["zsh", "fish", "powershell"] {
        assert!(l.ok(&["completions", shell]).contains("ledger"), "{shell}");
    }
    let man = l.ok(&["man"]);
    assert!(
        man.contains(".TH ledger 1"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(man.contains("check\\-release"), "subcommands are listed");
    assert_eq!(l.run(&["completions", "tcsh"]).code, 2);
}

/// Tables fit the terminal's width (`COLUMNS`), by display width.
#[test]
fn tables_fit_the_width_of_the_terminal() {
    let l = Ledger::new();
    l.ok(&[
        "open-incident",
        "--kind",
        "conformance-regression",
        "--severity",
        "medium",
        "--title",
        "a rather long title about the fs shim failing in twelve extensions ✓",
    ]);
    for width in [60usize, 100] {
        let out = l
            .cmd()
            .env("COLUMNS", width.to_string())
            .arg("incidents")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(widest <= width, "{widest} > {width}:\n{text}");
    }
    // Piped without COLUMNS, rows keep their full width.
    let wide = l.ok(&["incidents"]);
    assert!(wide.lines().map(|l| l.chars().count()).max().unwrap() > 100);
}

/// Colour on request (never when piped or under NO_COLOR), and tables and
/// CSV without their header row.
#[test]
fn colour_and_headers_as_asked() {
    let l = Ledger::new();
    l.ok(&["record-release", "0.3.0", "--date", "2026-01-05"]);
    l.ok(&[
        "deprecate",
        "a",
        "--kind",
        "api",
        "--in",
        "0.3.0",
        "--at",
        "2026-01-05",
    ]);
    l.ok(&["record-release", "0.4.0", "--date", "2026-02-01"]);
    let red = "\u{1b}[31moverdue\u{1b}[0m";
    assert!(l.ok(&["deprecations", "--color", "always"]).contains(red));
    assert!(
        !l.ok(&["deprecations"]).contains('\u{1b}'),
        "piped: no colour"
    );
    let out = l
        .cmd()
        .env("NO_COLOR", "1")
        .args(["deprecations", "--color", "auto"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    assert!(
        l.ok(&["deprecations", "--no-headers", "--color", "always"])
            .contains(red)
    );
    // A failing gate is red like every status that breaks policy; a gate
    // with no result yet asks for an eye.
    l.ok(&["record-gate", "fmt", "--platform", "linux", "--value", "2"]);
    let gates = l.ok(&["gates", "--color", "always"]);
    assert!(gates.contains("\u{1b}[31mfailing\u{1b}[0m"), "{gates}");
    assert!(gates.contains("\u{1b}[33mno result\u{1b}[0m"), "{gates}");
    let table = l.ok(&["deprecations", "--no-headers"]);
    assert!(table.trim_start().starts_with("a "), "{table}");
    let csv = l.ok(&["deprecations", "--no-headers", "--format", "csv"]);
    assert!(csv.starts_with("a,api,0.3.0,"), "{csv}");
}

/// The main commands show examples in their help.
#[test]
fn main_commands_show_examples_in_their_help() {
    let l = Ledger::empty();
    for cmd in [
        "status",
        "record-gate",
        "record-budget",
        "deprecations",
        "incidents",
        "readiness",
        "check-release",
        "import",
    ] {
        let help = l.ok(&[cmd, "--help"]);
        assert!(help.contains("Examples:\n  ledger "), "{cmd}:\n{help}");
    }
}

/// A list that grows with history can be cut: the newest N, or those
/// since a date; a date that is not one is refused.
#[test]
fn releases_take_a_limit_and_a_start() {
    let l = Ledger::new();
    for (v, d) in [
        ("0.1.0", "2026-01-05"),
        ("0.2.0", "2026-01-20"),
        ("0.3.0", "2026-02-10"),
    ] {
        l.ok(&["record-release", v, "--date", d]);
    }
    let versions = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["releases"];
        a.extend(args);
        l.json(&a)
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["version"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(versions(&[]), ["0.3.0", "0.2.0", "0.1.0"]);
    assert_eq!(versions(&["--limit", "2"]), ["0.3.0", "0.2.0"]);
    assert_eq!(versions(&["--since", "2026-01-20"]), ["0.3.0", "0.2.0"]);
    assert_eq!(
        versions(&["--since", "2026-01-06", "--limit", "1"]),
        ["0.3.0"]
    );
    let r = l.run(&["releases", "--since", "last week"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("last week"), "{}", r.stderr);
}
