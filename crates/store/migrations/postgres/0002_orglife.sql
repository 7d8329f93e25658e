-- Organizational life: meeting records (planned and held), attendance, and the problems raised at
-- 组织生活会 that become rectification items.

CREATE TABLE meetings (
    id UUID PRIMARY KEY NOT NULL,
    organization_id UUID NOT NULL REFERENCES organizations(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    planned_on DATE,
    held_on DATE,
    start_time TEXT NOT NULL DEFAULT '',
    end_time TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    chair TEXT NOT NULL DEFAULT '',
    recorder TEXT NOT NULL DEFAULT '',
    lecturer TEXT NOT NULL DEFAULT '',
    secretary_lecture BOOLEAN NOT NULL DEFAULT FALSE,
    topic TEXT NOT NULL,
    agenda_json TEXT NOT NULL DEFAULT '[]',
    first_topic BOOLEAN NOT NULL DEFAULT FALSE,
    minutes TEXT NOT NULL DEFAULT '',
    decisions TEXT NOT NULL DEFAULT '',
    quorum_json TEXT,
    votes_json TEXT NOT NULL DEFAULT '[]',
    attachments_json TEXT NOT NULL DEFAULT '[]',
    present BIGINT NOT NULL DEFAULT 0,
    expected BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
-- Compliance reads "held meetings of these organizations in this date range" and nothing else.
CREATE INDEX meetings_held ON meetings(organization_id, status, held_on, kind, secretary_lecture);
CREATE INDEX meetings_planned ON meetings(organization_id, planned_on);

CREATE TABLE meeting_attendees (
    meeting_id UUID NOT NULL REFERENCES meetings(id),
    member_id UUID NOT NULL REFERENCES members(id),
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (meeting_id, member_id)
);
CREATE INDEX meeting_attendees_member ON meeting_attendees(member_id, meeting_id);

CREATE TABLE life_issues (
    id UUID PRIMARY KEY NOT NULL,
    meeting_id UUID NOT NULL REFERENCES meetings(id),
    organization_id UUID NOT NULL REFERENCES organizations(id),
    member_id UUID REFERENCES members(id),
    raised_by TEXT NOT NULL,
    problem TEXT NOT NULL,
    measure TEXT NOT NULL,
    due_on DATE,
    status TEXT NOT NULL DEFAULT 'open',
    rectification_id UUID,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX life_issues_org ON life_issues(organization_id, status);
