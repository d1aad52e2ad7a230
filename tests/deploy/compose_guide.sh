#!/usr/bin/env bash
# The deployment guide (shared/seed/deployment-guide.md) run against the docker-compose
# deployment, command by command as the guide writes them and in its order, from an empty
# database volume; then backup, restore into a fresh volume, restart and rollback; then the
# .deb installed into a container and served from it. docs/DEPLOYMENT.md describes each step.
#
# Usage: compose_guide.sh SOURCE_DIR
# Exit 77 (skipped) only where Docker cannot run here: not root, the engine packages missing,
# or dockerd does not start. Caches (base image tarball, engine data root with the build
# cache) live in $COFFEE_DEPLOY_CACHE (default /var/cache/coffee-api-tests).
set -euo pipefail
src=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
cache=${COFFEE_DEPLOY_CACHE:-/var/cache/coffee-api-tests}
work=""
app=""
passed=0
exec 3>&1

note() { printf '[%4ds] %s\n' "$SECONDS" "$*" >&3; }
skip() {
  echo "SKIPPED: $*" >&3
  exit 77
}
fail() {
  echo "FAIL: $*" >&2
  if [ -n "$app" ] && [ -n "${dockerd_pid:-}" ]; then
    echo "--- docker-compose ps ---" >&2
    (cd "$app" && docker-compose ps) >&2 2>&1 || true
    echo "--- docker-compose logs (last lines) ---" >&2
    (cd "$app" && docker-compose logs --tail=60) >&2 2>&1 || true
  fi
  if [ -n "$work" ] && [ -s "$work/stderr.log" ]; then
    echo "--- stderr of the guide's commands (last lines) ---" >&2
    tail -30 "$work/stderr.log" >&2
  fi
  exit 1
}
# Runs one command of the guide as written (printed first); its stderr goes to a log.
guide() {
  printf '$ %s\n' "$1" >&3
  eval "$1" 2>>"$work/stderr.log"
}
# The same for `docker-compose exec` without -T, which wants a terminal: `script` gives it one,
# large enough that psql never starts a pager (which would wait for a key). Carriage returns
# are dropped from the output; a command that hangs fails after 3 minutes.
# docker-compose 1.29's terminal handling (dockerpty) now and then ends an `exec` that ran fine
# with a non-zero status and a stray NUL byte; such a run is retried once, and logged.
guide_tty() {
  printf '$ %s\n' "$1" >&3
  local out status
  for attempt in 1 2; do
    out=$(
      timeout 180 script -qefc "stty rows 10000 cols 10000 2>/dev/null; $1" /dev/null \
        </dev/null 2>>"$work/stderr.log" | tr -d '\r'
      exit "${PIPESTATUS[0]}"
    )
    status=$?
    [ "$status" = 0 ] && break
    printf '  (attempt %s exited %s)\n' "$attempt" "$status" >&3
  done
  printf '%s\n' "$out"
  return "$status"
}
port_busy() { [ -n "$(ss -Hltn "sport = :$1")" ]; }
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 11000)) # below the ephemeral range (32768+)
    port_busy "$port" || {
      echo "$port"
      return
    }
  done
  fail "no free port found"
}
wait_ready() {
  for _ in $(seq 1 240); do
    curl -fs http://localhost:8080/readyz >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  fail "the backend did not answer /readyz on port 8080 within 120 s"
}
wait_db() {
  for _ in $(seq 1 240); do
    pg_isready -q -h 127.0.0.1 -p "$DB_PORT" && return 0
    sleep 0.5
  done
  fail "PostgreSQL did not accept TCP connections on 127.0.0.1:$DB_PORT within 120 s"
}
# Sets KEY=VALUE in .env and in this shell (as an operator editing .env and re-exporting it).
set_env() {
  if grep -q "^$1=" .env; then sed -i "s|^$1=.*|$1=$2|" .env; else echo "$1=$2" >>.env; fi
  export "$1=$2"
}
sql() { psql "$DATABASE_URL" -X -At -v ON_ERROR_STOP=1 -c "$1"; }
# A data-only dump without the lines that differ between two dumps of equal data (comments,
# settings, and the random key of pg_dump's \restrict guard).
data_dump() {
  pg_dump --data-only "$DATABASE_URL" \
    | grep -v -e '^--' -e '^SET ' -e '^SELECT pg_catalog.set_config' -e '^\\restrict ' -e '^\\unrestrict '
}

# ---------------------------------------------------------------- can Docker run here?
[ "$(id -u)" = 0 ] || skip "needs root: it runs its own dockerd and debootstrap"
for tool in dockerd /usr/bin/docker docker-compose debootstrap; do
  command -v "$tool" >/dev/null || skip "$tool is missing (scripts/install-deps test installs docker.io, docker-compose and debootstrap)"
done
for tool in curl jq psql pg_dump pg_isready git script ss flock dpkg-deb systemd-analyze; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps test)"
done
# docker-compose builds through the `docker` first on PATH. Debian's client (the release of
# dockerd) goes first, so that compose and this script build with one client: a newer client
# packs the build context differently and no layer would be shared between their builds.
export PATH="/usr/bin:$PATH"
# shellcheck source=tests/deploy/docker_env.sh
. "$here/docker_env.sh"

mkdir -p "$cache"
exec 9>"$cache/lock"
if ! flock -n 9; then
  note "waiting for another deployment test on this machine (it holds $cache/lock)"
  flock -w 3000 9 || fail "another deployment test held $cache/lock for 50 minutes"
fi
port_busy 8080 && fail "port 8080 is in use, and the guide's curl commands need it: stop what listens there (ss -ltnp 'sport = :8080')"

work=$(mktemp -d /tmp/coffee-deploy.XXXXXX)
cleanup() {
  set +e
  if [ -n "$dockerd_pid" ]; then
    [ -n "$app" ] && (cd "$app" && docker-compose down -v --remove-orphans) >/dev/null 2>&1
    docker rm -f -v coffee-deb-test >/dev/null 2>&1
    # Untagged images are earlier builds, but after a failed build they are also the layers
    # it made (the build cache of the next run): prune only after a success.
    [ "$passed" = 1 ] && docker image prune -f >/dev/null 2>&1
  fi
  stop_dockerd
  rm -rf "$work"
  note "done"
}
trap cleanup EXIT

note "starting a private dockerd (no bridge, no iptables; data root $cache/docker)"
if ! start_dockerd; then
  tail -20 "$work/dockerd.log" >&3
  skip "dockerd does not start on this machine (log above)"
fi
remove_leftovers
ensure_base_image

# ---------------------------------------------------------------- the checkout to deploy
# A fresh repository holding the worktree's files (committed or not), tagged v1: the
# "previous tag" that the rollback goes back to.
app="$work/app"
mkdir -p "$app"
(cd "$src" && git ls-files -z --cached --others --exclude-standard) \
  | (cd "$src" && while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done) \
  | tar -C "$src" --null -T - -cf - | tar -C "$app" -xf -
cd "$app"
git_c() { git -c user.name="deploy test" -c user.email=deploy-test@localhost "$@"; }
git init -q && git_c add -A && git_c commit -qm "release v1" && git tag v1
# This machine reaches the npm registry through a TLS-intercepting egress proxy whose CA the
# host trusts: give it to the image build the way docs/DEPLOYMENT.md tells an operator to.
for ca in /usr/local/share/ca-certificates/*.crt; do
  [ -e "$ca" ] && cp "$ca" deploy/docker/ca-certificates/
done

cp .env.example .env
set_env POSTGRES_PASSWORD "$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
set_env JWT_SECRET "$(head -c 48 /dev/urandom | base64 -w0)"
set_env APP_ENV test                      # staging: the demo accounts are allowed
set_env DB_PORT "$(free_port)"            # never collide with a local PostgreSQL
set_env RATE_LIMIT_AUTH_PER_MINUTE 600    # this run logs in more often than 5 times a minute
set -a
# shellcheck disable=SC1091
. ./.env
set +a
export COMPOSE_FILE=deploy/docker-compose.hostnet.yml

# The default compose file is valid and refuses to run without JWT_SECRET.
docker-compose -f docker-compose.yml config -q || fail "docker-compose.yml is not valid"
: >"$work/empty.env"
if out=$(env -u JWT_SECRET docker-compose --env-file "$work/empty.env" -f docker-compose.yml config 2>&1); then
  fail "docker-compose.yml accepted a missing JWT_SECRET"
fi
grep -q "set JWT_SECRET" <<<"$out" || fail "missing JWT_SECRET message: $out"

# ---------------------------------------------------------------- step 0: start the stack
note "step 0: docker-compose up -d --build (builds the db stand-in and the backend image)"
t0=$SECONDS
guide 'docker-compose up -d --build' >"$work/up.log" 2>&1 || fail "docker-compose up -d --build: $(tail -40 "$work/up.log")"
wait_ready
note "stack up in $((SECONDS - t0)) s"

# ---------------------------------------------------------------- 1. database migration
note "guide 1: database migration"
guide_tty 'docker-compose exec backend sqlx migrate run' >"$work/migrate.out" \
  || fail "sqlx migrate run: $(cat "$work/migrate.out")"
grep -q "Migrations completed successfully" "$work/migrate.out" || fail "migrate run: $(cat "$work/migrate.out")"
# "Or directly with sqlx-cli": the image's sqlx takes the same flag.
guide 'docker-compose exec -T backend sqlx migrate run --database-url $DATABASE_URL' >/dev/null \
  || fail "sqlx migrate run --database-url"
info=$(guide_tty 'docker-compose exec backend sqlx migrate info') || fail "sqlx migrate info: $info"
echo "$info" >&3
[ "$(grep -cE '^[0-9]+ +applied ' <<<"$info")" = "$(ls migrations/postgres/*.sql | wc -l)" ] \
  || fail "migrate info does not list every migration as applied"
! grep -qE 'pending|CHANGED' <<<"$info" || fail "migrate info: $info"

# ---------------------------------------------------------------- 2. seed initial data
note "guide 2: seed initial data"
guide 'docker-compose exec -T backend psql $DATABASE_URL < seed_data.sql' >"$work/seed.out" \
  || fail "psql < seed_data.sql: $(cat "$work/seed.out")"
[ "$(sql 'SELECT count(*) FROM coffees')" = 12 ] || fail "seed_data.sql did not load 12 coffees"
seeded=$(guide './scripts/seed_production.sh') || fail "seed_production.sh: $seeded"
[ "$seeded" = "Seed complete: 0 coffees, 0 availability rows, 0 prep times, 0 pricing rules created (no demo accounts)" ] \
  || fail "seed_production.sh after seed_data.sql changed something: $seeded"
# Staging only (APP_ENV is not production): the guide's test user.
demo=$(guide_tty 'docker-compose exec backend coffee-api seed --demo') || fail "seed --demo: $demo"
grep -q "Seed complete: 0 coffees, 0 availability rows, 0 prep times, 0 pricing rules, 3 demo accounts created" <<<"$demo" \
  || fail "seed --demo: $demo"
# Verify seed data (the guide's SELECTs).
loyalty=$(guide 'psql $DATABASE_URL -At -c "SELECT * FROM loyalty_config;"')
[ "$(wc -l <<<"$loyalty")" = 1 ] && grep -q '^1|10000|{}|' <<<"$loyalty" || fail "loyalty_config: $loyalty"
prep=$(guide 'psql $DATABASE_URL -At -c "SELECT * FROM prep_time_config;"')
[ "$(wc -l <<<"$prep")" = 12 ] || fail "prep_time_config: $prep"
avail=$(guide 'psql $DATABASE_URL -At -c "SELECT * FROM coffee_availability;"')
[ "$(grep -c '|available|' <<<"$avail")" = 12 ] || fail "coffee_availability: $avail"
# The backend started before the seed: it reads the new rules within CACHE_TTL, or now after
# a restart (the guide's own remedy under "Rules Not Applying").
guide 'docker-compose restart backend' >/dev/null
wait_ready

# ---------------------------------------------------------------- 3. build and deploy
note "guide 3: build and deploy"
guide 'docker-compose build backend' >"$work/build.log" 2>&1 || fail "build: $(tail -30 "$work/build.log")"
guide 'docker-compose up -d backend' >/dev/null 2>&1 || fail "docker-compose up -d backend"
wait_ready
guide 'timeout -s INT 5 docker-compose logs -f backend' >"$work/logs.txt" || [ $? = 124 ] || fail "logs -f"
start=$(grep -n "INFO Coffee API - Starting..." "$work/logs.txt" | tail -1 | cut -d: -f1)
[ -n "$start" ] || fail "no startup line in the logs"
line=$start
for msg in "INFO Coffee API - Starting..." "INFO Connecting to database..." \
  "INFO Running database migrations..." "INFO Migrations completed successfully" \
  "INFO Initializing authentication service..." "INFO Initializing business rules engine..." \
  "INFO Warming business rules cache..." "INFO Business rules cache warmed successfully" \
  "INFO Business rules engine initialized" "INFO Starting server on 0.0.0.0:8080" \
  "INFO Coffee API is running on http://0.0.0.0:8080"; do
  found=$(tail -n +"$line" "$work/logs.txt" | grep -n -m1 -F "$msg" | cut -d: -f1 || true)
  [ -n "$found" ] || fail "startup line missing or out of order: $msg"
  line=$((line + found - 1))
done
# The image's binary allocates with jemalloc (COFFEE_JEMALLOC; bench/results/soak.md says why).
grep -q "INFO Memory allocator: jemalloc " "$work/logs.txt" \
  || fail "the server in the image does not allocate with jemalloc: $(grep -F 'Memory allocator' "$work/logs.txt")"

# ---------------------------------------------------------------- 4. verify deployment
note "guide 4: verify deployment"
coffees=$(guide 'curl http://localhost:8080/api/coffees')
jq -e 'length == 10 and .[0].name == "Espresso"' <<<"$coffees" >/dev/null || fail "coffees: $coffees"
metrics=$(guide 'curl http://localhost:8080/api/business-rules/metrics')
jq -e '.cache.hit_rate and (.pricing.slow_operations | type) == "number"' <<<"$metrics" >/dev/null \
  || fail "metrics: $metrics"
availability=$(guide 'curl http://localhost:8080/api/business-rules/availability/1')
jq -e '.status == "available" and .available_now == true' <<<"$availability" >/dev/null \
  || fail "availability: $availability"
pricing=$(guide 'curl http://localhost:8080/api/business-rules/pricing')
jq -e 'length == 2 and .[0].description == "10% off orders of 3 or more items"' <<<"$pricing" >/dev/null \
  || fail "pricing: $pricing"
loyalty=$(guide 'curl http://localhost:8080/api/business-rules/loyalty-config')
jq -e '.points_per_dollar == 1' <<<"$loyalty" >/dev/null || fail "loyalty-config: $loyalty"
# The image embeds the interactive API documentation (fetched as the lockfile pins it).
swagger=$(curl -fsS http://localhost:8080/swagger-ui/) || fail "the image serves no /swagger-ui/"
grep -q 'swagger-ui-bundle.js' <<<"$swagger" || fail "/swagger-ui/ is not swagger-ui: $swagger"
[ "$(curl -s -o /dev/null -w '%{http_code}' http://localhost:8080/swagger-ui/swagger-ui-bundle.js)" = 200 ] \
  || fail "/swagger-ui/swagger-ui-bundle.js is not served by the image"
# shellcheck disable=SC2016
guide 'TOKEN=$(curl -X POST http://localhost:8080/api/auth/login \
  -H "Content-Type: application/json" \
  -d '"'"'{"email":"test@example.com","password":"password"}'"'"' \
  | jq -r '"'"'.access_token'"'"')'
[ -n "$TOKEN" ] && [ "$TOKEN" != null ] || fail "login as test@example.com"
# shellcheck disable=SC2016
order=$(guide 'curl -X POST http://localhost:8080/api/orders \
  -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" \
  -d '"'"'{
    "items": [
      {"coffee_item_id": 1, "quantity": 2}
    ]
  }'"'"'')
# Created; availability validated; pricing applied (total = base − discounts, whatever the
# hour); prep time estimated: Espresso 2 min + 1 per extra cup, empty queue.
jq -e '.status == "pending" and .base_price == "7.00" and (.items | length) == 1
       and (((.base_price | tonumber) - (.discount_total | tonumber) - (.total_price | tonumber)) | fabs) < 0.001
       and .estimated_prep_minutes == 3' <<<"$order" >/dev/null || fail "order: $order"
order_id=$(jq -r .id <<<"$order")
three=$(curl -s -X POST http://localhost:8080/api/orders -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" -d '{"items":[{"coffee_item_id":1,"quantity":3}]}')
jq -e '[.applied_rules[].rule_id] | index(1) != null' <<<"$three" >/dev/null \
  || fail "the quantity rule did not apply to 3 items: $three"

# ---------------------------------------------------------------- 5. monitor performance
note "guide 5: monitor performance"
guide 'curl http://localhost:8080/api/business-rules/metrics | jq' >"$work/metrics.json"
jq -e '.pricing.calculations >= 2 and .availability.checks >= 2 and .prep_time.estimates >= 2' \
  "$work/metrics.json" >/dev/null || fail "metrics after orders: $(cat "$work/metrics.json")"
# A healthy deployment: nothing slow, no error, no warning.
for word in Slow ERROR WARN; do
  hits=$(guide "docker-compose logs backend | grep \"$word\"" || true)
  [ -z "$hits" ] || fail "a healthy deployment logged $word: $hits"
done
# A slow operation is found by the guide's grep: with SLOW_OPERATION_MS=0 every one is slow.
set_env SLOW_OPERATION_MS 0
docker-compose up -d backend >/dev/null 2>&1 && wait_ready
TOKEN=$(curl -s -X POST http://localhost:8080/api/auth/login -H "Content-Type: application/json" \
  -d '{"email":"test@example.com","password":"password"}' | jq -r .access_token)
curl -fs -X POST http://localhost:8080/api/orders -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" -d '{"items":[{"coffee_item_id":2,"quantity":1}]}' >/dev/null \
  || fail "order with SLOW_OPERATION_MS=0"
slow=$(guide 'docker-compose logs backend | grep "Slow"' || true)
grep -q "WARN Slow pricing calculation: " <<<"$slow" || fail "grep Slow found: $slow"
warn=$(guide 'docker-compose logs backend | grep "WARN"' || true)
grep -q "Slow availability check" <<<"$warn" || fail "grep WARN found: $warn"
set_env SLOW_OPERATION_MS 100
docker-compose up -d backend >/dev/null 2>&1 && wait_ready
# A database error is found by the guide's grep ERROR.
docker-compose stop db >/dev/null 2>&1
status=$(curl -s -o /dev/null -w '%{http_code}' http://localhost:8080/api/coffees)
[ "$status" = 503 ] || fail "GET /api/coffees with the database stopped: $status"
errors=$(guide 'docker-compose logs backend | grep "ERROR"' || true)
grep -q "ERROR request .*database unavailable" <<<"$errors" || fail "grep ERROR found: $errors"
docker-compose start db >/dev/null 2>&1
wait_db
for _ in $(seq 1 60); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' http://localhost:8080/api/coffees)" = 200 ] && break
  sleep 0.5
done
[ "$(curl -s -o /dev/null -w '%{http_code}' http://localhost:8080/api/coffees)" = 200 ] \
  || fail "the backend did not recover after the database came back"

# ---------------------------------------------------------------- troubleshooting, SQL
note "guide: performance tuning, monitoring and troubleshooting queries"
# `expect TEXT OUTPUT WHAT`: OUTPUT (captured whole, so no writer dies of SIGPIPE) has TEXT.
expect() { grep -qF -- "$1" <<<"$2" || fail "$3: $2"; }
out=$(guide_tty 'docker-compose exec backend psql $DATABASE_URL -c "SELECT 1"') || fail "psql SELECT 1: $out"
expect "(1 row)" "$out" "psql SELECT 1"
out=$(guide_tty 'docker-compose exec backend psql $DATABASE_URL -c "\dt"') || fail "psql \\dt: $out"
expect "pricing_rules" "$out" "psql \\dt"
out=$(guide_tty 'docker-compose exec backend psql $DATABASE_URL -c "SELECT * FROM loyalty_config"') \
  || fail "psql loyalty_config: $out"
expect "(1 row)" "$out" "psql loyalty_config"
# The guide's pg_stat_statements columns predate PostgreSQL 13 ...
if out=$(guide 'docker-compose exec -T backend psql $DATABASE_URL -c "
  SELECT query, calls, mean_time 
  FROM pg_stat_statements 
  WHERE mean_time > 100 
  ORDER BY mean_time DESC
"'); then
  fail "the guide's pg_stat_statements query ran on PostgreSQL 15: $out"
fi
expect 'column "mean_time" does not exist' "$(tail -5 "$work/stderr.log")" "the guide's pg_stat_statements query"
# ... docs/DEPLOYMENT.md gives the PostgreSQL 13+ names, which work.
stats=$(docker-compose exec -T backend psql $DATABASE_URL -At -c "
  SELECT query, calls, mean_exec_time
  FROM pg_stat_statements
  WHERE mean_exec_time >= 0
  ORDER BY mean_exec_time DESC" 2>>"$work/stderr.log") || fail "pg_stat_statements (mean_exec_time)"
expect "coffees" "$stats" "pg_stat_statements records no query of the coffees table"
out=$(guide_tty 'docker-compose exec backend psql $DATABASE_URL -c "
  SELECT rule_id, rule_type, is_active, valid_from, valid_until 
  FROM pricing_rules
"') || fail "psql pricing_rules: $out"
expect "(2 rows)" "$out" "psql pricing_rules"
out=$(guide_tty 'docker-compose exec backend psql $DATABASE_URL -c "
  SELECT * FROM rule_audit_log 
  ORDER BY created_at DESC 
  LIMIT 10
"') || fail "psql rule_audit_log: $out"
expect "(10 rows)" "$out" "psql rule_audit_log"
out=$(guide "psql \$DATABASE_URL -c \"ALTER DATABASE $POSTGRES_DB SET log_min_duration_statement = 100;\"") \
  || fail "ALTER DATABASE: $out"
expect "ALTER DATABASE" "$out" "ALTER DATABASE ... log_min_duration_statement"
indexes=$(psql "$DATABASE_URL" -At -c "
SELECT tablename, indexname, indexdef 
FROM pg_indexes 
WHERE schemaname = 'public' 
  AND tablename IN ('pricing_rules', 'rule_audit_log');")
expect "pricing_rules_active_idx" "$indexes" "indexes"
expect "rule_audit_log_order_idx" "$indexes" "indexes"
[ "$(psql "$DATABASE_URL" -At -c "SELECT count(*) FROM pg_stat_activity;")" -ge 1 ] || fail "pg_stat_activity"
ratio=$(psql "$DATABASE_URL" -At -c "SELECT 
  sum(heap_blks_hit) / (sum(heap_blks_hit) + sum(heap_blks_read)) as cache_hit_ratio
FROM pg_statio_user_tables;")
[ -n "$ratio" ] || fail "cache hit ratio"
sizes=$(psql "$DATABASE_URL" -At -c "SELECT 
  schemaname, tablename,
  pg_size_pretty(pg_total_relation_size(schemaname||'.'||tablename)) AS size
FROM pg_tables
WHERE schemaname = 'public'
ORDER BY pg_total_relation_size(schemaname||'.'||tablename) DESC;")
expect "public|orders|" "$sizes" "table sizes"
out=$(guide 'docker-compose logs backend') || fail "docker-compose logs backend"
expect "Coffee API is running" "$out" "docker-compose logs backend"

# ---------------------------------------------------------------- backup and recovery
note "guide: backup, configuration export, recovery into a fresh volume"
guide 'pg_dump $DATABASE_URL > backup_$(date +%Y%m%d_%H%M%S).sql' || fail "pg_dump"
data_dump >"$work/before.sql"
guide 'pg_dump $DATABASE_URL \
  -t pricing_rules \
  -t loyalty_config \
  -t coffee_availability \
  -t prep_time_config \
  > business_rules_backup_$(date +%Y%m%d_%H%M%S).sql' || fail "pg_dump -t"
guide 'curl http://localhost:8080/api/business-rules/pricing > pricing_rules.json'
guide 'curl http://localhost:8080/api/business-rules/loyalty-config > loyalty_config.json'
jq -e 'length == 2' pricing_rules.json >/dev/null && jq -e '.points_per_dollar == 1' loyalty_config.json >/dev/null \
  || fail "configuration export"
grep -q "CREATE TABLE public.pricing_rules" business_rules_backup_*.sql || fail "table backup"
cp backup_*.sql backup.sql
# Restore into an empty database: a fresh volume.
guide 'docker-compose stop backend' >/dev/null 2>&1
docker-compose down -v >/dev/null 2>&1
docker-compose up -d db >/dev/null 2>&1
wait_db
[ "$(sql "SELECT to_regclass('public.coffees') IS NULL")" = t ] || fail "the new volume is not empty"
guide 'psql $DATABASE_URL < backup.sql' >"$work/restore.out" 2>"$work/restore.err" || fail "restore"
! grep -q "ERROR" "$work/restore.err" || fail "restore into an empty database: $(cat "$work/restore.err")"
data_dump >"$work/after.sql"
diff -q "$work/before.sql" "$work/after.sql" >/dev/null || fail "restored data differs: $(diff "$work/before.sql" "$work/after.sql" | head -20)"
guide 'docker-compose up -d backend' >/dev/null 2>&1
wait_ready
TOKEN=$(curl -s -X POST http://localhost:8080/api/auth/login -H "Content-Type: application/json" \
  -d '{"email":"test@example.com","password":"password"}' | jq -r .access_token)
curl -fs "http://localhost:8080/api/orders/$order_id" -H "Authorization: Bearer $TOKEN" \
  | jq -e ".id == \"$order_id\" and .base_price == \"7.00\"" >/dev/null || fail "the restored server lost order $order_id"
[ "$(curl -fs http://localhost:8080/api/business-rules/pricing)" = "$(cat pricing_rules.json)" ] \
  || fail "the restored server serves other pricing rules"
# The guide's table backup cannot be restored over the live tables (it creates them) ...
tables_backup=$(ls business_rules_backup_*.sql)
if guide "psql -v ON_ERROR_STOP=1 \$DATABASE_URL < $tables_backup" >/dev/null 2>&1; then
  fail "the guide's table backup restored over existing tables"
fi
# ... one made with --clean --if-exists can (docs/DEPLOYMENT.md).
pg_dump --clean --if-exists "$DATABASE_URL" -t pricing_rules -t loyalty_config \
  -t coffee_availability -t prep_time_config >business_rules_backup.sql
ADMIN=$(curl -s -X POST http://localhost:8080/api/auth/login -H "Content-Type: application/json" \
  -d '{"email":"admin@example.com","password":"Admin123!"}' | jq -r .access_token)
curl -fs -X PUT http://localhost:8080/api/business-rules/loyalty-config -H "Authorization: Bearer $ADMIN" \
  -H "Content-Type: application/json" -d '{"points_per_dollar":2,"bonus_multipliers":{}}' >/dev/null \
  || fail "PUT loyalty-config"
guide 'psql $DATABASE_URL < business_rules_backup.sql' >/dev/null 2>"$work/restore2.err"
! grep -q "ERROR" "$work/restore2.err" || fail "table restore: $(cat "$work/restore2.err")"
guide 'docker-compose restart backend' >/dev/null 2>&1
wait_ready
curl -fs http://localhost:8080/api/business-rules/loyalty-config | jq -e '.points_per_dollar == 1' >/dev/null \
  || fail "the table restore did not bring back the loyalty config"

# ---------------------------------------------------------------- rollback
note "guide: rollback procedure"
pg_dump --clean --if-exists "$DATABASE_URL" >backup.sql # the backup taken before deploying v2
orders_before=$(sql "SELECT count(*) FROM orders")
v1_image=$(docker image inspect -f '{{.Id}}' coffee-api:latest)
# Release v2: a change to the image, built and deployed; it takes an order, then "fails".
echo 'LABEL org.opencontainers.image.version="v2"' >>Dockerfile
git_c commit -qam "release v2" && git tag v2
docker-compose build backend >/dev/null 2>&1 && docker-compose up -d backend >/dev/null 2>&1 || fail "deploy v2"
wait_ready
v2_image=$(docker image inspect -f '{{.Id}}' coffee-api:latest)
[ "$v2_image" != "$v1_image" ] || fail "v2 built the same image as v1"
TOKEN=$(curl -s -X POST http://localhost:8080/api/auth/login -H "Content-Type: application/json" \
  -d '{"email":"test@example.com","password":"password"}' | jq -r .access_token)
curl -fs -X POST http://localhost:8080/api/orders -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" -d '{"items":[{"coffee_item_id":3,"quantity":1}]}' >/dev/null \
  || fail "order on v2"
# The guide's procedure, with <previous-tag> = v1.
guide 'docker-compose stop backend' >/dev/null 2>&1
guide 'psql $DATABASE_URL < backup.sql' >/dev/null 2>"$work/rollback.err"
! grep -q "ERROR" "$work/rollback.err" || fail "restore over the live database: $(cat "$work/rollback.err")"
[ "$(sql "SELECT count(*) FROM orders")" = "$orders_before" ] || fail "the restore kept v2's order"
guide 'git checkout v1' >/dev/null 2>&1
t0=$SECONDS
guide 'docker-compose build backend' >"$work/rebuild.log" 2>&1 || fail "rebuild v1: $(tail -20 "$work/rebuild.log")"
note "v1 rebuilt from the layer cache in $((SECONDS - t0)) s"
[ "$(docker image inspect -f '{{.Id}}' coffee-api:latest)" = "$v1_image" ] \
  || fail "the rebuilt v1 image differs from the first v1 image (layer cache missed)"
guide 'docker-compose up -d backend' >/dev/null 2>&1
wait_ready
guide 'curl http://localhost:8080/api/business-rules/metrics' | jq -e '.cache' >/dev/null || fail "metrics after rollback"
[ "$(docker inspect -f '{{.Image}}' "$(docker-compose ps -q backend)")" = "$v1_image" ] \
  || fail "the backend does not run the v1 image after the rollback"
# Host networking only: no bridge network was created.
drivers=$(docker network ls --format '{{.Driver}}' | sort -u | tr '\n' ' ')
[ "$drivers" = "host null " ] || fail "networks other than host and none exist: $drivers"

# ---------------------------------------------------------------- the .deb
note "the .deb: built in the image's build stage, checked, installed into a container"
docker-compose down -v >/dev/null 2>&1
docker build --network host --target build -t coffee-api-build:latest . >"$work/build-stage.log" 2>&1 \
  || fail "build stage: $(tail -20 "$work/build-stage.log")"
mkdir -p "$work/deb"
docker run --rm --network none coffee-api-build:latest \
  sh -c 'cd /src/build/release && tar -cf - coffee-api_*.deb' | tar -C "$work/deb" -xf -
version=$(sed -n 's/^project(coffee_api VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
deb="$work/deb/coffee-api_${version}_amd64.deb"
[ -f "$deb" ] || fail "no coffee-api_${version}_amd64.deb: $(ls "$work/deb")"
dpkg-deb -c "$deb" >"$work/deb.list"
grep -q ' ./usr/bin/coffee-api$' "$work/deb.list" || fail ".deb lacks /usr/bin/coffee-api"
grep -q ' ./lib/systemd/system/coffee-api.service$' "$work/deb.list" || fail ".deb lacks the unit"
grep -qE '^-rw-r----- root/root .* ./etc/coffee-api/coffee-api.env$' "$work/deb.list" \
  || fail ".deb env file is not root:root 0640: $(grep coffee-api.env "$work/deb.list")"
[ "$(dpkg-deb -I "$deb" conffiles)" = /etc/coffee-api/coffee-api.env ] || fail "conffiles"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libpq5 libsqlite3-0 libsodium23 libsystemd0 libjemalloc2 tzdata; do
  grep -q "$lib" <<<"$depends" || fail ".deb Depends lacks $lib: $depends"
done
# The unit as packaged: systemd-analyze verify (no warning at all) and its exposure score.
root="$work/unit-root"
mkdir -p "$root/lib/systemd" && dpkg-deb -x "$deb" "$root"
cp -a /lib/systemd/system/. "$root/lib/systemd/system/"
verify=$(systemd-analyze verify --root="$root" coffee-api.service 2>&1) || fail "systemd-analyze verify: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify warned: $verify"
systemd-analyze security --offline=true --threshold=20 --root="$root" coffee-api.service >"$work/security.txt" 2>&1 \
  || fail "unit exposure above 2.0: $(tail -3 "$work/security.txt")"
note "unit: $(tail -1 "$work/security.txt")"
# Installed with apt (Debian resolves the runtime dependencies), then served from the
# container with the installed env file (no systemd in a container: the unit's user and
# state directory are made by hand, as DynamicUser and StateDirectory would).
cp "$here/deb.Dockerfile" "$work/deb/Dockerfile"
docker build --network host -t coffee-api-deb-test "$work/deb" >"$work/deb-build.log" 2>&1 \
  || fail "apt-get install ./coffee-api_*.deb: $(tail -20 "$work/deb-build.log")"
# As shipped, the env file says production without a secret: the server refuses to start.
if out=$(docker run --rm --network none coffee-api-deb-test \
  sh -c 'set -a; . /etc/coffee-api/coffee-api.env; set +a; exec coffee-api serve' 2>&1); then
  fail "the .deb's env file started in production without JWT_SECRET"
fi
grep -q "JWT_SECRET" <<<"$out" || fail "refusal without JWT_SECRET: $out"
deb_port=$(free_port)
docker run -d --name coffee-deb-test --network host coffee-api-deb-test sh -c "
  set -e
  sed -i 's|^JWT_SECRET=.*|JWT_SECRET=$JWT_SECRET|; s|^PORT=.*|PORT=$deb_port|; s|^HOST=.*|HOST=127.0.0.1|' /etc/coffee-api/coffee-api.env
  install -d -o nobody -g nogroup -m 0750 /var/lib/coffee-api
  cd /var/lib/coffee-api
  set -a; . /etc/coffee-api/coffee-api.env; set +a
  setpriv --reuid=nobody --regid=nogroup --clear-groups coffee-api seed
  exec setpriv --reuid=nobody --regid=nogroup --clear-groups coffee-api serve" >/dev/null
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$deb_port/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fs "http://127.0.0.1:$deb_port/api/coffees" | jq -e 'length == 10' >/dev/null \
  || fail "the installed .deb does not serve the catalog: $(docker logs coffee-deb-test 2>&1 | tail -20)"
docker stop -t 15 coffee-deb-test >/dev/null
[ "$(docker inspect -f '{{.State.ExitCode}}' coffee-deb-test)" = 0 ] || fail "the installed server did not exit 0 on SIGTERM"
docker rm coffee-deb-test >/dev/null

passed=1
note "deployment guide OK"
