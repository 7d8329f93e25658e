-- Recruitment cases (发展党员): one person's way from the application to full membership through the 25
-- steps (regulations.md §4). The person is usually not a member yet, so the case keeps the fields the
-- member record will need on admission; the ID number and phone are sealed like members' when a data key
-- is configured. `stage`, `next_step`, `next_earliest` and `next_deadline` are what the rules said at the
-- last write, kept for the lists (overdue first) so that a list needs no rule run per row.
CREATE TABLE recruitment_cases (
    id UUID PRIMARY KEY NOT NULL,
    organization_id UUID NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    birth_date DATE NOT NULL,
    id_number TEXT NOT NULL,
    id_number_hash TEXT,
    phone TEXT NOT NULL,
    person_json TEXT NOT NULL,
    status TEXT NOT NULL,
    stage TEXT NOT NULL,
    next_step BIGINT,
    next_earliest DATE,
    next_deadline DATE,
    member_id UUID REFERENCES members(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX recruitment_cases_org ON recruitment_cases(organization_id, status, stage, next_deadline);
CREATE INDEX recruitment_cases_deadline ON recruitment_cases(status, next_deadline);

-- What was recorded in a case: a step (with its date, the 公示 start, people, documents, vote), an
-- extension of the probation (months, meeting date, approval date) or a cancellation. A step is recorded
-- once per case.
CREATE TABLE recruitment_records (
    id UUID PRIMARY KEY NOT NULL,
    case_id UUID NOT NULL REFERENCES recruitment_cases(id),
    kind TEXT NOT NULL,
    step BIGINT,
    done_on DATE NOT NULL,
    notice_start DATE,
    approved_on DATE,
    months BIGINT,
    detail_json TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX recruitment_records_case ON recruitment_records(case_id, done_on);
CREATE UNIQUE INDEX recruitment_records_step ON recruitment_records(case_id, step) WHERE kind = 'step';
