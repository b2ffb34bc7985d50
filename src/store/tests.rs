//! Store tests on real files through the real migrations.

use proptest::prelude::*;
use sha2::{Digest, Sha256};

use super::*;
use crate::domain::{
    incident::{IncidentKind, Severity},
    policy,
    record::*,
    release::ReleaseStatus,
    time,
};

fn fresh() -> (tempfile::TempDir, Store) {
    let dir = tempfile::TempDir::new().unwrap();
    let mut store = Store::create(&dir.path().join("l.db")).unwrap();
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
fn open_refuses_a_file_without_the_schema() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("other.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    assert!(matches!(Store::open(&path), Err(StoreError::Schema { .. })));
    assert!(matches!(
        Store::open(&dir.path().join("none.db")),
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

/// One valid recording.
#[derive(Debug, Clone)]
enum Op {
    Release(u64, u64, bool),
    Measure(usize, f64),
    Maintenance(usize),
    Incident(bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u64..3, 0u64..9, any::<bool>()).prop_map(|(a, b, c)| Op::Release(a, b, c)),
        (0usize..4, 0.0f64..500.0).prop_map(|(b, v)| Op::Measure(b, v)),
        (0usize..11).prop_map(Op::Maintenance),
        any::<bool>().prop_map(Op::Incident),
    ]
}

fn apply(store: &mut Store, ops: &[Op]) {
    let policy = crate::domain::policy::Policy::builtin();
    let t0 = time::parse("2026-01-02").unwrap();
    for (i, op) in ops.iter().enumerate() {
        let at = t0 + chrono::Duration::hours(i as i64);
        store
            .write(|tx| {
                match op {
                    Op::Release(major, minor, draft) => {
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
                        };
                        append(tx, "pi", at, at, &rec)?;
                    }
                    Op::Measure(b, v) => {
                        let budget = policy.budgets.definitions[*b].id.clone();
                        append(
                            tx,
                            "pi",
                            at,
                            at,
                            &MeasurementRec {
                                budget,
                                value: *v,
                                commit_sha: None,
                                source: None,
                            },
                        )?;
                    }
                    Op::Maintenance(t) => {
                        let task = policy.maintenance.tasks[*t].id.clone();
                        append(tx, "pi", at, at, &MaintenanceRec { task })?;
                    }
                    Op::Incident(security) => {
                        let rec = IncidentRec {
                            kind: if *security {
                                IncidentKind::Security
                            } else {
                                IncidentKind::Other
                            },
                            severity: Severity::High,
                            title: "t".into(),
                            over_pct: None,
                        };
                        append(tx, "pi", at, at, &rec)?;
                    }
                }
                Ok(())
            })
            .unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn verify_passes_after_any_valid_history(ops in prop::collection::vec(op(), 0..25)) {
        let (_dir, mut store) = fresh();
        apply(&mut store, &ops);
        let r = verify(store.conn(), None).unwrap();
        prop_assert!(r.ok, "{:?}", r.problems);
        prop_assert_eq!(r.entries, 2 + ops.len() as i64);
        let snap = store.snapshot("pi", time::parse("2027-01-01").unwrap(), crate::domain::snapshot::Need::EVERYTHING).unwrap();
        let measured = ops.iter().filter(|o| matches!(o, Op::Measure(..))).count();
        prop_assert_eq!(snap.measurements.len(), measured, "every measurement reads back");
    }

    #[test]
    fn any_edit_of_any_entry_is_caught(
        ops in prop::collection::vec(op(), 1..15),
        pick in any::<prop::sample::Index>(),
        field in 0usize..4,
    ) {
        let (_dir, mut store) = fresh();
        apply(&mut store, &ops);
        let n = verify(store.conn(), None).unwrap().entries;
        let seq = pick.index(n as usize) as i64 + 1;
        let edit = match field {
            0 => "UPDATE entries SET body = body || ' ' WHERE seq = ?1",
            1 => "UPDATE entries SET effective_at = '1999-01-01T00:00:00Z' WHERE seq = ?1",
            2 => "UPDATE entries SET project = 'other' WHERE seq = ?1",
            _ => "UPDATE entries SET kind = 'maintenance' WHERE seq = ?1 AND kind != 'maintenance'",
        };
        store.conn().execute_batch("DROP TRIGGER entries_no_update").unwrap();
        let changed = store.conn().execute(edit, [seq]).unwrap();
        let r = verify(store.conn(), None).unwrap();
        // The dropped trigger is itself reported; beyond it, any change is.
        let edits: Vec<&String> = r.problems.iter().filter(|p| !p.contains("triggers")).collect();
        prop_assert!(!r.ok);
        prop_assert_eq!(edits.is_empty(), changed == 0, "{:?}", r.problems);
    }
}
