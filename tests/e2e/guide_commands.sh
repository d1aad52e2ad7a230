#!/usr/bin/env bash
# Runs the deployment guide's verification commands against the real binary:
# migrate, seed --demo, serve, the startup log lines in order, the health-check curls and the
# test-user login. Usage: guide_commands.sh PATH/TO/coffee-api sqlite|postgres
set -euo pipefail
bin=$1
backend=$2
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ "$backend" = postgres ] && [ -n "${dbname:-}" ]; then
    psql -q "$COFFEE_TEST_PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- server log ---" >&2; cat "$work/server.log" >&2 || true; exit 1; }

if [ "$backend" = sqlite ]; then
  export DATABASE_URL="sqlite://$work/data/coffee.db"
else
  : "${COFFEE_TEST_PG_ADMIN_URL:?PostgreSQL e2e needs COFFEE_TEST_PG_ADMIN_URL (make test sets it)}"
  dbname="coffee_e2e_$$_$RANDOM"
  psql -q "$COFFEE_TEST_PG_ADMIN_URL" -c "CREATE DATABASE $dbname" >/dev/null
  export DATABASE_URL="${COFFEE_TEST_PG_ADMIN_URL%/*}/$dbname"
fi
export JWT_SECRET="e2e-secret-0123456789-0123456789-xyz"
export HOST=127.0.0.1
port=$(( 20000 + RANDOM % 11000 ))  # below the ephemeral range (32768+)
export PORT=$port
cd "$work"

"$bin" migrate run >/dev/null || fail "migrate run"
"$bin" migrate info | grep -q "applied" || fail "migrate info does not list an applied migration"
"$bin" seed --demo > seed.out || fail "seed --demo"
grep -q "test@example.com" seed.out || fail "seed --demo does not print the demo accounts"
"$bin" seed --demo > seed2.out
grep -q "Seed complete: 0 coffees, 0 availability rows, 0 prep times, 0 pricing rules, 0 demo accounts created" seed2.out \
  || fail "second seed changed something: $(cat seed2.out)"

# admin create: with --password, and with the password on stdin; weak passwords refused.
"$bin" admin create --email boss@example.com --password Boss12345 > admin.out || fail "admin create"
grep -q "Created admin boss@example.com" admin.out || fail "admin create: $(cat admin.out)"
echo "Stdin12345" | "$bin" admin create --email stdin@example.com > admin2.out || fail "admin create (stdin)"
if "$bin" admin create --email weak@example.com --password weak > admin3.out 2>&1; then
  fail "admin create accepted a weak password"
fi
grep -q "password" admin3.out || fail "admin create weak password message: $(cat admin3.out)"

"$bin" serve > server.log 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || fail "server did not become ready"

# The startup lines, in this order.
expected=(
  "INFO Coffee API - Starting..."
  "INFO Connecting to database..."
  "INFO Running database migrations..."
  "INFO Migrations completed successfully"
  "INFO Initializing authentication service..."
  "INFO Initializing business rules engine..."
  "INFO Warming business rules cache..."
  "INFO Business rules cache warmed successfully"
  "INFO Business rules engine initialized"
  "INFO Starting server on 127.0.0.1:$port"
  "INFO Coffee API is running on http://127.0.0.1:$port"
)
line=0
for msg in "${expected[@]}"; do
  found=$(grep -n -F "$msg" server.log | head -n 1 | cut -d: -f1)
  [ -n "$found" ] || fail "startup line missing: $msg"
  [ "$found" -gt "$line" ] || fail "startup line out of order: $msg"
  line=$found
done

# Health check (guide §4).
coffees=$(curl -fs "http://127.0.0.1:$port/api/coffees")
[ "$(echo "$coffees" | jq 'length')" = 10 ] || fail "GET /api/coffees: $coffees"
[ "$(echo "$coffees" | jq -r '.[0].name')" = Espresso ] || fail "first coffee: $coffees"

# Login as the test user, exactly as the guide does.
TOKEN=$(curl -s -X POST "http://127.0.0.1:$port/api/auth/login" \
  -H "Content-Type: application/json" \
  -d '{"email":"test@example.com","password":"password"}' \
  | jq -r '.access_token')
[ -n "$TOKEN" ] && [ "$TOKEN" != null ] || fail "login as test@example.com failed"
for who in "boss@example.com:Boss12345" "stdin@example.com:Stdin12345"; do
  role=$(curl -s -X POST "http://127.0.0.1:$port/api/auth/login" -H "Content-Type: application/json" \
    -d "{\"email\":\"${who%%:*}\",\"password\":\"${who#*:}\"}" | jq -r .user.role)
  [ "$role" = admin ] || fail "admin created by the CLI cannot log in as admin (${who%%:*}: $role)"
done
me=$(curl -fs "http://127.0.0.1:$port/api/auth/me" -H "Authorization: Bearer $TOKEN")
[ "$(echo "$me" | jq -r .email)" = test@example.com ] || fail "GET /api/auth/me: $me"

# Business rules metrics (guide §4 "Health Check").
metrics=$(curl -fs "http://127.0.0.1:$port/api/business-rules/metrics")
echo "$metrics" | jq -e '.cache.hit_rate and .pricing.calculations >= 0' >/dev/null || fail "metrics: $metrics"

# Test Business Rules.
avail=$(curl -fs "http://127.0.0.1:$port/api/business-rules/availability/1")
[ "$(echo "$avail" | jq -r .status)" = available ] || fail "availability/1: $avail"
pricing=$(curl -fs "http://127.0.0.1:$port/api/business-rules/pricing")
[ "$(echo "$pricing" | jq 'length')" = 2 ] || fail "pricing: $pricing"
loyalty=$(curl -fs "http://127.0.0.1:$port/api/business-rules/loyalty-config")
echo "$loyalty" | jq -e '.points_per_dollar == 1' >/dev/null || fail "loyalty-config: $loyalty"

# Create Test Order, verbatim.
order=$(curl -s -X POST "http://127.0.0.1:$port/api/orders" \
  -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" \
  -d '{
    "items": [
      {"coffee_item_id": 1, "quantity": 2}
    ]
  }')
echo "$order" | jq -e '.status == "pending" and .base_price == "7.00" and (.estimated_prep_minutes | type) == "number" and (.items | length) == 1' >/dev/null \
  || fail "order: $order"
order_id=$(echo "$order" | jq -r .id)
curl -fs "http://127.0.0.1:$port/api/orders/$order_id" -H "Authorization: Bearer $TOKEN" | jq -e ".id == \"$order_id\"" >/dev/null \
  || fail "GET order"

# Reviews (SPEC §9): the customer reviews Espresso; the catalog shows the average at once.
review=$(curl -s -X POST "http://127.0.0.1:$port/api/reviews" \
  -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
  -d '{"coffee_id": 1, "rating": 5, "comment": "Short and bright."}')
echo "$review" | jq -e '.rating == 5 and .coffee_id == 1 and .hidden == false' >/dev/null || fail "review: $review"
dup=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/api/reviews" \
  -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '{"coffee_id": 1, "rating": 4}')
[ "$dup" = 409 ] || fail "second review of the same coffee: $dup"
ADMIN=$(curl -s -X POST "http://127.0.0.1:$port/api/auth/login" -H "Content-Type: application/json" \
  -d '{"email":"admin@example.com","password":"Admin123!"}' | jq -r .access_token)
curl -s -X POST "http://127.0.0.1:$port/api/reviews" -H "Authorization: Bearer $ADMIN" \
  -H "Content-Type: application/json" -d '{"coffee_id": 1, "rating": 4}' | jq -e '.rating == 4' >/dev/null \
  || fail "admin review"
curl -fs "http://127.0.0.1:$port/api/coffees/1" | jq -e '.review_count == 2 and .average_rating == 4.5 and .rating == 4.8' >/dev/null \
  || fail "coffee aggregate: $(curl -s "http://127.0.0.1:$port/api/coffees/1")"
curl -fsi "http://127.0.0.1:$port/api/coffees/1/reviews" | grep -qi '^x-total-count: 2' || fail "reviews list"

# Analytics (SPEC §10): complete the guide's order, then today's sales count it.
for s in confirmed preparing ready completed; do
  curl -fs -X PATCH "http://127.0.0.1:$port/api/orders/$order_id/status" -H "Authorization: Bearer $ADMIN" \
    -H "Content-Type: application/json" -d "{\"status\":\"$s\"}" >/dev/null || fail "order → $s"
done
total=$(curl -fs "http://127.0.0.1:$port/api/v1/admin/analytics/sales/total" -H "Authorization: Bearer $ADMIN")
paid=$(echo "$order" | jq -r .total_price)  # 7.00, less the happy hour if it is on now
echo "$total" | jq -e --arg paid "$paid" '.orders == 1 and .revenue == $paid and .average_order_value == $paid' >/dev/null \
  || fail "sales total: $total (order total $paid)"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/admin/analytics/sales/total" -H "Authorization: Bearer $TOKEN")" = 403 ] \
  || fail "analytics open to a customer"

# Monitor Performance: metrics now count the order's rules operations.
curl -fs "http://127.0.0.1:$port/api/business-rules/metrics" | jq -e '.pricing.calculations >= 1 and .availability.checks >= 1 and .prep_time.estimates >= 1' >/dev/null \
  || fail "metrics after an order"
curl -fs "http://127.0.0.1:$port/metrics" > prometheus.txt || fail "/metrics"
grep -q '^http_requests_total' prometheus.txt || fail "/metrics has no http_requests_total"

# Configuration Export.
curl -fs "http://127.0.0.1:$port/api/business-rules/pricing" > pricing_rules.json
curl -fs "http://127.0.0.1:$port/api/business-rules/loyalty-config" > loyalty_config.json
jq -e 'length == 2' pricing_rules.json >/dev/null || fail "pricing export"
jq -e '.bonus_multipliers' loyalty_config.json >/dev/null || fail "loyalty export"

# Graceful shutdown on SIGTERM: exit code 0.
kill -TERM "$server_pid"
rc=0
wait "$server_pid" || rc=$?
server_pid=""
[ "$rc" = 0 ] || fail "server exited with $rc on SIGTERM"
echo "guide commands OK ($backend)"
