-- 民主评议党员: one appraisal per organization and year, one entry per member.

CREATE TABLE appraisals (
    id BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations(id),
    year INTEGER NOT NULL,
    status TEXT NOT NULL,
    meeting_id BLOB REFERENCES meetings(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (organization_id, year)
);

CREATE TABLE appraisal_entries (
    appraisal_id BLOB NOT NULL REFERENCES appraisals(id),
    member_id BLOB NOT NULL REFERENCES members(id),
    member_status TEXT NOT NULL,
    self_text TEXT NOT NULL DEFAULT '',
    peer_summary TEXT NOT NULL DEFAULT '',
    votes_excellent INTEGER NOT NULL DEFAULT 0,
    votes_qualified INTEGER NOT NULL DEFAULT 0,
    votes_basic INTEGER NOT NULL DEFAULT 0,
    votes_unqualified INTEGER NOT NULL DEFAULT 0,
    proposed_grade TEXT,
    final_grade TEXT,
    PRIMARY KEY (appraisal_id, member_id)
);
