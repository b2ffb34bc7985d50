-- Version 4, as the SQLite schema's: waivers, accepted shifts, and the
-- columns delivery
-- metrics read (see migrations/sqlite/V4__waivers_and_delivery.sql).

CREATE TABLE waivers (
    entry_seq    BIGINT PRIMARY KEY,
    project      TEXT COLLATE "C" NOT NULL,
    effective_at TEXT COLLATE "C" NOT NULL,
    recorded_at  TEXT COLLATE "C" NOT NULL,
    rule         TEXT COLLATE "C" NOT NULL,
    subject      TEXT COLLATE "C" NOT NULL,
    expires_at   TEXT COLLATE "C" NOT NULL,
    reason       TEXT COLLATE "C" NOT NULL,
    waived_by    TEXT COLLATE "C"
);
CREATE INDEX waivers_by_finding ON waivers (project, rule, subject, effective_at, entry_seq);
CREATE TRIGGER waivers_no_update BEFORE UPDATE ON waivers
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER waivers_no_delete BEFORE DELETE ON waivers
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER waivers_no_truncate BEFORE TRUNCATE ON waivers
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

CREATE TABLE shift_acceptances (
    entry_seq    BIGINT PRIMARY KEY,
    project      TEXT COLLATE "C" NOT NULL,
    effective_at TEXT COLLATE "C" NOT NULL,
    recorded_at  TEXT COLLATE "C" NOT NULL,
    budget       TEXT COLLATE "C" NOT NULL,
    shift_at     TEXT COLLATE "C" NOT NULL,
    reason       TEXT COLLATE "C" NOT NULL
);
CREATE INDEX shift_acceptances_by_budget ON shift_acceptances (project, budget, effective_at, entry_seq);
CREATE TRIGGER shift_acceptances_no_update BEFORE UPDATE ON shift_acceptances
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER shift_acceptances_no_delete BEFORE DELETE ON shift_acceptances
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER shift_acceptances_no_truncate BEFORE TRUNCATE ON shift_acceptances
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

ALTER TABLE releases ADD COLUMN committed_at TEXT COLLATE "C";
ALTER TABLE releases ADD COLUMN fixes TEXT COLLATE "C";
ALTER TABLE incidents ADD COLUMN introduced_in TEXT COLLATE "C";
