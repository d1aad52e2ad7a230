#!/usr/bin/env bash
# Seeds the PostgreSQL database in DATABASE_URL with the catalog and the default business rules
# (seed_data.sql: what `coffee-api seed` loads, never demo accounts). Idempotent: rows that
# exist are left alone. Needs psql and a migrated schema.
#   DATABASE_URL=postgresql://user:pass@host:5432/db ./scripts/seed_production.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sql="$root/seed_data.sql"

if [ -z "${DATABASE_URL:-}" ]; then
  echo "seed_production.sh: DATABASE_URL is not set; refusing to guess a database." >&2
  echo "  export DATABASE_URL=postgresql://user:password@host:5432/database (or: set -a; . ./.env; set +a)" >&2
  exit 2
fi
case "$DATABASE_URL" in
  postgresql://* | postgres://*) ;;
  *)
    echo "seed_production.sh: DATABASE_URL must be a postgresql:// URL; for SQLite run \`coffee-api seed\`." >&2
    exit 2
    ;;
esac
command -v psql >/dev/null || { echo "seed_production.sh: psql not found (apt-get install postgresql-client)" >&2; exit 2; }

psql=(psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 --no-psqlrc)
if [ "$("${psql[@]}" -Atc "SELECT to_regclass('public.coffees') IS NOT NULL AND to_regclass('public.pricing_rules') IS NOT NULL")" != t ]; then
  echo "seed_production.sh: the schema is missing; run the migrations first (sqlx migrate run, or coffee-api migrate run)." >&2
  exit 1
fi
count() { "${psql[@]}" -Atc "SELECT (SELECT count(*) FROM coffees), (SELECT count(*) FROM coffee_availability), (SELECT count(*) FROM prep_time_config), (SELECT count(*) FROM pricing_rules)"; }
before=$(count)
"${psql[@]}" -f "$sql" >/dev/null
after=$(count)
IFS='|' read -r c0 a0 p0 r0 <<<"$before"
IFS='|' read -r c1 a1 p1 r1 <<<"$after"
echo "Seed complete: $((c1 - c0)) coffees, $((a1 - a0)) availability rows, $((p1 - p0)) prep times, $((r1 - r0)) pricing rules created (no demo accounts)"
