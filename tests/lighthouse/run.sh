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

# shellcheck source=tests/support/demo_server.sh
. "$here/../support/demo_server.sh"
start_demo_server sqlite "$bin" lighthouse
export CHROMIUM=$chromium
# Anything in Lighthouse that looks for a browser finds this one, never a download.
export CHROME_PATH=$chromium
export LIGHTHOUSE_ARTIFACT_DIR=${LIGHTHOUSE_ARTIFACT_DIR:-$PWD/lighthouse-artifacts}
mkdir -p "$LIGHTHOUSE_ARTIFACT_DIR"
node "$here/audit.mjs" || fail "the Lighthouse audit failed"
echo "reports: $LIGHTHOUSE_ARTIFACT_DIR"
