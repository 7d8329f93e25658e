-- Change log of what organizational-life compliance is computed from: an organization's own fields
-- (kind, committee, parent, status) and its held meetings. The server keeps compliance inputs in
-- memory and reads only the organizations changed since the generation it holds.
--
-- Every write transaction that changes such an input takes the next generation from the single row
-- of life_generation. The row lock orders generations by commit, so a reader that has seen
-- generation N has seen every generation below it.

CREATE TABLE life_generation (
    id INTEGER PRIMARY KEY NOT NULL,
    n INTEGER NOT NULL
);
INSERT INTO life_generation (id, n) VALUES (1, 0);

CREATE TABLE life_changes (
    generation INTEGER NOT NULL,
    organization_id BLOB NOT NULL,
    PRIMARY KEY (generation, organization_id)
) WITHOUT ROWID;
