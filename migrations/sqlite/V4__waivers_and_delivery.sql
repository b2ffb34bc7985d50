-- Waivers: an expiring exception for one finding, named by its rule and
-- its subject (`ledger waive`). Read whole by every question that judges,
-- so the index leads with the project and the finding.

CREATE TABLE waivers (
    entry_seq    INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    rule         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    reason       TEXT NOT NULL,
    waived_by    TEXT
);
CREATE INDEX waivers_by_finding ON waivers (project, rule, subject, effective_at, entry_seq);
CREATE TRIGGER waivers_no_update BEFORE UPDATE ON waivers
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: waivers rows cannot be updated'); END;
CREATE TRIGGER waivers_no_delete BEFORE DELETE ON waivers
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: waivers rows cannot be deleted'); END;
CREATE TRIGGER waivers_no_replace BEFORE INSERT ON waivers
WHEN EXISTS (SELECT 1 FROM waivers WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: waivers rows cannot be replaced'); END;

-- Accepted shifts: a shift in a budget's series recorded as expected
-- (`ledger accept-shift`); from it on, the new level is the baseline.

CREATE TABLE shift_acceptances (
    entry_seq    INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    budget       TEXT NOT NULL,
    shift_at     TEXT NOT NULL,
    reason       TEXT NOT NULL
);
CREATE INDEX shift_acceptances_by_budget ON shift_acceptances (project, budget, effective_at, entry_seq);
CREATE TRIGGER shift_acceptances_no_update BEFORE UPDATE ON shift_acceptances
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: shift_acceptances rows cannot be updated'); END;
CREATE TRIGGER shift_acceptances_no_delete BEFORE DELETE ON shift_acceptances
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: shift_acceptances rows cannot be deleted'); END;
CREATE TRIGGER shift_acceptances_no_replace BEFORE INSERT ON shift_acceptances
WHEN EXISTS (SELECT 1 FROM shift_acceptances WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: shift_acceptances rows cannot be replaced'); END;

-- Delivery metrics: when a release's newest change was committed (lead
-- time), which release a patch release fixes, and which release brought
-- an incident in (change failure rate). Entries written before these
-- columns existed leave them NULL, and their bodies omit the keys, so
-- their hashes are unchanged.
ALTER TABLE releases ADD COLUMN committed_at TEXT;
ALTER TABLE releases ADD COLUMN fixes TEXT;
ALTER TABLE incidents ADD COLUMN introduced_in TEXT;
