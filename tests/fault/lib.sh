# Shared by the fault tests (sourced, not run): a temp dir, a fresh database on either backend,
# the real server as a separate process, curl helpers, a small order load generator and the SQL
# checks that every order is whole. Needs bin=PATH/TO/coffee-api and backend=sqlite|postgres.
# shellcheck shell=bash

: "${bin:?}" "${backend:?}"
bin=$(realpath "$bin")
FAULT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d /tmp/coffee-fault.XXXXXX)
chmod 755 "$work"  # a throwaway PostgreSQL cluster under it runs as user postgres
server_pid=""
dbname=""
load_pids=()
cleanup_hooks=()
export JWT_SECRET="fault-secret-0123456789-0123456789-xyz"
export HOST=127.0.0.1
export RATE_LIMIT_ENABLED=false
export LOG_LEVEL=${FAULT_LOG_LEVEL:-info}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

cleanup() {
  set +e
  trap - ERR
  stop_load
  if [ -n "$server_pid" ]; then
    kill -9 "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  local hook
  for hook in "${cleanup_hooks[@]}"; do eval "$hook"; done
  if [ -n "$dbname" ]; then
    psql -q "$COFFEE_TEST_PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null 2>&1
  fi
  if [ "${FAULT_KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
# Under set -e a failing command ends the test; say which one, or the test dies without a word.
set -E
trap 'rc=$?; echo "ERROR: ${0##*/}:$LINENO: \"$BASH_COMMAND\" exited with $rc" >&2' ERR

log() { printf '[%s %s] %s\n' "$(basename "$0" .sh)" "$(date +%T.%3N)" "$*" >&2; }
fail() {
  echo "FAIL: $*" >&2
  echo "--- server log (last 40 lines) ---" >&2
  tail -n 40 "$work/server.log" >&2 2>/dev/null || true
  exit 1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# free_port FIRST LAST → a port nobody listens on, tried from a random point of the range
free_port() {
  local first=$1 last=$2 span p i
  span=$((last - first + 1))
  p=$((first + RANDOM % span))
  for ((i = 0; i < span; i++)); do
    port_in_use "$p" || { echo "$p"; return 0; }
    p=$((first + (p - first + 1) % span))
  done
  return 1
}

# use_fresh_database [ADMIN_URL]: DATABASE_URL for a new SQLite file, or a new database on the
# PostgreSQL cluster of ADMIN_URL (default COFFEE_TEST_PG_ADMIN_URL).
use_fresh_database() {
  if [ "$backend" = sqlite ]; then
    export DATABASE_URL="sqlite://$work/data/coffee.db"
    SQLITE_FILE="$work/data/coffee.db"
  else
    PG_ADMIN_URL=${1:-${COFFEE_TEST_PG_ADMIN_URL:?PostgreSQL fault tests need COFFEE_TEST_PG_ADMIN_URL (make test sets it)}}
    dbname="coffee_fault_$$_$RANDOM"
    psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE $dbname" >/dev/null
    export DATABASE_URL="${PG_ADMIN_URL%/*}/$dbname"
    if [ -n "${1:-}" ]; then dbname=""; fi  # a private cluster is thrown away whole
  fi
}

# sql QUERY → rows, fields separated by |
sql() {
  if [ "$backend" = sqlite ]; then
    sqlite3 -batch "file:$SQLITE_FILE" "$1"
  else
    psql -X -q -t -A -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "$1"
  fi
}

prepare_database() {
  (cd "$work" && "$bin" migrate run >"$work/migrate.log" 2>&1) || { cat "$work/migrate.log" >&2; fail "migrate run"; }
  (cd "$work" && "$bin" seed --demo >"$work/seed.log" 2>&1) || { cat "$work/seed.log" >&2; fail "seed --demo"; }
}

# start_server [VAR=value ...]: serves on $PORT (picked once, below the kernel's ephemeral
# range 32768+ so that no outgoing connection takes it between the pick and the bind),
# appending to server.log
start_server() {
  : "${PORT:=$(free_port 20000 30999)}"
  export PORT
  BASE="http://127.0.0.1:$PORT"
  echo "--- start $(date +%T) $* ---" >>"$work/server.log"
  (cd "$work" && exec env "$@" "$bin" serve) >>"$work/server.log" 2>&1 &
  server_pid=$!
  local i
  for i in $(seq 1 300); do
    [ "$(status_of GET /readyz)" = 200 ] && return 0
    kill -0 "$server_pid" 2>/dev/null || fail "server exited during start"
    sleep 0.1
  done
  fail "server not ready within 30 s"
}

# status_of METHOD PATH [curl args...] → HTTP status ("000" if no answer)
status_of() {
  local method=$1 path=$2
  shift 2
  curl -s -o /dev/null -m 15 -w '%{http_code}' -X "$method" "$BASE$path" "$@" || true
}

# probe PATH → "status seconds retry_after" of a GET, its body in $work/probe.json
probe() {
  local line retry
  line=$(curl -s -m 30 -o "$work/probe.json" -D "$work/probe.hdr" -w '%{http_code} %{time_total}' "$BASE$1" || true)
  retry=$(tr -d '\r' <"$work/probe.hdr" | sed -n 's/^[Rr]etry-[Aa]fter: *//p' | head -n 1)
  echo "$line ${retry:--}"
}

# is_503_body FILE: the SPEC error shape of a 503
is_503_body() {
  jq -e '.error_code == "SERVICE_UNAVAILABLE" and (.error | type) == "string"
         and (.error | length) > 0 and .message == .error and .details == .error
         and (.timestamp | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))' "$1" >/dev/null
}

# login EMAIL PASSWORD → access token
login() {
  curl -s -m 15 -X POST "$BASE/api/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$2\"}" | jq -r '.access_token // empty'
}

# register_users N → $work/tokens/1..N (one access token each)
register_users() {
  mkdir -p "$work/tokens"
  local i token
  for i in $(seq 1 "$1"); do
    token=$(curl -s -m 30 -X POST "$BASE/api/auth/register" -H 'Content-Type: application/json' \
      -d "{\"email\":\"fault$i@example.com\",\"password\":\"FaultPass123\"}" | jq -r '.access_token // empty')
    [ -n "$token" ] || fail "register fault$i@example.com"
    echo "$token" >"$work/tokens/$i"
  done
}

# order_body N → a 2-line order (3 items) that differs per loader
order_body() {
  local a=$(($1 % 12 + 1)) b=$((($1 + 5) % 12 + 1))
  echo "{\"items\":[{\"coffee_item_id\":$a,\"quantity\":2},{\"coffee_item_id\":$b,\"quantity\":1}]}"
}

# order_loader N: POSTs orders as user N until $work/stop exists. Every answer is a line of
# $work/load/N.log: "epoch_seconds status time_total retry_after order_id lines audit_rows"
# (order fields only for a 201, written after its whole body arrived; "-" otherwise).
# A 201's audit rows: availability + each applied rule + pricing summary + prep time.
order_loader() {
  local n=$1 token body out hdr line now code secs retry id lines audits
  token=$(cat "$work/tokens/$n")
  body=$(order_body "$n")
  out=$work/load/$n.body
  hdr=$work/load/$n.hdr
  while [ ! -e "$work/stop" ]; do
    line=$(curl -s -m 30 -o "$out" -D "$hdr" -w '%{http_code} %{time_total}' -X POST "$BASE/api/orders" \
      -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$body" || true)
    now=$(date +%s.%N)
    code=${line%% *}
    secs=${line#* }
    retry=$(tr -d '\r' <"$hdr" 2>/dev/null | sed -n 's/^[Rr]etry-[Aa]fter: *//p' | head -n 1)
    id=- lines=- audits=-
    if [ "$code" = 201 ]; then
      read -r id lines audits < <(jq -r '"\(.id) \(.items | length) \(.applied_rules | length + 3)"' "$out")
    elif [ "$code" != 000 ]; then
      cp "$out" "$work/load/$n.last-$code.json" 2>/dev/null || true
    fi
    echo "$now $code $secs ${retry:--} $id $lines $audits" >>"$work/load/$n.log"
    : >"$hdr"
    : >"$out"
  done
}

# start_load N: N order loaders (users 1..N) in the background
start_load() {
  mkdir -p "$work/load"
  rm -f "$work/stop"
  local i
  for i in $(seq 1 "$1"); do
    order_loader "$i" &
    load_pids+=("$!")
  done
}

stop_load() {
  [ ${#load_pids[@]} -gt 0 ] || return 0
  touch "$work/stop"
  local pid
  for pid in "${load_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  load_pids=()
}

# load_lines → every loader answer so far, oldest first
load_lines() { cat "$work"/load/*.log 2>/dev/null | sort -n; }

# check_201_or_503: every load answer so far was 201, or 503 with Retry-After; sets $answers
# and $unavailable (how many, and how many 503s) for the test's summary.
check_201_or_503() {
  answers=$(load_lines | wc -l)
  unavailable=$(load_lines | awk '$2 == 503' | wc -l)
  local other no_retry
  other=$(load_lines | awk '$2 != 201 && $2 != 503')
  [ -z "$other" ] || fail "answers other than 201/503: $(echo "$other" | head -n 3)"
  no_retry=$(load_lines | awk '$2 == 503 && $4 == "-"')
  [ -z "$no_retry" ] || fail "503 without Retry-After: $(echo "$no_retry" | head -n 3)"
}

# wait_for_answers SINCE STATUS WHAT: waits up to 30 s until the load got 20 answers with
# STATUS after time SINCE (seconds since the epoch), else fails with "WHAT within 30 s".
wait_for_answers() {
  local since=$1 status=$2 what=$3 deadline=$((SECONDS + 30))
  until [ "$(load_lines | awk -v t="$since" -v s="$status" '$1 > t && $2 == s' | wc -l)" -ge 20 ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$what within 30 s"
    sleep 0.2
  done
}
created_count() { load_lines | awk '$2 == 201' | wc -l; }

# wait_created N SECONDS: until N orders got a 201, or fail
wait_created() {
  local deadline=$((SECONDS + $2))
  while [ "$(created_count)" -lt "$1" ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "only $(created_count) orders created in $2 s"
    sleep 0.2
  done
}

id_expr() { if [ "$backend" = sqlite ]; then echo "r.id"; else echo "CAST(r.id AS uuid)"; fi; }
json_len() { if [ "$backend" = sqlite ]; then echo "json_array_length($1)"; else echo "jsonb_array_length($1)"; fi; }
queue_total() {
  if [ "$backend" = sqlite ]; then echo "(SELECT queued_work_minutes FROM prep_queue)"
  else echo "(SELECT sum(queued_work_minutes) FROM prep_queue_shards)"; fi
}

# check_recorded_orders: every order answered 201 (per the load logs) is in the database with
# exactly the lines and audit rows its response announced.
check_recorded_orders() {
  local values
  values=$(load_lines | awk '$2 == 201 { printf "%s(\x27%s\x27,%d,%d)", sep, $5, $6, $7; sep = "," }')
  [ -n "$values" ] || fail "no order was answered 201"
  local missing
  missing=$(sql "WITH r(id, lines, audits) AS (VALUES $values)
    SELECT r.id || ' lines=' || (SELECT count(*) FROM order_items i WHERE i.order_id = $(id_expr))
           || ' audit=' || (SELECT count(*) FROM rule_audit_log a WHERE a.order_id = $(id_expr))
    FROM r
    WHERE (SELECT count(*) FROM orders o WHERE o.id = $(id_expr)) <> 1
       OR (SELECT count(*) FROM order_items i WHERE i.order_id = $(id_expr)) <> r.lines
       OR (SELECT count(*) FROM rule_audit_log a WHERE a.order_id = $(id_expr)) <> r.audits")
  [ -z "$missing" ] || fail "orders answered 201 are missing or incomplete in the database: $(echo "$missing" | head -n 5)"
}

# check_whole_orders: no half-written order anywhere (lines, money, the four kinds of audit
# rows), and the prep queue total agrees with the orders.
check_whole_orders() {
  local bad
  bad=$(sql "SELECT o.id FROM orders o WHERE
      (SELECT count(*) FROM order_items i WHERE i.order_id = o.id) = 0
   OR (SELECT coalesce(sum(final_cents), 0) FROM order_items i WHERE i.order_id = o.id) <> o.total_price_cents
   OR (SELECT coalesce(sum(subtotal_cents), 0) FROM order_items i WHERE i.order_id = o.id) <> o.base_price_cents
   OR (SELECT count(*) FROM rule_audit_log a WHERE a.order_id = o.id AND a.rule_type = 'availability') <> 1
   OR (SELECT count(*) FROM rule_audit_log a WHERE a.order_id = o.id AND a.rule_type = 'pricing_summary') <> 1
   OR (SELECT count(*) FROM rule_audit_log a WHERE a.order_id = o.id AND a.rule_type = 'prep_time') <> 1
   OR (SELECT count(*) FROM rule_audit_log a WHERE a.order_id = o.id AND a.rule_type = 'pricing_rule')
      <> $(json_len o.applied_rules)")
  [ -z "$bad" ] || fail "half-written orders in the database: $(echo "$bad" | head -n 5)"
  local queue expected
  queue=$(sql "SELECT $(queue_total)")
  expected=$(sql "SELECT coalesce(sum(prep_work_minutes), 0) FROM orders WHERE status IN ('pending', 'confirmed', 'preparing')")
  [ "$queue" = "$expected" ] || fail "prep queue total $queue, orders say $expected"
}

# check_orders_via_api: as admin, every order answered 201 is listed with its lines; the last
# few of each loader (the closest to the fault) also read back one by one with their audit rows.
check_orders_via_api() {
  local admin total pages page
  admin=$(login admin@example.com 'Admin123!')
  [ -n "$admin" ] || fail "admin login after the fault"
  total=$(curl -s -m 15 -D - -o /dev/null "$BASE/api/orders?limit=100" -H "Authorization: Bearer $admin" |
    tr -d '\r' | sed -n 's/^[Xx]-[Tt]otal-[Cc]ount: *//p')
  [ -n "$total" ] || fail "GET /api/orders has no X-Total-Count"
  pages=$(((total + 99) / 100))
  : >"$work/api-orders"
  for page in $(seq 1 "$pages"); do
    curl -s -m 30 "$BASE/api/orders?limit=100&page=$page" -H "Authorization: Bearer $admin" |
      jq -r '.[] | "\(.id) \(.items | length)"' >>"$work/api-orders"
  done
  local missing
  missing=$(load_lines | awk '$2 == 201 { print $5 " " $6 }' | sort | comm -23 - <(sort "$work/api-orders"))
  [ -z "$missing" ] || fail "orders answered 201 are not listed by GET /api/orders with their lines: $(echo "$missing" | head -n 3)"
  local f id lines audits got
  for f in "$work"/load/*.log; do
    while read -r _ _ _ _ id lines audits; do
      got=$(curl -s -m 15 "$BASE/api/orders/$id" -H "Authorization: Bearer $admin" | jq -r '.items | length')
      [ "$got" = "$lines" ] || fail "GET /api/orders/$id: $got lines, the 201 said $lines"
      got=$(curl -s -m 15 "$BASE/api/business-rules/audit?order_id=$id&limit=100" -H "Authorization: Bearer $admin" | jq -r 'length')
      [ "$got" = "$audits" ] || fail "audit of $id: $got rows, expected $audits"
    done < <(awk '$2 == 201' "$f" | tail -n 3)
  done
}
