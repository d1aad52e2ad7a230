#!/usr/bin/env bash
# seed_data.sql and scripts/seed_production.sh against PostgreSQL:
# - the committed seed_data.sql is exactly what `coffee-api seed --sql` prints (one source);
# - loaded twice with the guide's `psql $DATABASE_URL < seed_data.sql`, the second run changes
#   nothing (rows, timestamps and identity sequences alike);
# - it loads the same rows as `coffee-api seed` (timestamps aside; rules valid for 365 days);
# - seed_production.sh refuses without DATABASE_URL, with an SQLite URL and on an unmigrated
#   database, never creates accounts, and reports 0 created on a second run.
# Usage: seed_sql.sh PATH/TO/coffee-api SOURCE_DIR
set -euo pipefail
bin=$1
src=$2
: "${COFFEE_TEST_PG_ADMIN_URL:?needs COFFEE_TEST_PG_ADMIN_URL (make test sets it)}"
work=$(mktemp -d)
databases=()
cleanup() {
  for db in "${databases[@]}"; do
    psql -q "$COFFEE_TEST_PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# A fresh database; prints its URL.
new_database() {
  local name="coffee_seed_$$_${RANDOM}_$1"
  psql -q "$COFFEE_TEST_PG_ADMIN_URL" -c "CREATE DATABASE $name" >/dev/null
  databases+=("$name")
  echo "${COFFEE_TEST_PG_ADMIN_URL%/*}/$name"
}
q() { psql "$1" -X -At -v ON_ERROR_STOP=1 -c "$2"; }
# Every seeded table, whole rows, and the identity sequences.
full_snapshot() {
  local url=$1
  for table in coffees coffee_availability prep_time_config pricing_rules loyalty_config \
    pricing_settings prep_time_settings users; do
    q "$url" "SELECT '$table', coalesce(json_agg(t ORDER BY t::text), '[]') FROM $table t"
  done
  q "$url" "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
}
# The seeded content without the moment it was seeded.
content_snapshot() {
  local url=$1
  q "$url" "SELECT json_agg(json_build_array(id, name, coffee_type, price_cents, rating, image_url) ORDER BY id) FROM coffees"
  q "$url" "SELECT json_agg(json_build_array(coffee_id, status, reason, available_from, available_until) ORDER BY coffee_id) FROM coffee_availability"
  q "$url" "SELECT json_agg(json_build_array(coffee_id, base_minutes, per_additional_item) ORDER BY coffee_id) FROM prep_time_config"
  q "$url" "SELECT json_agg(json_build_array(rule_id, rule_type, description, discount_type,
              discount_value_hundredths, priority, is_active, coffee_ids, time_ranges, days_of_week,
              min_quantity, valid_until - valid_from, valid_from > now() - interval '1 hour')
            ORDER BY rule_id) FROM pricing_rules"
  q "$url" "SELECT json_agg(json_build_array(id, points_per_dollar_ten_thousandths, bonus_multipliers)) FROM loyalty_config"
}

export JWT_SECRET="seed-test-secret-0123456789-0123456789"

# 1. One source: the committed file is the generator's output.
"$bin" seed --sql >"$work/generated.sql" || fail "coffee-api seed --sql"
diff -u "$src/seed_data.sql" "$work/generated.sql" >"$work/drift.diff" \
  || fail "seed_data.sql differs from \`coffee-api seed --sql\` (regenerate it: coffee-api seed --sql > seed_data.sql):
$(head -40 "$work/drift.diff")"
grep -qi "INSERT INTO users" "$work/generated.sql" && fail "seed_data.sql touches users (demo accounts are never in it)"

# 2. The guide's psql load, twice.
export DATABASE_URL
DATABASE_URL=$(new_database sql)
"$bin" migrate run >/dev/null || fail "migrate run"
psql "$DATABASE_URL" <"$src/seed_data.sql" >"$work/first.out" 2>&1 || fail "first load: $(cat "$work/first.out")"
grep -q "ERROR" "$work/first.out" && fail "first load: $(cat "$work/first.out")"
full_snapshot "$DATABASE_URL" >"$work/after_first.txt"
psql "$DATABASE_URL" <"$src/seed_data.sql" >"$work/second.out" 2>&1 || fail "second load: $(cat "$work/second.out")"
grep -q "INSERT 0 0" "$work/second.out" || fail "second load output: $(cat "$work/second.out")"
grep -qE "INSERT 0 [1-9]" "$work/second.out" && fail "the second load inserted rows: $(cat "$work/second.out")"
full_snapshot "$DATABASE_URL" >"$work/after_second.txt"
diff -u "$work/after_first.txt" "$work/after_second.txt" || fail "loading seed_data.sql twice changed the database"
# The guide's verification SELECTs return what an operator expects.
[ "$(q "$DATABASE_URL" "SELECT count(*) FROM coffees")" = 12 ] || fail "12 coffees"
[ "$(q "$DATABASE_URL" "SELECT count(*) FROM coffee_availability WHERE status = 'available'")" = 12 ] || fail "availability"
[ "$(q "$DATABASE_URL" "SELECT count(*) FROM prep_time_config")" = 12 ] || fail "prep times"
[ "$(q "$DATABASE_URL" "SELECT count(*) FROM loyalty_config")" = 1 ] || fail "loyalty_config"
[ "$(q "$DATABASE_URL" "SELECT count(*) FROM users")" = 0 ] || fail "seed_data.sql created accounts"
content_snapshot "$DATABASE_URL" >"$work/sql_content.txt"

# 3. The same rows as `coffee-api seed`.
DATABASE_URL=$(new_database cli)
"$bin" seed >/dev/null || fail "coffee-api seed"
content_snapshot "$DATABASE_URL" >"$work/cli_content.txt"
diff -u "$work/cli_content.txt" "$work/sql_content.txt" || fail "seed_data.sql and coffee-api seed load different rows"
grep -q '"365 days"\|365 days' "$work/cli_content.txt" || fail "rules are not valid for 365 days: $(cat "$work/cli_content.txt")"

# 4. seed_production.sh.
script="$src/scripts/seed_production.sh"
if out=$(env -u DATABASE_URL "$script" 2>&1); then fail "seed_production.sh ran without DATABASE_URL"; fi
grep -q "DATABASE_URL is not set" <<<"$out" || fail "no-DATABASE_URL message: $out"
if out=$(DATABASE_URL="sqlite://data/coffee.db" "$script" 2>&1); then fail "seed_production.sh took an SQLite URL"; fi
grep -q "coffee-api seed" <<<"$out" || fail "SQLite message: $out"
DATABASE_URL=$(new_database script)
if out=$("$script" 2>&1); then fail "seed_production.sh seeded a database without the schema"; fi
grep -q "run the migrations first" <<<"$out" || fail "unmigrated message: $out"
"$bin" migrate run >/dev/null
out=$("$script") || fail "seed_production.sh: $out"
[ "$out" = "Seed complete: 12 coffees, 12 availability rows, 12 prep times, 2 pricing rules created (no demo accounts)" ] \
  || fail "first seed_production.sh: $out"
out=$("$script") || fail "seed_production.sh (second run): $out"
[ "$out" = "Seed complete: 0 coffees, 0 availability rows, 0 prep times, 0 pricing rules created (no demo accounts)" ] \
  || fail "second seed_production.sh: $out"
[ "$(q "$DATABASE_URL" "SELECT count(*) FROM users")" = 0 ] || fail "seed_production.sh created accounts"
content_snapshot "$DATABASE_URL" >"$work/script_content.txt"
diff -u "$work/cli_content.txt" "$work/script_content.txt" || fail "seed_production.sh loads other rows than coffee-api seed"
echo "seed_data.sql OK"
