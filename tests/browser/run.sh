#!/usr/bin/env bash
# The browser tier: starts the real coffee-api on a fresh database (sqlite or postgres) and
# drives the web console in Debian's headless chromium with puppeteer-core (console.test.mjs).
# Usage: run.sh sqlite|postgres [PATH/TO/coffee-api] (default $COFFEE_API_BINARY); postgres
# needs COFFEE_TEST_PG_ADMIN_URL, as `make test` exports. Screenshots go to $BROWSER_ARTIFACT_DIR (default
# ./browser-artifacts/<backend>); UPDATE_SCREENSHOTS=1 also copies them to docs/screenshots/.
# Exits 77 (skipped) only when chromium is not installed.
set -euo pipefail
backend=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(realpath "${2:-${COFFEE_API_BINARY:?the browser tier needs the coffee-api binary}}")
# shellcheck source=tests/support/node_tier.sh
. "$here/../support/node_tier.sh"
require_chromium
npm_ci_once "$here" browser

# shellcheck source=tests/support/demo_server.sh
. "$here/../support/demo_server.sh"
start_demo_server "$backend" "$bin" browser
export BACKEND=$backend
export CHROMIUM=$chromium
export BROWSER_ARTIFACT_DIR=${BROWSER_ARTIFACT_DIR:-$PWD/browser-artifacts/$backend}
export SCREENSHOT_DIR="$root/docs/screenshots"
mkdir -p "$BROWSER_ARTIFACT_DIR"
node --test --test-concurrency=1 --test-reporter=spec "$here/console.test.mjs" "$here/swagger.test.mjs" || fail "browser tests failed"
echo "screenshots: $BROWSER_ARTIFACT_DIR"
