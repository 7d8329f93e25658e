-- 民主评议党员: one appraisal per organization and year, one entry per member.

CREATE TABLE appraisals (
    id UUID PRIMARY KEY NOT NULL,
    organization_id UUID NOT NULL REFERENCES organizations(id),
    year BIGINT NOT NULL,
    status TEXT NOT NULL,
    meeting_id UUID REFERENCES meetings(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (organization_id, year)
);

CREATE TABLE appraisal_entries (
    appraisal_id UUID NOT NULL REFERENCES appraisals(id),
    member_id UUID NOT NULL REFERENCES members(id),
    member_status TEXT NOT NULL,
    self_text TEXT NOT NULL DEFAULT '',
    peer_summary TEXT NOT NULL DEFAULT '',
    votes_excellent BIGINT NOT NULL DEFAULT 0,
    votes_qualified BIGINT NOT NULL DEFAULT 0,
    votes_basic BIGINT NOT NULL DEFAULT 0,
    votes_unqualified BIGINT NOT NULL DEFAULT 0,
    proposed_grade TEXT,
    final_grade TEXT,
    PRIMARY KEY (appraisal_id, member_id)
);
