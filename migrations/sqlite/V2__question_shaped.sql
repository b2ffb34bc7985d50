-- Question-shaped storage.
--
-- Every typed table now carries its entry's project and both times, so a
-- question is answered from the typed table alone, through an index that
-- leads with the project and the key the question asks by (a gate and
-- platform, a budget, an item) and ends with the time: "the latest result
-- of each gate", "the samples of the last 30 days", "the deprecation of X"
-- are index seeks, not scans of the journal. `ledger verify` checks that
-- these columns agree with the journal.
--
-- The journal loses its secondary indexes (nothing looks entries up but by
-- number any more), so an append touches one B-tree per table, in order.
--
-- The tables are rebuilt one by one (new table, copy, drop, rename), which
-- is why `ledger init` runs migrations with foreign keys off.

DROP TRIGGER entries_no_update;
DROP TRIGGER entries_no_delete;
DROP TRIGGER entries_no_replace;
DROP TRIGGER projects_no_update;
DROP TRIGGER projects_no_delete;
DROP TRIGGER projects_no_replace;
DROP TRIGGER policy_versions_no_update;
DROP TRIGGER policy_versions_no_delete;
DROP TRIGGER policy_versions_no_replace;
DROP TRIGGER releases_no_update;
DROP TRIGGER releases_no_delete;
DROP TRIGGER releases_no_replace;
DROP TRIGGER gate_results_no_update;
DROP TRIGGER gate_results_no_delete;
DROP TRIGGER gate_results_no_replace;
DROP TRIGGER budget_definitions_no_update;
DROP TRIGGER budget_definitions_no_delete;
DROP TRIGGER budget_definitions_no_replace;
DROP TRIGGER measurements_no_update;
DROP TRIGGER measurements_no_delete;
DROP TRIGGER measurements_no_replace;
DROP TRIGGER deprecations_no_update;
DROP TRIGGER deprecations_no_delete;
DROP TRIGGER deprecations_no_replace;
DROP TRIGGER removals_no_update;
DROP TRIGGER removals_no_delete;
DROP TRIGGER removals_no_replace;
DROP TRIGGER extensions_no_update;
DROP TRIGGER extensions_no_delete;
DROP TRIGGER extensions_no_replace;
DROP TRIGGER extension_removals_no_update;
DROP TRIGGER extension_removals_no_delete;
DROP TRIGGER extension_removals_no_replace;
DROP TRIGGER tier_conformance_no_update;
DROP TRIGGER tier_conformance_no_delete;
DROP TRIGGER tier_conformance_no_replace;
DROP TRIGGER incidents_no_update;
DROP TRIGGER incidents_no_delete;
DROP TRIGGER incidents_no_replace;
DROP TRIGGER incident_events_no_update;
DROP TRIGGER incident_events_no_delete;
DROP TRIGGER incident_events_no_replace;
DROP TRIGGER maintenance_no_update;
DROP TRIGGER maintenance_no_delete;
DROP TRIGGER maintenance_no_replace;
DROP TRIGGER attestations_no_update;
DROP TRIGGER attestations_no_delete;
DROP TRIGGER attestations_no_replace;
DROP TRIGGER retractions_no_update;
DROP TRIGGER retractions_no_delete;
DROP TRIGGER retractions_no_replace;
DROP INDEX entries_by_kind;

CREATE TABLE entries_v2 (
    seq          INTEGER PRIMARY KEY,
    project      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    body         TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
INSERT INTO entries_v2 SELECT seq, project, kind, effective_at, recorded_at, body, prev_hash, hash FROM entries;
DROP TABLE entries;
ALTER TABLE entries_v2 RENAME TO entries;
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: entries rows cannot be updated'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: entries rows cannot be deleted'); END;
CREATE TRIGGER entries_no_replace BEFORE INSERT ON entries
WHEN EXISTS (SELECT 1 FROM entries WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: entries rows cannot be replaced'); END;

CREATE TABLE projects_v2 (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    name      TEXT NOT NULL UNIQUE
);
INSERT INTO projects_v2 SELECT t.entry_seq, coalesce(e.project, ''), coalesce(e.effective_at, ''), coalesce(e.recorded_at, ''), t.name
    FROM projects t LEFT JOIN entries e ON e.seq = t.entry_seq;
DROP TABLE projects;
ALTER TABLE projects_v2 RENAME TO projects;
CREATE TRIGGER projects_no_update BEFORE UPDATE ON projects
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: projects rows cannot be updated'); END;
CREATE TRIGGER projects_no_delete BEFORE DELETE ON projects
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: projects rows cannot be deleted'); END;
CREATE TRIGGER projects_no_replace BEFORE INSERT ON projects
WHEN EXISTS (SELECT 1 FROM projects WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: projects rows cannot be replaced'); END;

CREATE TABLE policy_versions_v2 (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    digest    TEXT NOT NULL,
    source    TEXT NOT NULL,
    content   TEXT NOT NULL
);
INSERT INTO policy_versions_v2 SELECT t.entry_seq, coalesce(e.project, ''), coalesce(e.effective_at, ''), coalesce(e.recorded_at, ''), t.digest, t.source, t.content
    FROM policy_versions t LEFT JOIN entries e ON e.seq = t.entry_seq;
DROP TABLE policy_versions;
ALTER TABLE policy_versions_v2 RENAME TO policy_versions;
CREATE INDEX policy_versions_by_time ON policy_versions (effective_at, entry_seq);
CREATE TRIGGER policy_versions_no_update BEFORE UPDATE ON policy_versions
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: policy_versions rows cannot be updated'); END;
CREATE TRIGGER policy_versions_no_delete BEFORE DELETE ON policy_versions
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: policy_versions rows cannot be deleted'); END;
CREATE TRIGGER policy_versions_no_replace BEFORE INSERT ON policy_versions
WHEN EXISTS (SELECT 1 FROM policy_versions WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: policy_versions rows cannot be replaced'); END;

CREATE TABLE releases_v2 (
    entry_seq  INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    version    TEXT NOT NULL,
    date       TEXT NOT NULL,
    commit_sha TEXT,
    status     TEXT NOT NULL CHECK (status IN ('released', 'tag-only', 'draft', 'unpublished')),
    breaking   BOOLEAN NOT NULL,
    notes      TEXT
);
INSERT INTO releases_v2 SELECT t.entry_seq, coalesce(e.project, ''), coalesce(e.effective_at, ''), coalesce(e.recorded_at, ''), t.version, t.date, t.commit_sha, t.status, t.breaking, t.notes
    FROM releases t LEFT JOIN entries e ON e.seq = t.entry_seq;
DROP TABLE releases;
ALTER TABLE releases_v2 RENAME TO releases;
CREATE INDEX releases_by_time ON releases (project, effective_at, entry_seq);
CREATE INDEX releases_by_version ON releases (project, version, effective_at, entry_seq);
CREATE TRIGGER releases_no_update BEFORE UPDATE ON releases
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: releases rows cannot be updated'); END;
CREATE TRIGGER releases_no_delete BEFORE DELETE ON releases
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: releases rows cannot be deleted'); END;
CREATE TRIGGER releases_no_replace BEFORE INSERT ON releases
WHEN EXISTS (SELECT 1 FROM releases WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: releases rows cannot be replaced'); END;

CREATE TABLE gate_results_v2 (
    entry_seq  INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
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
INSERT INTO gate_results_v2 SELECT t.entry_seq, coalesce(e.project, ''), coalesce(e.effective_at, ''), coalesce(e.recorded_at, ''), t.gate, t.platform, t.value, t.passed, t.comparator, t.threshold, t.commit_sha, t.release, t.source
    FROM gate_results t LEFT JOIN entries e ON e.seq = t.entry_seq;
DROP TABLE gate_results;
ALTER TABLE gate_results_v2 RENAME TO gate_results;
CREATE INDEX gate_results_by_gate ON gate_results (project, gate, platform, effective_at, entry_seq);
-- "The latest value of a gate" skips verdicts without one in this index.
CREATE INDEX gate_results_with_value ON gate_results (project, gate, platform, effective_at, entry_seq)
    WHERE value IS NOT NULL;
CREATE TRIGGER gate_results_no_update BEFORE UPDATE ON gate_results
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: gate_results rows cannot be updated'); END;
CREATE TRIGGER gate_results_no_delete BEFORE DELETE ON gate_results
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: gate_results rows cannot be deleted'); END;
CREATE TRIGGER gate_results_no_replace BEFORE INSERT ON gate_results
WHEN EXISTS (SELECT 1 FROM gate_results WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: gate_results rows cannot be replaced'); END;

CREATE TABLE budget_definitions_v2 (
    entry_seq   INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    budget      TEXT NOT NULL,
    category    TEXT NOT NULL,
    metric      TEXT NOT NULL,
    unit        TEXT NOT NULL,
    threshold   REAL NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('max', 'min')),
    ci_enforced BOOLEAN NOT NULL,
    source      TEXT
);
INSERT INTO budget_definitions_v2 SELECT t.entry_seq, coalesce(e.project, ''), coalesce(e.effective_at, ''), coalesce(e.recorded_at, ''), t.budget, t.category, t.metric, t.unit, t.threshold, t.direction, t.ci_enforced, t.source
    FROM budget_definitions t LEFT JOIN entries e ON e.seq = t.entry_seq;
DROP TABLE budget_definitions;
ALTER TABLE budget_definitions_v2 RENAME TO budget_definitions;
CREATE INDEX budget_definitions_by_time ON budget_definitions (project, effective_at, entry_seq);
CREATE TRIGGER budget_definitions_no_update BEFORE UPDATE ON budget_definitions
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: budget_definitions rows cannot be updated'); END;
CREATE TRIGGER budget_definitions_no_delete BEFORE DELETE ON budget_definitions
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: budget_definitions rows cannot be deleted'); END;
CREATE TRIGGER budget_definitions_no_replace BEFORE INSERT ON budget_definitions
WHEN EXISTS (SELECT 1 FROM budget_definitions WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: budget_definitions rows cannot be replaced'); END;

CREATE TABLE measurements_v2 (
    entry_seq  INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    budget     TEXT NOT NULL,
    value      REAL NOT NULL,
    commit_sha TEXT,
    source     TEXT
);
INSERT INTO measurements_v2 SELECT t.entry_seq, coalesce(e.project, ''), coalesce(e.effective_at, ''), coalesce(e.recorded_at, ''), t.budget, t.value, t.commit_sha, t.source
    FROM measurements t LEFT JOIN entries e ON e.seq = t.entry_seq;
DROP TABLE measurements;
ALTER TABLE measurements_v2 RENAME TO measurements;
CREATE INDEX measurements_by_budget ON measurements (project, budget, effective_at, entry_seq);
CREATE TRIGGER measurements_no_update BEFORE UPDATE ON measurements
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: measurements rows cannot be updated'); END;
CREATE TRIGGER measurements_no_delete BEFORE DELETE ON measurements
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: measurements rows cannot be deleted'); END;
CREATE TRIGGER measurements_no_replace BEFORE INSERT ON measurements
WHEN EXISTS (SELECT 1 FROM measurements WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: measurements rows cannot be replaced'); END;

CREATE TABLE deprecations_v2 (
    entry_seq   INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    item        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    version     TEXT NOT NULL,
    replacement TEXT,
    note        TEXT
);
INSERT INTO deprecations_v2 SELECT t.entry_seq, coalesce(e.project, ''), coalesce(e.effective_at, ''), coalesce(e.recorded_at, ''), t.item, t.kind, t.version, t.replacement, t.note
    FROM deprecations t LEFT JOIN entries e ON e.seq = t.entry_seq;
DROP TABLE deprecations;
ALTER TABLE deprecations_v2 RENAME TO deprecations;
CREATE INDEX deprecations_by_time ON deprecations (project, effective_at, entry_seq);
CREATE INDEX deprecations_by_item ON deprecations (project, item, effective_at, entry_seq);
CREATE TRIGGER deprecations_no_update BEFORE UPDATE ON deprecations
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: deprecations rows cannot be updated'); END;
CREATE TRIGGER deprecations_no_delete BEFORE DELETE ON deprecations
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: deprecations rows cannot be deleted'); END;
CREATE TRIGGER deprecations_no_replace BEFORE INSERT ON deprecations
WHEN EXISTS (SELECT 1 FROM deprecations WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: deprecations rows cannot be replaced'); END;

CREATE TABLE removals_v2 (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    item      TEXT NOT NULL,
    version   TEXT NOT NULL
);
INSERT INTO removals_v2 SELECT t.entry_seq, coalesce(e.project, ''), coalesce(e.effective_at, ''), coalesce(e.recorded_at, ''), t.item, t.version
    FROM removals t LEFT JOIN entries e ON e.seq = t.entry_seq;
DROP TABLE removals;
ALTER TABLE removals_v2 RENAME TO removals;
CREATE INDEX removals_by_time ON removals (project, effective_at, entry_seq);
CREATE INDEX removals_by_item ON removals (project, item, effective_at, entry_seq);
CREATE INDEX removals_by_version ON removals (project, version, effective_at, entry_seq);
CREATE TRIGGER removals_no_update BEFORE UPDATE ON removals
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: removals rows cannot be updated'); END;
CREATE TRIGGER removals_no_delete BEFORE DELETE ON removals
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: removals rows cannot be deleted'); END;
CREATE TRIGGER removals_no_replace BEFORE INSERT ON removals
WHEN EXISTS (SELECT 1 FROM removals WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: removals rows cannot be replaced'); END;

CREATE TABLE extensions_v2 (
    entry_seq    INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
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
INSERT INTO extensions_v2 SELECT t.entry_seq, coalesce(e.project, ''), coalesce(e.effective_at, ''), coalesce(e.recorded_at, ''), t.extension, t.name, t.tier, t.source_tier, t.license, t.provenance, t.doctor, t.patched, t.score, t.capabilities, t.origin
    FROM extensions t LEFT JOIN entries e ON e.seq = t.entry_seq;
DROP TABLE extensions;
ALTER TABLE extensions_v2 RENAME TO extensions;
CREATE INDEX extensions_by_time ON extensions (project, effective_at, entry_seq);
CREATE INDEX extensions_by_extension ON extensions (project, extension, effective_at, entry_seq);
CREATE TRIGGER extensions_no_update BEFORE UPDATE ON extensions
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: extensions rows cannot be updated'); END;
CREATE TRIGGER extensions_no_delete BEFORE DELETE ON extensions
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: extensions rows cannot be deleted'); END;
CREATE TRIGGER extensions_no_replace BEFORE INSERT ON extensions
WHEN EXISTS (SELECT 1 FROM extensions WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: extensions rows cannot be replaced'); END;

CREATE TABLE extension_removals_v2 (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    extension TEXT NOT NULL,
    reason    TEXT NOT NULL
);
INSERT INTO extension_removals_v2 SELECT t.entry_seq, coalesce(e.project, ''), coalesce(e.effective_at, ''), coalesce(e.recorded_at, ''), t.extension, t.reason
    FROM extension_removals t LEFT JOIN entries e ON e.seq = t.entry_seq;
DROP TABLE extension_removals;
ALTER TABLE extension_removals_v2 RENAME TO extension_removals;
CREATE INDEX extension_removals_by_time ON extension_removals (project, effective_at, entry_seq);
CREATE INDEX extension_removals_by_extension ON extension_removals (project, extension, effective_at, entry_seq);
CREATE TRIGGER extension_removals_no_update BEFORE UPDATE ON extension_removals
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: extension_removals rows cannot be updated'); END;
CREATE TRIGGER extension_removals_no_delete BEFORE DELETE ON extension_removals
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: extension_removals rows cannot be deleted'); END;
CREATE TRIGGER extension_removals_no_replace BEFORE INSERT ON extension_removals
WHEN EXISTS (SELECT 1 FROM extension_removals WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: extension_removals rows cannot be replaced'); END;

CREATE TABLE tier_conformance_v2 (
    entry_seq   INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    source_tier TEXT NOT NULL,
    tier        TEXT,
    pass        INTEGER NOT NULL,
    fail        INTEGER NOT NULL,
    na          INTEGER NOT NULL,
    total       INTEGER NOT NULL
);
INSERT INTO tier_conformance_v2 SELECT t.entry_seq, coalesce(e.project, ''), coalesce(e.effective_at, ''), coalesce(e.recorded_at, ''), t.source_tier, t.tier, t.pass, t.fail, t.na, t.total
    FROM tier_conformance t LEFT JOIN entries e ON e.seq = t.entry_seq;
DROP TABLE tier_conformance;
ALTER TABLE tier_conformance_v2 RENAME TO tier_conformance;
CREATE INDEX tier_conformance_by_time ON tier_conformance (project, effective_at, entry_seq);
CREATE TRIGGER tier_conformance_no_update BEFORE UPDATE ON tier_conformance
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: tier_conformance rows cannot be updated'); END;
CREATE TRIGGER tier_conformance_no_delete BEFORE DELETE ON tier_conformance
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: tier_conformance rows cannot be deleted'); END;
CREATE TRIGGER tier_conformance_no_replace BEFORE INSERT ON tier_conformance
WHEN EXISTS (SELECT 1 FROM tier_conformance WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: tier_conformance rows cannot be replaced'); END;

CREATE TABLE incidents_v2 (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    severity  TEXT NOT NULL,
    title     TEXT NOT NULL,
    over_pct  REAL
);
INSERT INTO incidents_v2 SELECT t.entry_seq, coalesce(e.project, ''), coalesce(e.effective_at, ''), coalesce(e.recorded_at, ''), t.kind, t.severity, t.title, t.over_pct
    FROM incidents t LEFT JOIN entries e ON e.seq = t.entry_seq;
DROP TABLE incidents;
ALTER TABLE incidents_v2 RENAME TO incidents;
CREATE INDEX incidents_by_time ON incidents (project, effective_at, entry_seq);
CREATE TRIGGER incidents_no_update BEFORE UPDATE ON incidents
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: incidents rows cannot be updated'); END;
CREATE TRIGGER incidents_no_delete BEFORE DELETE ON incidents
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: incidents rows cannot be deleted'); END;
CREATE TRIGGER incidents_no_replace BEFORE INSERT ON incidents
WHEN EXISTS (SELECT 1 FROM incidents WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: incidents rows cannot be replaced'); END;

CREATE TABLE incident_events_v2 (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    incident  INTEGER NOT NULL REFERENCES incidents (entry_seq),
    action    TEXT NOT NULL CHECK (action IN ('triage', 'resolve')),
    release   TEXT
);
INSERT INTO incident_events_v2 SELECT t.entry_seq, coalesce(e.project, ''), coalesce(e.effective_at, ''), coalesce(e.recorded_at, ''), t.incident, t.action, t.release
    FROM incident_events t LEFT JOIN entries e ON e.seq = t.entry_seq;
DROP TABLE incident_events;
ALTER TABLE incident_events_v2 RENAME TO incident_events;
CREATE INDEX incident_events_by_time ON incident_events (project, effective_at, entry_seq);
CREATE INDEX incident_events_by_incident ON incident_events (project, incident, effective_at, entry_seq);
CREATE TRIGGER incident_events_no_update BEFORE UPDATE ON incident_events
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: incident_events rows cannot be updated'); END;
CREATE TRIGGER incident_events_no_delete BEFORE DELETE ON incident_events
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: incident_events rows cannot be deleted'); END;
CREATE TRIGGER incident_events_no_replace BEFORE INSERT ON incident_events
WHEN EXISTS (SELECT 1 FROM incident_events WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: incident_events rows cannot be replaced'); END;

CREATE TABLE maintenance_v2 (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    task      TEXT NOT NULL
);
INSERT INTO maintenance_v2 SELECT t.entry_seq, coalesce(e.project, ''), coalesce(e.effective_at, ''), coalesce(e.recorded_at, ''), t.task
    FROM maintenance t LEFT JOIN entries e ON e.seq = t.entry_seq;
DROP TABLE maintenance;
ALTER TABLE maintenance_v2 RENAME TO maintenance;
CREATE INDEX maintenance_by_task ON maintenance (project, task, effective_at, entry_seq);
CREATE TRIGGER maintenance_no_update BEFORE UPDATE ON maintenance
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: maintenance rows cannot be updated'); END;
CREATE TRIGGER maintenance_no_delete BEFORE DELETE ON maintenance
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: maintenance rows cannot be deleted'); END;
CREATE TRIGGER maintenance_no_replace BEFORE INSERT ON maintenance
WHEN EXISTS (SELECT 1 FROM maintenance WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: maintenance rows cannot be replaced'); END;

CREATE TABLE attestations_v2 (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    criterion TEXT NOT NULL,
    signed_by TEXT,
    note      TEXT
);
INSERT INTO attestations_v2 SELECT t.entry_seq, coalesce(e.project, ''), coalesce(e.effective_at, ''), coalesce(e.recorded_at, ''), t.criterion, t.signed_by, t.note
    FROM attestations t LEFT JOIN entries e ON e.seq = t.entry_seq;
DROP TABLE attestations;
ALTER TABLE attestations_v2 RENAME TO attestations;
CREATE INDEX attestations_by_criterion ON attestations (project, criterion, effective_at, entry_seq);
CREATE TRIGGER attestations_no_update BEFORE UPDATE ON attestations
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: attestations rows cannot be updated'); END;
CREATE TRIGGER attestations_no_delete BEFORE DELETE ON attestations
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: attestations rows cannot be deleted'); END;
CREATE TRIGGER attestations_no_replace BEFORE INSERT ON attestations
WHEN EXISTS (SELECT 1 FROM attestations WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: attestations rows cannot be replaced'); END;

CREATE TABLE retractions_v2 (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    project      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    target    INTEGER NOT NULL UNIQUE REFERENCES entries (seq),
    reason    TEXT NOT NULL
);
INSERT INTO retractions_v2 SELECT t.entry_seq, coalesce(e.project, ''), coalesce(e.effective_at, ''), coalesce(e.recorded_at, ''), t.target, t.reason
    FROM retractions t LEFT JOIN entries e ON e.seq = t.entry_seq;
DROP TABLE retractions;
ALTER TABLE retractions_v2 RENAME TO retractions;
CREATE TRIGGER retractions_no_update BEFORE UPDATE ON retractions
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: retractions rows cannot be updated'); END;
CREATE TRIGGER retractions_no_delete BEFORE DELETE ON retractions
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: retractions rows cannot be deleted'); END;
CREATE TRIGGER retractions_no_replace BEFORE INSERT ON retractions
WHEN EXISTS (SELECT 1 FROM retractions WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: retractions rows cannot be replaced'); END;
