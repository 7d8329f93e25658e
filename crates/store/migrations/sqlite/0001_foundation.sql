-- Foundation: organizations (closure table), members, accounts, sessions, tokens, audit.
-- SQLite: UUIDs as 16-byte BLOBs, dates and timestamps as ISO text, booleans as integers.

CREATE TABLE organizations (
    id BLOB PRIMARY KEY NOT NULL,
    parent_id BLOB REFERENCES organizations(id),
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    units_json TEXT NOT NULL DEFAULT '[]',
    established_on TEXT,
    term_start TEXT,
    term_end TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    dissolved_on TEXT,
    dissolve_reason TEXT,
    committee_json TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX organizations_parent ON organizations(parent_id);

CREATE TABLE org_closure (
    ancestor BLOB NOT NULL REFERENCES organizations(id),
    descendant BLOB NOT NULL REFERENCES organizations(id),
    depth INTEGER NOT NULL,
    PRIMARY KEY (ancestor, descendant)
);
CREATE INDEX org_closure_descendant ON org_closure(descendant, ancestor);

CREATE TABLE members (
    id BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    ethnicity TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    id_number TEXT NOT NULL UNIQUE,
    education TEXT NOT NULL,
    occupation TEXT NOT NULL,
    work_unit TEXT NOT NULL,
    post TEXT NOT NULL,
    phone TEXT NOT NULL,
    joined_on TEXT NOT NULL,
    converted_on TEXT,
    status TEXT NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX members_org ON members(organization_id, id);
CREATE INDEX members_name ON members(name);
CREATE INDEX members_phone ON members(phone);

CREATE TABLE users (
    id BLOB PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    member_id BLOB REFERENCES members(id),
    system_role TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE grants (
    id BLOB PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations(id),
    created_at TEXT NOT NULL,
    UNIQUE (user_id, role, organization_id)
);
CREATE INDEX grants_org ON grants(organization_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id BLOB PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE audit_log (
    id BLOB PRIMARY KEY NOT NULL,
    at TEXT NOT NULL,
    actor_id BLOB,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id BLOB,
    organization_id BLOB,
    before_json TEXT,
    after_json TEXT,
    ip TEXT
);
CREATE INDEX audit_entity ON audit_log(entity_type, entity_id);
CREATE INDEX audit_actor ON audit_log(actor_id);
