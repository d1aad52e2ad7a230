#!/usr/bin/env bash
# kill -9 of the server while 8 clients place orders. After a restart on the same database,
# every order that was answered 201 is there with all its lines and audit rows (checked in SQL
# and through the API), and no half-written order exists.
# Usage: kill9.sh PATH/TO/coffee-api sqlite|postgres
set -euo pipefail
bin=$1
backend=$2
# shellcheck source=tests/fault/lib.sh
source "$(dirname "$0")/lib.sh"

use_fresh_database
prepare_database
start_server
register_users 8

log "8 order loaders against pid $server_pid"
start_load 8
wait_created 100 60
sleep 0.$((RANDOM % 10))  # the kill lands at an arbitrary point of the load
kill -9 "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
stop_load
created=$(created_count)
log "killed with $created orders answered 201"

bad=$(load_lines | awk '$2 != 201 && $2 != "000"')
[ -z "$bad" ] || fail "answers other than 201 before the kill: $(echo "$bad" | head -n 3)"

start_server
log "restarted as pid $server_pid"
check_recorded_orders
check_whole_orders
check_orders_via_api
[ "$backend" != sqlite ] || [ "$(sql 'PRAGMA integrity_check')" = ok ] || fail "integrity_check after kill -9"
in_db=$(sql "SELECT count(*) FROM orders")
[ "$in_db" -ge "$created" ] || fail "$in_db orders in the database, $created were answered 201"

# The restarted server takes orders again.
token=$(cat "$work/tokens/1")
[ "$(status_of POST /api/orders -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d "$(order_body 1)")" = 201 ] || fail "no order accepted after the restart"
echo "kill -9 OK ($backend): $created orders answered 201 all present and whole; $in_db in the database"
