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
# shellcheck source=tests/support/node_tier.sh
. "$here/../support/node_tier.sh"
require_chromium
npm_ci_once "$here" lighthouse

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
