//! Adopting the ledger for a project of one's own: templates, checking a
//! policy file before loading it.

use crate::harness::Ledger;

const TEMPLATES: [&str; 4] = [
    "minimal",
    "rust-library",
    "rust-cli",
    "pi-extension-platform",
];

/// Each template is written and loaded by `init --template`, and every
/// question answers on the empty ledger without flagging anything. The
/// example's 1.0 readiness is the one question left out of `--check`: its
/// answer on an empty ledger is "not ready", which is the truth, not a flag.
#[test]
fn each_template_loads_and_flags_nothing_on_an_empty_ledger() {
    for name in TEMPLATES {
        let l = Ledger::empty();
        let out = l.path("ripgrep.toml");
        let r = l.run(&[
            "--project",
            "ripgrep",
            "init",
            "--template",
            name,
            "--policy-out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert!(r.stderr.contains("wrote the"), "{name}: {}", r.stderr);
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.contains("project = \"ripgrep\""), "{name}");
        assert_eq!(l.json(&["policy"])["project"], "ripgrep", "{name}");
        let mut questions = vec![
            vec!["gates"],
            vec!["budgets"],
            vec!["drift"],
            vec!["deprecations"],
            vec!["extensions"],
            vec!["incidents"],
            vec!["maintenance"],
            vec!["check-release", "0.1.0"],
        ];
        questions.push(vec!["status"]);
        if name != "pi-extension-platform" {
            questions.push(vec!["readiness"]);
        }
        for q in questions {
            let mut args = vec!["--project", "ripgrep"];
            args.extend(&q);
            args.push("--check");
            let r = l.run(&args);
            assert_eq!(r.code, 0, "{name}: {q:?} flagged: {}{}", r.stdout, r.stderr);
        }
    }
}

#[test]
fn a_template_is_printed_for_a_project_and_never_written_over_a_file() {
    let l = Ledger::empty();
    let text = l.ok(&["--project", "rg", "policy", "template", "rust-cli"]);
    assert!(text.contains("project = \"rg\"") && text.contains("id = \"clippy\""));
    let listed = l.json(&["policy", "template"]);
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, TEMPLATES);
    let r = l.run(&["policy", "template", "rust"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown template \"rust\""),
        "{}",
        r.stderr
    );
    // An existing file is never overwritten, and nothing is loaded.
    let out = l.path("ledger.toml");
    std::fs::write(&out, "# mine\n").unwrap();
    let r = l.run(&[
        "init",
        "--template",
        "minimal",
        "--policy-out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("never overwrites"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "# mine\n");
    assert!(!l.exists(), "nothing was loaded, so no ledger was made");
}

/// Policy files with one problem each, the message `policy check` gives
/// it, and whether the JSON Schema rejects it too (it cannot say a
/// number's range the policy checks, nor judge what is not TOML).
fn broken_policies() -> Vec<(String, &'static str, bool)> {
    let gate = "[[gates]]\nid = \"fmt\"\ntitle = \"t\"\nkind = \"ci\"\ncomparator = \"==\"\nunit = \"u\"\nper_platform = false\n";
    let budget = "[[budgets.definitions]]\nid = \"a\"\ncategory = \"c\"\nmetric = \"m\"\nunit = \"ms\"\nthreshold = 5\ndirection = \"max\"\nci_enforced = true\n";
    let sla = "[[incidents.slas]]\nid = \"s\"\nkind = \"security\"\nclock = \"resolve\"\nwithin_hours = 48\n";
    let p = "project = \"x\"\n";
    vec![
        (
            "title = \"no project\"\n".into(),
            "line 1, column 1: missing field `project`",
            true,
        ),
        (
            format!("{p}projekt = \"y\"\n"),
            "line 2, column 1: projekt: unknown field `projekt`",
            true,
        ),
        (
            format!("{p}platforms = \"linux\"\n"),
            "line 2, column 13: platforms: invalid type",
            true,
        ),
        (
            format!("{p}[budgets]\nblocking_over_pct = \"a\"\n"),
            "line 3, column 21: budgets.blocking_over_pct: invalid type",
            true,
        ),
        (
            format!("{p}[budgets]\ndrift_days = 0\n"),
            "line 3, column 14: budgets.drift_days",
            false,
        ),
        (
            format!("{p}[budgets]\nblocking_over_pct = -5\n"),
            "line 3, column 21: budgets.blocking_over_pct",
            false,
        ),
        (
            // Not TOML at all: no schema sees it.
            format!("{p}{}", gate.replace("false", "tru")),
            "line 8, column 16: gates[0].per_platform",
            false,
        ),
        (
            format!("{p}{}", gate.replace("\"ci\"", "5")),
            "line 5, column 8: gates[0].kind: invalid type",
            true,
        ),
        (
            format!("{p}{}", gate.replace("\"==\"", "\"~=\"")),
            "line 6, column 14: gates[0].comparator",
            true,
        ),
        (
            format!("{p}{gate}{}", gate.replace("unit = \"u\"\n", "")),
            "line 9, column 1: gates[1]: missing field `unit`",
            true,
        ),
        (
            format!("{p}{}", budget.replace("\"max\"", "\"up\"")),
            "line 8, column 13: budgets.definitions[0].direction: unknown variant `up`",
            true,
        ),
        (
            format!(
                "{p}{}",
                budget.replace("threshold = 5", "threshold = \"5\"")
            ),
            "line 7, column 13: budgets.definitions[0].threshold",
            true,
        ),
        (
            format!("{p}[deprecations.windows.pre_1_0]\napi = 1\ncli-flag = \"two\"\n"),
            "line 4, column 12: deprecations.windows.pre_1_0.cli-flag: invalid type",
            true,
        ),
        (
            format!("{p}[deprecations.windows.post_1_0]\napi = -1\n"),
            "line 3, column 7: deprecations.windows.post_1_0.api",
            true,
        ),
        (
            format!("{p}{}", sla.replace("\"security\"", "5")),
            "line 4, column 8: incidents.slas[0].kind",
            true,
        ),
        (
            format!("{p}{}", sla.replace("\"resolve\"", "\"close\"")),
            "line 5, column 9: incidents.slas[0].clock",
            true,
        ),
        (
            format!(
                "{p}{}",
                sla.replace("within_hours = 48", "within_hours = 1.5")
            ),
            "line 6, column 16: incidents.slas[0].within_hours",
            true,
        ),
        (
            format!("{p}[maintenance]\ncadence_days = {{ weekly = \"7\" }}\n"),
            "line 3, column 27: maintenance.cadence_days",
            true,
        ),
        (
            format!("{p}[[maintenance.tasks]]\nid = \"t\"\ntitle = \"T\"\ncadence = \"daily\"\n"),
            "line 5, column 11: maintenance.tasks[0].cadence",
            true,
        ),
        (
            format!(
                "{p}[[milestones]]\nid = \"1.0\"\ntitle = \"One\"\ncriteria = [{{ id = \"c\", title = \"C\", rule = \"vibes\" }}]\n"
            ),
            "line 5, column 45: milestones[0].criteria: unknown variant `vibes`",
            true,
        ),
        (
            format!("{p}[waivers]\nmax_days = \"forever\"\n"),
            "line 3, column 12: waivers.max_days",
            true,
        ),
        (
            format!("{p}[waivers]\nforbidden = [\"no-such-rule\"]\n"),
            "line 3, column 13: waivers.forbidden: unknown rule \"no-such-rule\"",
            true,
        ),
    ]
}

/// `policy check` names each problem's line, column and field, and loads
/// nothing.
#[test]
fn policy_check_names_the_line_column_and_field_of_each_problem() {
    let l = Ledger::empty();
    let broken = broken_policies();
    assert!(broken.len() >= 20);
    for (i, (text, expected, _)) in broken.iter().enumerate() {
        let path = l.path(&format!("broken{i}.toml"));
        std::fs::write(&path, text).unwrap();
        let r = l.run(&["policy", "check", path.to_str().unwrap()]);
        assert_eq!(r.code, 2, "{text}: {}", r.stdout);
        assert!(
            r.stderr.contains(&format!("broken{i}.toml, {expected}")),
            "{text}\nexpected {expected:?} in: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"));
    }
    assert!(!l.exists(), "checking loads nothing");
    let good = l.path("good.toml");
    let gate = "[[gates]]\nid = \"fmt\"\ntitle = \"t\"\nkind = \"ci\"\ncomparator = \"==\"\nunit = \"u\"\nper_platform = false\n";
    std::fs::write(&good, format!("project = \"x\"\n{gate}")).unwrap();
    let v = l.json(&["policy", "check", good.to_str().unwrap()]);
    assert_eq!(v["valid"], true);
    assert_eq!(v["governs"], serde_json::json!(["gates"]));
    assert!(!l.exists());
}

/// A project judged by another's policy, the built-in example's above all,
/// is told so once per command, with the way to a policy of its own;
/// `status` and `policy` name the policy, its version and its source.
#[test]
fn a_project_judged_by_someone_elses_policy_is_told_so() {
    let l = Ledger::empty();
    let r = l.run(&["--project", "ripgrep", "init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the built-in example policy is the Pi extension platform's governance"),
        "{}",
        r.stderr
    );
    for args in [
        &["gates"][..],
        &["status"][..],
        &["deprecations", "--overdue"][..],
    ] {
        let mut with = vec!["--project", "ripgrep"];
        with.extend(args);
        let r = l.run(&with);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        let told = "project ripgrep has no policy of its own, so the built-in example policy (the Pi extension platform's) judges it; write one with `ledger --project ripgrep init --template minimal`";
        assert_eq!(r.stderr.matches(told).count(), 1, "{args:?}: {}", r.stderr);
    }
    let status = l.ok(&["--project", "ripgrep", "status"]);
    assert!(
        status.contains("Judged by policy version 1 of project pi (it has none of its own), from built-in (seed/policy.toml)"),
        "{status}"
    );
    let v = l.json(&["--project", "ripgrep", "status"]);
    assert_eq!(v["policy"]["project"], "pi");
    assert_eq!(v["policy"]["version"], 1);
    // pi itself is judged by its own policy: nothing to say.
    let r = l.run(&["--project", "pi", "gates"]);
    assert!(!r.stderr.contains("note:"), "{}", r.stderr);
    // Once ripgrep loads a policy of its own, the note is gone and the
    // policy names its file.
    let own = l.path("rg.toml");
    let r = l.run(&[
        "--project",
        "ripgrep",
        "init",
        "--template",
        "minimal",
        "--policy-out",
        own.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = l.run(&["--project", "ripgrep", "gates"]);
    assert!(
        !r.stderr.contains("has no policy of its own"),
        "{}",
        r.stderr
    );
    let p = l.json(&["--project", "ripgrep", "policy"]);
    assert_eq!(p["source"], own.display().to_string());
    assert_eq!(p["project"], "ripgrep");
    let status = l.ok(&["--project", "ripgrep", "status"]);
    assert!(
        status.contains(&format!(
            "Judged by policy version 1, from {}",
            own.display()
        )),
        "{status}"
    );
}

/// A policy watching benchmarks from every tool the importers read, and
/// the audit gate.
fn measured_project(l: &Ledger) {
    let budget = |id: &str, metric: &str, unit: &str, threshold: f64, source: &str| {
        format!(
            "[[budgets.definitions]]\nid = \"{id}\"\ncategory = \"bench\"\nmetric = \"{metric}\"\nunit = \"{unit}\"\nthreshold = {threshold}\ndirection = \"max\"\nci_enforced = true\nsource = \"{source}\"\n\n"
        )
    };
    let mut text = crate::harness::template("rust-cli", "rg");
    text.push_str(&budget(
        "search-ms",
        "median wall time",
        "ms",
        300.0,
        "hyperfine:search-large-file",
    ));
    text.push_str(&budget(
        "bmf-search-ms",
        "latency",
        "ms",
        300.0,
        "bmf:search::large_file/latency",
    ));
    text.push_str(&budget(
        "binary-mib",
        "size",
        "MiB",
        10.0,
        "bmf:release-binary/file-size",
    ));
    text.push_str(&budget(
        "parse-large-ms",
        "mean time",
        "ms",
        15.0,
        "criterion:parse/large",
    ));
    text.push_str(&budget(
        "parse-huge-ms",
        "mean time",
        "ms",
        15.0,
        "criterion:parse/huge",
    ));
    l.load_policy("rg.toml", text);
}

/// The latest sample of each budget, by id.
fn latest(l: &Ledger) -> std::collections::BTreeMap<String, f64> {
    l.json(&["budgets"])
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| Some((b["budget"].as_str()?.to_string(), b["last_value"].as_f64()?)))
        .collect()
}

#[test]
fn benchmark_results_go_into_the_budgets_that_watch_them_once() {
    let l = Ledger::empty();
    measured_project(&l);
    let fixture = |n: &str| crate::harness::fixture(n).display().to_string();
    let v = l.json(&["import", "hyperfine", &fixture("hyperfine.json")]);
    assert_eq!(v["added"], 1, "{v}");
    let notes = v["notes"].to_string();
    assert!(notes.contains("rg --files is watched by no budget"), "{v}");
    let v = l.json(&["import", "bmf", &fixture("bmf.json")]);
    assert_eq!(v["added"], 2, "{v}");
    assert!(
        v["notes"]
            .to_string()
            .contains("search::many_files/throughput"),
        "{v}"
    );
    let v = l.json(&["import", "criterion", &fixture("criterion")]);
    assert_eq!(v["added"], 1, "{v}");
    assert!(v["notes"].to_string().contains("parse/small"), "{v}");
    assert!(
        v["missing"]
            .to_string()
            .contains("parse-huge-ms (criterion:parse/huge)"),
        "{v}"
    );
    let got = latest(&l);
    // The median, seconds to milliseconds; nanoseconds to milliseconds;
    // bytes to MiB; criterion's new estimate, not its base.
    assert!((got["search-ms"] - 230.12).abs() < 1e-9, "{got:?}");
    assert!((got["bmf-search-ms"] - 235.0).abs() < 1e-9, "{got:?}");
    assert!((got["binary-mib"] - 5.0).abs() < 1e-9, "{got:?}");
    assert!((got["parse-large-ms"] - 12.0045673).abs() < 1e-9, "{got:?}");
    // Again: nothing new.
    for (kind, file) in [
        ("hyperfine", "hyperfine.json"),
        ("bmf", "bmf.json"),
        ("criterion", "criterion"),
    ] {
        let before = l.head();
        let v = l.json(&["import", kind, &fixture(file)]);
        assert_eq!(v["added"], 0, "{kind}: {v}");
        assert_eq!(l.head(), before, "{kind} wrote twice");
    }
}

#[test]
fn a_benchmark_that_cannot_be_read_or_converted_writes_nothing() {
    let l = Ledger::empty();
    measured_project(&l);
    let path = |name: &str, text: &str| {
        let p = l.path(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    l.rejects(
        &["import", "hyperfine", &path("h1.json", "{\"results\": [")],
        "not valid JSON",
    );
    l.rejects(
        &["import", "hyperfine", &path("h2.json", "{\"runs\": []}")],
        "field results",
    );
    l.rejects(
        &[
            "import",
            "hyperfine",
            &path("h3.json", "{\"results\": [{\"command\": \"x\"}]}"),
        ],
        "results[0] field mean",
    );
    l.rejects(
        &[
            "import",
            "bmf",
            &path(
                "b1.json",
                "{\"search::large_file\": {\"latency\": {\"value\": \"fast\"}}}",
            ),
        ],
        "search::large_file/latency field value",
    );
    let wrong = path(
        "b3.json",
        "{\"search::large_file\": {\"latency\": {\"value\": 1e6}}}",
    );
    let policy = std::fs::read_to_string(l.path("rg.toml")).unwrap().replace(
        "unit = \"ms\"\nthreshold = 300\ndirection = \"max\"\nci_enforced = true\nsource = \"bmf:search::large_file/latency\"",
        "unit = \"MB\"\nthreshold = 300\ndirection = \"max\"\nci_enforced = true\nsource = \"bmf:search::large_file/latency\"",
    );
    l.load_policy("rg2.toml", policy);
    l.rejects(
        &["import", "bmf", &wrong],
        "reports it in ns, which does not convert to budget bmf-search-ms's unit MB",
    );
    l.rejects(
        &[
            "import",
            "criterion",
            &l.path("nowhere").display().to_string(),
        ],
        "is not a folder",
    );
    std::fs::create_dir(l.path("empty")).unwrap();
    l.rejects(
        &[
            "import",
            "criterion",
            &l.path("empty").display().to_string(),
        ],
        "holds no benchmark",
    );
}

#[test]
fn cargo_audit_records_the_audit_gate_and_names_the_advisories() {
    let l = Ledger::empty();
    measured_project(&l);
    let file = crate::harness::fixture("cargo-audit.json")
        .display()
        .to_string();
    let r = l.run(&["import", "cargo-audit", &file, "--check"]);
    assert_eq!(r.code, 1, "a vulnerability is a violation: {}", r.stderr);
    assert!(r.stdout.contains("RUSTSEC-2023-0071"), "{}", r.stdout);
    let gates = l.json(&["gates"]);
    let audit = gates
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["gate"] == "cargo-audit")
        .unwrap();
    assert_eq!(
        (audit["value"].as_f64(), audit["passed"].as_bool()),
        (Some(1.0), Some(false))
    );
    let before = l.head();
    l.json(&["import", "cargo-audit", &file]);
    assert_eq!(l.head(), before, "the same audit twice");
    l.rejects(
        &[
            "import",
            "cargo-audit",
            &crate::harness::fixture("bmf.json").display().to_string(),
        ],
        "is this `cargo audit --json` output?",
    );
}

/// The README's five commands on a small project shaped like a real one:
/// tags, a changelog, criterion's output; then status means something.
#[test]
fn the_readmes_five_commands_adopt_a_project() {
    // The README's flow: a ledger file in the project's folder.
    let l = Ledger::empty_file();
    let repo = l.dir.path();
    let git = |args: &[&str], date: &str| crate::history::git(repo, args, date);
    git(&["init", "-q"], "2026-01-01T00:00:00Z");
    for (version, date) in [
        ("0.1.0", "2026-01-10T08:00:00Z"),
        ("0.2.0", "2026-02-03T08:00:00Z"),
    ] {
        git(&["commit", "-q", "--allow-empty", "-m", version], date);
        git(&["tag", &format!("v{version}")], date);
    }
    std::fs::write(
        l.path("CHANGELOG.md"),
        "# Changelog\n\n## [Unreleased]\n\n## [0.2.0] - 2026-02-03\n### Changed\n- Faster parsing.\n\n## [0.1.0] - 2026-01-10\n### Added\n- First release.\n",
    )
    .unwrap();
    let criterion = crate::harness::fixture("criterion").display().to_string();
    let repo_arg = repo.display().to_string();
    let changelog = l.path("CHANGELOG.md").display().to_string();

    l.ok(&["init", "--template", "rust-library"]);
    let tags = l.json(&["import", "git-tags", "--repo", &repo_arg, "--pattern", "v*"]);
    assert_eq!(tags["added"], 2, "{tags}");
    let log = l.json(&["import", "changelog", &changelog]);
    assert_eq!(log["conflicts"].as_array().map(Vec::len), Some(0), "{log}");
    let bench = l.json(&["import", "criterion", &criterion]);
    assert!(
        bench["notes"]
            .to_string()
            .contains("a budget with source = \\\"criterion:parse/large\\\" would"),
        "{bench}"
    );
    let status = l.json(&["status"]);
    let folder = std::fs::canonicalize(repo).unwrap();
    let folder = folder.file_name().unwrap().to_str().unwrap();
    assert_eq!(status["project"], folder);
    assert_eq!(status["latest_release"]["version"], "0.2.0");
    assert_eq!(
        status["policy"]["source"],
        l.path("ledger.toml").display().to_string()
    );
    assert_eq!(l.run(&["status", "--check"]).code, 0);

    // Watching the benchmark is one budget in ledger.toml.
    let mut policy = std::fs::read_to_string(l.path("ledger.toml")).unwrap();
    policy.push_str("\n[[budgets.definitions]]\nid = \"parse-large\"\ncategory = \"parser\"\nmetric = \"mean time\"\nunit = \"ms\"\nthreshold = 15\ndirection = \"max\"\nci_enforced = true\nsource = \"criterion:parse/large\"\n");
    l.load_policy("ledger.toml", policy);
    l.ok(&["import", "criterion", &criterion]);
    assert!((latest(&l)["parse-large"] - 12.0045673).abs() < 1e-9);
    // And a hyperfine run, into the budget that watches its command.
    let mut policy = std::fs::read_to_string(l.path("ledger.toml")).unwrap();
    policy.push_str("\n[[budgets.definitions]]\nid = \"search\"\ncategory = \"cli\"\nmetric = \"median\"\nunit = \"ms\"\nthreshold = 200\ndirection = \"max\"\nci_enforced = true\nsource = \"hyperfine:search-large-file\"\n");
    l.load_policy("ledger.toml", policy);
    let hyperfine = crate::harness::fixture("hyperfine.json")
        .display()
        .to_string();
    l.ok(&["import", "hyperfine", &hyperfine]);
    // 230 ms against 200: over budget, by 15%: a warning, not a block.
    let status = l.json(&["status"]);
    let over: Vec<&str> = status["budgets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["budget"].as_str().unwrap())
        .collect();
    assert_eq!(over, ["search"], "{status}");
    assert_eq!(l.run(&["check-release", "0.3.0", "--check"]).code, 0);
}

#[test]
fn a_junit_report_records_the_tests_gate_on_its_platform() {
    let l = Ledger::empty();
    measured_project(&l);
    let file = crate::harness::fixture("junit.xml").display().to_string();
    // The gate runs per platform: the report must say which.
    l.rejects(&["import", "junit", &file], "platform");
    let r = l.run(&["import", "junit", &file, "--platform", "linux", "--check"]);
    assert_eq!(r.code, 1, "3 of 4 cases run passed: {}", r.stderr);
    assert!(
        r.stdout.contains("grep::searcher::multiline_match"),
        "{}",
        r.stdout
    );
    let gates = l.json(&["gates"]);
    let linux = gates
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["gate"] == "tests" && g["platform"] == "linux")
        .unwrap();
    assert_eq!(
        (linux["value"].as_f64(), linux["passed"].as_bool()),
        (Some(75.0), Some(false))
    );
    let before = l.head();
    l.json(&["import", "junit", &file, "--platform", "linux"]);
    assert_eq!(l.head(), before, "the same report twice");
    l.rejects(&["import", "junit", &file, "--platform", "plan9"], "plan9");
    l.rejects(
        &[
            "import",
            "junit",
            &crate::harness::fixture("bmf.json").display().to_string(),
            "--platform",
            "linux",
        ],
        "holds no JUnit report",
    );
    l.rejects(
        &["import", "hyperfine", &file, "--platform", "linux"],
        "--platform applies to junit only",
    );
}

/// The JSON Schema `ledger policy schema` prints accepts every template
/// and rejects what no policy may say (unknown fields, wrong types, names
/// outside a closed set, a missing required field).
#[test]
fn the_policy_schema_accepts_every_template_and_rejects_broken_files() {
    let l = Ledger::empty();
    let schema = l.ok(&["policy", "schema"]);
    let path = l.path("ledger.schema.json");
    std::fs::write(&path, &schema).unwrap();
    let mut schemas = boon::Schemas::new();
    let index = boon::Compiler::new()
        .compile(path.to_str().unwrap(), &mut schemas)
        .unwrap();
    let valid = |toml_text: &str| {
        let doc: serde_json::Value = toml::from_str(toml_text).unwrap();
        schemas.validate(&doc, index).is_ok()
    };
    for name in TEMPLATES {
        let text = l.ok(&["--project", "rg", "policy", "template", name]);
        assert!(valid(&text), "{name} does not validate");
    }
    for (broken, _, schema_rejects) in broken_policies() {
        if schema_rejects {
            assert!(!valid(&broken), "the schema accepts:\n{broken}");
        }
        // And the ledger refuses it.
        let file = l.path("broken.toml");
        std::fs::write(&file, &broken).unwrap();
        assert_eq!(
            l.run(&["policy", "check", file.to_str().unwrap()]).code,
            2,
            "{broken}"
        );
    }
}

/// A deprecated flag kept on purpose as a hidden alias is listed as kept,
/// never overdue, and no release is asked to remove it; so is every item
/// of a kind the policy keeps.
#[test]
fn a_deprecation_kept_on_purpose_is_never_overdue() {
    let l = Ledger::empty();
    l.load_policy("rg.toml", crate::harness::template("rust-cli", "rg"));
    l.ok(&["record-release", "14.0.0", "--date", "2026-01-01"]);
    l.ok(&[
        "deprecate",
        "--no-ignore-parent",
        "--kind",
        "cli-flag",
        "--in",
        "14.0.0",
        "--keep",
        "hidden alias; scripts use it",
    ]);
    l.ok(&[
        "deprecate",
        "--old-api",
        "--kind",
        "cli-flag",
        "--in",
        "14.0.0",
    ]);
    // Two minor lines of warning, then a new major: the window has passed.
    l.ok(&["record-release", "14.1.0", "--date", "2026-01-10"]);
    l.ok(&["record-release", "14.2.0", "--date", "2026-01-20"]);
    l.ok(&["record-release", "15.0.0", "--date", "2026-02-01"]);
    let rows = l.json(&["deprecations"]);
    let status = |item: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|d| d["item"] == item)
            .map(|d| (d["status"].clone(), d["kept"].clone()))
            .unwrap()
    };
    assert_eq!(
        status("--no-ignore-parent"),
        ("kept".into(), "hidden alias; scripts use it".into())
    );
    assert_eq!(status("--old-api").0, "overdue");
    let overdue = l.json(&["deprecations", "--overdue"]);
    assert_eq!(overdue.as_array().unwrap().len(), 1, "{overdue}");
    let check = l.json(&["check-release", "16.0.0"]);
    assert!(!check.to_string().contains("--no-ignore-parent"), "{check}");
    // Removing it later is a decision, never premature.
    l.ok(&["remove", "--no-ignore-parent", "--in", "15.0.1"]);
    assert_eq!(l.json(&["deprecations"])[0]["status"], "removed");

    // A kind the policy keeps: every item of it.
    let kept = crate::harness::template("rust-cli", "rg").replace(
        "post_1_0_removal_requires_major = true\n",
        "post_1_0_removal_requires_major = true\nkept = [\"cli-flag\"]\n",
    );
    l.load_policy("rg2.toml", kept);
    assert_eq!(l.run(&["deprecations", "--overdue", "--check"]).code, 0);
    let rows = l.json(&["deprecations"]);
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|d| d["status"] != "overdue"),
        "{rows}"
    );
}

/// A release shows the tag it was imported or recorded with, not one made
/// up from the policy's prefix.
#[test]
fn a_release_shows_the_tag_it_came_with() {
    let l = Ledger::empty_file();
    l.load_policy("rg.toml", crate::harness::template("rust-cli", "rg"));
    let repo = l.path("repo");
    std::fs::create_dir(&repo).unwrap();
    crate::history::git(&repo, &["init", "-q"], "2026-01-01T00:00:00Z");
    crate::history::git(
        &repo,
        &["commit", "-q", "--allow-empty", "-m", "one"],
        "2026-01-10T08:00:00Z",
    );
    crate::history::git(&repo, &["tag", "15.2.0"], "2026-01-10T08:00:00Z");
    l.ok(&["import", "git-tags", "--repo", repo.to_str().unwrap()]);
    l.ok(&[
        "record-release",
        "15.3.0",
        "--date",
        "2026-02-01",
        "--tag",
        "ripgrep-15.3.0",
    ]);
    l.ok(&["record-release", "15.4.0", "--date", "2026-02-10"]);
    let tags: Vec<(String, String)> = l
        .json(&["releases"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["version"].as_str().unwrap().into(),
                r["tag"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        tags,
        [
            ("15.4.0".into(), "v15.4.0".into()),
            ("15.3.0".into(), "ripgrep-15.3.0".into()),
            ("15.2.0".into(), "15.2.0".into()),
        ],
        "the policy's prefix only where no tag was given"
    );
    l.rejects(&["record-release", "15.5.0", "--tag", "a\nb"], "tag");
}

/// Incident kinds are the policy's: its SLAs name them, and
/// `incidents.kinds` adds more; another kind is refused and nothing is
/// written.
#[test]
fn incident_kinds_are_the_policys_own() {
    let l = Ledger::empty();
    let policy = "project = \"rg\"\n\n[[incidents.slas]]\nid = \"regression-fix\"\nkind = \"regression\"\nclock = \"resolve\"\nwithin_hours = 72\n";
    l.load_policy("rg.toml", policy);
    l.ok(&[
        "open-incident",
        "--kind",
        "regression",
        "--severity",
        "high",
        "--title",
        "slow search",
    ]);
    l.ok(&[
        "open-incident",
        "--kind",
        "security",
        "--severity",
        "low",
        "--title",
        "a report",
    ]);
    let r = l.rejects(
        &[
            "open-incident",
            "--kind",
            "outage",
            "--severity",
            "high",
            "--title",
            "down",
        ],
        "unknown incident kind \"outage\"",
    );
    assert!(
        r.stderr.contains("regression, security, other"),
        "{}",
        r.stderr
    );
    // The regression's own SLA judges it: 72 hours to resolve.
    let mut l = l;
    l.now = "2026-03-05T12:00:00Z".into();
    let rows = l.json(&["incidents", "--overdue"]);
    let kinds: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["regression"], "{rows}");
    // A policy that lists its kinds accepts those.
    let text = "project = \"rg\"\n\n[incidents]\nkinds = [\"outage\"]\n\n[[incidents.slas]]\nid = \"regression-fix\"\nkind = \"regression\"\nclock = \"resolve\"\nwithin_hours = 72\n";
    l.load_policy("rg2.toml", text);
    l.ok(&[
        "open-incident",
        "--kind",
        "outage",
        "--severity",
        "high",
        "--title",
        "down",
    ]);
    l.rejects(
        &[
            "open-incident",
            "--kind",
            "other",
            "--severity",
            "low",
            "--title",
            "x",
        ],
        "unknown incident kind \"other\"",
    );
}
