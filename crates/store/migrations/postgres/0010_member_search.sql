-- Member list and search at scale (issue #10).
--
-- Name search: every substring of one to three characters of each member's name (ASCII letters in
-- lower case) with the member, a B-tree inverted index that answers a query of any length: one, two
-- or three characters by equality, longer ones by the first three and a check of the whole name.
-- (pg_trgm extracts no trigram from a two-character query, and most Chinese names are two or three
-- characters.) The store writes a member's rows in the transaction that writes the member; there
-- are no triggers, and no extension is needed.
CREATE TABLE member_name_grams (
    gram TEXT NOT NULL,
    member_id UUID NOT NULL REFERENCES members(id),
    PRIMARY KEY (gram, member_id)
);
CREATE INDEX member_name_grams_member ON member_name_grams(member_id);

-- The list's order: by organization, then name, then id (keyset pages walk this index).
CREATE INDEX members_by_org_name ON members(organization_id, name, id);

-- The members already there, ASCII letters lowered as the store does.
INSERT INTO member_name_grams (gram, member_id)
SELECT DISTINCT substr(k.name, i, w.n), k.id
FROM (SELECT id, translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS name FROM members) k
CROSS JOIN LATERAL generate_series(1, length(k.name)) AS i
CROSS JOIN (VALUES (1), (2), (3)) AS w(n)
WHERE i + w.n - 1 <= length(k.name);

-- Statistics for the planner now rather than when autovacuum gets to the new table.
ANALYZE member_name_grams;
ANALYZE members;
