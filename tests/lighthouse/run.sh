#!/usr/bin/env bash
# Lighthouse audit of the web console: starts the real coffee-api on a fresh SQLite database,
# seeds the demo data and runs audit.mjs (Lighthouse 12's user flow in Debian's headless
# chromium): the sign-in page, the barista board and the manager's catalog and pricing, for
# accessibility, best practices and performance. Usage: run.sh [PATH/TO/coffee-api] (default
# $COFFEE_API_BINARY). Reports go to $LIGHTHOUSE_ARTIFACT_DIR (default ./lighthouse-artifacts).
# Exits 77 (skipped) only when chromium is not installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:-${COFFEE_API_BINARY:?the Lighthouse audit needs the coffee-api binary}}")
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "SKIP: $chromium is not installed (scripts/install-deps test installs Debian's chromium)"
  exit 77
fi
command -v node >/dev/null || { echo "FAIL: node is not installed (scripts/install-deps test)" >&2; exit 1; }

# Lighthouse from the lockfile, once per lockfile; no browser is downloaded.
(
  flock 9
  stamp="$here/node_modules/.coffee-lock.sha256"
  want=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    (cd "$here" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts >&2)
    echo "$want" >"$stamp"
  fi
) 9>"${TMPDIR:-/tmp}/coffee-lighthouse-npm-$(printf %s "$here" | sha1sum | cut -c1-8).lock"

work=$(mktemp -d /tmp/coffee-lighthouse.XXXXXX)
server_pid=""
cleanup() {
  set +e
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- server log (last 40 lines) ---" >&2
  tail -n 40 "$work/server.log" >&2 2>/dev/null || true
  exit 1
}

export DATABASE_URL="sqlite://$work/data/coffee.db"
export JWT_SECRET="lighthouse-secret-0123456789-0123456789-xyz"
export HOST=127.0.0.1
export RATE_LIMIT_ENABLED=false
export SHOP_TIMEZONE=UTC
export TZ=UTC
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Below the kernel's ephemeral range (32768+), so no outgoing connection takes it first.
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
export CHROMIUM=$chromium
# Anything in Lighthouse that looks for a browser finds this one, never a download.
export CHROME_PATH=$chromium
export LIGHTHOUSE_ARTIFACT_DIR=${LIGHTHOUSE_ARTIFACT_DIR:-$PWD/lighthouse-artifacts}
mkdir -p "$LIGHTHOUSE_ARTIFACT_DIR"
node "$here/audit.mjs" || fail "the Lighthouse audit failed"
echo "reports: $LIGHTHOUSE_ARTIFACT_DIR"
