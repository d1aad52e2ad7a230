-- Run once, on the first boot of an empty volume (official postgres image contract): the
-- deployment guide's slow-query check reads pg_stat_statements. The library itself is
-- preloaded by the compose file's `postgres -c shared_preload_libraries=pg_stat_statements`.
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
