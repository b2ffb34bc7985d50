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
/// question answers on the empty ledger without flagging anything (but
/// the example's 1.0 readiness, which nothing has met yet).
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
        if name != "pi-extension-platform" {
            questions.push(vec!["status"]);
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

/// `policy check` names each problem's line, column and field, and loads
/// nothing.
#[test]
fn policy_check_names_the_line_column_and_field_of_each_problem() {
    let l = Ledger::empty();
    let gate = "[[gates]]\nid = \"fmt\"\ntitle = \"t\"\nkind = \"ci\"\ncomparator = \"==\"\nunit = \"u\"\nper_platform = false\n";
    let budget = "[[budgets.definitions]]\nid = \"a\"\ncategory = \"c\"\nmetric = \"m\"\nunit = \"ms\"\nthreshold = 5\ndirection = \"max\"\nci_enforced = true\n";
    let sla = "[[incidents.slas]]\nid = \"s\"\nkind = \"security\"\nclock = \"resolve\"\nwithin_hours = 48\n";
    let p = "project = \"x\"\n";
    let broken: Vec<(String, &str)> = vec![
        (
            "title = \"no project\"\n".into(),
            "line 1, column 1: missing field `project`",
        ),
        (
            format!("{p}projekt = \"y\"\n"),
            "line 2, column 1: projekt: unknown field `projekt`",
        ),
        (
            format!("{p}platforms = \"linux\"\n"),
            "line 2, column 13: platforms: invalid type",
        ),
        (
            format!("{p}[budgets]\nblocking_over_pct = \"a\"\n"),
            "line 3, column 21: budgets.blocking_over_pct: invalid type",
        ),
        (
            format!("{p}[budgets]\ndrift_days = 0\n"),
            "line 3, column 14: budgets.drift_days",
        ),
        (
            format!("{p}[budgets]\nblocking_over_pct = -5\n"),
            "line 3, column 21: budgets.blocking_over_pct",
        ),
        (
            format!("{p}{}", gate.replace("false", "tru")),
            "line 8, column 16: gates[0].per_platform",
        ),
        (
            format!("{p}{}", gate.replace("\"ci\"", "\"cd\"")),
            "line 5, column 8: gates[0].kind: unknown variant `cd`",
        ),
        (
            format!("{p}{}", gate.replace("\"==\"", "\"~=\"")),
            "line 6, column 14: gates[0].comparator",
        ),
        (
            format!("{p}{gate}{}", gate.replace("unit = \"u\"\n", "")),
            "line 9, column 1: gates[1]: missing field `unit`",
        ),
        (
            format!("{p}{}", budget.replace("\"max\"", "\"up\"")),
            "line 8, column 13: budgets.definitions[0].direction: unknown variant `up`",
        ),
        (
            format!(
                "{p}{}",
                budget.replace("threshold = 5", "threshold = \"5\"")
            ),
            "line 7, column 13: budgets.definitions[0].threshold",
        ),
        (
            format!("{p}[deprecations.windows.pre_1_0]\napi = 1\nclif-flag = 2\n"),
            "line 4, column 1: deprecations.windows.pre_1_0.clif-flag: unknown field",
        ),
        (
            format!("{p}[deprecations.windows.post_1_0]\napi = -1\n"),
            "line 3, column 7: deprecations.windows.post_1_0.api",
        ),
        (
            format!("{p}{}", sla.replace("\"security\"", "\"outage\"")),
            "line 4, column 8: incidents.slas[0].kind",
        ),
        (
            format!("{p}{}", sla.replace("\"resolve\"", "\"close\"")),
            "line 5, column 9: incidents.slas[0].clock",
        ),
        (
            format!(
                "{p}{}",
                sla.replace("within_hours = 48", "within_hours = 1.5")
            ),
            "line 6, column 16: incidents.slas[0].within_hours",
        ),
        (
            format!("{p}[maintenance]\ncadence_days = {{ weekly = \"7\" }}\n"),
            "line 3, column 27: maintenance.cadence_days",
        ),
        (
            format!("{p}[[maintenance.tasks]]\nid = \"t\"\ntitle = \"T\"\ncadence = \"daily\"\n"),
            "line 5, column 11: maintenance.tasks[0].cadence",
        ),
        (
            format!(
                "{p}[[milestones]]\nid = \"1.0\"\ntitle = \"One\"\ncriteria = [{{ id = \"c\", title = \"C\", rule = \"vibes\" }}]\n"
            ),
            "line 5, column 45: milestones[0].criteria: unknown variant `vibes`",
        ),
        (
            format!("{p}[waivers]\nmax_days = \"forever\"\n"),
            "line 3, column 12: waivers.max_days",
        ),
    ];
    assert!(broken.len() >= 20);
    for (i, (text, expected)) in broken.iter().enumerate() {
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
    std::fs::write(&good, format!("{p}{gate}")).unwrap();
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
