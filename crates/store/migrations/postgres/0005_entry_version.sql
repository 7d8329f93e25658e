-- Each appraisal entry carries its own version, so that two people recording different members'
-- entries do not refuse each other, while two saves of the same entry cannot overwrite one another.
ALTER TABLE appraisal_entries ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
