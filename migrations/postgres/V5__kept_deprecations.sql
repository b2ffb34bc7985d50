-- A deprecation kept on purpose (a flag kept as a hidden alias): why it
-- stays. It is listed as kept and never overdue. Entries written before
-- this column existed leave it NULL, and their bodies omit the key, so
-- their hashes are unchanged.
ALTER TABLE deprecations ADD COLUMN kept TEXT COLLATE "C";
