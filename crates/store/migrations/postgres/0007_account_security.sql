-- Account security: one-time passwords after an administrator's reset (with the notice shown to the
-- owner), the two-person reset of the three security roles, and one account per member.

-- Set by an administrator's reset: the password then only allows setting a new one.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
-- Who reset the password, and when: told to the owner at their next login.
ALTER TABLE users ADD COLUMN password_reset_by TEXT;
ALTER TABLE users ADD COLUMN password_reset_at TIMESTAMPTZ;

-- A member is linked to at most one account. Earlier duplicates keep the oldest link.
UPDATE users SET member_id = NULL
WHERE member_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM users u2 WHERE u2.member_id = users.member_id AND u2.id < users.id);
CREATE UNIQUE INDEX users_one_per_member ON users(member_id);

-- A reset of a security role's password waits here until a holder of another security role approves.
CREATE TABLE password_resets (
    id UUID PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id),
    password_hash TEXT NOT NULL,
    requested_by UUID NOT NULL REFERENCES users(id),
    requested_role TEXT NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    decided_by UUID REFERENCES users(id),
    decided_at TIMESTAMPTZ
);
CREATE INDEX password_resets_status ON password_resets(status, id);
