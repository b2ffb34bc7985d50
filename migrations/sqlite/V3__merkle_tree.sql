-- The Merkle tree over the journal (RFC 6962): the entries are its leaves,
-- in entry order. Each row is one complete subtree of two leaves or more,
-- stored when the append that completes it is written: its level (1 for
-- two leaves), its position among the subtrees of that level, and its
-- hash. A leaf's hash is computed from its entry when it is needed. Any
-- root or proof is computed from these without rehashing the journal.
-- Append-only, like every ledger table; `ledger verify` recomputes every
-- row.

CREATE TABLE merkle_nodes (
    level    INTEGER NOT NULL,
    position INTEGER NOT NULL,
    hash     BLOB NOT NULL,
    PRIMARY KEY (level, position)
) WITHOUT ROWID;

CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: merkle_nodes rows cannot be updated'); END;
CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: merkle_nodes rows cannot be deleted'); END;
CREATE TRIGGER merkle_nodes_no_replace BEFORE INSERT ON merkle_nodes
WHEN EXISTS (SELECT 1 FROM merkle_nodes WHERE level = NEW.level AND position = NEW.position)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: merkle_nodes rows cannot be replaced'); END;

-- Who wrote an entry: the writer's verifier key (C2SP note-key form) and
-- its Ed25519 signature over the entry's hash, when the write was signed
-- (`--sign KEYFILE`). `ledger verify --trusted-keys` checks them.
CREATE TABLE entry_signatures (
    entry_seq INTEGER PRIMARY KEY REFERENCES entries (seq),
    signer    TEXT NOT NULL,
    signature BLOB NOT NULL
);

CREATE TRIGGER entry_signatures_no_update BEFORE UPDATE ON entry_signatures
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: entry_signatures rows cannot be updated'); END;
CREATE TRIGGER entry_signatures_no_delete BEFORE DELETE ON entry_signatures
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: entry_signatures rows cannot be deleted'); END;
CREATE TRIGGER entry_signatures_no_replace BEFORE INSERT ON entry_signatures
WHEN EXISTS (SELECT 1 FROM entry_signatures WHERE entry_seq = NEW.entry_seq)
BEGIN SELECT RAISE(ABORT, 'ledger tables are append-only: entry_signatures rows cannot be replaced'); END;
