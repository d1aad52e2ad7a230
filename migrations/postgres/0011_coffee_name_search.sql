-- GET /api/coffees?search= is a case-insensitive substring match of the name, which no b-tree
-- index can serve: every search read every coffee (bench/results/growth.md). A GIN index of
-- the trigrams of lower(name) serves `lower(name) LIKE '%' || x || '%'` (x with \, % and _
-- escaped), the form CoffeeRepository::List and Count use for a search of 3 or more
-- characters; a shorter search keeps strpos, as a trigram index cannot narrow it.
-- pg_trgm ships with PostgreSQL (Debian's postgresql-15, the official postgres images) and is
-- a trusted extension since PostgreSQL 13: the database owner may create it, no superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX coffees_name_trgm_idx ON coffees USING gin (lower(name) gin_trgm_ops);
