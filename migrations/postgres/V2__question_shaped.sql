-- Question-shaped storage, as version 2 of the SQLite schema: an index on
-- every typed table that leads with the project and the key a question
-- asks by and ends with the time, so "the latest result of each gate" or
-- "the samples of the last 30 days" is an index seek, not a scan.

CREATE INDEX policy_versions_by_time ON policy_versions (effective_at, entry_seq);
CREATE INDEX releases_by_time ON releases (project, effective_at, entry_seq);
CREATE INDEX releases_by_version ON releases (project, version, effective_at, entry_seq);
CREATE INDEX gate_results_by_gate ON gate_results (project, gate, platform, effective_at, entry_seq);
CREATE INDEX gate_results_with_value ON gate_results (project, gate, platform, effective_at, entry_seq)
    WHERE value IS NOT NULL;
CREATE INDEX budget_definitions_by_time ON budget_definitions (project, effective_at, entry_seq);
CREATE INDEX measurements_by_budget ON measurements (project, budget, effective_at, entry_seq);
CREATE INDEX deprecations_by_time ON deprecations (project, effective_at, entry_seq);
CREATE INDEX deprecations_by_item ON deprecations (project, item, effective_at, entry_seq);
CREATE INDEX removals_by_time ON removals (project, effective_at, entry_seq);
CREATE INDEX removals_by_item ON removals (project, item, effective_at, entry_seq);
CREATE INDEX removals_by_version ON removals (project, version, effective_at, entry_seq);
CREATE INDEX extensions_by_time ON extensions (project, effective_at, entry_seq);
CREATE INDEX extensions_by_extension ON extensions (project, extension, effective_at, entry_seq);
CREATE INDEX extension_removals_by_time ON extension_removals (project, effective_at, entry_seq);
CREATE INDEX extension_removals_by_extension ON extension_removals (project, extension, effective_at, entry_seq);
CREATE INDEX tier_conformance_by_time ON tier_conformance (project, effective_at, entry_seq);
CREATE INDEX incidents_by_time ON incidents (project, effective_at, entry_seq);
CREATE INDEX incident_events_by_time ON incident_events (project, effective_at, entry_seq);
CREATE INDEX incident_events_by_incident ON incident_events (project, incident, effective_at, entry_seq);
CREATE INDEX maintenance_by_task ON maintenance (project, task, effective_at, entry_seq);
CREATE INDEX attestations_by_criterion ON attestations (project, criterion, effective_at, entry_seq);
