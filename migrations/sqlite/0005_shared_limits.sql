-- Limits shared by every instance (issue 15), SQLite: nothing to create. One process owns a
-- SQLite file, so its in-memory request buckets and login throttle are already the only ones;
-- the PostgreSQL migration of the same version adds the tables several instances share. This
-- file keeps the two backends' migration versions in step.
SELECT 1;
