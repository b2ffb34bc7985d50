//! Store tests on real files through the real migrations.

use proptest::prelude::*;
use sha2::{Digest, Sha256};

use super::*;
use crate::domain::inputs::{
    BudgetInputs, CapabilityChanges, DashboardInputs, DeliveryInputs, DeprecationInputs,
    DriftInputs, Frame, GateInputs, IncidentInputs, MaintenanceInputs, ReadinessInputs,
    ReleaseCheckInputs, ReleaseInputs, TierConformance,
};
use crate::domain::{
    incident::{IncidentKind, Severity},
    policy,
    record::*,
    release::ReleaseStatus,
    time,
};

fn fresh() -> (tempfile::TempDir, Store) {
    let dir = tempfile::TempDir::new().unwrap();
    let mut store = Store::create(dir.path().join("l.db"), super::LOCK_WAIT).unwrap();
    let now = time::parse("2026-01-01").unwrap();
    store
        .write(|tx| {
            append(tx, "pi", now, now, &ProjectRec { name: "pi".into() })?;
            let digest = format!("{:x}", Sha256::digest(policy::DEFAULT_TOML.as_bytes()));
            let rec = PolicyRec {
                digest,
                source: "test".into(),
                content: policy::DEFAULT_TOML.into(),
            };
            append(tx, "pi", now, now, &rec)?;
            Ok(())
        })
        .unwrap();
    (dir, store)
}

#[test]
fn the_schema_is_as_migrated() {
    let (_dir, store) = fresh();
    let mut stmt = store
        .conn()
        .sqlite()
        .unwrap()
        .prepare(
            "SELECT type || ' ' || name || char(10) || sql FROM sqlite_schema
             WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type, name",
        )
        .unwrap();
    let schema: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    insta::assert_snapshot!("schema", schema.join("\n\n"));
}

#[test]
fn the_schema_version_is_the_newest_migration() {
    let newest = super::sqlite::embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max();
    assert_eq!(newest, Some(super::SCHEMA_VERSION));
}

#[test]
fn open_refuses_a_file_without_the_schema() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("other.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    assert!(matches!(Store::open(&path), Err(StoreError::Schema { .. })));
    assert!(matches!(
        Store::open(dir.path().join("none.db")),
        Err(StoreError::Missing { .. })
    ));
}

#[test]
fn a_failed_transaction_writes_nothing() {
    let (_dir, mut store) = fresh();
    let before = verify(store.conn(), None).unwrap();
    let now = time::parse("2026-01-02").unwrap();
    let result: Result<()> = store.write(|tx| {
        append(
            tx,
            "pi",
            now,
            now,
            &MaintenanceRec {
                task: "dependency-audit".into(),
            },
        )?;
        Err(crate::domain::Error::State("refused".into()).into())
    });
    assert!(result.is_err());
    assert_eq!(verify(store.conn(), None).unwrap(), before);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn verify_passes_after_any_valid_history(steps in prop::collection::vec(step(), 0..25)) {
        let (_dir, mut store) = fresh();
        let written = write_steps(&mut store, &steps);
        let r = verify(store.conn(), None).unwrap();
        prop_assert!(r.ok, "{:?}", r.problems);
        prop_assert_eq!(r.entries, 2 + written as i64);
        let q = store.question("pi", time::parse("2027-01-01").unwrap()).unwrap();
        let samples = super::question::every_sample(q.reader()).unwrap();
        // Every measurement no retraction names, counted by SQL.
        let measured: i64 = store
            .conn().sqlite().unwrap()
            .query_row(
                "SELECT count(*) FROM measurements
                 WHERE entry_seq NOT IN (SELECT target FROM retractions)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let measured = measured as usize;
        prop_assert_eq!(samples.len(), measured, "every measurement reads back");
    }

    #[test]
    fn every_row_the_ledger_writes_reads_back_as_its_body(steps in prop::collection::vec(step(), 0..40)) {
        let (_dir, mut store) = fresh();
        write_steps(&mut store, &steps);
        let (same, all) = verify::canonical_rows(store.conn()).unwrap();
        prop_assert_eq!(same, all, "verify's fast path missed rows");
    }

    #[test]
    fn any_edit_of_any_entry_is_caught(
        steps in prop::collection::vec(step(), 1..15),
        pick in any::<prop::sample::Index>(),
        field in 0usize..4,
    ) {
        let (_dir, mut store) = fresh();
        write_steps(&mut store, &steps);
        let n = verify(store.conn(), None).unwrap().entries;
        let seq = pick.index(n as usize) as i64 + 1;
        let edit = match field {
            0 => "UPDATE entries SET body = body || ' ' WHERE seq = ?1",
            1 => "UPDATE entries SET effective_at = '1999-01-01T00:00:00Z' WHERE seq = ?1",
            2 => "UPDATE entries SET project = 'other' WHERE seq = ?1",
            _ => "UPDATE entries SET kind = 'maintenance' WHERE seq = ?1 AND kind != 'maintenance'",
        };
        store.conn().sqlite().unwrap().execute_batch("DROP TRIGGER entries_no_update").unwrap();
        let changed = store.conn().sqlite().unwrap().execute(edit, [seq]).unwrap();
        let r = verify(store.conn(), None).unwrap();
        // The dropped trigger is itself reported; beyond it, any change is.
        let edits: Vec<&String> = r.problems.iter().filter(|p| !p.contains("the trigger entries_no_update is missing")).collect();
        prop_assert!(!r.ok);
        prop_assert_eq!(edits.is_empty(), changed == 0, "{:?}", r.problems);
    }
}

/// A richer history, for comparing scoped reads with the full history.
#[derive(Debug, Clone)]
enum Step {
    Release(u64, u64, bool),
    Gate(usize, usize, Option<f64>, bool),
    Measure(usize, f64),
    Deprecate(usize, u64),
    Remove(usize, u64),
    Incident(bool),
    Event(usize, bool),
    Maintenance(usize),
    Attest(usize),
    Retract(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u64..3, 0u64..6, any::<bool>()).prop_map(|(a, b, c)| Step::Release(a, b, c)),
        (
            0usize..14,
            0usize..4,
            prop::option::of(0.0f64..200.0),
            any::<bool>()
        )
            .prop_map(|(g, p, v, ok)| Step::Gate(g, p, v, ok)),
        (0usize..4, 0.0f64..300.0).prop_map(|(b, v)| Step::Measure(b, v)),
        (0usize..4, 0u64..6).prop_map(|(b, v)| Step::Measure(b, v as f64 * 40.0)),
        (0usize..6, 0u64..4).prop_map(|(i, m)| Step::Deprecate(i, m)),
        (0usize..6, 0u64..6).prop_map(|(i, m)| Step::Remove(i, m)),
        any::<bool>().prop_map(Step::Incident),
        (0usize..40, any::<bool>()).prop_map(|(n, resolve)| Step::Event(n, resolve)),
        (0usize..11).prop_map(Step::Maintenance),
        (0usize..4).prop_map(Step::Attest),
        (0usize..40).prop_map(Step::Retract),
    ]
}

/// Writes the steps, a few days apart, each as the CLI would; returns how
/// many entries they wrote (a triage of no incident writes none).
fn write_steps(store: &mut Store, steps: &[Step]) -> usize {
    let policy = crate::domain::policy::Policy::builtin();
    let t0 = time::parse("2026-01-02").unwrap();
    let kinds = [
        crate::domain::deprecation::DeprecationKind::named(
            crate::domain::deprecation::DeprecationKind::API,
        ),
        crate::domain::deprecation::DeprecationKind::named(
            crate::domain::deprecation::DeprecationKind::CLI_FLAG,
        ),
        crate::domain::deprecation::DeprecationKind::named(
            crate::domain::deprecation::DeprecationKind::CAPABILITY_POLICY,
        ),
    ];
    for (i, step) in steps.iter().enumerate() {
        // 41 hours apart, so a long history outgrows the dashboard's
        // 90-day delivery window.
        let at = t0 + chrono::Duration::hours(i as i64 * 41);
        store
            .write(|tx| {
                let seqs: Vec<i64> = {
                    let mut stmt = tx
                        .sqlite()
                        .unwrap()
                        .prepare("SELECT seq FROM entries WHERE seq > 2 ORDER BY seq")?;
                    stmt.query_map([], |r| r.get(0))?
                        .collect::<rusqlite::Result<_>>()?
                };
                match step {
                    Step::Release(major, minor, draft) => {
                        let rec = ReleaseRec {
                            version: format!("{major}.{minor}.{i}"),
                            date: time::format(at),
                            commit_sha: None,
                            status: if *draft {
                                ReleaseStatus::Draft
                            } else {
                                ReleaseStatus::Released
                            },
                            breaking: false,
                            notes: Some("a \"quoted\" note".into()),
                            // Bodies with and without the later fields.
                            committed_at: (i % 2 == 0).then(|| time::format(at)),
                            fixes: None,
                            tag: None,
                        };
                        append(tx, "pi", at, at, &rec)?;
                    }
                    Step::Gate(g, p, value, ok) => {
                        let def = &policy.gates[*g];
                        // Now and then off the policy's platforms, as a
                        // result recorded under an earlier policy may be.
                        let platform = if def.per_platform {
                            policy.platforms.get(*p).cloned()
                        } else {
                            (*p == 3).then(|| policy.platforms[0].clone())
                        };
                        let rec = GateResultRec {
                            gate: def.id.clone(),
                            platform,
                            value: *value,
                            passed: *ok,
                            comparator: None,
                            threshold: None,
                            commit_sha: None,
                            release: None,
                            source: None,
                        };
                        append(tx, "pi", at, at, &rec)?;
                    }
                    Step::Measure(b, v) => {
                        let rec = MeasurementRec {
                            budget: policy.budgets.definitions[*b].id.clone(),
                            value: *v,
                            commit_sha: None,
                            source: None,
                        };
                        append(tx, "pi", at, at, &rec)?;
                    }
                    Step::Deprecate(item, minor) => {
                        let rec = DeprecationRec {
                            item: format!("item{item}"),
                            kind: kinds[item % kinds.len()],
                            version: format!("0.{minor}.0"),
                            replacement: None,
                            note: None,
                            kept: None,
                        };
                        append(tx, "pi", at, at, &rec)?;
                    }
                    Step::Remove(item, minor) => {
                        let rec = RemovalRec {
                            item: format!("item{item}"),
                            version: format!("0.{minor}.1"),
                        };
                        append(tx, "pi", at, at, &rec)?;
                    }
                    Step::Incident(security) => {
                        let rec = IncidentRec {
                            kind: if *security {
                                IncidentKind::named(IncidentKind::SECURITY)
                            } else {
                                IncidentKind::named("conformance-regression")
                            },
                            severity: Severity::Medium,
                            title: "t".into(),
                            over_pct: None,
                            introduced_in: (i % 3 == 0).then(|| "0.1.0".into()),
                        };
                        append(tx, "pi", at, at, &rec)?;
                    }
                    Step::Event(n, resolve) => {
                        if let Some(target) = seqs.get(n % seqs.len().max(1)) {
                            let rec = IncidentEventRec {
                                incident: *target,
                                action: if *resolve {
                                    IncidentAction::Resolve
                                } else {
                                    IncidentAction::Triage
                                },
                                release: None,
                            };
                            // Only incidents have events: others fail the key.
                            let is_incident: bool = tx.sqlite().unwrap().query_row(
                                "SELECT EXISTS (SELECT 1 FROM incidents WHERE entry_seq = ?1)",
                                [target],
                                |r| r.get(0),
                            )?;
                            if is_incident {
                                append(tx, "pi", at, at, &rec)?;
                            }
                        }
                    }
                    Step::Maintenance(t) => {
                        let task = policy.maintenance.tasks[*t].id.clone();
                        append(tx, "pi", at, at, &MaintenanceRec { task })?;
                    }
                    Step::Attest(c) => {
                        let rec = AttestationRec {
                            criterion: policy.attestations.criteria[*c].id.clone(),
                            signed_by: None,
                            note: None,
                        };
                        append(tx, "pi", at, at, &rec)?;
                    }
                    Step::Retract(n) => {
                        if let Some(target) = seqs.get(n % seqs.len().max(1)) {
                            let taken: bool = tx.sqlite().unwrap().query_row(
                                "SELECT EXISTS (SELECT 1 FROM retractions WHERE target = ?1)",
                                [target],
                                |r| r.get(0),
                            )?;
                            if !taken {
                                let rec = RetractionRec {
                                    target: *target,
                                    reason: "wrong".into(),
                                };
                                append(tx, "pi", at, at, &rec)?;
                            }
                        }
                    }
                }
                Ok(())
            })
            .unwrap();
    }
    let entries: i64 = store
        .conn()
        .sqlite()
        .unwrap()
        .query_row("SELECT count(*) FROM entries", [], |r| r.get(0))
        .unwrap();
    // Less the project and the policy every fresh ledger starts with.
    entries as usize - 2
}

/// The versions whose release check the property test compares: every one
/// the steps can remove in.
const CHECKED: [&str; 6] = ["0.0.1", "0.1.1", "0.2.1", "0.3.1", "0.4.1", "0.5.1"];

/// Every question's input, read one way: scoped (the store's methods) or
/// as every row of the history (the reference).
struct Inputs {
    releases: ReleaseInputs,
    gates: GateInputs,
    budgets: BudgetInputs,
    deprecations: DeprecationInputs,
    overdue: DeprecationInputs,
    incidents: IncidentInputs,
    maintenance: MaintenanceInputs,
    readiness: ReadinessInputs,
    checks: Vec<ReleaseCheckInputs>,
    dashboard: DashboardInputs,
    drift: Vec<(u32, DriftInputs)>,
}

/// The drift windows compared: the policy's and three others.
const DRIFT_DAYS: [Option<u32>; 4] = [None, Some(1), Some(7), Some(30)];

/// What each question's store method reads.
fn scoped(q: &Question<'_>) -> Inputs {
    let drift_days = q.frame().policy.budgets.drift_days;
    Inputs {
        releases: q.release_inputs().unwrap(),
        gates: q.gate_inputs().unwrap(),
        budgets: q.budget_inputs().unwrap(),
        deprecations: q.deprecation_inputs().unwrap(),
        overdue: q.overdue_deprecation_inputs().unwrap(),
        incidents: q.incident_inputs().unwrap(),
        maintenance: q.maintenance_inputs().unwrap(),
        readiness: q.readiness_inputs().unwrap(),
        checks: CHECKED
            .iter()
            .map(|v| q.release_check_inputs(v).unwrap())
            .collect(),
        dashboard: q.dashboard_inputs().unwrap(),
        drift: DRIFT_DAYS
            .iter()
            .map(|d| (d.unwrap_or(drift_days), q.drift_inputs(*d).unwrap()))
            .collect(),
    }
}

/// Every input filled with every visible row: what the design before
/// question-shaped reads loaded for every question.
fn full(q: &Question<'_>) -> Inputs {
    let r = q.reader();
    let releases = ReleaseInputs {
        releases: r.all().unwrap(),
    };
    let shipped = releases.versions();
    let gates = GateInputs {
        results: r.all().unwrap(),
    };
    let budgets = BudgetInputs {
        recorded: r.all().unwrap(),
        acceptances: r.all().unwrap(),
        samples: super::question::every_sample(r).unwrap(),
        since: None,
    };
    let deprecations = DeprecationInputs {
        shipped: shipped.clone(),
        deprecations: r.all().unwrap(),
        removals: r.all().unwrap(),
    };
    let incidents = IncidentInputs {
        incidents: r.all().unwrap(),
        events: r.all().unwrap(),
        shipped,
    };
    let maintenance = MaintenanceInputs {
        completions: r.all().unwrap(),
        // When a task came under the policy is no matter of scope.
        introduced: q.maintenance_inputs().unwrap().introduced,
    };
    let readiness = ReadinessInputs {
        gates: gates.clone(),
        budgets: budgets.clone(),
        attestations: r.all().unwrap(),
        changes: CapabilityChanges {
            deprecations: deprecations.deprecations.clone(),
            removals: deprecations.removals.clone(),
        },
        milestones: releases.clone(),
    };
    let check = ReleaseCheckInputs {
        releases: releases.clone(),
        gates: gates.clone(),
        budgets: budgets.clone(),
        incidents: incidents.clone(),
        conformance: TierConformance {
            latest: r.all().unwrap(),
        },
        removals: deprecations.clone(),
        unremoved: deprecations.clone(),
    };
    let drift_days = q.frame().policy.budgets.drift_days;
    Inputs {
        checks: vec![check; CHECKED.len()],
        dashboard: DashboardInputs {
            delivery: DeliveryInputs {
                releases: releases.clone(),
                deprecations: deprecations.clone(),
                incidents: incidents.clone(),
                maintenance: maintenance.clone(),
            },
            readiness: readiness.clone(),
        },
        drift: DRIFT_DAYS
            .iter()
            .map(|d| {
                let inputs = DriftInputs {
                    budgets: budgets.clone(),
                    releases: releases.clone(),
                };
                (d.unwrap_or(drift_days), inputs)
            })
            .collect(),
        overdue: deprecations.clone(),
        releases,
        gates,
        budgets,
        deprecations,
        incidents,
        maintenance,
        readiness,
    }
}

/// Every answer each question gives on its inputs, as JSON by question.
fn answers(f: &Frame, i: &Inputs) -> Vec<(String, serde_json::Value)> {
    use crate::domain::{check, readiness, status::Status};
    let json = |v: serde_json::Result<serde_json::Value>| v.unwrap();
    let overdue: Vec<_> = i
        .overdue
        .rows(f)
        .into_iter()
        .filter(|d| d.status == crate::domain::deprecation::DeprecationStatus::Overdue)
        .collect();
    let m = &f.policy.milestones[0];
    let mut out = vec![
        (
            "releases".into(),
            json(serde_json::to_value(i.releases.rows(f))),
        ),
        (
            "latest".into(),
            json(serde_json::to_value(i.releases.latest_shipped(f))),
        ),
        ("gates".into(), json(serde_json::to_value(i.gates.rows(f)))),
        (
            "budgets".into(),
            json(serde_json::to_value(i.budgets.rows(f))),
        ),
        (
            "deprecations".into(),
            json(serde_json::to_value(i.deprecations.rows(f))),
        ),
        ("overdue".into(), json(serde_json::to_value(overdue))),
        (
            "incidents".into(),
            json(serde_json::to_value(i.incidents.rows(f))),
        ),
        (
            "maintenance".into(),
            json(serde_json::to_value(i.maintenance.rows(f))),
        ),
        (
            "readiness".into(),
            json(serde_json::to_value(readiness::readiness(
                f,
                &i.readiness,
                m,
            ))),
        ),
        (
            "status".into(),
            json(serde_json::to_value(Status::of(f, &i.dashboard))),
        ),
    ];
    for (v, inputs) in CHECKED.iter().zip(&i.checks) {
        let version = semver::Version::parse(v).unwrap();
        let c = check::check_release(f, inputs, &version, false);
        out.push((format!("check-release {v}"), json(serde_json::to_value(c))));
    }
    for (days, inputs) in &i.drift {
        out.push((
            format!("drift {days}"),
            json(serde_json::to_value(inputs.drift(f, *days))),
        ));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The design before question-shaped reads loaded everything; every
    /// question's scoped input must give the answer that full history
    /// gives.
    #[test]
    fn scoped_reads_answer_as_the_full_history_does(
        steps in prop::collection::vec(step(), 0..60),
        at_day in 0i64..110,
    ) {
        let (_dir, mut store) = fresh();
        write_steps(&mut store, &steps);
        let now = time::parse("2026-01-02").unwrap() + chrono::Duration::days(at_day);
        let q = store.question("pi", now).unwrap();
        let f = q.frame();
        // The latest shipped release, found alone, is the first shipped
        // one the release list shows.
        let all = full(&q);
        prop_assert_eq!(
            all.releases.latest_shipped(f),
            all.releases.rows(f).into_iter().find(|r| r.shipped)
        );
        let expected = answers(f, &all);
        for (question, answer) in answers(f, &scoped(&q)) {
            let want = &expected.iter().find(|(k, _)| *k == question).unwrap().1;
            prop_assert_eq!(&answer, want, "{}", question);
        }
    }
}

/// The dashboard's windowed reads keep what its delivery metrics measure:
/// an incident opened before the window and resolved in it, and a task's
/// completion before the window that the first one in it follows.
#[test]
fn the_dashboard_reads_what_its_delivery_window_measures() {
    let mut steps = vec![Step::Incident(false), Step::Maintenance(0)];
    steps.extend(std::iter::repeat_n(Step::Maintenance(1), 52));
    steps.push(Step::Maintenance(0));
    steps.push(Step::Event(0, true));
    // 55 steps of 41 hours: the incident opened 94 days before the last
    // step; the window is the 90 days before now.
    let d = dashboard_delivery(&steps, "2026-04-10");
    assert_eq!(d.keys.restored_incidents, 1, "{d:?}");
    assert!(d.maintenance_on_time_pct.is_some(), "{d:?}");
}

/// The dashboard's delivery metrics at `now` after `steps`, checked equal
/// to those the full history gives.
fn dashboard_delivery(steps: &[Step], now: &str) -> crate::domain::delivery::Delivery {
    let (_dir, mut store) = fresh();
    write_steps(&mut store, steps);
    let now = time::parse(now).unwrap();
    let q = store.question("pi", now).unwrap();
    let f = q.frame();
    let delivery = crate::domain::status::Status::of(f, &q.dashboard_inputs().unwrap()).delivery;
    assert_eq!(
        delivery,
        crate::domain::status::Status::of(f, &full(&q).dashboard).delivery
    );
    delivery
}

/// An incident resolved before the delivery window and resolved again in
/// it was restored before the window: the dashboard reads its first resolve
/// too, and does not count it as restored in the window.
#[test]
fn an_incident_resolved_twice_is_restored_at_its_first_resolve() {
    let mut steps = vec![Step::Incident(false), Step::Event(0, true)];
    steps.extend(std::iter::repeat_n(Step::Maintenance(1), 52));
    steps.push(Step::Event(0, true));
    // 55 steps of 41 hours: the first resolve is 92 days before the last
    // step, outside the 90-day window; the second is inside it.
    let d = dashboard_delivery(&steps, "2026-04-10");
    assert_eq!(d.keys.restored_incidents, 0, "{d:?}");
}

/// A milestone reads a valued gate's latest result on any platform: one
/// recorded on a platform the gate does not run on now (as an earlier
/// policy may have had it) is read too, and decides.
#[test]
fn readiness_reads_a_valued_gates_latest_result_on_any_platform() {
    let policy = crate::domain::policy::Policy::builtin();
    let gate = policy
        .gates
        .iter()
        .position(|g| g.id == "corpus-pass-rate" && !g.per_platform)
        .expect("a valued gate that does not run per platform");
    let (_dir, mut store) = fresh();
    // 95 on no platform, then 50 on the first platform (step 3).
    write_steps(
        &mut store,
        &[
            Step::Gate(gate, 0, Some(95.0), true),
            Step::Gate(gate, 3, Some(50.0), false),
        ],
    );
    let now = time::parse("2026-01-10").unwrap();
    let q = store.question("pi", now).unwrap();
    let f = q.frame();
    let m = &policy.milestones[0];
    let r = crate::domain::readiness::readiness(f, &q.readiness_inputs().unwrap(), m);
    assert_eq!(
        r,
        crate::domain::readiness::readiness(f, &full(&q).readiness, m)
    );
    let text = serde_json::to_string(&r).unwrap();
    assert!(text.contains("corpus-pass-rate is 50"), "{text}");
}

/// The plan of one query, one line per step.
fn plan(store: &Store, sql: &str) -> String {
    let mut stmt = store
        .conn()
        .sqlite()
        .unwrap()
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let n = stmt.parameter_count();
    let params: Vec<rusqlite::types::Value> =
        (0..n).map(|_| rusqlite::types::Value::Null).collect();
    let steps: Vec<String> = stmt
        .query_map(rusqlite::params_from_iter(params), |r| {
            r.get::<_, String>(3)
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    steps.join("\n")
}

#[test]
fn the_hot_queries_seek_their_index_and_never_scan_a_growing_table() {
    let (_dir, store) = fresh();
    let latest = "t.effective_at DESC, t.entry_seq DESC LIMIT 1";
    let forward = "t.effective_at, t.entry_seq";
    // (what, table, key, span, having, order, the index its plan must use)
    type Hot<'a> = (
        &'a str,
        &'a str,
        &'a [&'a str],
        Span,
        Option<&'a str>,
        &'a str,
        &'a str,
    );
    let hot: &[Hot<'_>] = &[
        (
            "latest gate result",
            "gate_results",
            &["gate", "platform"],
            Span::UpTo,
            None,
            latest,
            "gate_results_by_gate",
        ),
        (
            "first capability-policy change after a sign-off",
            "deprecations",
            &["kind"],
            Span::After,
            None,
            "t.effective_at, t.entry_seq LIMIT 1",
            // Forward from the sign-off to the first row of the kind.
            "deprecations_by_time",
        ),
        (
            "removals in a version",
            "removals",
            &["version"],
            Span::UpTo,
            None,
            forward,
            "removals_by_version",
        ),
        (
            "latest gate value",
            "gate_results",
            &["gate", "platform"],
            Span::UpTo,
            Some("value"),
            latest,
            "gate_results_with_value",
        ),
        (
            "import: gate results at a time",
            "gate_results",
            &["gate", "platform"],
            Span::At,
            None,
            forward,
            "gate_results_by_gate",
        ),
        (
            "latest sample",
            "measurements",
            &["budget"],
            Span::UpTo,
            None,
            latest,
            "measurements_by_budget",
        ),
        (
            "first sample",
            "measurements",
            &["budget"],
            Span::UpTo,
            None,
            "t.effective_at, t.entry_seq LIMIT 1",
            "measurements_by_budget",
        ),
        (
            "sample window",
            "measurements",
            &["budget"],
            Span::After,
            None,
            forward,
            "measurements_by_budget",
        ),
        (
            "import: samples at a time",
            "measurements",
            &["budget"],
            Span::At,
            None,
            forward,
            "measurements_by_budget",
        ),
        (
            "latest sign-off",
            "attestations",
            &["criterion"],
            Span::UpTo,
            None,
            latest,
            "attestations_by_criterion",
        ),
        (
            "latest maintenance",
            "maintenance",
            &["task"],
            Span::UpTo,
            None,
            latest,
            "maintenance_by_task",
        ),
        (
            "release by version",
            "releases",
            &["version"],
            Span::UpTo,
            None,
            forward,
            "releases_by_version",
        ),
        (
            "deprecation by item",
            "deprecations",
            &["item"],
            Span::UpTo,
            None,
            forward,
            "deprecations_by_item",
        ),
        (
            "removal by item",
            "removals",
            &["item"],
            Span::UpTo,
            None,
            forward,
            "removals_by_item",
        ),
        (
            "extension by id",
            "extensions",
            &["extension"],
            Span::UpTo,
            None,
            forward,
            "extensions_by_extension",
        ),
        (
            "extension removals by id",
            "extension_removals",
            &["extension"],
            Span::UpTo,
            None,
            forward,
            "extension_removals_by_extension",
        ),
        (
            "incident events",
            "incident_events",
            &["incident"],
            Span::UpTo,
            None,
            forward,
            "incident_events_by_incident",
        ),
        (
            "incident by id",
            "incidents",
            &["entry_seq"],
            Span::UpTo,
            None,
            forward,
            "INTEGER PRIMARY KEY",
        ),
        (
            "every release",
            "releases",
            &[],
            Span::UpTo,
            None,
            forward,
            "releases_by_time",
        ),
        (
            "every deprecation",
            "deprecations",
            &[],
            Span::UpTo,
            None,
            forward,
            "deprecations_by_time",
        ),
        (
            "every incident",
            "incidents",
            &[],
            Span::UpTo,
            None,
            forward,
            "incidents_by_time",
        ),
        (
            "every budget definition",
            "budget_definitions",
            &[],
            Span::UpTo,
            None,
            forward,
            "budget_definitions_by_time",
        ),
        (
            "import: tier counts at a time",
            "tier_conformance",
            &[],
            Span::At,
            None,
            forward,
            "tier_conformance_by_time",
        ),
    ];
    for (what, table, key, span, having, order, index) in hot {
        let p = plan(
            &store,
            &select_sql(table, "t.*", key, &[], *span, *having, order),
        );
        assert!(p.contains(index), "{what} does not use {index}:\n{p}");
        assert!(!p.contains("SCAN"), "{what} scans:\n{p}");
        assert!(
            p.contains("SEARCH r USING INDEX sqlite_autoindex_retractions_1 (target=?)"),
            "{what} does not look retractions up by target:\n{p}"
        );
    }
    // The fixed statements: each through its tables' indexes, none scans
    // but the two bulk reads, which read the retractions once per query.
    let fixed = [
        (
            "open incidents",
            OPEN_INCIDENTS,
            ["incidents_by_time", "incident_events_by_incident"],
        ),
        (
            "capability removals",
            FIRST_CAPABILITY_REMOVAL,
            ["removals_by_time", "deprecations_by_item"],
        ),
        (
            "unremoved deprecations",
            UNREMOVED_DEPRECATIONS,
            ["deprecations_by_time", "removals_by_item"],
        ),
    ];
    for (what, sql, indexes) in fixed {
        let p = plan(&store, sql);
        assert!(
            indexes.iter().all(|i| p.contains(i)),
            "{what} are not read through their indexes:\n{p}"
        );
        let bulk = sql == OPEN_INCIDENTS || sql == UNREMOVED_DEPRECATIONS;
        let scans = p
            .lines()
            .filter(|l| l.contains("SCAN"))
            .all(|l| bulk && l.trim_start_matches(['|', '-', '`', ' ']) == "SCAN r");
        assert!(scans, "{what} scan:\n{p}");
    }
    // The write path: the chain head and the policy in force.
    let head = plan(
        &store,
        "SELECT seq, hash FROM entries WHERE seq = (SELECT max(seq) FROM entries)",
    );
    assert!(!head.contains("SCAN"), "the head read scans:\n{head}");
    let policy = plan(
        &store,
        "SELECT entry_seq, effective_at FROM policy_versions ORDER BY effective_at, entry_seq",
    );
    assert!(
        policy.contains("policy_versions_by_time") && !policy.contains("entries"),
        "{policy}"
    );
}

#[test]
fn a_first_schema_ledger_upgrades_with_its_chain_and_rows_intact() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("v1.db");
    {
        // A ledger as the first schema wrote it: typed rows without stamps.
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        super::sqlite::embedded::migrations::runner()
            .set_target(refinery::Target::Version(1))
            .run(&mut conn)
            .unwrap();
        let mut prev = journal::GENESIS.to_string();
        let rows: [(&str, String, &str); 3] = [
            ("project", r#"{"name":"pi"}"#.into(), "INSERT INTO projects VALUES (?1, 'pi')"),
            (
                "policy",
                serde_json::json!({"digest": "d", "source": "test", "content": policy::DEFAULT_TOML})
                    .to_string(),
                "INSERT INTO policy_versions SELECT ?1, 'd', 'test', json_extract(body, '$.content') FROM entries WHERE seq = ?1",
            ),
            (
                "measurement",
                r#"{"budget":"cold-load-p95","value":150.0,"commit_sha":null,"source":null}"#.into(),
                "INSERT INTO measurements VALUES (?1, 'cold-load-p95', 150.0, NULL, NULL)",
            ),
        ];
        for (i, (kind, body, typed)) in rows.iter().enumerate() {
            let seq = i as i64 + 1;
            let at = "2026-01-01T00:00:00Z";
            let hash = journal::link_hash(seq, "pi", kind, at, at, &prev, body);
            conn.execute(
                "INSERT INTO entries VALUES (?1, 'pi', ?2, ?3, ?3, ?4, ?5, ?6)",
                rusqlite::params![seq, kind, at, body, prev, hash],
            )
            .unwrap();
            conn.execute(typed, [seq]).unwrap();
            prev = hash;
        }
    }
    let store = Store::create(&path, super::LOCK_WAIT).unwrap();
    let r = verify(store.conn(), None).unwrap();
    assert!(r.ok, "{:?}", r.problems);
    assert_eq!(r.entries, 3);
    let q = store
        .question("pi", time::parse("2026-02-01").unwrap())
        .unwrap();
    assert_eq!(
        q.budget_inputs().unwrap().last_sample("cold-load-p95"),
        Some((time::parse("2026-01-01").unwrap(), 150.0))
    );
}

#[test]
fn a_link_hashes_as_every_ledger_so_far_was_hashed() {
    // SHA-256 over "len:part\n" for each part, computed outside the crate.
    let h = journal::link_hash(
        1,
        "pi",
        "project",
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00Z",
        journal::GENESIS,
        r#"{"name":"pi"}"#,
    );
    assert_eq!(
        h,
        "f2cb064dbf564541a57da776b7deffa12c15a663b42140c1b09a54a20ec60b65"
    );
}

#[test]
fn verify_reports_an_entry_recorded_before_the_one_it_follows() {
    let (_dir, mut store) = fresh();
    let at = time::parse("2026-01-02").unwrap();
    store
        .write(|tx| {
            append(
                tx,
                "pi",
                at,
                at,
                &MaintenanceRec {
                    task: "dependency-audit".into(),
                },
            )
        })
        .unwrap();
    assert!(verify(store.conn(), None).unwrap().ok);
    store
        .conn().sqlite().unwrap()
        .execute_batch(
            "DROP TRIGGER entries_no_update;
             UPDATE entries SET recorded_at = '2020-01-01T00:00:00Z' WHERE seq = (SELECT max(seq) FROM entries);",
        )
        .unwrap();
    let r = verify(store.conn(), None).unwrap();
    assert!(
        r.problems.iter().any(
            |p| p.contains("was recorded at 2020-01-01T00:00:00Z, before the entry it follows")
        ),
        "{:?}",
        r.problems
    );
}

#[test]
fn a_write_on_a_clock_behind_the_last_entry_is_refused_beyond_the_skew() {
    let (_dir, mut store) = fresh();
    let rec = MaintenanceRec {
        task: "dependency-audit".into(),
    };
    let t = |s: &str| time::parse(s).unwrap();
    store
        .write(|tx| append(tx, "pi", t("2026-01-02"), t("2026-01-02T12:00:00Z"), &rec))
        .unwrap();
    let late = store.write(|tx| append(tx, "pi", t("2026-01-02"), t("2026-01-02T11:54:59Z"), &rec));
    assert!(matches!(late, Err(StoreError::Domain(_))), "{late:?}");
    store
        .write(|tx| append(tx, "pi", t("2026-01-02"), t("2026-01-02T11:55:00Z"), &rec))
        .unwrap();
    let head = super::Head::read(store.conn()).unwrap();
    assert_eq!(
        head.recorded_at, "2026-01-02T12:00:00Z",
        "clamped to the last entry's time"
    );
    // Many writers whose clocks lag a little never push the recording
    // times ahead of the latest clock.
    for _ in 0..500 {
        store
            .write(|tx| append(tx, "pi", t("2026-01-02"), t("2026-01-02T11:59:00Z"), &rec))
            .unwrap();
    }
    let head = super::Head::read(store.conn()).unwrap();
    assert_eq!(head.recorded_at, "2026-01-02T12:00:00Z");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// The tree kept as entries are appended has, at every size, the root
    /// of the tree computed from scratch over the journal's leaves.
    #[test]
    fn the_stored_tree_has_the_journals_roots(steps in prop::collection::vec(step(), 0..30)) {
        let (_dir, mut store) = fresh();
        write_steps(&mut store, &steps);
        let mut leaves = Vec::new();
        crate::store::for_each_raw_entry(store.conn(), |e| {
            leaves.push(super::tree::leaf_of(&e));
            Ok(())
        })
        .unwrap();
        let n = leaves.len() as u64;
        prop_assert_eq!(super::tree::size(store.conn()).unwrap(), n);
        let mut from_scratch = |a: u64, b: u64| -> std::result::Result<crate::domain::merkle::Hash, ()> {
            fn mth(l: &[crate::domain::merkle::Hash]) -> crate::domain::merkle::Hash {
                if l.len() == 1 {
                    return l[0];
                }
                let k = 1usize << (usize::BITS - 1 - (l.len() - 1).leading_zeros());
                crate::domain::merkle::node_hash(&mth(&l[..k]), &mth(&l[k..]))
            }
            Ok(mth(&leaves[a as usize..b as usize]))
        };
        for size in 0..=n {
            let expected = crate::domain::merkle::root(size, &mut from_scratch).unwrap();
            prop_assert_eq!(super::tree::root(store.conn(), size).unwrap(), expected, "size {}", size);
        }
    }
}
