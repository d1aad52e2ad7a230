#!/usr/bin/env bash
# The contract checks of docs/openapi.json, with the npm tools pinned in package-lock.json:
#   run.sh spectral                 Spectral's spectral:oas ruleset: 0 errors and 0 warnings.
#   run.sh responses REC.jsonl...   every answer the HTTP tests recorded matches the document.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
command -v node >/dev/null || { echo "FAIL: node is not installed (scripts/install-deps test)" >&2; exit 1; }

# The tools from the lockfile, once per lockfile (several checks may start together).
(
  flock 9
  stamp="$here/node_modules/.coffee-lock.sha256"
  want=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --ignore-scripts >&2)
    echo "$want" >"$stamp"
  fi
) 9>"${TMPDIR:-/tmp}/coffee-contract-npm-$(printf %s "$here" | sha1sum | cut -c1-8).lock"

case "${1:-}" in
  spectral)
    "$here/node_modules/.bin/spectral" lint --ruleset "$here/.spectral.yaml" \
      --fail-severity=warn "$root/docs/openapi.json"
    ;;
  responses)
    shift
    node "$here/validate-responses.mjs" "$root/docs/openapi.json" "$@"
    ;;
  *)
    echo "usage: run.sh spectral | responses RECORD.jsonl..." >&2
    exit 2
    ;;
esac
