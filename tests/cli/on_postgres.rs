//! What only a PostgreSQL ledger has: roles, TLS, URLs that carry
//! passwords, many writers on many connections, and copies between the
//! backends. These need the server at `LEDGER_TEST_POSTGRES` (which
//! `.ci/run` starts); without one, and outside CI, they say so and pass.

use crate::harness::{
    Ledger, new_postgres_database, postgres_admin, postgres_admin_url, postgres_url,
};
use crate::integrity::history_in;

/// A new PostgreSQL ledger, or `None` when no server is configured (under
/// `CI=true` that is a failure, raised by the harness).
fn server() -> Option<()> {
    match postgres_admin_url() {
        Some(_) => Some(()),
        None => {
            eprintln!("no PostgreSQL server (set LEDGER_TEST_POSTGRES, or run .ci/run)");
            None
        }
    }
}

/// The URL of a database as another user.
fn as_user(database_url: &str, user: &str) -> String {
    let (scheme, rest) = database_url.split_once("://").expect("a URL");
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    format!("{scheme}://{user}@{host}")
}

/// The README's two roles: the writer records but cannot change or delete
/// a row, the reader only reads.
#[test]
fn the_writer_role_cannot_update_or_delete_and_the_reader_only_reads() {
    let Some(()) = server() else { return };
    let l = history_in(Ledger::postgres());
    let roles = include_str!("../../docs/postgres-roles.sql");
    l.tamper("", roles).expect("the roles script runs");
    let writer = as_user(&l.location(), "ledger_writer");
    let reader = as_user(&l.location(), "ledger_reader");

    let recorded = l
        .cmd()
        .env("LEDGER_DB", &writer)
        .args(["record-budget", "cold-load-p95", "--value", "151"])
        .output()
        .unwrap();
    assert!(
        recorded.status.success(),
        "{}",
        String::from_utf8_lossy(&recorded.stderr)
    );
    let head = l.head();

    let mut w = postgres::Client::connect(&writer, postgres::NoTls).unwrap();
    for sql in [
        "UPDATE measurements SET value = 1",
        "DELETE FROM measurements",
        "UPDATE entries SET body = '{}' WHERE seq = 3",
        "DELETE FROM entries WHERE seq = 3",
        "TRUNCATE merkle_nodes",
        "DROP TRIGGER entries_no_update ON entries",
    ] {
        let err = w.batch_execute(sql).expect_err(sql);
        let message = err
            .as_db_error()
            .map(|d| d.message().to_string())
            .unwrap_or_default();
        assert!(
            message.contains("permission denied") || message.contains("must be owner"),
            "{sql}: {message}"
        );
    }
    let read = l
        .cmd()
        .env("LEDGER_DB", &reader)
        .args(["verify", "--json"])
        .output()
        .unwrap();
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let refused = l
        .cmd()
        .env("LEDGER_DB", &reader)
        .args(["record-budget", "cold-load-p95", "--value", "152"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("permission denied"));
    assert_eq!(l.head(), head, "nothing changed");

    // The reader cannot take the writers' lock through `ledger sql`, nor
    // hold a query open for long.
    let reader_run = |args: &[&str]| {
        let out = l
            .cmd()
            .env("LEDGER_DB", &reader)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for query in [
        "SELECT pg_advisory_xact_lock(1279608903), pg_sleep(5)",
        "SELECT pg_catalog.\"PG_ADVISORY_LOCK\"(1279608903)",
        "select pg_try_advisory_lock (1279608903)",
    ] {
        let (code, _, err) = reader_run(&["sql", query]);
        assert_eq!(code, Some(2), "{query}: {err}");
        assert!(err.contains("advisory lock functions are refused"), "{err}");
    }
    let (code, _, err) = reader_run(&["sql", "SELECT 1", "--timeout", "86400"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("at most 300"), "{err}");

    // The reader's verify compares the schema too (against the reference
    // this build carries), so a dropped trigger is seen; it used to say ok.
    l.tamper("", "DROP TRIGGER measurements_no_update ON measurements")
        .unwrap();
    let (code, out, err) = reader_run(&["verify", "--json"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.contains("the trigger measurements_no_update is missing from the schema"),
        "{out}"
    );
}

/// TLS as libpq reads sslmode and sslrootcert, and a password never shown.
#[test]
fn tls_is_required_and_checked_and_passwords_are_never_shown() {
    let Some(()) = server() else { return };
    let l = Ledger::postgres();
    let url = l.location();
    let ca = std::env::var("LEDGER_TEST_POSTGRES_CA").expect("LEDGER_TEST_POSTGRES_CA");
    // The server's own certificate, trusted as it is (no chain).
    let server_cert = std::path::Path::new(&ca).with_file_name("server.crt");
    let server_cert = server_cert.display();
    // The server listens on 127.0.0.2 too, which its certificate does not name.
    let unnamed = url.replacen("127.0.0.1", "127.0.0.2", 1);
    for db in [
        format!("{url}?sslmode=require"),
        format!("{url}?sslmode=verify-full&sslrootcert={ca}"),
        format!("{url}?sslmode=verify-full&sslrootcert={server_cert}"),
        format!("{unnamed}?sslmode=verify-ca&sslrootcert={ca}"),
        format!("{unnamed}?sslmode=require"),
    ] {
        let r = l
            .cmd()
            .env("LEDGER_DB", &db)
            .args(["verify"])
            .output()
            .unwrap();
        assert!(
            r.status.success(),
            "{db}: {}",
            String::from_utf8_lossy(&r.stderr)
        );
    }
    // --db-ca names the CA as sslrootcert does.
    let r = l
        .cmd()
        .env("LEDGER_DB", format!("{url}?sslmode=verify-ca"))
        .args(["--db-ca", &ca, "verify"])
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    // A CA the server's certificate does not chain to is refused.
    let other = l.path("other-ca.pem");
    std::fs::write(&other, include_str!("../fixtures/other-ca.pem")).unwrap();
    let r = l
        .cmd()
        .env(
            "LEDGER_DB",
            format!("{url}?sslmode=verify-ca&sslrootcert={}", other.display()),
        )
        .arg("verify")
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&r.stderr).contains("cannot open"));

    // verify-full checks the name, whether the certificate chains to the
    // CA or is trusted as it is.
    for trusted in [ca.clone(), server_cert.to_string()] {
        let r = l
            .cmd()
            .env(
                "LEDGER_DB",
                format!("{unnamed}?sslmode=verify-full&sslrootcert={trusted}"),
            )
            .arg("verify")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(3), "{trusted}: {stderr}");
        assert!(stderr.contains("not valid for name"), "{trusted}: {stderr}");
    }

    // A password in the URL is never echoed: not in errors, not in --help.
    let secret = "s3cret-Pa55";
    let with_password = url.replacen("postgres@", &format!("postgres:{secret}@"), 1);
    for (db, args) in [
        (format!("{with_password}?sslmode=bogus"), vec!["status"]),
        (
            with_password.replacen("/ledger_test", "/no_such_db_", 1),
            vec!["status"],
        ),
        (with_password.clone(), vec!["--help"]),
        (
            with_password.clone(),
            vec!["init", "--policy", "/no/such/policy.toml"],
        ),
    ] {
        let r = l.cmd().env("LEDGER_DB", &db).args(&args).output().unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&r.stdout),
            String::from_utf8_lossy(&r.stderr)
        );
        assert!(!all.contains(secret), "{args:?} showed the password: {all}");
    }
    let r = l
        .cmd()
        .env("LEDGER_DB", format!("{with_password}?sslmode=bogus"))
        .arg("status")
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2), "a bad URL is an input error");
    assert!(String::from_utf8_lossy(&r.stderr).contains("postgres:***@"));
}

/// 32 writer processes, 200 records each, on one ledger at once: every
/// record is there, the chain verifies, and no writer failed.
#[test]
fn many_writers_on_many_connections_lose_nothing() {
    let Some(()) = server() else { return };
    let l = Ledger::postgres();
    let (writers, each) = (32, 200);
    l.record_at_once(&format!("{}?sslmode=disable", l.location()), writers, each);
    let rows = l.json(&["sql", "SELECT count(*) AS n FROM measurements"]);
    assert_eq!(rows[0]["n"], writers * each);
    let (entries, _) = l.head();
    assert_eq!(entries, (2 + writers * each) as i64);
}

/// `copy` both ways: the target has the source's entries byte for byte
/// and verifies with its head; a non-empty target is refused untouched.
#[test]
fn copy_moves_a_ledger_between_the_backends() {
    let Some(()) = server() else { return };
    let pg = history_in(Ledger::postgres());
    let exported = pg.ok(&["export"]);
    let (n, head) = pg.head();

    let file = pg.path("copy.db");
    let v = pg.json(&["copy", "--to", file.to_str().unwrap()]);
    assert_eq!(
        (v["entries"].as_i64(), v["ok"].as_bool()),
        (Some(n), Some(true))
    );
    assert_eq!(v["head"], head.as_str());
    let from_file = pg
        .cmd()
        .env("LEDGER_DB", &file)
        .arg("export")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&from_file.stdout), exported);

    let back = postgres_url(&new_postgres_database());
    let v = pg
        .cmd()
        .env("LEDGER_DB", &file)
        .args(["copy", "--to", &back, "--json"])
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let again = pg
        .cmd()
        .env("LEDGER_DB", &back)
        .arg("export")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&again.stdout), exported);

    // A target that holds entries is refused, and keeps what it had.
    let r = pg.run(&["copy", "--to", &back]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("already holds entries"), "{}", r.stderr);
    let after = pg
        .cmd()
        .env("LEDGER_DB", &back)
        .arg("export")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&after.stdout), exported);
    let _ = postgres_admin().batch_execute(&format!(
        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
        back.rsplit('/').next().unwrap_or_default()
    ));
}

/// The latest result of a gate with no platform is read from the gate's
/// index in order: PostgreSQL does not take `platform IS NULL` as fixing
/// the column, and without it in the order sorted every result of the
/// gate to find the latest (14 ms a gate on the 1M bench ledger).
#[test]
fn the_latest_row_of_a_null_key_is_read_from_its_index_in_order() {
    let Some(()) = server() else { return };
    let l = Ledger::postgres();
    let sql = ledger::store::select_sql(
        "gate_results",
        "t.*",
        &["gate"],
        &["platform"],
        ledger::store::Span::UpTo,
        None,
        "t.effective_at DESC, t.entry_seq DESC LIMIT 1",
    );
    let sql = (1..=4)
        .rev()
        .fold(sql, |s, n| s.replace(&format!("?{n}"), &format!("${n}")));
    let mut c = postgres::Client::connect(&l.location(), postgres::NoTls).unwrap();
    // A test ledger is small enough to sort for free: forbid sorting and
    // scanning, so the plan shows whether the index can give the order.
    c.batch_execute("SET enable_sort = off; SET enable_seqscan = off")
        .unwrap();
    c.batch_execute(&format!("PREPARE latest(text, text, text, text) AS {sql}"))
        .unwrap();
    let plan: Vec<String> = c
        .query(
            "EXPLAIN EXECUTE latest('pi', '2030-01-01T00:00:00Z', '9999-12-31T23:59:59Z', 'fmt')",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let plan = plan.join("\n");
    assert!(plan.contains("gate_results_by_gate"), "{plan}");
    assert!(!plan.contains("Sort"), "{plan}");
}

/// A read replica (a hot standby streaming from the primary, which
/// `.ci/run` starts as `LEDGER_TEST_POSTGRES_REPLICA`) answers as the
/// primary does, `verify` checks everything there (the schema against the
/// reference this build carries, without DDL), and a write says plainly
/// to write to the primary.
#[test]
fn a_read_replica_answers_verifies_and_sends_writes_to_the_primary() {
    let Some(()) = server() else { return };
    let Some(replica) = std::env::var("LEDGER_TEST_POSTGRES_REPLICA")
        .ok()
        .filter(|r| !r.is_empty())
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI=true but LEDGER_TEST_POSTGRES_REPLICA is not set (.ci/run starts one with .ci/postgres replica)"
        );
        eprintln!("no replica (set LEDGER_TEST_POSTGRES_REPLICA, or run .ci/run)");
        return;
    };
    let l = history_in(Ledger::postgres());
    let primary = l.location();
    let database = primary.rsplit_once('/').unwrap().1;
    let standby = format!("{}/{database}", replica.rsplit_once('/').unwrap().0);
    let on = |db: &str, args: &[&str]| {
        let out = l.cmd().env("LEDGER_DB", db).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Wait (bounded) until the standby has replayed the whole history.
    let (_, head, _) = on(&primary, &["verify", "--json"]);
    let head: serde_json::Value = serde_json::from_str(&head).unwrap();
    let started = std::time::Instant::now();
    loop {
        let (code, out, _) = on(&standby, &["verify", "--json"]);
        let caught_up = code == Some(0)
            && serde_json::from_str::<serde_json::Value>(&out)
                .is_ok_and(|v| v["head"] == head["head"]);
        if caught_up {
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(v["ok"], true, "{out}");
            assert!(v.get("unchecked").is_none(), "everything is checked: {out}");
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the standby did not catch up: {out}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    for question in [
        &["status", "--json"][..],
        &["deprecations", "--json"],
        &["drift", "--json"],
        &["readiness", "--json"],
        &["check-release", "0.9.0", "--json"],
        &["export"],
    ] {
        let a = on(&primary, question);
        let b = on(&standby, question);
        assert_eq!(a, b, "{question:?} answers differently on the standby");
    }
    let (code, out, err) = on(
        &standby,
        &["record-budget", "cold-load-p95", "--value", "9"],
    );
    assert_eq!(code, Some(3), "{out}{err}");
    assert!(
        err.contains("this server is a read-only replica (a hot standby) of the ledger's database: it answers every question, but write to the primary"),
        "{err}"
    );
}
