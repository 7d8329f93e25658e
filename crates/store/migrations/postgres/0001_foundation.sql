-- Foundation: organizations (closure table), members, accounts, sessions, tokens, audit.
-- PostgreSQL: native UUID, DATE, TIMESTAMPTZ and BOOLEAN columns.

CREATE TABLE organizations (
    id UUID PRIMARY KEY NOT NULL,
    parent_id UUID REFERENCES organizations(id),
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    units_json TEXT NOT NULL DEFAULT '[]',
    established_on DATE,
    term_start DATE,
    term_end DATE,
    status TEXT NOT NULL DEFAULT 'active',
    dissolved_on DATE,
    dissolve_reason TEXT,
    committee_json TEXT NOT NULL DEFAULT '[]',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX organizations_parent ON organizations(parent_id);

CREATE TABLE org_closure (
    ancestor UUID NOT NULL REFERENCES organizations(id),
    descendant UUID NOT NULL REFERENCES organizations(id),
    depth BIGINT NOT NULL,
    PRIMARY KEY (ancestor, descendant)
);
CREATE INDEX org_closure_descendant ON org_closure(descendant, ancestor);

CREATE TABLE members (
    id UUID PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    ethnicity TEXT NOT NULL,
    birth_date DATE NOT NULL,
    id_number TEXT NOT NULL UNIQUE,
    education TEXT NOT NULL,
    occupation TEXT NOT NULL,
    work_unit TEXT NOT NULL,
    post TEXT NOT NULL,
    phone TEXT NOT NULL,
    joined_on DATE NOT NULL,
    converted_on DATE,
    status TEXT NOT NULL,
    organization_id UUID NOT NULL REFERENCES organizations(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX members_org ON members(organization_id, id);
CREATE INDEX members_name ON members(name);
CREATE INDEX members_phone ON members(phone);

CREATE TABLE users (
    id UUID PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    member_id UUID REFERENCES members(id),
    system_role TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE grants (
    id UUID PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    organization_id UUID NOT NULL REFERENCES organizations(id),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, role, organization_id)
);
CREATE INDEX grants_org ON grants(organization_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE audit_log (
    id UUID PRIMARY KEY NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    actor_id UUID,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id UUID,
    organization_id UUID,
    before_json TEXT,
    after_json TEXT,
    ip TEXT
);
CREATE INDEX audit_entity ON audit_log(entity_type, entity_id);
CREATE INDEX audit_actor ON audit_log(actor_id);
