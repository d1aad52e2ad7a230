-- Write lanes (issue 15), SQLite: nothing to change. SQLite has one writer, so its running
-- totals have one row per key and no lanes; the PostgreSQL migration of the same version lets
-- several batches of writes run at once. This file keeps the two backends' migration versions
-- in step.
SELECT 1;
