-- Member list and search at scale (issue #10).
--
-- Name search: every substring of one to three characters of each member's name (ASCII letters in
-- lower case) with the member, a B-tree inverted index that answers a query of any length: one, two
-- or three characters by equality, longer ones by the first three and a check of the whole name.
-- (Chinese names are mostly two or three characters, too short for FTS5's trigram tokenizer.) The
-- store writes a member's rows in the transaction that writes the member; there are no triggers.
CREATE TABLE member_name_grams (
    gram TEXT NOT NULL,
    member_id BLOB NOT NULL REFERENCES members(id),
    PRIMARY KEY (gram, member_id)
) WITHOUT ROWID;
CREATE INDEX member_name_grams_member ON member_name_grams(member_id);

-- The list's order: by organization, then name, then id (keyset pages walk this index).
CREATE INDEX members_by_org_name ON members(organization_id, name, id);

-- The members already there. (lower() of SQLite's SQL changes ASCII letters only, as the store does.)
WITH RECURSIVE at(member_id, name, i) AS (
    SELECT id, lower(name), 1 FROM members WHERE name <> ''
    UNION ALL
    SELECT member_id, name, i + 1 FROM at WHERE i < length(name)
)
INSERT OR IGNORE INTO member_name_grams (gram, member_id)
SELECT substr(at.name, at.i, w.n), at.member_id
FROM at, (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) w
WHERE at.i + w.n - 1 <= length(at.name);
