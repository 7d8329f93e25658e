-- Recruitment cases (发展党员): one person's way from the application to full membership through the 25
-- steps (regulations.md §4). The person is usually not a member yet, so the case keeps the fields the
-- member record will need on admission; the ID number and phone are sealed like members' when a data key
-- is configured. `stage`, `next_step`, `next_earliest` and `next_deadline` are what the rules said at the
-- last write, kept for the lists (overdue first) so that a list needs no rule run per row.
CREATE TABLE recruitment_cases (
    id BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    id_number TEXT NOT NULL,
    id_number_hash TEXT,
    phone TEXT NOT NULL,
    person_json TEXT NOT NULL,
    status TEXT NOT NULL,
    stage TEXT NOT NULL,
    next_step INTEGER,
    next_earliest TEXT,
    next_deadline TEXT,
    member_id BLOB REFERENCES members(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX recruitment_cases_org ON recruitment_cases(organization_id, status, stage, next_deadline);
CREATE INDEX recruitment_cases_deadline ON recruitment_cases(status, next_deadline);

-- What was recorded in a case: a step (with its date, the 公示 start, people, documents, vote), an
-- extension of the probation (months, meeting date, approval date) or a cancellation. A step is recorded
-- once per case.
CREATE TABLE recruitment_records (
    id BLOB PRIMARY KEY NOT NULL,
    case_id BLOB NOT NULL REFERENCES recruitment_cases(id),
    kind TEXT NOT NULL,
    step INTEGER,
    done_on TEXT NOT NULL,
    notice_start TEXT,
    approved_on TEXT,
    months INTEGER,
    detail_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX recruitment_records_case ON recruitment_records(case_id, done_on);
CREATE UNIQUE INDEX recruitment_records_step ON recruitment_records(case_id, step) WHERE kind = 'step';
