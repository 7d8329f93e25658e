-- The meeting list is read newest meeting first (by the date held, or planned), then by entry.
CREATE INDEX meetings_by_date ON meetings ((COALESCE(held_on, planned_on)), id);
