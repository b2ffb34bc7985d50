-- The Merkle tree over the journal (RFC 6962), as version 3 of the SQLite
-- schema: each row is one complete subtree of two leaves or more (its
-- level, its position among the subtrees of that level, and its hash).
-- And who wrote an entry: the writer's verifier key and its Ed25519
-- signature over the entry's hash, when the write was signed.

CREATE TABLE merkle_nodes (
    level    BIGINT NOT NULL,
    position BIGINT NOT NULL,
    hash     BYTEA NOT NULL,
    PRIMARY KEY (level, position)
);
CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER merkle_nodes_no_truncate BEFORE TRUNCATE ON merkle_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

CREATE TABLE entry_signatures (
    entry_seq BIGINT PRIMARY KEY,
    signer    TEXT COLLATE "C" NOT NULL,
    signature BYTEA NOT NULL
);
CREATE TRIGGER entry_signatures_no_update BEFORE UPDATE ON entry_signatures
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER entry_signatures_no_delete BEFORE DELETE ON entry_signatures
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER entry_signatures_no_truncate BEFORE TRUNCATE ON entry_signatures
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
