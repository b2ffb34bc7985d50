//! `ledger report`: one self-contained HTML file, checked as written and
//! as headless Chromium renders it.

use std::path::{Path, PathBuf};

use crate::harness::Ledger;

/// A recorded name that would run if the report did not escape it: it
/// marks the page, and the rendered DOM is checked for the mark.
const HOSTILE: &str = "<script>document.body.dataset.pwned='1'</script><img src=x onerror=\"document.body.dataset.pwned='1'\">";

/// The demo's ledger with hostile text recorded in a title and an item.
fn demo_with_hostile_names() -> Ledger {
    let l = Ledger::demo();
    l.ok(&[
        "open-incident",
        "--kind",
        "security",
        "--severity",
        "low",
        "--title",
        HOSTILE,
    ]);
    l.ok(&["deprecate", HOSTILE, "--kind", "api", "--in", "1.2.0"]);
    l
}

/// Headless Chromium, when the machine has it (`LEDGER_TEST_CHROMIUM`
/// names another binary). Under `CI=true` its absence fails the test:
/// `.ci/run` installs it.
fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("LEDGER_TEST_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(name))
                    .find(|p| p.is_file())
            })
        });
    if found.is_none() && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but no chromium on PATH: .ci/run installs Debian's chromium");
    }
    found
}

/// Runs headless Chromium on `page` with `args`; returns its stdout.
fn headless(chromium: &Path, profile: &Path, page: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new(chromium)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Each chart's budget, the samples it says it holds, and the points it
/// draws, read from an HTML document.
fn charts_in(html: &str) -> Vec<(String, usize, usize)> {
    html.split("<svg class=\"chart\"")
        .skip(1)
        .map(|chart| {
            let chart = &chart[..chart.find("</svg>").expect("a closed chart")];
            let attr = |name: &str| -> String {
                let start = chart.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
                chart[start..][..chart[start..].find('"').unwrap()].to_string()
            };
            (
                attr("data-budget"),
                attr("data-samples").parse().unwrap(),
                chart.matches("<circle class=\"sample\"").count(),
            )
        })
        .collect()
}

#[test]
fn the_report_is_one_file_with_a_point_per_sample_and_no_way_out() {
    let l = demo_with_hostile_names();
    let out = l.path("report.html");
    let written = l.json(&["report", "--out", out.to_str().unwrap()]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written["bytes"].as_u64().unwrap() as usize, html.len());

    // Self-contained: nothing fetched, nothing run.
    for banned in [
        "<script", "<img", "<link", "<iframe", " src=\"", " href=\"", "http://", "https://",
        "@import", "url(",
    ] {
        assert!(!html.contains(banned), "the report holds {banned:?}");
    }
    assert!(html.contains("default-src 'none'"));
    // The hostile names are there, as text.
    assert!(html.contains("&lt;script&gt;document.body.dataset.pwned"));

    // One point per sample in the window: the count `drift` gives for the
    // same window.
    let drift = l.json(&["drift", "--days", "90"]);
    let charts = charts_in(&html);
    assert_eq!(charts.len(), drift.as_array().unwrap().len());
    for (budget, declared, drawn) in &charts {
        let row = drift
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["budget"] == budget.as_str())
            .unwrap();
        assert_eq!(
            *drawn,
            row["samples"].as_u64().unwrap() as usize,
            "{budget}"
        );
        assert_eq!(declared, drawn, "{budget}");
    }
    assert!(charts.iter().any(|c| c.2 > 20), "{charts:?}");

    // A shorter window draws fewer points.
    l.ok(&["report", "--out", out.to_str().unwrap(), "--days", "7"]);
    let week: usize = charts_in(&std::fs::read_to_string(&out).unwrap())
        .iter()
        .map(|c| c.2)
        .sum();
    let quarter: usize = charts.iter().map(|c| c.2).sum();
    assert!(week > 0 && week < quarter, "{week} vs {quarter}");
}

#[test]
fn chromium_renders_the_report_with_a_point_per_sample_and_runs_no_script() {
    let Some(chromium) = chromium() else {
        eprintln!("no chromium on PATH: the browser test did not run");
        return;
    };
    let l = demo_with_hostile_names();
    let out = l.path("report.html");
    l.ok(&["report", "--out", out.to_str().unwrap()]);
    let profile = l.path("chromium-profile");

    // The DOM after the page loaded, as the browser built it.
    let dom = headless(&chromium, &profile, &out, &["--dump-dom"]);
    assert!(dom.contains("<svg class=\"chart\""), "{dom}");
    assert!(!dom.contains("data-pwned"), "a recorded name ran as script");
    assert!(!dom.contains("<script"), "the DOM holds a script element");
    assert!(!dom.contains("<img"), "a recorded name became an element");
    assert!(
        dom.contains("document.body.dataset.pwned"),
        "the name is not shown"
    );
    let drift = l.json(&["drift", "--days", "90"]);
    for (budget, _, drawn) in charts_in(&dom) {
        let samples = drift
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["budget"] == budget.as_str())
            .unwrap()["samples"]
            .as_u64()
            .unwrap() as usize;
        assert_eq!(drawn, samples, "{budget}");
    }

    // A screenshot, kept as a test artifact, wide and narrow.
    let artifacts = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report");
    std::fs::create_dir_all(&artifacts).unwrap();
    for (name, size) in [
        ("report.png", "1200,4200"),
        ("report-narrow.png", "390,3000"),
    ] {
        let shot = artifacts.join(name);
        let _ = std::fs::remove_file(&shot);
        headless(
            &chromium,
            &profile,
            &out,
            &[
                &format!("--screenshot={}", shot.display()),
                &format!("--window-size={size}"),
            ],
        );
        let png = std::fs::read(&shot).unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{name}");
    }
}

#[test]
fn a_report_that_cannot_be_written_is_refused_and_leaves_the_old_one() {
    let l = Ledger::new();
    let missing = l.path("no/such/folder/report.html");
    l.rejects(
        &["report", "--out", missing.to_str().unwrap()],
        "does not exist",
    );
    let folder = l.path("");
    l.rejects(
        &["report", "--out", folder.to_str().unwrap()],
        "is a folder",
    );
    l.rejects(&["report", "--out", "r.html", "--days", "0"], "--days");
    l.rejects(
        &["report", "--out", "r.html", "--format", "sarif"],
        "judges nothing",
    );
    assert!(!l.path("r.html").exists());

    // An existing report is replaced whole; no partial file is left.
    let out = l.path("report.html");
    std::fs::write(&out, "old").unwrap();
    l.ok(&["report", "--out", out.to_str().unwrap()]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    let leftovers: Vec<_> = std::fs::read_dir(l.path(""))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
