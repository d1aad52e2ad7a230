# Sourced by the tiers that drive Debian's chromium from npm packages (browser, lighthouse).
#
#   require_chromium          sets `chromium` ($CHROMIUM or /usr/bin/chromium); exits 77
#                             (skipped) when it is not installed, 1 when node is missing
#   npm_ci_once DIR TAG       `npm ci` from DIR's lockfile, once per lockfile: concurrent
#                             runs (the two backends) wait for each other; no browser download

require_chromium() {
  chromium=${CHROMIUM:-/usr/bin/chromium}
  if [ ! -x "$chromium" ]; then
    echo "SKIP: $chromium is not installed (scripts/install-deps test installs Debian's chromium)"
    exit 77
  fi
  command -v node >/dev/null || { echo "FAIL: node is not installed (scripts/install-deps test)" >&2; exit 1; }
}

npm_ci_once() {
  local dir=$1 tag=$2
  (
    flock 9
    stamp="$dir/node_modules/.coffee-lock.sha256"
    want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
      (cd "$dir" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts >&2)
      echo "$want" >"$stamp"
    fi
  ) 9>"${TMPDIR:-/tmp}/coffee-$tag-npm-$(printf %s "$dir" | sha1sum | cut -c1-8).lock"
}
