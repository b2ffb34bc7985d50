//! Generated inputs through the real entry point (`ledger::cli::run`, in
//! process): changelogs, JSON artifacts, policy files and argument vectors,
//! with non-UTF-8 bytes, extreme dates and numbers. Whatever comes in: no
//! panic, exit 0 or 2, and on 2 nothing written.
//!
//! `cargo test` runs a bounded number of cases; for a longer run:
//! `LEDGER_FUZZ_CASES=5000 cargo test --release --test cli fuzz`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;

use crate::harness::{NOW, fixture};

fn cases() -> u32 {
    std::env::var("LEDGER_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40)
}

/// A ledger file for a whole run: accepted inputs pile up in it, which is
/// part of the test (later inputs meet a fuller ledger).
struct Target {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl Target {
    fn new() -> Target {
        let dir = tempfile::TempDir::new().unwrap();
        let db = dir.path().join("ledger.db");
        let t = Target { _dir: dir, db };
        assert_eq!(t.run(vec!["init".into()]).0, 0);
        t
    }

    fn run(&self, args: Vec<OsString>) -> (u8, String) {
        let mut argv: Vec<OsString> = vec!["ledger".into(), "--db".into(), self.db.clone().into()];
        argv.extend(args);
        let mut out = Vec::new();
        let mut err = Vec::new();
        let code = ledger::cli::run(argv, Some(NOW), &mut out, &mut err);
        (code, String::from_utf8_lossy(&err).into_owned())
    }

    /// The number of entries and the last hash, read directly.
    fn head(&self) -> (i64, String) {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        conn.query_row(
            "SELECT count(*), coalesce(max(hash), '') FROM entries WHERE seq = (SELECT max(seq) FROM entries)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    }

    /// Runs one input and checks the contract.
    fn check(&self, args: Vec<OsString>) -> Result<(), TestCaseError> {
        let before = self.head();
        let shown: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let (code, err) = self.run(args);
        prop_assert!(code == 0 || code == 2, "{shown:?} exited {code}: {err}");
        if code == 2 {
            prop_assert_eq!(self.head(), before, "{:?} was refused but wrote", shown);
            prop_assert!(
                !err.trim().is_empty(),
                "{:?} was refused without a word",
                shown
            );
        }
        Ok(())
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.db.with_file_name(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// After a run the ledger still verifies and answers.
    fn still_sound(&self) {
        assert_eq!(
            self.run(vec!["verify".into()]).0,
            0,
            "the ledger no longer verifies"
        );
        for q in [
            "status",
            "deprecations",
            "incidents",
            "readiness",
            "drift",
            "extensions",
        ] {
            let (code, err) = self.run(vec![q.into()]);
            assert_eq!(code, 0, "{q} fails after the run: {err}");
        }
    }
}

fn text() -> impl Strategy<Value = OsString> {
    prop_oneof![
        Just(OsString::from("")),
        Just(OsString::from("a b\nc")),
        Just(OsString::from("ü ✓ 🚀")),
        Just(OsString::from("x".repeat(5000))),
        Just(OsString::from("-5")),
        "[a-z][a-z0-9.-]{0,12}".prop_map(OsString::from),
        non_utf8(),
    ]
}

#[cfg(unix)]
fn non_utf8() -> impl Strategy<Value = OsString> {
    use std::os::unix::ffi::OsStringExt;
    prop::collection::vec(any::<u8>(), 1..8).prop_map(|mut b| {
        b.push(0xff);
        OsString::from_vec(b)
    })
}

#[cfg(not(unix))]
fn non_utf8() -> impl Strategy<Value = OsString> {
    Just(OsString::from("\u{fffd}"))
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0000-01-01".to_string()),
        Just("1969-12-31T23:59:59Z".to_string()),
        Just("1970-01-01".to_string()),
        Just("9999-12-31T23:59:59Z".to_string()),
        Just("9999-12-31T23:59:59-01:00".to_string()),
        Just("10000-01-01".to_string()),
        Just("2026-02-30".to_string()),
        Just("2026-02-08T24:00:00Z".to_string()),
        Just("2026-13-01".to_string()),
        (2000u32..2027, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
    ]
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("1e308".to_string()),
        Just("-1e308".to_string()),
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("4294967295".to_string()),
        Just("18446744073709551616".to_string()),
        Just("0x10".to_string()),
        any::<f64>().prop_map(|f| f.to_string()),
        (0u32..200).prop_map(|n| n.to_string()),
    ]
}

fn version() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0.0.0".to_string()),
        Just("v1.2.3".to_string()),
        Just("1.2.3+build".to_string()),
        Just("1.0.0-rc.1".to_string()),
        Just("99999999999999999999.0.0".to_string()),
        Just("1.2".to_string()),
        (0u64..3, 0u64..6, 0u64..3).prop_map(|(a, b, c)| format!("{a}.{b}.{c}")),
    ]
}

/// One command line: a command the CLI knows, with values from the pools.
fn argv() -> impl Strategy<Value = Vec<OsString>> {
    let os = |s: String| OsString::from(s);
    prop_oneof![
        (version(), date()).prop_map(move |(v, d)| vec![
            "record-release".into(),
            os(v),
            "--date".into(),
            os(d)
        ]),
        (
            prop::sample::select(vec!["fmt", "corpus-pass-rate", "nope"]),
            number(),
            date()
        )
            .prop_map(move |(g, n, d)| vec![
                "record-gate".into(),
                g.into(),
                "--value".into(),
                os(n),
                "--platform".into(),
                "linux".into(),
                "--at".into(),
                os(d)
            ]),
        (number(), date()).prop_map(move |(n, d)| vec![
            "record-budget".into(),
            "cold-load-p95".into(),
            "--value".into(),
            os(n),
            "--at".into(),
            os(d)
        ]),
        (text(), version(), date()).prop_map(move |(i, v, d)| vec![
            "deprecate".into(),
            i,
            "--kind".into(),
            "api".into(),
            "--in".into(),
            os(v),
            "--at".into(),
            os(d)
        ]),
        (text(), version()).prop_map(move |(i, v)| vec!["remove".into(), i, "--in".into(), os(v)]),
        (text(), date()).prop_map(move |(t, d)| vec![
            "open-incident".into(),
            "--kind".into(),
            "security".into(),
            "--severity".into(),
            "low".into(),
            "--title".into(),
            t,
            "--at".into(),
            os(d)
        ]),
        (text(), date()).prop_map(move |(by, d)| vec![
            "attest".into(),
            "docs-complete".into(),
            "--by".into(),
            by,
            "--at".into(),
            os(d)
        ]),
        (text(), text()).prop_map(|(id, license)| vec![
            "add-extension".into(),
            id,
            "--tier".into(),
            "community".into(),
            "--license".into(),
            license,
            "--provenance".into(),
            "npm:x@1.0.0".into(),
            "--doctor".into(),
            "pass".into()
        ]),
        (number(), text()).prop_map(move |(n, r)| vec![
            "retract".into(),
            os(n),
            "--reason".into(),
            r
        ]),
        number().prop_map(move |n| vec!["drift".into(), "--days".into(), os(n)]),
        date().prop_map(move |d| vec!["status".into(), "--as-of".into(), os(d)]),
        version().prop_map(move |v| vec!["check-release".into(), os(v)]),
        text().prop_map(|q| vec!["sql".into(), q]),
        text().prop_map(|t| vec!["readiness".into(), t]),
    ]
}

#[test]
fn argument_vectors_never_panic_or_half_write() {
    let target = Target::new();
    let mut runner = TestRunner::new(Config::with_cases(cases() * 4));
    runner.run(&argv(), |args| target.check(args)).unwrap();
    target.still_sound();
}

fn changelog() -> impl Strategy<Value = String> {
    let heading = prop_oneof![
        (version(), date()).prop_map(|(v, d)| format!("## [{v}] - {d}")),
        (version(), date()).prop_map(|(v, d)| format!("## {v} ({d})")),
        version().prop_map(|v| format!("## [{v}]")),
        Just("## [Unreleased]".to_string()),
        Just("### Removed".to_string()),
        Just("- something (breaking)".to_string()),
        "[ -~]{0,40}".prop_map(|s| s),
    ];
    prop::collection::vec(heading, 0..12)
        .prop_map(|lines| format!("# Changelog\n\n{}\n", lines.join("\n")))
}

#[test]
fn changelogs_never_panic_or_half_write() {
    let target = Target::new();
    let mut runner = TestRunner::new(Config::with_cases(cases()));
    runner
        .run(&changelog(), |text| {
            let path = target.file("CHANGELOG.md", text.as_bytes());
            target.check(vec!["import".into(), "changelog".into(), path.into()])
        })
        .unwrap();
    target.still_sound();
}

/// Every leaf of a JSON document, as a pointer.
fn leaves(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, v)| leaves(v, format!("{at}/{k}"), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| leaves(v, format!("{at}/{i}"), out)),
        _ => out.push(at),
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(serde_json::json!(-1)),
        Just(serde_json::json!(1e308)),
        Just(serde_json::json!(u64::MAX)),
        Just(serde_json::json!("")),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
        Just(serde_json::json!(true)),
        date().prop_map(Value::String),
        version().prop_map(Value::String),
        "[ -~]{0,20}".prop_map(Value::String),
    ]
}

fn mutated(file: &Path) -> impl Strategy<Value = Vec<u8>> {
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<String> = if file.extension().is_some_and(|e| e == "jsonl") {
        text.lines().take(30).map(str::to_string).collect()
    } else {
        vec![text]
    };
    let docs: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let jsonl = docs.len() > 1;
    (
        prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                any::<prop::sample::Index>(),
                json_value(),
            ),
            0..6,
        ),
        any::<bool>(),
    )
        .prop_map(move |(edits, truncate)| {
            let mut docs = docs.clone();
            for (doc, leaf, value) in edits {
                let d = doc.index(docs.len());
                let mut ptrs = Vec::new();
                leaves(&docs[d], String::new(), &mut ptrs);
                if let Some(ptr) = ptrs.get(leaf.index(ptrs.len().max(1)))
                    && let Some(slot) = docs[d].pointer_mut(ptr)
                {
                    *slot = value;
                }
            }
            let mut bytes = if jsonl {
                docs.iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
                    .into_bytes()
            } else {
                serde_json::to_vec_pretty(&docs[0]).unwrap()
            };
            if truncate {
                bytes.truncate(bytes.len() * 2 / 3);
            }
            bytes
        })
}

#[test]
fn json_artifacts_never_panic_or_half_write() {
    let target = Target::new();
    for (kind, name) in [
        ("budget-summary", "pi-budget_summary.json"),
        ("budget-events", "pi-budget_events.jsonl"),
        ("conformance-summary", "pi-conformance_summary.json"),
        ("inclusion-list", "pi-extension-inclusion-list.json"),
        ("github-releases", "github-releases.json"),
        ("hyperfine", "hyperfine.json"),
        ("bmf", "bmf.json"),
        ("cargo-audit", "cargo-audit.json"),
    ] {
        let mut runner = TestRunner::new(Config::with_cases(cases()));
        runner
            .run(&mutated(&fixture(name)), |bytes| {
                let path = target.file(name, &bytes);
                target.check(vec!["import".into(), kind.into(), path.into()])
            })
            .unwrap();
    }
    target.still_sound();
}

#[test]
fn policy_files_never_panic_or_half_write() {
    let seed =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/policy.toml"))
            .unwrap();
    // Every `key = number` line is a place to put an extreme value.
    let numeric: Vec<usize> = seed
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            l.split_once(" = ")
                .is_some_and(|(_, v)| v.trim().parse::<f64>().is_ok())
        })
        .map(|(i, _)| i)
        .collect();
    let target = Target::new();
    let values = prop_oneof![
        number(),
        Just("nan".to_string()),
        Just("-inf".to_string()),
        Just("\"x\"".to_string()),
        Just("[]".to_string()),
    ];
    let mut runner = TestRunner::new(Config::with_cases(cases()));
    runner
        .run(&(prop::sample::select(numeric), values), |(line, value)| {
            let text: Vec<String> = seed
                .lines()
                .enumerate()
                .map(|(i, l)| match l.split_once(" = ") {
                    Some((k, _)) if i == line => format!("{k} = {value}"),
                    _ => l.to_string(),
                })
                .collect();
            let path = target.file("policy.toml", text.join("\n").as_bytes());
            target.check(vec!["init".into(), "--policy".into(), path.into()])?;
            // Whatever was loaded, the ledger still answers.
            for q in ["maintenance", "incidents", "status", "readiness", "drift"] {
                let (code, err) = target.run(vec![q.into()]);
                prop_assert_eq!(code, 0, "{} after {} = {}: {}", q, line, value, err);
            }
            Ok(())
        })
        .unwrap();
    target.still_sound();
}

/// A byte-level mutation of `bytes`: a few bytes changed, and maybe a
/// line inserted or appended.
fn bytes_mutated(bytes: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let edits = prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6);
    let line = prop_oneof![
        Just(Vec::new()),
        Just(b"\n".to_vec()),
        Just("\u{2014} x AAAA\n".as_bytes().to_vec()),
        Just(b"unsigned line\n".to_vec()),
        "[ -~\n]{0,40}".prop_map(String::into_bytes),
    ];
    (edits, any::<prop::sample::Index>(), line).prop_map(move |(edits, at, line)| {
        let mut b = bytes.clone();
        for (i, v) in edits {
            let i = i.index(b.len());
            b[i] = v;
        }
        let at = at.index(b.len() + 1);
        b.splice(at..at, line);
        b
    })
}

/// Checkpoints, proofs and keys, mutated: `verify --checkpoint`, `prove`
/// and `verify-proof` never panic, exit 0, 1 or 2, write nothing, and never
/// print the signer key.
#[test]
fn checkpoints_proofs_and_keys_never_panic_or_leak() {
    let target = Target::new();
    let key = target.db.with_file_name("ci.key");
    let k = key.clone().into_os_string();
    assert_eq!(
        target
            .run(vec!["keygen".into(), "--out".into(), k.clone()])
            .0,
        0
    );
    let secret = std::fs::read_to_string(&key).unwrap();
    let secret_part = secret.trim().splitn(5, '+').nth(4).unwrap().to_string();
    let public = target.db.with_file_name("ci.key.pub");
    let run = |args: Vec<OsString>| {
        let mut argv: Vec<OsString> =
            vec!["ledger".into(), "--db".into(), target.db.clone().into()];
        argv.extend(args);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = ledger::cli::run(argv, Some(NOW), &mut out, &mut err);
        (
            code,
            format!(
                "{}{}",
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&err)
            ),
        )
    };
    let (_, note) = run(vec!["checkpoint".into(), "--key".into(), k.clone()]);
    let cp = target.file("cp.txt", note.as_bytes());
    let (_, proof) = run(vec![
        "prove".into(),
        "2".into(),
        "--checkpoint".into(),
        cp.into(),
    ]);
    let before = target.head();
    for (name, original) in [
        ("cp.txt", note.into_bytes()),
        ("proof.json", proof.into_bytes()),
    ] {
        let mut runner = TestRunner::new(Config::with_cases(cases()));
        runner
            .run(&bytes_mutated(original), |bytes| {
                let file: OsString = target.file(name, &bytes).into();
                let calls: Vec<Vec<OsString>> = if name == "cp.txt" {
                    vec![
                        vec![
                            "verify".into(),
                            "--checkpoint".into(),
                            file.clone(),
                            "--key".into(),
                            public.clone().into(),
                        ],
                        vec![
                            "prove".into(),
                            "2".into(),
                            "--checkpoint".into(),
                            file.clone(),
                        ],
                        vec![
                            "verify".into(),
                            "--checkpoint".into(),
                            file.clone(),
                            "--key".into(),
                            k.clone(),
                        ],
                    ]
                } else {
                    vec![vec![
                        "verify-proof".into(),
                        file.clone(),
                        "--key".into(),
                        public.clone().into(),
                    ]]
                };
                for args in calls {
                    let (code, text) = run(args.clone());
                    prop_assert!(code <= 2, "{args:?} exited {code}: {text}");
                    prop_assert!(!text.contains(&secret_part), "{args:?} printed the secret");
                }
                prop_assert_eq!(target.head(), before.clone());
                Ok(())
            })
            .unwrap();
    }
    target.still_sound();
}

/// A criterion folder whose estimates are mutated: read into the budget
/// that watches it, or refused with nothing written.
#[test]
fn criterion_folders_never_panic_or_half_write() {
    let target = Target::new();
    let policy = "project = \"app\"\n\n[budgets]\n\n[[budgets.definitions]]\nid = \"parse-large\"\ncategory = \"parser\"\nmetric = \"mean\"\nunit = \"ms\"\nthreshold = 15\ndirection = \"max\"\nci_enforced = true\nsource = \"criterion:parse/large\"\n";
    let path = target.file("app.toml", policy.as_bytes());
    assert_eq!(
        target
            .run(vec!["init".into(), "--policy".into(), path.into()])
            .0,
        0
    );
    let benchmark = std::fs::read(fixture("criterion/parse/large/new/benchmark.json")).unwrap();
    let folder = target.db.with_file_name("criterion");
    let new = folder.join("parse/large/new");
    std::fs::create_dir_all(&new).unwrap();
    std::fs::write(new.join("benchmark.json"), &benchmark).unwrap();
    let mut runner = TestRunner::new(Config::with_cases(cases()));
    runner
        .run(
            &mutated(&fixture("criterion/parse/large/new/estimates.json")),
            |bytes| {
                std::fs::write(new.join("estimates.json"), &bytes).unwrap();
                target.check(vec![
                    "import".into(),
                    "criterion".into(),
                    folder.clone().into(),
                ])
            },
        )
        .unwrap();
    target.still_sound();
}
