//! One view per answer: which columns people see, and in what words.

use serde_json::json;

use super::{Block, Table, View, Wants, cell, csv_field, list, number, sparkline, to_objects};
use crate::domain::{
    budget::Drift,
    check::ReleaseCheck,
    delivery::{Bounds, Delivery, Level},
    imported::Summary,
    inputs::{
        BudgetRow, DeprecationRow, ExtensionRow, GateRow, IncidentRow, ReleaseRow, TierCount,
    },
    integrity::VerifyReport,
    maintenance::TaskStatus,
    policy::Policy,
    readiness::Readiness,
    status::Status,
    time,
    waiver::{Waived, WaiverRow},
};

/// Adds a `waiver` column to the last table of `view` when any of its rows
/// (in order) is waived.
fn with_waivers<'a>(mut view: View, waived: impl Iterator<Item = Option<&'a Waived>>) -> View {
    if let Some(Block::Table(t)) = view.blocks.last_mut() {
        waiver_column(t, waived);
    }
    view
}

/// Adds a `waiver` column to a table when any of its rows (in order) is
/// waived: the finding is still shown, with the waiver beside it.
fn waiver_column<'a>(t: &mut Table, waived: impl Iterator<Item = Option<&'a Waived>>) {
    let cells: Vec<String> = waived
        .map(|w| w.map(Waived::describe).unwrap_or_default())
        .collect();
    if cells.iter().any(|c| !c.is_empty()) {
        t.columns.push("waiver".into());
        for (row, c) in t.rows.iter_mut().zip(cells) {
            row.push(c);
        }
    }
}

/// `ledger waivers`.
pub fn waivers(rows: &[WaiverRow], wants: Wants) -> View {
    list(
        wants,
        Some(format!("Waivers in force ({})", rows.len())),
        rows,
        &[
            ("rule", "rule"),
            ("subject", "subject"),
            ("expires_at", "expires"),
            ("waived_by", "by"),
            ("reason", "reason"),
            ("entry", "entry"),
        ],
    )
}

/// `ledger releases`.
pub fn releases(rows: &[ReleaseRow], wants: Wants) -> View {
    list(
        wants,
        None,
        rows,
        &[
            ("version", "version"),
            ("tag", "tag"),
            ("date", "date"),
            ("status", "status"),
            ("channel", "channel"),
            ("breaking", "breaking"),
            ("entry", "entry"),
        ],
    )
}

/// `ledger gates`.
pub fn gates(rows: &[GateRow], wants: Wants) -> View {
    let mut view = list(
        wants,
        None,
        rows,
        &[
            ("gate", "gate"),
            ("kind", "kind"),
            ("platform", "platform"),
            ("value", "value"),
            ("passed", "passed"),
            ("at", "at"),
        ],
    );
    // Say the rule next to the value, so a failure explains itself.
    if let Some(Block::Table(t)) = view.blocks.last_mut() {
        t.columns.insert(4, "rule".into());
        t.columns[5] = "result".into();
        for (row, g) in t.rows.iter_mut().zip(rows) {
            let rule = match g.threshold {
                Some(th) => format!("{} {} {}", g.comparator, number(th), g.unit),
                None => "pass/fail".into(),
            };
            row.insert(4, rule);
            // A status word, so a failure is coloured as every list
            // colours what breaks policy.
            row[5] = match g.passed {
                Some(true) => "passing",
                Some(false) => "failing",
                None => "no result",
            }
            .into();
        }
    }
    with_waivers(view, rows.iter().map(|g| g.waived.as_ref()))
}

/// `ledger budgets`.
pub fn budgets(rows: &[BudgetRow], wants: Wants) -> View {
    let view = list(
        wants,
        None,
        rows,
        &[
            ("budget", "budget"),
            ("direction", "direction"),
            ("threshold", "threshold"),
            ("unit", "unit"),
            ("ci_enforced", "CI"),
            ("last_value", "last"),
            ("last_at", "measured"),
            ("over_pct", "over %"),
            ("standing", "standing"),
        ],
    );
    with_waivers(view, rows.iter().map(|b| b.waived.as_ref()))
}

/// `ledger drift`.
pub fn drift(rows: &[Drift], days: u32, wants: Wants) -> View {
    let mut view = list(
        wants,
        Some(format!("Budget drift over the last {days} days")),
        rows,
        &[
            ("budget", "budget"),
            ("status", "status"),
            ("samples", "n"),
            ("first", "first"),
            ("last", "last"),
            ("min", "min"),
            ("median", "median"),
            ("max", "max"),
            ("change_pct", "change %"),
            ("over_pct", "over %"),
        ],
    );
    if let Some(Block::Table(t)) = view.blocks.last_mut() {
        t.columns.insert(3, "trend".into());
        t.columns.insert(4, "limit".into());
        for (row, d) in t.rows.iter_mut().zip(rows) {
            row.insert(3, sparkline(&d.values));
            let rule = if d.direction == crate::domain::budget::Direction::Max {
                "<="
            } else {
                ">="
            };
            row.insert(4, format!("{rule} {} {}", number(d.threshold), d.unit));
            let shifts: Vec<String> = d
                .shifts
                .iter()
                .map(|s| {
                    let accepted = if s.accepted { ", accepted" } else { "" };
                    format!("{}{accepted}", s.describe())
                })
                .collect();
            row.push(if shifts.is_empty() {
                "-".into()
            } else {
                shifts.join("\n")
            });
        }
        t.columns.push("shifts".into());
    }
    with_waivers(view, rows.iter().map(|d| d.waived.as_ref()))
}

/// `ledger deprecations`.
pub fn deprecations(rows: &[DeprecationRow], wants: Wants) -> View {
    let view = list(
        wants,
        None,
        rows,
        &[
            ("item", "item"),
            ("kind", "kind"),
            ("deprecated_in", "deprecated"),
            ("window", "window"),
            ("earliest_removal", "earliest removal"),
            ("removed_in", "removed"),
            ("status", "status"),
            ("overdue_since", "overdue since"),
        ],
    );
    with_waivers(view, rows.iter().map(|d| d.waived.as_ref()))
}

/// `ledger extensions`.
/// `ledger extensions`: the extensions, then the `tiers` given against the
/// policy (none: no tier table).
pub fn extensions(rows: &[ExtensionRow], tiers: &[TierCount], wants: Wants) -> View {
    let mut view = list(
        wants,
        Some(format!("Extensions ({})", rows.len())),
        rows,
        &[
            ("id", "id"),
            ("tier", "tier"),
            ("license", "license"),
            ("doctor", "doctor"),
            ("removed", "removed"),
            ("violations", "violations"),
        ],
    );
    view = with_waivers(view, rows.iter().map(|e| e.waived.as_ref()));
    if !tiers.is_empty() {
        view.blocks
            .push(Block::Heading("Tiers against the policy".into()));
        view.blocks.push(Block::Table(Table {
            columns: [
                "tier",
                "expected",
                "in corpus",
                "conformance level",
                "conformance",
                "standing",
            ]
            .map(String::from)
            .to_vec(),
            rows: tiers
                .iter()
                .map(|t| {
                    vec![
                        t.tier.clone(),
                        t.expected.to_string(),
                        t.actual.to_string(),
                        match (t.conformance_required_pct, t.conformance_target_pct) {
                            (Some(r), _) => format!("{}% required", number(r)),
                            (None, Some(p)) => format!("{}% target", number(p)),
                            (None, None) => "best effort".into(),
                        },
                        t.conformance_pass_pct
                            .map(|p| format!("{}%", number(p)))
                            .unwrap_or("-".into()),
                        cell(&serde_json::to_value(t.standing).unwrap_or_default()),
                    ]
                })
                .collect(),
        }));
    }
    view
}

/// `ledger incidents`.
pub fn incidents(rows: &[IncidentRow], wants: Wants) -> View {
    let view = list(
        wants,
        None,
        rows,
        &[
            ("id", "id"),
            ("kind", "kind"),
            ("severity", "severity"),
            ("title", "title"),
            ("opened_at", "opened"),
            ("sla", "sla"),
            ("due", "due"),
            ("sla_state", "state"),
            ("overdue_by_hours", "overdue by h"),
        ],
    );
    with_waivers(view, rows.iter().map(|i| i.waived.as_ref()))
}

/// `ledger maintenance`.
pub fn maintenance(rows: &[TaskStatus], wants: Wants) -> View {
    let view = list(
        wants,
        None,
        rows,
        &[
            ("task", "task"),
            ("cadence", "cadence"),
            ("last_done", "last done"),
            ("next_due", "next due"),
            ("overdue", "overdue"),
        ],
    );
    with_waivers(view, rows.iter().map(|t| t.waived.as_ref()))
}

/// `ledger readiness`.
pub fn readiness(r: &Readiness, as_of: &str) -> View {
    let objects = to_objects(&r.criteria);
    let rows: Vec<Vec<String>> = r
        .criteria
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                criterion_state(c),
                if c.met {
                    c.evidence.join("\n")
                } else {
                    c.blockers.join("\n")
                },
            ]
        })
        .collect();
    let mut criteria = Table {
        columns: ["criterion", "state", "evidence / blockers"]
            .map(String::from)
            .to_vec(),
        rows,
    };
    waiver_column(&mut criteria, r.criteria.iter().map(|c| c.waived.as_ref()));
    View {
        json: serde_json::to_value(r).unwrap_or_default(),
        json_text: None,
        csv: Table {
            columns: ["id", "met", "evidence", "blockers"]
                .map(String::from)
                .to_vec(),
            rows: objects
                .iter()
                .map(|o| {
                    ["id", "met", "evidence", "blockers"]
                        .iter()
                        .map(|k| csv_field(&o[*k]))
                        .collect()
                })
                .collect(),
        },
        raw: None,
        blocks: vec![
            Block::Heading(match &r.shipped {
                Some(_) => format!("Milestone {} ({}) {}", r.milestone, r.title, verdict(r)),
                None => format!(
                    "Milestone {} ({}) as of {as_of}: {}",
                    r.milestone,
                    r.title,
                    verdict(r)
                ),
            }),
            Block::Table(criteria),
        ],
    }
}

/// A criterion's state as shown: met, unmet, or unmet but waived.
fn criterion_state(c: &crate::domain::readiness::Criterion) -> String {
    match (c.met, &c.waived) {
        (true, _) => "met".into(),
        (false, None) => "unmet".into(),
        (false, Some(_)) => "unmet (waived)".into(),
    }
}

/// A milestone's verdict in words: ready or not; for a shipped one, how it
/// stood when it shipped.
fn verdict(r: &Readiness) -> String {
    let met = r.criteria.iter().filter(|c| c.met).count();
    match &r.shipped {
        Some(s) if r.ready => format!(
            "shipped as {} on {}, ready ({met} of {} criteria met then)",
            s.version,
            time::date(s.at),
            r.criteria.len()
        ),
        Some(s) => format!(
            "shipped as {} on {} before it was ready ({met} of {} criteria met then)",
            s.version,
            time::date(s.at),
            r.criteria.len()
        ),
        None if r.ready => format!("READY ({met} of {} criteria met)", r.criteria.len()),
        None => format!("not ready ({met} of {} criteria met)", r.criteria.len()),
    }
}

/// `ledger check-release`.
pub fn check_release(c: &ReleaseCheck, wants: Wants) -> View {
    let blocking = c.findings.iter().filter(|f| f.blocks()).count();
    let waived = c.findings.iter().filter(|f| f.waived.is_some()).count();
    let warnings = c
        .findings
        .iter()
        .filter(|f| f.level == crate::domain::check::Level::Warning && f.waived.is_none())
        .count();
    let head = if c.allowed {
        format!(
            "Release {} may be cut ({} warning(s){})",
            c.version,
            warnings,
            if waived > 0 {
                format!(", {waived} waived")
            } else {
                String::new()
            }
        )
    } else {
        format!("Release {} is blocked by {blocking} finding(s)", c.version)
    };
    let mut view = list(
        wants,
        Some(head),
        &c.findings,
        &[
            ("severity", "severity"),
            ("rule", "rule"),
            ("message", "message"),
        ],
    );
    if let Some(Block::Table(t)) = view.blocks.last_mut() {
        for (row, f) in t.rows.iter_mut().zip(&c.findings) {
            if f.waived.is_some() {
                row[0] = format!("{} (waived)", row[0]);
            }
        }
    }
    // CSV is the findings, every field; JSON the whole verdict.
    if wants.json {
        if !c.findings.is_empty() {
            view.csv = super::csv_of(&serde_json::to_value(&c.findings).unwrap_or_default());
        }
        view.json_text = Some(super::written(c));
    }
    with_waivers(view, c.findings.iter().map(|f| f.waived.as_ref()))
}

/// A template as `ledger policy template` lists it.
#[derive(serde::Serialize)]
struct TemplateListed {
    name: &'static str,
    about: &'static str,
}

/// `ledger policy template`: the templates there are.
pub fn templates(list_of: &[crate::domain::policy::templates::Template], wants: Wants) -> View {
    let rows: Vec<TemplateListed> = list_of
        .iter()
        .map(|t| TemplateListed {
            name: t.name,
            about: t.about,
        })
        .collect();
    list(
        wants,
        Some("Templates (`ledger policy template NAME` prints one; `ledger init --template NAME` writes and loads it)".into()),
        &rows,
        &[("name", "template"), ("about", "governs")],
    )
}

/// Which policy judges `project`, in words.
fn policy_line(p: &crate::domain::inputs::PolicyInUse, project: &str) -> String {
    let whose = if p.project == project {
        String::new()
    } else {
        format!(" of project {} (it has none of its own)", p.project)
    };
    format!(
        "Judged by policy version {}{whose}, from {}, loaded {}",
        p.version,
        p.source,
        time::format(p.loaded_at)
    )
}

/// `ledger policy`.
pub fn policy(p: &Policy, version: i64, loaded: &str, source: &str) -> View {
    let mut json = serde_json::to_value(p).unwrap_or_default();
    if let Some(o) = json.as_object_mut() {
        o.insert("version".into(), json!(version));
        o.insert("loaded_at".into(), json!(loaded));
        o.insert("source".into(), json!(source));
        o.insert("rules".into(), json!(rule_list(p)));
    }
    let gate_rows = policy_gate_rows(p);
    let budget_rows = policy_budget_rows(p);
    let windows = policy_window_rows(p);
    let slas = policy_sla_rows(p);
    let tasks = p
        .maintenance
        .tasks
        .iter()
        .map(|t| vec![t.id.clone(), t.cadence.to_string(), t.title.clone()])
        .collect();
    let t = |columns: &[&str], rows| {
        Block::Table(Table {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows,
        })
    };
    View {
        csv: Table {
            columns: ["gate", "kind", "rule", "per platform"]
                .map(String::from)
                .to_vec(),
            rows: gate_rows.clone(),
        },
        json,
        json_text: None,
        raw: None,
        blocks: vec![
            Block::Heading(format!(
                "Policy version {version} for {} (from {source}, loaded {loaded})",
                p.project
            )),
            Block::Line(format!(
                "{}; platforms: {}",
                p.title,
                p.platforms.join(", ")
            )),
            Block::Heading("Gates".into()),
            t(&["gate", "kind", "rule", "per platform"], gate_rows),
            Block::Heading(format!(
                "Budgets (over by more than {}% blocks; drift tolerance {}%)",
                number(p.budgets.blocking_over_pct),
                number(p.budgets.drift_tolerance_pct)
            )),
            t(&["budget", "rule", "CI-enforced"], budget_rows),
            Block::Heading("Deprecation windows (minor lines)".into()),
            t(&["kind", "pre-1.0", "post-1.0"], windows),
            Block::Heading("Incident SLAs".into()),
            t(&["sla", "kind", "covers", "clock"], slas),
            Block::Heading("Extensions".into()),
            Block::Line(format!(
                "licenses: {}; removal reasons: {}; tiers: {}",
                p.extensions.permissive_licenses.join(", "),
                p.extensions.removal_reasons.join(", "),
                p.tier_ids().join(", ")
            )),
            Block::Heading("Maintenance".into()),
            t(&["task", "cadence", "title"], tasks),
        ]
        .into_iter()
        .chain(policy_waivers_delivery_rules(p))
        .collect(),
    }
}

fn policy_gate_rows(p: &Policy) -> Vec<Vec<String>> {
    p.gates
        .iter()
        .map(|g| {
            vec![
                g.id.clone(),
                g.kind.to_string(),
                format!(
                    "{} {} {}",
                    g.comparator.as_str(),
                    g.threshold.map(number).unwrap_or("-".into()),
                    g.unit
                ),
                if g.per_platform { "yes" } else { "no" }.into(),
            ]
        })
        .collect()
}

fn policy_budget_rows(p: &Policy) -> Vec<Vec<String>> {
    p.budgets
        .definitions
        .iter()
        .map(|b| {
            vec![
                b.id.clone(),
                format!("{} {} {}", b.direction, number(b.threshold), b.unit),
                if b.ci_enforced { "yes" } else { "no" }.into(),
            ]
        })
        .collect()
}

fn policy_window_rows(p: &Policy) -> Vec<Vec<String>> {
    use crate::domain::deprecation::DeprecationKind;
    let w = &p.deprecations.windows;
    let mut kinds: Vec<&str> = w.pre_1_0.kinds().chain(w.post_1_0.kinds()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
        .into_iter()
        .map(|k| {
            let kind = DeprecationKind::named(k);
            vec![
                k.to_string(),
                w.pre_1_0.get(kind).map_or("-".into(), |n| n.to_string()),
                w.post_1_0.get(kind).map_or("-".into(), |n| n.to_string()),
            ]
        })
        .collect()
}

fn policy_sla_rows(p: &Policy) -> Vec<Vec<String>> {
    p.incidents
        .slas
        .iter()
        .map(|s| {
            let sev: Vec<&str> = s.severities.iter().map(|v| v.as_str()).collect();
            let scope = match (sev.is_empty(), s.over_pct_above) {
                (_, Some(over)) => format!("over budget by more than {}%", number(over)),
                (true, None) => "all severities".into(),
                (false, None) => sev.join(", "),
            };
            let when = match s.within_hours {
                Some(h) => format!("within {h} h"),
                None => "before the next release".into(),
            };
            vec![
                s.id.clone(),
                s.kind.to_string(),
                scope,
                format!("{:?} {when}", s.clock).to_lowercase(),
            ]
        })
        .collect()
}

/// `ledger policy`'s waiver limits, delivery levels and rule list.
fn policy_waivers_delivery_rules(p: &Policy) -> Vec<Block> {
    let t = |columns: &[&str], rows| {
        Block::Table(Table {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows,
        })
    };
    vec![
        Block::Heading("Waivers".into()),
        Block::Line(format!(
            "at most {} days; status warns {} days ahead; never for: {}",
            p.waivers.max_days,
            p.waivers.warn_days,
            p.waivers
                .forbidden
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Block::Line(format!(
            "findings about these incidents are never waived while they are open: {}",
            list_or_none(p.waivers.never_open_incidents.iter().map(|c| {
                let severities: Vec<&str> = c.severities.iter().map(|s| s.as_str()).collect();
                match severities.is_empty() {
                    true => format!("every {} incident", c.kind),
                    false => format!("{} {} incidents", severities.join(" or "), c.kind),
                }
            }))
        )),
        Block::Heading(format!(
            "Delivery levels (window {} days; a figure at most a bound reaches its level)",
            p.delivery.window_days
        )),
        t(&["key", "elite", "high", "medium"], {
            let l = &p.delivery.levels;
            let f = &l.release_frequency;
            let bounds = |key: &str, b: &Bounds, unit: &str| {
                vec![
                    key.to_string(),
                    format!("{}{unit}", number(b.elite)),
                    format!("{}{unit}", number(b.high)),
                    format!("{}{unit}", number(b.medium)),
                ]
            };
            let bucket_of = |level: Level| {
                [
                    (f.daily, "daily"),
                    (f.weekly, "weekly"),
                    (f.monthly, "monthly"),
                    (f.yearly, "yearly"),
                ]
                .iter()
                .filter(|(l, _)| *l == level)
                .map(|(_, b)| *b)
                .collect::<Vec<_>>()
                .join(", ")
            };
            vec![
                vec![
                    "release frequency".into(),
                    bucket_of(Level::Elite),
                    bucket_of(Level::High),
                    bucket_of(Level::Medium),
                ],
                bounds("lead time", &l.lead_time_hours, " h"),
                bounds("change failure rate", &l.change_failure_rate_pct, "%"),
                bounds("time to restore", &l.time_to_restore_hours, " h"),
            ]
        }),
        Block::Heading("Finding rules (what `waive` takes)".into()),
        t(
            &["rule", "waivable", "governance"],
            rule_list(p)
                .into_iter()
                .map(|r| vec![r.id.into(), r.waivable, r.governance.into()])
                .collect(),
        ),
    ]
}

/// Items joined with commas, or "none".
fn list_or_none(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// A rule as `ledger policy` lists it.
#[derive(serde::Serialize)]
struct RuleListed {
    id: &'static str,
    title: &'static str,
    governance: &'static str,
    /// "yes", "no: forbidden by the policy" or "never: why".
    waivable: String,
}

/// Every rule code, with whether a finding of it may be waived under `p`.
fn rule_list(p: &Policy) -> Vec<RuleListed> {
    use crate::domain::rule::{Code, Waivable};
    Code::ALL
        .iter()
        .map(|&code| {
            let about = code.about();
            RuleListed {
                id: code.as_str(),
                title: about.title,
                governance: about.governance,
                waivable: match about.waivable {
                    Waivable::Never(why) => format!("never: {why}"),
                    Waivable::Yes if p.waivers.forbidden.contains(&code) => {
                        "no: forbidden by the policy".into()
                    }
                    Waivable::Yes => "yes".into(),
                },
            }
        })
        .collect()
}

/// `ledger status`: one screen of everything that needs attention.
pub fn status(s: &Status, wants: Wants) -> View {
    let mut view = View {
        json: serde_json::Value::Null,
        json_text: wants.json.then(|| super::written(s)),
        csv: status_counts(s),
        blocks: Vec::new(),
        raw: None,
    };
    if !wants.blocks {
        return view;
    }
    let mut blocks = vec![Block::Heading(format!(
        "Ledger status for {} as of {}",
        s.project,
        time::format(s.as_of)
    ))];
    if let Some(p) = &s.policy {
        blocks.push(Block::Line(policy_line(p, &s.project)));
    }
    blocks.push(Block::Line(match &s.latest_release {
        Some(r) => format!(
            "Latest release: {} ({}, {}) on {}",
            r.tag,
            r.channel.as_str(),
            r.status,
            r.date
        ),
        None => "Latest release: none shipped yet".into(),
    }));
    blocks.extend(status_gates_and_budgets(s));
    blocks.extend(status_overdue(s));
    blocks.extend(status_delivery_readiness_waivers(s));
    view.blocks = blocks;
    view
}

/// A section's table, with a waiver column when any row is waived.
fn waived_table(columns: &[&str], rows: Vec<Vec<String>>, waived: Vec<Option<&Waived>>) -> Block {
    let mut t = Table {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows,
    };
    waiver_column(&mut t, waived.into_iter());
    Block::Table(t)
}

/// The dashboard's failing gates, and budgets over or drifting.
fn status_gates_and_budgets(s: &Status) -> Vec<Block> {
    let mut blocks = Vec::new();
    blocks.push(Block::Heading(format!(
        "Failing gates ({})",
        s.failing_gates.len()
    )));
    blocks.push(waived_table(
        &["gate", "platform", "value", "at"],
        s.failing_gates
            .iter()
            .map(|g| {
                vec![
                    g.gate.clone(),
                    g.platform.clone().unwrap_or("-".into()),
                    g.value.map(number).unwrap_or("fail".into()),
                    g.at.map(time::format).unwrap_or_default(),
                ]
            })
            .collect(),
        s.failing_gates.iter().map(|g| g.waived.as_ref()).collect(),
    ));
    blocks.push(Block::Heading(format!(
        "Budgets over or drifting, last {} days ({})",
        s.drift_days,
        s.budgets.len()
    )));
    blocks.push(waived_table(
        &["budget", "status", "trend", "last", "over %", "shift"],
        s.budgets
            .iter()
            .map(|d| {
                vec![
                    d.budget.clone(),
                    d.status.as_str().into(),
                    sparkline(&d.values),
                    d.last
                        .map(|v| format!("{} {}", number(v), d.unit))
                        .unwrap_or_default(),
                    d.over_pct.map(number).unwrap_or("-".into()),
                    d.shifts
                        .iter()
                        .rfind(|s| s.regression && !s.accepted)
                        .map(crate::domain::budget::ShiftRow::describe)
                        .unwrap_or("-".into()),
                ]
            })
            .collect(),
        s.budgets.iter().map(|d| d.waived.as_ref()).collect(),
    ));
    for a in &s.accepted_shifts {
        blocks.push(Block::Line(format!(
            "  accepted: {} {}",
            a.budget,
            a.shift.describe()
        )));
    }
    blocks
}

/// The dashboard's overdue or premature deprecations, incidents past
/// their SLA and overdue maintenance.
fn status_overdue(s: &Status) -> Vec<Block> {
    let mut blocks = Vec::new();
    blocks.push(Block::Heading(format!(
        "Deprecations overdue or premature ({})",
        s.deprecations.len()
    )));
    blocks.push(waived_table(
        &["item", "kind", "deprecated", "status", "since / removed"],
        s.deprecations
            .iter()
            .map(|d| {
                vec![
                    d.item.clone(),
                    d.kind.to_string(),
                    d.deprecated_in.clone(),
                    d.status.as_str().into(),
                    d.overdue_since
                        .map(time::date)
                        .or(d.removed_in.clone())
                        .unwrap_or_default(),
                ]
            })
            .collect(),
        s.deprecations.iter().map(|d| d.waived.as_ref()).collect(),
    ));
    blocks.push(Block::Heading(format!(
        "Incidents past their SLA ({} of {} open)",
        s.overdue_incidents.len(),
        s.open_incidents
    )));
    blocks.push(waived_table(
        &["id", "kind", "severity", "title", "overdue by h"],
        s.overdue_incidents
            .iter()
            .map(|i| {
                vec![
                    i.id.to_string(),
                    i.kind.to_string(),
                    i.severity.to_string(),
                    i.title.clone(),
                    i.overdue_by_hours.map(number).unwrap_or_default(),
                ]
            })
            .collect(),
        s.overdue_incidents
            .iter()
            .map(|i| i.waived.as_ref())
            .collect(),
    ));
    blocks.push(Block::Heading(format!(
        "Maintenance overdue ({})",
        s.overdue_maintenance.len()
    )));
    blocks.push(waived_table(
        &["task", "cadence", "last done"],
        s.overdue_maintenance
            .iter()
            .map(|t| {
                vec![
                    t.task.clone(),
                    t.cadence.to_string(),
                    t.last_done.map(time::date).unwrap_or("never".into()),
                ]
            })
            .collect(),
        s.overdue_maintenance
            .iter()
            .map(|t| t.waived.as_ref())
            .collect(),
    ));
    blocks
}

/// The dashboard's delivery figures, milestones and expiring waivers.
fn status_delivery_readiness_waivers(s: &Status) -> Vec<Block> {
    let mut blocks = Vec::new();
    blocks.push(Block::Heading(format!(
        "Delivery over the last {} days",
        s.delivery.window_days
    )));
    blocks.push(Block::Table(delivery_table(&s.delivery)));
    for r in &s.readiness {
        blocks.push(Block::Heading(format!(
            "Readiness for {}: {}",
            r.milestone,
            verdict(r)
        )));
        blocks.push(waived_table(
            &["criterion", "state", "blocker"],
            r.criteria
                .iter()
                .map(|c| {
                    vec![
                        c.id.clone(),
                        criterion_state(c),
                        c.blockers.first().cloned().unwrap_or_default(),
                    ]
                })
                .collect(),
            r.criteria.iter().map(|c| c.waived.as_ref()).collect(),
        ));
    }
    if !s.expiring_waivers.is_empty() {
        blocks.push(Block::Heading(format!(
            "Waivers expiring within {} days ({}): their findings come back then",
            s.waiver_warn_days,
            s.expiring_waivers.len()
        )));
        blocks.push(waived_table(
            &["rule", "subject", "expires", "reason"],
            s.expiring_waivers
                .iter()
                .map(|w| {
                    vec![
                        w.rule.to_string(),
                        w.subject.clone(),
                        time::format_short(w.expires_at),
                        w.reason.clone(),
                    ]
                })
                .collect(),
            Vec::new(),
        ));
    }
    blocks
}

/// The dashboard as CSV: how many findings each section holds.
fn status_counts(s: &Status) -> Table {
    let count = |name: &str, n: usize| vec![name.to_string(), n.to_string()];
    Table {
        columns: vec!["section".into(), "count".into()],
        rows: vec![
            count("failing_gates", s.failing_gates.len()),
            count("budgets_over_or_drifting", s.budgets.len()),
            count("deprecations_overdue_or_premature", s.deprecations.len()),
            count("incidents_overdue", s.overdue_incidents.len()),
            count("maintenance_overdue", s.overdue_maintenance.len()),
        ],
    }
}

/// `ledger import`.
pub fn import_summary(s: &Summary) -> View {
    let mut counts = format!(
        "{} added, {} updated, {} already recorded",
        s.added, s.updated, s.skipped
    );
    if s.not_recorded > 0 {
        counts.push_str(&format!(", {} not recorded", s.not_recorded));
    }
    if !s.conflicts.is_empty() {
        counts.push_str(&format!(", {} conflict(s)", s.conflicts.len()));
    }
    if s.no_data > 0 {
        counts.push_str(&format!(", {} without data", s.no_data));
    }
    let mut blocks = vec![Block::Line(format!(
        "imported {} {}: {counts}",
        s.kind, s.file
    ))];
    let mut section = |title: &str, items: &[String]| {
        if !items.is_empty() {
            blocks.push(Block::Heading(format!("{title} ({})", items.len())));
            for i in items {
                blocks.push(Block::Line(format!("  {i}")));
            }
        }
    };
    section("Not recorded", &s.notes);
    section("Conflicts", &s.conflicts);
    section("Policy violations", &s.violations);
    section(
        "In the ledger but not in this file (not removed)",
        &s.missing,
    );
    View {
        json: serde_json::to_value(s).unwrap_or_default(),
        json_text: None,
        csv: Table {
            columns: [
                "added",
                "updated",
                "skipped",
                "no_data",
                "conflicts",
                "violations",
                "missing",
            ]
            .map(String::from)
            .to_vec(),
            rows: vec![vec![
                s.added.to_string(),
                s.updated.to_string(),
                s.skipped.to_string(),
                s.no_data.to_string(),
                s.conflicts.len().to_string(),
                s.violations.len().to_string(),
                s.missing.len().to_string(),
            ]],
        },
        blocks,
        raw: None,
    }
}

/// `ledger verify`.
pub fn verify(r: &VerifyReport) -> View {
    let mut blocks = vec![Block::Line(if r.ok && !r.unchecked.is_empty() {
        format!(
            "ok, except what could not be checked here: {} entries, chain intact, every row matches its entry",
            r.entries
        )
    } else if r.ok {
        format!(
            "ok: {} entries, chain intact, every row matches its entry",
            r.entries
        )
    } else {
        format!(
            "TAMPERED: {} problem(s) in {} entries",
            r.problems.len(),
            r.entries
        )
    })];
    blocks.push(Block::Line(format!("head: {}", r.head)));
    blocks.push(Block::Line(format!("tree root: {}", r.root)));
    blocks.extend(r.problems.iter().map(|p| Block::Line(format!("- {p}"))));
    blocks.extend(
        r.unchecked
            .iter()
            .map(|u| Block::Line(format!("- not checked: {u}"))),
    );
    View {
        json: serde_json::to_value(r).unwrap_or_default(),
        json_text: None,
        // One row per problem (one row with none), each with the figures.
        csv: Table {
            columns: ["ok", "entries", "head", "root", "problem"]
                .map(String::from)
                .to_vec(),
            rows: if r.problems.is_empty() {
                vec![String::new()]
            } else {
                r.problems.clone()
            }
            .into_iter()
            .map(|p| {
                vec![
                    r.ok.to_string(),
                    r.entries.to_string(),
                    r.head.clone(),
                    r.root.clone(),
                    p,
                ]
            })
            .collect(),
        },
        blocks,
        raw: None,
    }
}

/// `ledger sql`: rows as they came.
pub fn query_rows(columns: Vec<String>, rows: &[Vec<serde_json::Value>]) -> View {
    let objects = rows
        .iter()
        .map(|r| {
            serde_json::Value::Object(columns.iter().cloned().zip(r.iter().cloned()).collect())
        })
        .collect();
    let table = Table {
        columns: columns.clone(),
        rows: rows.iter().map(|r| r.iter().map(cell).collect()).collect(),
    };
    View {
        json: serde_json::Value::Array(objects),
        json_text: None,
        csv: Table {
            columns,
            rows: rows
                .iter()
                .map(|r| r.iter().map(csv_field).collect())
                .collect(),
        },
        blocks: vec![Block::Table(table)],
        raw: None,
    }
}

/// The four keys and the governance's rhythm, each with its level.
/// A delivery figure's level, with the bounds of each level.
fn level_cell(l: Option<Level>, b: &Bounds, unit: &str) -> String {
    match l {
        Some(l) => format!(
            "{l} (elite ≤ {}{unit}, high ≤ {}{unit}, medium ≤ {}{unit})",
            number(b.elite),
            number(b.high),
            number(b.medium)
        ),
        None => "-".to_string(),
    }
}

fn delivery_table(d: &Delivery) -> Table {
    let levels = d.levels;
    let hours = |h: f64| format!("{} h", number(h));
    let pct = |p: f64| format!("{}%", number(p));
    let unknown = || "-".to_string();
    let level = level_cell;
    let k = &d.keys;
    let rows = vec![
        vec![
            "release frequency".into(),
            format!("{} release(s), {}", k.releases, d.release_frequency_bucket),
            format!(
                "{} (daily {}, weekly {}, monthly {})",
                d.release_frequency_level,
                levels.release_frequency.daily,
                levels.release_frequency.weekly,
                levels.release_frequency.monthly
            ),
        ],
        vec![
            "lead time for changes".into(),
            match k.lead_time_median_hours {
                Some(h) => format!(
                    "{} median of {} release(s) with a commit date",
                    hours(h),
                    k.lead_time_releases
                ),
                None => {
                    "unknown: no release has a commit date (record-release --commit-date)".into()
                }
            },
            level(d.lead_time_level, &levels.lead_time_hours, " h"),
        ],
        vec![
            "change failure rate".into(),
            match k.change_failure_rate_pct {
                Some(p) if k.failed_releases.is_empty() => pct(p),
                Some(p) => format!("{} ({})", pct(p), k.failed_releases.join(", ")),
                None => "no release shipped".into(),
            },
            level(d.change_failure_level, &levels.change_failure_rate_pct, "%"),
        ],
        vec![
            "time to restore".into(),
            match k.time_to_restore_median_hours {
                Some(h) => format!(
                    "{} median of {} resolved incident(s)",
                    hours(h),
                    k.restored_incidents
                ),
                None => "no incident resolved".into(),
            },
            level(d.time_to_restore_level, &levels.time_to_restore_hours, " h"),
        ],
        vec![
            "incidents within SLA".into(),
            d.incidents_within_sla_pct.map(pct).unwrap_or_else(unknown),
            unknown(),
        ],
        vec![
            "maintenance on time".into(),
            d.maintenance_on_time_pct.map(pct).unwrap_or_else(unknown),
            unknown(),
        ],
        vec![
            "deprecations removed on time".into(),
            d.deprecations_removed_on_time_pct
                .map(pct)
                .unwrap_or_else(unknown),
            unknown(),
        ],
    ];
    Table {
        columns: ["metric", "value", "level"].map(String::from).to_vec(),
        rows,
    }
}

/// `ledger delivery`: the four keys over the window with their levels,
/// the governance's rhythm, then per quarter and time to restore by kind.
pub fn delivery(d: &Delivery) -> View {
    let unknown = || "-".to_string();
    let opt = |v: Option<f64>| v.map(number).unwrap_or_else(unknown);
    let blocks = vec![
        Block::Heading(format!(
            "Delivery over the last {} days ({} to {})",
            d.window_days,
            time::date(d.from),
            time::date(d.to)
        )),
        Block::Table(delivery_table(d)),
        Block::Heading("Per quarter (the part inside the window)".into()),
        Block::Table(Table {
            columns: [
                "quarter",
                "releases",
                "lead time h",
                "change failure %",
                "time to restore h",
            ]
            .map(String::from)
            .to_vec(),
            rows: d
                .quarters
                .iter()
                .map(|q| {
                    vec![
                        q.quarter.clone(),
                        q.keys.releases.to_string(),
                        opt(q.keys.lead_time_median_hours),
                        opt(q.keys.change_failure_rate_pct),
                        opt(q.keys.time_to_restore_median_hours),
                    ]
                })
                .collect(),
        }),
        Block::Heading("Time to restore by kind and severity".into()),
        Block::Table(Table {
            columns: ["kind", "severity", "incidents", "median h", "sla"]
                .map(String::from)
                .to_vec(),
            rows: d
                .time_to_restore
                .iter()
                .map(|r| {
                    vec![
                        r.kind.to_string(),
                        r.severity.to_string(),
                        r.incidents.to_string(),
                        number(r.median_hours),
                        r.sla.clone().unwrap_or_else(unknown),
                    ]
                })
                .collect(),
        }),
    ];
    View {
        json: serde_json::to_value(d).unwrap_or_default(),
        json_text: None,
        csv: Table::default(),
        blocks,
        raw: None,
    }
}
