#!/usr/bin/env bash
# The compatibility tier (issue 19): starts the real coffee-api on a fresh database (sqlite or
# postgres) and replays the earlier mobile client's calls exactly as it sends them
# (earlier_client.test.mjs, node's built-in test runner and fetch; no npm packages).
# Usage: run.sh sqlite|postgres [PATH/TO/coffee-api] (default $COFFEE_API_BINARY); postgres
# needs COFFEE_TEST_PG_ADMIN_URL, as `make test` exports.
set -euo pipefail
backend=$1
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${2:-${COFFEE_API_BINARY:?the compat tier needs the coffee-api binary}}")
command -v node >/dev/null || { echo "FAIL: node is not installed (scripts/install-deps test)" >&2; exit 1; }

work=$(mktemp -d /tmp/coffee-compat.XXXXXX)
server_pid=""
dbname=""
cleanup() {
  set +e
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  if [ -n "$dbname" ]; then
    psql -q "$COFFEE_TEST_PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null 2>&1
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- server log (last 40 lines) ---" >&2
  tail -n 40 "$work/server.log" >&2 2>/dev/null || true
  exit 1
}

if [ "$backend" = sqlite ]; then
  export DATABASE_URL="sqlite://$work/data/coffee.db"
else
  : "${COFFEE_TEST_PG_ADMIN_URL:?the postgres compat test needs COFFEE_TEST_PG_ADMIN_URL (make test sets it)}"
  dbname="coffee_compat_$$_$RANDOM"
  psql -q "$COFFEE_TEST_PG_ADMIN_URL" -c "CREATE DATABASE $dbname" >/dev/null
  export DATABASE_URL="${COFFEE_TEST_PG_ADMIN_URL%/*}/$dbname"
fi
export JWT_SECRET="compat-secret-0123456789-0123456789-xyz"
export HOST=127.0.0.1
export RATE_LIMIT_ENABLED=false
export SHOP_TIMEZONE=UTC
export TZ=UTC
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=""
for _ in $(seq 1 50); do
  p=$((20000 + RANDOM % 11000))
  if ! port_in_use "$p"; then port=$p; break; fi
done
[ -n "$port" ] || fail "no free port"
export PORT=$port

(cd "$work" && "$bin" seed --demo >"$work/seed.log" 2>&1) || { cat "$work/seed.log" >&2; fail "seed --demo"; }
(cd "$work" && exec "$bin" serve >"$work/server.log" 2>&1) &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited"
  sleep 0.1
done
curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || fail "the server did not become ready"

export BASE_URL="http://127.0.0.1:$port"
node --test --test-concurrency=1 --test-reporter=spec "$here/earlier_client.test.mjs" || fail "compat tests failed"
