-- The ledger's first schema.
--
-- `entries` is the journal: one row per recorded fact, linked into a SHA-256
-- hash chain (`prev_hash` -> `hash`). Every other table is a typed projection
-- of one kind of entry, keyed by the entry it came from; its columns carry the
-- same names as the keys of the entry's canonical JSON body, which is how
-- `ledger verify` cross-checks them.
--
-- Column types that `ledger` reads back specially: BOOLEAN (0/1 as true/false)
-- and JSON (text holding an array or object).

CREATE TABLE entries (
    seq          INTEGER PRIMARY KEY,
    project      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    body         TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE
);
CREATE INDEX entries_by_kind ON entries (project, kind, effective_at);

CREATE TABLE projects (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    name      TEXT NOT NULL UNIQUE
);

CREATE TABLE policy_versions (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    digest    TEXT NOT NULL,
    source    TEXT NOT NULL,
    content   TEXT NOT NULL
);

CREATE TABLE releases (
    entry_seq  INTEGER PRIMARY KEY REFERENCES entries (seq),
    version    TEXT NOT NULL,
    date       TEXT NOT NULL,
    commit_sha TEXT,
    status     TEXT NOT NULL CHECK (status IN ('released', 'tag-only', 'draft', 'unpublished')),
    breaking   BOOLEAN NOT NULL,
    notes      TEXT
);

CREATE TABLE gate_results (
    entry_seq  INTEGER PRIMARY KEY REFERENCES entries (seq),
    gate       TEXT NOT NULL,
    platform   TEXT,
    value      REAL,
    passed     BOOLEAN NOT NULL,
    comparator TEXT,
    threshold  REAL,
    commit_sha TEXT,
    release    TEXT,
    source     TEXT
);
CREATE INDEX gate_results_by_gate ON gate_results (gate, platform);

CREATE TABLE budget_definitions (
    entry_seq   INTEGER PRIMARY KEY REFERENCES entries (seq),
    budget      TEXT NOT NULL,
    category    TEXT NOT NULL,
    metric      TEXT NOT NULL,
    unit        TEXT NOT NULL,
    threshold   REAL NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('max', 'min')),
    ci_enforced BOOLEAN NOT NULL,
    source      TEXT
);

CREATE TABLE measurements (
    entry_seq  INTEGER PRIMARY KEY REFERENCES entries (seq),
    budget     TEXT NOT NULL,
    value      REAL NOT NULL,
    commit_sha TEXT,
    source     TEXT
);
CREATE INDEX measurements_by_budget ON measurements (budget);

CREATE TABLE deprecations (
    entry_seq   INTEGER PRIMARY KEY REFERENCES entries (seq),
    item        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    version     TEXT NOT NULL,
    replacement TEXT,
    note        TEXT
);

CREATE TABLE removals (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    item      TEXT NOT NULL,
    version   TEXT NOT NULL
);

CREATE TABLE extensions (
    entry_seq    INTEGER PRIMARY KEY REFERENCES entries (seq),
    extension    TEXT NOT NULL,
    name         TEXT NOT NULL,
    tier         TEXT NOT NULL,
    source_tier  TEXT,
    license      TEXT NOT NULL,
    provenance   TEXT NOT NULL,
    doctor       TEXT,
    patched      BOOLEAN NOT NULL,
    score        REAL,
    capabilities JSON NOT NULL,
    origin       TEXT NOT NULL
);

CREATE TABLE extension_removals (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    extension TEXT NOT NULL,
    reason    TEXT NOT NULL
);

CREATE TABLE tier_conformance (
    entry_seq   INTEGER PRIMARY KEY REFERENCES entries (seq),
    source_tier TEXT NOT NULL,
    tier        TEXT,
    pass        INTEGER NOT NULL,
    fail        INTEGER NOT NULL,
    na          INTEGER NOT NULL,
    total       INTEGER NOT NULL
);

CREATE TABLE incidents (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    kind      TEXT NOT NULL,
    severity  TEXT NOT NULL,
    title     TEXT NOT NULL,
    over_pct  REAL
);

CREATE TABLE incident_events (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    incident  INTEGER NOT NULL REFERENCES incidents (entry_seq),
    action    TEXT NOT NULL CHECK (action IN ('triage', 'resolve')),
    release   TEXT
);

CREATE TABLE maintenance (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    task      TEXT NOT NULL
);

CREATE TABLE attestations (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    criterion TEXT NOT NULL,
    signed_by TEXT,
    note      TEXT
);

CREATE TABLE retractions (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    target    INTEGER NOT NULL UNIQUE REFERENCES entries (seq),
    reason    TEXT NOT NULL
);

-- Append-only: nothing recorded is updated or deleted in place. The BEFORE
-- INSERT guard also refuses INSERT OR REPLACE, whose implicit delete would
-- otherwise bypass the DELETE trigger.

CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: entries rows cannot be updated'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: entries rows cannot be deleted'); END;
CREATE TRIGGER entries_no_replace BEFORE INSERT ON entries
WHEN EXISTS (SELECT 1 FROM entries WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: entries rows cannot be replaced'); END;
CREATE TRIGGER projects_no_update BEFORE UPDATE ON projects
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: projects rows cannot be updated'); END;
CREATE TRIGGER projects_no_delete BEFORE DELETE ON projects
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: projects rows cannot be deleted'); END;
CREATE TRIGGER projects_no_replace BEFORE INSERT ON projects
WHEN EXISTS (SELECT 1 FROM projects WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: projects rows cannot be replaced'); END;
CREATE TRIGGER policy_versions_no_update BEFORE UPDATE ON policy_versions
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: policy_versions rows cannot be updated'); END;
CREATE TRIGGER policy_versions_no_delete BEFORE DELETE ON policy_versions
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: policy_versions rows cannot be deleted'); END;
CREATE TRIGGER policy_versions_no_replace BEFORE INSERT ON policy_versions
WHEN EXISTS (SELECT 1 FROM policy_versions WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: policy_versions rows cannot be replaced'); END;
CREATE TRIGGER releases_no_update BEFORE UPDATE ON releases
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: releases rows cannot be updated'); END;
CREATE TRIGGER releases_no_delete BEFORE DELETE ON releases
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: releases rows cannot be deleted'); END;
CREATE TRIGGER releases_no_replace BEFORE INSERT ON releases
WHEN EXISTS (SELECT 1 FROM releases WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: releases rows cannot be replaced'); END;
CREATE TRIGGER gate_results_no_update BEFORE UPDATE ON gate_results
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: gate_results rows cannot be updated'); END;
CREATE TRIGGER gate_results_no_delete BEFORE DELETE ON gate_results
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: gate_results rows cannot be deleted'); END;
CREATE TRIGGER gate_results_no_replace BEFORE INSERT ON gate_results
WHEN EXISTS (SELECT 1 FROM gate_results WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: gate_results rows cannot be replaced'); END;
CREATE TRIGGER budget_definitions_no_update BEFORE UPDATE ON budget_definitions
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: budget_definitions rows cannot be updated'); END;
CREATE TRIGGER budget_definitions_no_delete BEFORE DELETE ON budget_definitions
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: budget_definitions rows cannot be deleted'); END;
CREATE TRIGGER budget_definitions_no_replace BEFORE INSERT ON budget_definitions
WHEN EXISTS (SELECT 1 FROM budget_definitions WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: budget_definitions rows cannot be replaced'); END;
CREATE TRIGGER measurements_no_update BEFORE UPDATE ON measurements
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: measurements rows cannot be updated'); END;
CREATE TRIGGER measurements_no_delete BEFORE DELETE ON measurements
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: measurements rows cannot be deleted'); END;
CREATE TRIGGER measurements_no_replace BEFORE INSERT ON measurements
WHEN EXISTS (SELECT 1 FROM measurements WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: measurements rows cannot be replaced'); END;
CREATE TRIGGER deprecations_no_update BEFORE UPDATE ON deprecations
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: deprecations rows cannot be updated'); END;
CREATE TRIGGER deprecations_no_delete BEFORE DELETE ON deprecations
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: deprecations rows cannot be deleted'); END;
CREATE TRIGGER deprecations_no_replace BEFORE INSERT ON deprecations
WHEN EXISTS (SELECT 1 FROM deprecations WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: deprecations rows cannot be replaced'); END;
CREATE TRIGGER removals_no_update BEFORE UPDATE ON removals
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: removals rows cannot be updated'); END;
CREATE TRIGGER removals_no_delete BEFORE DELETE ON removals
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: removals rows cannot be deleted'); END;
CREATE TRIGGER removals_no_replace BEFORE INSERT ON removals
WHEN EXISTS (SELECT 1 FROM removals WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: removals rows cannot be replaced'); END;
CREATE TRIGGER extensions_no_update BEFORE UPDATE ON extensions
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: extensions rows cannot be updated'); END;
CREATE TRIGGER extensions_no_delete BEFORE DELETE ON extensions
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: extensions rows cannot be deleted'); END;
CREATE TRIGGER extensions_no_replace BEFORE INSERT ON extensions
WHEN EXISTS (SELECT 1 FROM extensions WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: extensions rows cannot be replaced'); END;
CREATE TRIGGER extension_removals_no_update BEFORE UPDATE ON extension_removals
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: extension_removals rows cannot be updated'); END;
CREATE TRIGGER extension_removals_no_delete BEFORE DELETE ON extension_removals
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: extension_removals rows cannot be deleted'); END;
CREATE TRIGGER extension_removals_no_replace BEFORE INSERT ON extension_removals
WHEN EXISTS (SELECT 1 FROM extension_removals WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: extension_removals rows cannot be replaced'); END;
CREATE TRIGGER tier_conformance_no_update BEFORE UPDATE ON tier_conformance
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: tier_conformance rows cannot be updated'); END;
CREATE TRIGGER tier_conformance_no_delete BEFORE DELETE ON tier_conformance
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: tier_conformance rows cannot be deleted'); END;
CREATE TRIGGER tier_conformance_no_replace BEFORE INSERT ON tier_conformance
WHEN EXISTS (SELECT 1 FROM tier_conformance WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: tier_conformance rows cannot be replaced'); END;
CREATE TRIGGER incidents_no_update BEFORE UPDATE ON incidents
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: incidents rows cannot be updated'); END;
CREATE TRIGGER incidents_no_delete BEFORE DELETE ON incidents
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: incidents rows cannot be deleted'); END;
CREATE TRIGGER incidents_no_replace BEFORE INSERT ON incidents
WHEN EXISTS (SELECT 1 FROM incidents WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: incidents rows cannot be replaced'); END;
CREATE TRIGGER incident_events_no_update BEFORE UPDATE ON incident_events
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: incident_events rows cannot be updated'); END;
CREATE TRIGGER incident_events_no_delete BEFORE DELETE ON incident_events
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: incident_events rows cannot be deleted'); END;
CREATE TRIGGER incident_events_no_replace BEFORE INSERT ON incident_events
WHEN EXISTS (SELECT 1 FROM incident_events WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: incident_events rows cannot be replaced'); END;
CREATE TRIGGER maintenance_no_update BEFORE UPDATE ON maintenance
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: maintenance rows cannot be updated'); END;
CREATE TRIGGER maintenance_no_delete BEFORE DELETE ON maintenance
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: maintenance rows cannot be deleted'); END;
CREATE TRIGGER maintenance_no_replace BEFORE INSERT ON maintenance
WHEN EXISTS (SELECT 1 FROM maintenance WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: maintenance rows cannot be replaced'); END;
CREATE TRIGGER attestations_no_update BEFORE UPDATE ON attestations
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: attestations rows cannot be updated'); END;
CREATE TRIGGER attestations_no_delete BEFORE DELETE ON attestations
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: attestations rows cannot be deleted'); END;
CREATE TRIGGER attestations_no_replace BEFORE INSERT ON attestations
WHEN EXISTS (SELECT 1 FROM attestations WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: attestations rows cannot be replaced'); END;
CREATE TRIGGER retractions_no_update BEFORE UPDATE ON retractions
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: retractions rows cannot be updated'); END;
CREATE TRIGGER retractions_no_delete BEFORE DELETE ON retractions
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: retractions rows cannot be deleted'); END;
CREATE TRIGGER retractions_no_replace BEFORE INSERT ON retractions
WHEN EXISTS (SELECT 1 FROM retractions WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: retractions rows cannot be replaced'); END;
