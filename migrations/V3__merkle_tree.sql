-- The Merkle tree over the journal (RFC 6962): the entries are its leaves,
-- in entry order. Each row is one complete subtree, stored when the append
-- that completes it is written: its level (0 for a leaf), its position
-- among the subtrees of that level, and its hash. Any root or proof is
-- computed from these without rehashing the journal. Append-only, like
-- every ledger table; `ledger verify` recomputes every row.

CREATE TABLE merkle_nodes (
    level    INTEGER NOT NULL,
    position INTEGER NOT NULL,
    hash     BLOB NOT NULL,
    PRIMARY KEY (level, position)
);

CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: merkle_nodes rows cannot be updated'); END;
CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: merkle_nodes rows cannot be deleted'); END;
CREATE TRIGGER merkle_nodes_no_replace BEFORE INSERT ON merkle_nodes
WHEN EXISTS (SELECT 1 FROM merkle_nodes WHERE level = NEW.level AND position = NEW.position)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: merkle_nodes rows cannot be replaced'); END;
