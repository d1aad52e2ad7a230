#!/usr/bin/env bash
# The systemd unit of the .deb, as it would be installed: `systemd-analyze verify` prints
# nothing, and the offline security analysis rates its exposure at most 2.0 (of 10).
# Usage: systemd_unit.sh PATH/TO/coffee-api SOURCE_DIR
set -euo pipefail
bin=$1
src=$2
command -v systemd-analyze >/dev/null || { echo "SKIPPED: systemd-analyze is missing (apt-get install systemd)"; exit 77; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/coffee-api"
cp -a /lib/systemd/system/. "$root/lib/systemd/system/"
install -m 0755 "$bin" "$root/usr/bin/coffee-api"
install -m 0644 "$src/deploy/systemd/coffee-api.service" "$root/lib/systemd/system/"
install -m 0640 "$src/deploy/systemd/coffee-api.env" "$root/etc/coffee-api/"

out=$(systemd-analyze verify --root="$root" coffee-api.service 2>&1) || { echo "FAIL: systemd-analyze verify: $out" >&2; exit 1; }
[ -z "$out" ] || { echo "FAIL: systemd-analyze verify warned: $out" >&2; exit 1; }
grep -qx 'Type=notify' "$root/lib/systemd/system/coffee-api.service" || { echo "FAIL: not Type=notify" >&2; exit 1; }
if ! systemd-analyze security --offline=true --threshold=20 --root="$root" coffee-api.service >"$root/security.txt" 2>&1; then
  echo "FAIL: exposure above 2.0:" >&2
  grep -v '✓' "$root/security.txt" >&2
  exit 1
fi
tail -1 "$root/security.txt"
# Every variable the env file sets is one the server reads (a typo would be silently ignored).
while IFS='=' read -r key _; do
  grep -q "\"$key\"" "$src/src/config/config.cpp" || { echo "FAIL: $key in coffee-api.env is not a configuration variable" >&2; exit 1; }
done < <(grep -E '^[A-Z_]+=' "$src/deploy/systemd/coffee-api.env")
echo "systemd unit OK"
