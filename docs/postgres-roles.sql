-- The two roles a PostgreSQL deployment of ledger uses, run by the
-- database's owner after `ledger init` (which the owner runs, and runs
-- again after an upgrade):
--
--   ledger_writer  CI jobs that record: may only INSERT and SELECT.
--   ledger_reader  dashboards, `ledger verify`, `ledger sql`: may only SELECT.
--
-- Neither may UPDATE, DELETE or TRUNCATE anything; the ledger's triggers
-- refuse those even to the owner. Give each role a password (or a
-- certificate) as your server's authentication requires, e.g.
--   ALTER ROLE ledger_writer PASSWORD '...';
-- Safe to run again.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_writer') THEN
        CREATE ROLE ledger_writer LOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_reader') THEN
        CREATE ROLE ledger_reader LOGIN;
    END IF;
END
$$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO ledger_writer, ledger_reader;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ledger_writer, ledger_reader;
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO ledger_writer;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO ledger_reader;
