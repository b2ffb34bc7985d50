-- A deprecation kept on purpose (a flag kept as a hidden alias): why it
-- stays. It is listed as kept and never overdue. Entries written before
-- this column existed leave it NULL, and their bodies omit the key, so
-- their hashes are unchanged.
ALTER TABLE deprecations ADD COLUMN kept TEXT COLLATE "C";

-- The tag a release was imported from (`15.2.0`, `tokio-1.41.0`), shown
-- as it is instead of one made from the policy's prefix. NULL for a
-- release recorded without one; such bodies omit the key.
ALTER TABLE releases ADD COLUMN tag TEXT COLLATE "C";
