#!/usr/bin/env bash
# PostgreSQL goes away under a load of order POSTs, on a private throwaway cluster:
#   stop    pg_ctl stop -m immediate (connections reset, new ones refused), later restarted
#   freeze  SIGSTOP of every PostgreSQL process (a hung server: nothing answers, nothing is
#           reset, like a network partition), later SIGCONT
# While it is away: every answer is 201 or 503 with Retry-After in the error shape, each within
# a bound (10 s stopped; frozen 15 s: 5 s pool wait + 3 s connect + 5.5 s answer timeout);
# /readyz is 503 and /healthz stays 200. When it is back, the same server process is ready
# again and takes orders, without a restart. Every order answered 201 is there and whole.
# Usage: pg_outage.sh PATH/TO/coffee-api postgres stop|freeze
set -euo pipefail
bin=$1
backend=$2
mode=$3
[ "$backend" = postgres ] || { echo "pg_outage.sh is for postgres only" >&2; exit 2; }
case "$mode" in stop) max_answer=10 ;; freeze) max_answer=15 ;; *) echo "mode: stop|freeze" >&2; exit 2 ;; esac
# shellcheck source=tests/fault/lib.sh
source "$(dirname "$0")/lib.sh"

pg_bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$pg_bindir" ] || fail "PostgreSQL server binaries not found (scripts/install-deps test)"
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }

pg_port=$(free_port 31000 31999) || fail "no free port for the private PostgreSQL"
pg_dir=$work/pg
cleanup_hooks+=("COFFEE_PG_DIR=$pg_dir COFFEE_PG_PORT=$pg_port '$FAULT_ROOT/scripts/test-postgres' stop")
admin_url=$(COFFEE_PG_DIR=$pg_dir COFFEE_PG_PORT=$pg_port "$FAULT_ROOT/scripts/test-postgres" start |
  sed -n 's/^export COFFEE_TEST_PG_ADMIN_URL=//p')
[ -n "$admin_url" ] || fail "private PostgreSQL did not start"
log "private PostgreSQL on port $pg_port"
frozen=""
pg_away() {
  if [ "$mode" = stop ]; then
    as_postgres "$pg_bindir/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null
  else
    local postmaster
    postmaster=$(head -n 1 "$pg_dir/data/postmaster.pid")
    frozen="$postmaster $(pgrep -P "$postmaster" | tr '\n' ' ')"
    cleanup_hooks=("kill -CONT $frozen 2>/dev/null" "${cleanup_hooks[@]}")
    # shellcheck disable=SC2086
    kill -STOP $frozen
  fi
}
pg_back() {
  if [ "$mode" = stop ]; then
    # the same data and port, with the options of the first start (postmaster.opts)
    as_postgres "$pg_bindir/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 restart >/dev/null 2>&1
  else
    # shellcheck disable=SC2086
    kill -CONT $frozen
  fi
}

use_fresh_database "$admin_url"
# scripts/test-postgres runs with synchronous_commit=off: commits are acknowledged before their
# WAL is written, so an immediate stop loses the last ones. Production runs with it on, and so
# does this database, or "every 201 survives" could not hold.
psql -q "$admin_url" -c "ALTER DATABASE ${DATABASE_URL##*/} SET synchronous_commit = on" >/dev/null
prepare_database
start_server DATABASE_MAX_CONNECTIONS=4
first_pid=$server_pid
register_users 4

log "4 order loaders"
start_load 4
wait_created 40 40

log "PostgreSQL goes away ($mode)"
t_stop=$(date +%s.%N)
pg_away
# Within a bounded time the loaders get 503s.
deadline=$((SECONDS + 15))
until load_lines | awk -v t="$t_stop" '$1 > t && $2 == 503' | grep -q .; do
  [ "$SECONDS" -lt "$deadline" ] || fail "no 503 within 15 s of PostgreSQL going away ($mode)"
  sleep 0.2
done
sleep 5  # some more outage under load

read -r code secs retry < <(probe /readyz)
[ "$code" = 503 ] || fail "/readyz answered $code while PostgreSQL is away"
[ "$retry" != - ] || fail "/readyz 503 without Retry-After"
is_503_body "$work/probe.json" || fail "/readyz 503 body: $(cat "$work/probe.json")"
awk -v s="$secs" -v m="$max_answer" 'BEGIN { exit !(s < m) }' || fail "/readyz took $secs s"
read -r code secs retry < <(probe /healthz)
[ "$code" = 200 ] || fail "/healthz answered $code while PostgreSQL is away (liveness must stay 200)"
read -r code secs retry < <(probe /api/coffees)
[ "$code" = 503 ] || fail "GET /api/coffees answered $code while PostgreSQL is away"
[ "$retry" != - ] || fail "GET /api/coffees 503 without Retry-After"

log "PostgreSQL comes back"
t_up=$(date +%s.%N)
pg_back || fail "PostgreSQL did not come back"
deadline=$((SECONDS + 30))
until [ "$(status_of GET /readyz)" = 200 ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "/readyz not 200 within 30 s of PostgreSQL coming back"
  sleep 0.2
done
[ "$server_pid" = "$first_pid" ] && kill -0 "$server_pid" || fail "the server process did not survive"
wait_for_answers "$t_up" 201 "orders did not succeed again after PostgreSQL came back"
stop_load

# Every answer, before, during and after the outage.
check_201_or_503
slow=$(load_lines | awk -v m="$max_answer" '$3 >= m')
[ -z "$slow" ] || fail "answers slower than $max_answer s: $(echo "$slow" | head -n 3)"
last503=$(ls "$work"/load/*.last-503.json | head -n 1)
is_503_body "$last503" || fail "503 body of POST /api/orders: $(cat "$last503")"
slowest=$(load_lines | awk '$1 > t { if ($3 > m) m = $3 } END { print m + 0 }' t="$t_stop")
log "$answers answers, $unavailable of them 503; slowest answer after it went away: ${slowest}s"

check_recorded_orders
check_whole_orders
token=$(cat "$work/tokens/1")
[ "$(status_of POST /api/orders -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d "$(order_body 1)")" = 201 ] || fail "no order accepted after recovery"
echo "PostgreSQL $mode OK: $unavailable of $answers answers were 503 with Retry-After (slowest ${slowest}s); recovered without a restart"
