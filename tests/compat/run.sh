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

# shellcheck source=tests/support/demo_server.sh
. "$here/../support/demo_server.sh"
start_demo_server "$backend" "$bin" compat
node --test --test-concurrency=1 --test-reporter=spec "$here/earlier_client.test.mjs" || fail "compat tests failed"
