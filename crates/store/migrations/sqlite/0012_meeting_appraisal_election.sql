-- A 组织生活会 or 党员大会 may carry the year's 民主评议党员 (held together, or decided there), so the
-- appraisal is entered once; a 党员大会 may hold an election, checked and kept with the record.
ALTER TABLE meetings ADD COLUMN with_appraisal INTEGER NOT NULL DEFAULT 0;
ALTER TABLE meetings ADD COLUMN election_json TEXT;
