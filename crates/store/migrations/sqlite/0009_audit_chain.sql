-- The audit log becomes a hash chain: record n carries the hash of record n-1 and its own hash over
-- a canonical encoding of its fields and that previous hash (computed in crates/store/src/audit.rs).
-- `seq` is the place in the chain (1, 2, 3, …), which under concurrent writers is the commit order,
-- not necessarily the id order.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_seq ON audit_log(seq);

-- The one head row: the number of chained records and the hash of the last. Every append locks it
-- (UPDATE … RETURNING) inside the writing transaction, so appends are serialized and the chain cannot
-- fork; a log whose tail was cut no longer reaches the head.
-- Records written before this migration are chained, in id order, by the first `Db::migrate` of the
-- new binary, which then sets `existing_chained`; from then on a record without a place in the chain
-- is reported by `dangwu audit verify`.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    existing_chained INTEGER NOT NULL
);
INSERT INTO audit_head (id, seq, hash, existing_chained)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0);
