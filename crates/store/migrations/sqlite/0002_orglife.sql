-- Organizational life: meeting records (planned and held), attendance, and the problems raised at
-- 组织生活会 that become rectification items.

CREATE TABLE meetings (
    id BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    planned_on TEXT,
    held_on TEXT,
    start_time TEXT NOT NULL DEFAULT '',
    end_time TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    chair TEXT NOT NULL DEFAULT '',
    recorder TEXT NOT NULL DEFAULT '',
    lecturer TEXT NOT NULL DEFAULT '',
    secretary_lecture INTEGER NOT NULL DEFAULT 0,
    topic TEXT NOT NULL,
    agenda_json TEXT NOT NULL DEFAULT '[]',
    first_topic INTEGER NOT NULL DEFAULT 0,
    minutes TEXT NOT NULL DEFAULT '',
    decisions TEXT NOT NULL DEFAULT '',
    quorum_json TEXT,
    votes_json TEXT NOT NULL DEFAULT '[]',
    attachments_json TEXT NOT NULL DEFAULT '[]',
    present INTEGER NOT NULL DEFAULT 0,
    expected INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- Compliance reads "held meetings of these organizations in this date range" and nothing else.
CREATE INDEX meetings_held ON meetings(organization_id, status, held_on, kind, secretary_lecture);
CREATE INDEX meetings_planned ON meetings(organization_id, planned_on);

CREATE TABLE meeting_attendees (
    meeting_id BLOB NOT NULL REFERENCES meetings(id),
    member_id BLOB NOT NULL REFERENCES members(id),
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (meeting_id, member_id)
);
CREATE INDEX meeting_attendees_member ON meeting_attendees(member_id, meeting_id);

CREATE TABLE life_issues (
    id BLOB PRIMARY KEY NOT NULL,
    meeting_id BLOB NOT NULL REFERENCES meetings(id),
    organization_id BLOB NOT NULL REFERENCES organizations(id),
    member_id BLOB REFERENCES members(id),
    raised_by TEXT NOT NULL,
    problem TEXT NOT NULL,
    measure TEXT NOT NULL,
    due_on TEXT,
    status TEXT NOT NULL DEFAULT 'open',
    rectification_id BLOB,
    created_at TEXT NOT NULL
);
CREATE INDEX life_issues_org ON life_issues(organization_id, status);
