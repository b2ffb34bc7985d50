//! Integrity: the triggers refuse edits, and `verify` catches what gets
//! past them.

use crate::harness::Ledger;

fn history() -> Ledger {
    history_in(Ledger::new())
}

/// Six entries (two releases, a budget sample, a gate result) in `l`.
pub fn history_in(l: Ledger) -> Ledger {
    l.ok(&["record-release", "0.3.0", "--date", "2026-01-10"]);
    l.ok(&["record-release", "0.4.0", "--date", "2026-02-08"]);
    l.ok(&[
        "record-budget",
        "cold-load-p95",
        "--value",
        "150",
        "--at",
        "2026-02-20",
    ]);
    l.ok(&[
        "record-gate",
        "corpus-pass-rate",
        "--value",
        "91.9",
        "--at",
        "2026-02-21",
    ]);
    l
}

fn problems(l: &Ledger) -> Vec<String> {
    let r = l.run(&["verify", "--json"]);
    assert_eq!(r.code, 1, "verify must exit 1 on tampering: {}", r.stdout);
    let v = r.json();
    assert_eq!(v["ok"], false);
    v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

fn assert_mentions(problems: &[String], needle: &str) {
    assert!(
        problems.iter().any(|p| p.contains(needle)),
        "no problem mentions {needle:?}: {problems:#?}"
    );
}

#[test]
fn the_triggers_refuse_update_delete_and_replace() {
    let l = history();
    for (sqlite, postgres) in [
        ("UPDATE measurements SET value = 1", "UPDATE measurements SET value = 1"),
        ("DELETE FROM releases", "DELETE FROM releases"),
        ("UPDATE entries SET body = '{}' WHERE seq = 3", "UPDATE entries SET body = '{}' WHERE seq = 3"),
        ("DELETE FROM entries WHERE seq = 4", "DELETE FROM entries WHERE seq = 4"),
        (
            "INSERT OR REPLACE INTO releases (entry_seq, version, date, status, breaking) VALUES (3, '9.9.9', 'x', 'released', 0)",
            "INSERT INTO releases (entry_seq, project, effective_at, recorded_at, version, date, status, breaking)
             VALUES (3, 'pi', 'x', 'x', '9.9.9', 'x', 'released', false)
             ON CONFLICT (entry_seq) DO UPDATE SET version = '9.9.9'",
        ),
        ("DELETE FROM merkle_nodes", "TRUNCATE merkle_nodes"),
    ] {
        let err = l.tamper(sqlite, postgres).expect_err(sqlite);
        assert!(err.contains("append-only"), "{postgres}: {err}");
    }
    let v = l.json(&["verify"]);
    assert_eq!(v["ok"], true);
    assert_eq!(v["entries"], 6);
}

#[test]
fn an_edited_typed_row_is_caught() {
    let l = history();
    l.tamper(
        "DROP TRIGGER measurements_no_update; UPDATE measurements SET value = 15;",
        "DROP TRIGGER measurements_no_update ON measurements; UPDATE measurements SET value = 15;",
    )
    .unwrap();
    let p = problems(&l);
    assert_mentions(&p, "measurements row 5 differs from its entry in value");
    assert_mentions(
        &p,
        "the trigger measurements_no_update is missing from the schema",
    );
}

#[test]
fn an_edited_entry_is_caught() {
    let l = history();
    l.rewrite("UPDATE entries SET body = replace(body, '150.0', '15.0') WHERE seq = 5");
    let p = problems(&l);
    assert_mentions(&p, "entry 5 was changed");
}

#[test]
fn a_deleted_entry_and_row_are_caught() {
    let l = history();
    l.rewrite("DELETE FROM releases WHERE entry_seq = 3; DELETE FROM entries WHERE seq = 3");
    let p = problems(&l);
    assert_mentions(&p, "entry 3 is missing");
    assert_mentions(&p, "entry 4 does not link");
}

#[test]
fn an_inserted_row_is_caught() {
    let l = history();
    // Foreign keys off: the row names no entry.
    l.tamper(
        "PRAGMA foreign_keys = OFF;
         INSERT INTO releases (entry_seq, project, effective_at, recorded_at, version, date, status, breaking)
         VALUES (77, 'pi', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '9.9.9', '2026-01-01T00:00:00Z', 'released', 0);",
        "SET session_replication_role = replica;
         INSERT INTO releases (entry_seq, project, effective_at, recorded_at, version, date, status, breaking)
         VALUES (77, 'pi', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '9.9.9', '2026-01-01T00:00:00Z', 'released', false);",
    )
    .unwrap();
    assert_mentions(&problems(&l), "releases row 77 has no release entry");
}

#[test]
fn an_inserted_entry_is_caught() {
    let l = history();
    let forge =
        "INSERT INTO entries (seq, project, kind, effective_at, recorded_at, body, prev_hash, hash)
         VALUES (7, 'pi', 'maintenance', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z',
                 '{\"task\":\"dependency-audit\"}', 'x', 'forged');
         INSERT INTO maintenance (entry_seq, project, effective_at, recorded_at, task)
         VALUES (7, 'pi', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z', 'dependency-audit');";
    l.tamper(forge, forge).unwrap();
    let p = problems(&l);
    assert_mentions(&p, "entry 7 does not link");
    assert_mentions(&p, "entry 7 was changed");
}

#[test]
fn reordered_entries_are_caught() {
    let l = history();
    // Swap the two releases, entries and rows alike, so every row still
    // matches its entry: only the chain can tell.
    l.rewrite(
        "CREATE TEMP TABLE e AS SELECT * FROM entries WHERE seq IN (3, 4);
         CREATE TEMP TABLE r AS SELECT * FROM releases WHERE entry_seq IN (3, 4);
         UPDATE entries SET
           body = (SELECT body FROM e WHERE e.seq = 7 - entries.seq),
           effective_at = (SELECT effective_at FROM e WHERE e.seq = 7 - entries.seq)
         WHERE seq IN (3, 4);
         UPDATE releases SET
           version = (SELECT version FROM r WHERE r.entry_seq = 7 - releases.entry_seq),
           date = (SELECT date FROM r WHERE r.entry_seq = 7 - releases.entry_seq),
           effective_at = (SELECT effective_at FROM r WHERE r.entry_seq = 7 - releases.entry_seq)
         WHERE entry_seq IN (3, 4)",
    );
    let p = problems(&l);
    assert_mentions(&p, "entry 3 was changed");
    assert_mentions(&p, "entry 4 was changed");
    assert!(
        !p.iter().any(|x| x.contains("differs")),
        "rows still match their entries: {p:#?}"
    );
}

#[test]
fn export_writes_every_entry_in_order() {
    let l = history();
    let out = l.ok(&["export"]);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|x| serde_json::from_str(x).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    let seqs: Vec<i64> = lines.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5, 6]);
    assert_eq!(lines[2]["kind"], "release");
    assert_eq!(lines[2]["body"]["version"], "0.3.0");
    assert_eq!(lines[3]["prev_hash"], lines[2]["hash"]);
    // JSON Lines whatever the format flag says.
    assert_eq!(l.ok(&["export", "--json"]), out);
}

#[test]
fn backup_is_a_verified_copy_and_never_overwrites() {
    let l = history();
    let target = l.path("copy.db");
    let v = l.json(&["backup", target.to_str().unwrap()]);
    assert_eq!(
        (v["ok"].clone(), v["entries"].clone()),
        (true.into(), 6.into())
    );
    assert_eq!(v["head"], l.head().1);
    let copy = l
        .cmd()
        .env("LEDGER_DB", &target)
        .args(["releases", "--json"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&copy.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    // A ledger is WAL, so CI jobs can record into the copy at once too.
    let mode: String = rusqlite::Connection::open(&target)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    l.rejects(&["backup", target.to_str().unwrap()], "already exists");
}

#[test]
fn a_backup_into_a_missing_folder_is_refused_as_input() {
    let l = history();
    let target = l.path("no/such/folder/copy.db");
    l.rejects(
        &["backup", target.to_str().unwrap()],
        "does not exist; create it first",
    );
    assert!(!target.exists() && !l.path("no").exists());
}

#[test]
fn a_file_that_is_not_a_ledger_is_a_storage_error() {
    let l = Ledger::empty_file();
    std::fs::write(l.db(), "not a database at all, just text").unwrap();
    let r = l.run(&["releases"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("cannot open"), "{}", r.stderr);
}

#[test]
fn a_cut_tail_is_caught_against_an_earlier_head() {
    let l = history();
    let (_, head) = l.head();
    l.ok(&["record-maintenance", "dependency-audit"]);
    assert_eq!(
        l.run(&["verify", "--head", &head]).code,
        0,
        "the old head is still in the chain"
    );
    // Cut the last two entries with their rows: the chain alone cannot tell.
    l.rewrite(
        "DELETE FROM maintenance; DELETE FROM gate_results; DELETE FROM entries WHERE seq >= 6",
    );
    let r = l.run(&["verify", "--head", &head, "--json"]);
    assert_eq!(r.code, 1);
    let problems = r.json()["problems"].to_string();
    assert!(problems.contains("is not in the chain"), "{problems}");
}

/// The schema is checked object for object: an added column and a trigger
/// emptied under its own name are both tampering.
#[test]
fn an_altered_schema_is_caught() {
    let l = history();
    l.tamper(
        "ALTER TABLE measurements ADD COLUMN x",
        "ALTER TABLE measurements ADD COLUMN x text",
    )
    .unwrap();
    let p = problems(&l);
    assert_mentions(&p, "the table measurements is not the ledger's");
    let l = history();
    l.tamper(
        "DROP TRIGGER entries_no_update;
         CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries BEGIN SELECT 1; END;",
        "DROP TRIGGER entries_no_update ON entries;
         CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
             FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();",
    )
    .unwrap();
    assert_mentions(
        &problems(&l),
        "the trigger entries_no_update is not the ledger's",
    );
    let l = history();
    let extra = "CREATE INDEX extra ON measurements (value)";
    l.tamper(extra, extra).unwrap();
    assert_mentions(
        &problems(&l),
        "the index extra is not part of the ledger's schema",
    );
}

/// Values outside their column's domain are problems (exit 1), never a
/// storage failure: a boolean of 2, a body stored as a blob, an
/// impossible time.
#[test]
fn values_outside_their_domain_are_reported() {
    let l = history();
    l.rewrite("UPDATE releases SET date = '1969-12-31T00:00:00Z' WHERE entry_seq = 3");
    let r = l.run(&["verify"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("not a time from 1970 to 9999"),
        "{}",
        r.stdout
    );
    if !l.is_file() {
        // PostgreSQL's column types refuse a boolean of 2 and a blob body.
        return;
    }

    let l = history();
    l.sqlite(
        "DROP TRIGGER releases_no_update;
         UPDATE releases SET breaking = 2 WHERE entry_seq = 3;",
    )
    .unwrap();
    let r = l.run(&["verify"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("breaking holds 2, not 0 or 1"),
        "{}",
        r.stdout
    );

    let l = history();
    l.sqlite(
        "DROP TRIGGER entries_no_update;
         UPDATE entries SET body = CAST(body AS BLOB) WHERE seq = 3;",
    )
    .unwrap();
    let r = l.run(&["verify"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
}

/// `copy` to a new file carries the chain byte for byte; an existing file
/// or a missing folder is refused as input, and nothing is written.
#[test]
fn copy_makes_a_verified_copy_and_never_overwrites() {
    let l = history();
    let exported = l.ok(&["export"]);
    let target = l.path("copy.db");
    let v = l.json(&["copy", "--to", target.to_str().unwrap()]);
    assert_eq!(
        (v["ok"].as_bool(), v["entries"].as_i64()),
        (Some(true), Some(6))
    );
    assert_eq!(v["head"], l.head().1.as_str());
    let copy = l
        .cmd()
        .env("LEDGER_DB", &target)
        .arg("export")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&copy.stdout), exported);

    let before = std::fs::read(&target).unwrap();
    l.rejects(
        &["copy", "--to", target.to_str().unwrap()],
        "already exists",
    );
    assert_eq!(
        std::fs::read(&target).unwrap(),
        before,
        "the target is untouched"
    );
    let missing = l.path("no/such/copy.db");
    l.rejects(
        &["copy", "--to", missing.to_str().unwrap()],
        "does not exist; create it first",
    );
    assert!(!l.path("no").exists());
}
