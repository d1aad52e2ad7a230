#!/usr/bin/env bash
# Disk full under SQLite: the database lives on a small tmpfs, which is filled up while 4 clients
# place orders. Writes then get 503 with Retry-After (never 500), reads keep working; once space
# is freed the same process takes orders again. Afterwards PRAGMA integrity_check is ok, every
# order answered 201 is there and no order is half-written.
# Needs root for `mount -t tmpfs`; without it the test is skipped (exit 77).
# Usage: disk_full.sh PATH/TO/coffee-api sqlite
set -euo pipefail
bin=$1
backend=$2
[ "$backend" = sqlite ] || { echo "disk_full.sh is for sqlite only" >&2; exit 2; }
# shellcheck source=tests/fault/lib.sh
source "$(dirname "$0")/lib.sh"

disk=$work/disk
mkdir -p "$disk"
if ! mount -t tmpfs -o size=16m,mode=755 tmpfs "$disk" 2>"$work/mount.err"; then
  echo "SKIP: cannot mount a tmpfs to fill ($(cat "$work/mount.err")); run as root" >&2
  exit 77
fi
cleanup_hooks+=("umount -l '$disk'")
export DATABASE_URL="sqlite://$disk/coffee.db"
SQLITE_FILE=$disk/coffee.db

prepare_database
start_server
register_users 4
start_load 4
wait_created 40 40
admin=$(login admin@example.com 'Admin123!')
# awk reads to the end: leaving early would kill sort with SIGPIPE and, under pipefail, the test.
first_id=$(load_lines | awk '$2 == 201 && !seen { print $5; seen = 1 }')

log "filling the file system ($(df -h --output=avail "$disk" | tail -n 1 | tr -d ' ') free)"
dd if=/dev/zero of="$disk/filler" bs=1M status=none 2>/dev/null || true
dd if=/dev/zero of="$disk/filler2" bs=4k status=none 2>/dev/null || true
t_full=$(date +%s.%N)
wait_for_answers "$t_full" 503 "writes did not get 503 after the disk filled up"

# Reads still work; the process is alive.
read -r code _ _ < <(probe /api/coffees)
[ "$code" = 200 ] || fail "GET /api/coffees answered $code with the disk full"
[ "$(status_of GET "/api/orders/$first_id" -H "Authorization: Bearer $admin")" = 200 ] ||
  fail "GET /api/orders/$first_id with the disk full"
read -r code _ _ < <(probe /healthz)
[ "$code" = 200 ] || fail "/healthz answered $code with the disk full"
read -r code _ _ < <(probe /readyz)
[ "$code" = 200 ] || fail "/readyz answered $code with the disk full (reads work, so it stays ready)"
# Other writes get the same answers. A write can still succeed on a full disk when it fits in
# WAL space SQLite already allocated (the WAL is reused from its start after a checkpoint);
# then it must really be stored, which is checked after the restart below.
code=$(status_of POST /api/auth/register -H 'Content-Type: application/json' \
  -d '{"email":"late@example.com","password":"FaultPass123"}')
case "$code" in
  503 | 201) late_register=$code ;;
  *) fail "POST /api/auth/register answered $code with the disk full" ;;
esac

log "freeing space"
rm -f "$disk/filler" "$disk/filler2"
t_free=$(date +%s.%N)
wait_for_answers "$t_free" 201 "orders did not succeed again after space was freed"
stop_load
kill -0 "$server_pid" || fail "the server process did not survive"

check_201_or_503
last503=$(ls "$work"/load/*.last-503.json | head -n 1)
is_503_body "$last503" || fail "503 body of POST /api/orders: $(cat "$last503")"
log "$answers answers, $unavailable of them 503"

# Stop the server (SIGTERM: exit 0), then look at the file.
kill -TERM "$server_pid"
rc=0
wait "$server_pid" || rc=$?
server_pid=""
[ "$rc" = 0 ] || fail "server exited with $rc on SIGTERM after the disk-full episode"
integrity=$(sql 'PRAGMA integrity_check')
[ "$integrity" = ok ] || fail "integrity_check: $integrity"
if [ "$late_register" = 201 ]; then
  [ "$(sql "SELECT count(*) FROM users WHERE email = 'late@example.com'")" = 1 ] ||
    fail "POST /api/auth/register answered 201 with the disk full, but the user is not stored"
fi
check_recorded_orders
check_whole_orders
echo "disk full OK: $unavailable of $answers answers were 503 with Retry-After; recovered without a restart; integrity ok"
