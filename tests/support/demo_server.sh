# Sourced by the script tiers (browser, compat): starts the real coffee-api, seeded with the
# demo data, on a fresh database and a free loopback port, and stops it (and drops the
# database) when the sourcing script exits.
#
#   start_demo_server sqlite|postgres PATH/TO/coffee-api TAG
#
# TAG names the temporary folder and database. Afterwards: BASE_URL, PORT, DATABASE_URL,
# `work` (the temporary folder; the server log is $work/server.log) and `server_pid`.
# `fail MESSAGE` prints the message and the server log's tail, and exits 1. postgres needs
# COFFEE_TEST_PG_ADMIN_URL, as `make test` exports.

work=""
server_pid=""
dbname=""

demo_server_cleanup() {
  set +e
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  if [ -n "$dbname" ]; then
    psql -q "$COFFEE_TEST_PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null 2>&1
  fi
  [ -n "$work" ] && rm -rf "$work"
}

fail() {
  echo "FAIL: $*" >&2
  echo "--- server log (last 40 lines) ---" >&2
  tail -n 40 "$work/server.log" >&2 2>/dev/null || true
  exit 1
}

start_demo_server() {
  local backend=$1 bin=$2 tag=$3
  work=$(mktemp -d "/tmp/coffee-$tag.XXXXXX")
  trap demo_server_cleanup EXIT
  if [ "$backend" = sqlite ]; then
    export DATABASE_URL="sqlite://$work/data/coffee.db"
  else
    : "${COFFEE_TEST_PG_ADMIN_URL:?the postgres $tag test needs COFFEE_TEST_PG_ADMIN_URL (make test sets it)}"
    dbname="coffee_${tag}_$$_$RANDOM"
    psql -q "$COFFEE_TEST_PG_ADMIN_URL" -c "CREATE DATABASE $dbname" >/dev/null
    export DATABASE_URL="${COFFEE_TEST_PG_ADMIN_URL%/*}/$dbname"
  fi
  export JWT_SECRET="$tag-secret-0123456789-0123456789-xyz"
  export HOST=127.0.0.1
  export RATE_LIMIT_ENABLED=false
  export SHOP_TIMEZONE=UTC
  export TZ=UTC
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

  # Below the kernel's ephemeral range (32768+), so no outgoing connection takes it first.
  local p
  PORT=""
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 11000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then PORT=$p; break; fi
  done
  [ -n "$PORT" ] || fail "no free port"
  export PORT

  (cd "$work" && "$bin" seed --demo >"$work/seed.log" 2>&1) || { cat "$work/seed.log" >&2; fail "seed --demo"; }
  (cd "$work" && exec "$bin" serve >"$work/server.log" 2>&1) &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || fail "the server exited"
    sleep 0.1
  done
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || fail "the server did not become ready"
  export BASE_URL="http://127.0.0.1:$PORT"
}
