-- Placements (编入): besides the branch holding a member's formal relationship (members.organization_id),
-- a member takes part in the organizational life of
--   a 党小组 (party group) of their own branch: at most one, and
--   临时党支部 (temporary branches), keeping the formal relationship at home (regulations.md 1.7a).
-- `kind` is the kind of the organization placed in, kept here so that "at most one party group" is a
-- unique index. The store writes these rows in the transaction that checks the rules and audits.
CREATE TABLE placements (
    member_id BLOB NOT NULL REFERENCES members(id),
    organization_id BLOB NOT NULL REFERENCES organizations(id),
    kind TEXT NOT NULL,
    placed_on TEXT NOT NULL,
    PRIMARY KEY (organization_id, member_id)
) WITHOUT ROWID;
CREATE INDEX placements_member ON placements(member_id, organization_id);
CREATE UNIQUE INDEX placements_one_party_group ON placements(member_id) WHERE kind = 'party_group';
