#!/usr/bin/env bash
# Two instances on one PostgreSQL database behind nginx (deploy/nginx.conf, with loopback ports
# and paths substituted), as a chain would run them (issue 15):
#   1. a rules change made through instance A is seen through instance B within 1 s;
#   2. the login throttle per (account, address) and the credential-route rate limit hold
#      across instances (attempts alternate between A and B);
#   3. kill -9 of A while 8 clients place orders through nginx, each order with its own
#      Idempotency-Key and retried with it until answered 201: every 201 is in the database,
#      whole, and every key resolves to exactly one order (no order lost, none doubled).
# Usage: two_instances.sh PATH/TO/coffee-api   (needs nginx, psql, curl, jq; skips without nginx)
set -euo pipefail
bin=$1
backend=postgres
# shellcheck source=tests/fault/lib.sh
source "$(dirname "$0")/../fault/lib.sh"

nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || { echo "nginx not installed: skipped" >&2; exit 77; }

pid_a="" pid_b="" nginx_pid_file="$work/nginx/nginx.pid"
fail() {
  echo "FAIL: $*" >&2
  local f
  for f in a.log b.log nginx/logs/coffee-error.log; do
    echo "--- $f (last 20 lines) ---" >&2
    tail -n 20 "$work/$f" >&2 2>/dev/null || true
  done
  exit 1
}
cleanup_hooks+=('[ -n "$pid_a" ] && kill -9 "$pid_a" 2>/dev/null; [ -n "$pid_b" ] && kill -9 "$pid_b" 2>/dev/null; [ -s "$nginx_pid_file" ] && kill "$(cat "$nginx_pid_file")" 2>/dev/null')

use_fresh_database
prepare_database

# Both instances: limits on and shared (LIMITS_STORE=auto on PostgreSQL), nginx and the test's
# own loopback address trusted, so X-Forwarded-For names the simulated clients; a small login
# budget so that the throttle, not the credential rate limit, answers the test's 4th attempt;
# rules cached for an hour, so only the change feed can explain a reload.
instance_env=(RATE_LIMIT_ENABLED=true RATE_LIMIT_PER_MINUTE=1000000 RATE_LIMIT_AUTH_PER_MINUTE=10
  TRUSTED_PROXIES=127.0.0.1 LOGIN_FAILURES_PER_CLIENT=3 CACHE_TTL=3600 LIMITS_STORE=auto)
port_a=$(free_port 20000 25499)
port_b=$(free_port 25500 30999)
nginx_port=$(free_port 31000 32000)

# start_instance NAME PORT → the pid, once /readyz answers 200
start_instance() {
  local name=$1 port=$2 pid i
  (cd "$work" && exec env "${instance_env[@]}" PORT="$port" "$bin" serve) >>"$work/$name.log" 2>&1 &
  pid=$!
  for i in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)" = 200 ] && {
      echo "$pid"
      return 0
    }
    kill -0 "$pid" 2>/dev/null || fail "instance $name exited during start"
    sleep 0.1
  done
  fail "instance $name not ready within 30 s"
}
pid_a=$(start_instance a "$port_a")
pid_b=$(start_instance b "$port_b")
A="http://127.0.0.1:$port_a"
B="http://127.0.0.1:$port_b"
log "instances a=$pid_a ($port_a) b=$pid_b ($port_b)"

mkdir -p "$work/nginx/logs" "$work/nginx/tmp"
# The deploy file with this test's ports and paths; a higher per-address rate, since every
# client of the test shares 127.0.0.1.
sed -e "s|listen 80;|listen 127.0.0.1:$nginx_port;|" \
  -e "s|server 127.0.0.1:8081 |server 127.0.0.1:$port_a |" \
  -e "s|server 127.0.0.1:8082 |server 127.0.0.1:$port_b |" \
  -e "s|^pid .*|pid $nginx_pid_file;|" \
  -e "s|/var/log/nginx/|$work/nginx/logs/|" \
  -e "s|rate=50r/s|rate=5000r/s|" \
  -e "s|^http {|http {\n    client_body_temp_path $work/nginx/tmp/body;\n    proxy_temp_path $work/nginx/tmp/proxy;\n    fastcgi_temp_path $work/nginx/tmp/fastcgi;\n    uwsgi_temp_path $work/nginx/tmp/uwsgi;\n    scgi_temp_path $work/nginx/tmp/scgi;|" \
  "$FAULT_ROOT/deploy/nginx.conf" >"$work/nginx/nginx.conf"
[ "$(grep -c "127.0.0.1:$port_a\|127.0.0.1:$port_b\|127.0.0.1:$nginx_port" "$work/nginx/nginx.conf")" = 3 ] ||
  fail "deploy/nginx.conf no longer has the lines this test substitutes"
"$nginx_bin" -e "$work/nginx/logs/startup.log" -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon on;' 2>"$work/nginx/start.log" ||
  { cat "$work/nginx/start.log" >&2; fail "nginx did not start"; }
N="http://127.0.0.1:$nginx_port"
for _ in $(seq 1 50); do
  [ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$N/readyz" || true)" = 200 ] && break
  sleep 0.1
done
[ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$N/readyz" || true)" = 200 ] || fail "nginx does not reach the instances"

# post BASE PATH BODY [curl args...] → "status" with the body in $work/post.json
post() {
  local base=$1 path=$2 body=$3
  shift 3
  curl -s -m 15 -o "$work/post.json" -w '%{http_code}' -X POST "$base$path" \
    -H 'Content-Type: application/json' -d "$body" "$@" || true
}

# Eight customers, each registered from an address of its own (X-Forwarded-For is believed
# from 127.0.0.1), so that registering does not spend one client's credential budget.
mkdir -p "$work/tokens"
for i in $(seq 1 8); do
  [ "$(post "$A" /api/auth/register "{\"email\":\"fault$i@example.com\",\"password\":\"FaultPass123\"}" \
    -H "X-Forwarded-For: 10.1.0.$i")" = 201 ] || fail "register fault$i: $(cat "$work/post.json")"
  jq -r .access_token "$work/post.json" >"$work/tokens/$i"
done
user=$(cat "$work/tokens/1")

# ---- 1. a rules change through A is seen through B within 1 s
BASE=$A
admin=$(login admin@example.com 'Admin123!')
[ -n "$admin" ] || fail "admin login"
quote='{"items":[{"coffee_item_id":1,"quantity":1}]}'
[ "$(post "$B" /api/orders/quote "$quote" -H "Authorization: Bearer $user")" = 200 ] || fail "quote on B before the change"
[ "$(post "$A" /api/business-rules/availability '{"coffee_id":1,"status":"out_of_stock"}' \
  -H "Authorization: Bearer $admin")" = 201 ] || fail "availability change through A: $(cat "$work/post.json")"
changed_at=$(date +%s%N)
seen=""
while [ $(($(date +%s%N) - changed_at)) -lt 1000000000 ]; do
  if [ "$(post "$B" /api/orders/quote "$quote" -H "Authorization: Bearer $user")" = 400 ]; then
    seen=$((($(date +%s%N) - changed_at) / 1000000))
    break
  fi
  sleep 0.02
done
[ -n "$seen" ] || fail "B still quotes coffee 1 one second after A made it unavailable"
jq -e '.error_code == "ITEMS_UNAVAILABLE"' "$work/post.json" >/dev/null || fail "B's refusal: $(cat "$work/post.json")"
[ "$(post "$A" /api/business-rules/availability '{"coffee_id":1,"status":"available"}' \
  -H "Authorization: Bearer $admin")" = 201 ] || fail "availability restored through A"
log "rules change through A seen through B after ${seen} ms"

# ---- 2. limits across instances (127.0.0.1 is trusted, so X-Forwarded-For names the client)
wrong='{"email":"fault1@example.com","password":"WrongPass123"}'
right='{"email":"fault1@example.com","password":"FaultPass123"}'
for i in 1 2 3; do
  if [ $((i % 2)) = 1 ]; then base=$A; else base=$B; fi
  [ "$(post "$base" /api/auth/login "$wrong" -H 'X-Forwarded-For: 10.7.7.7')" = 401 ] || fail "failed login $i: $(cat "$work/post.json")"
done
status=$(post "$B" /api/auth/login "$right" -H 'X-Forwarded-For: 10.7.7.7')
[ "$status" = 429 ] || fail "4th login from 10.7.7.7 (3 failures on A and B) answered $status, not 429"
jq -e '.details | test("failed login")' "$work/post.json" >/dev/null || fail "429 not from the login throttle: $(cat "$work/post.json")"
[ "$(post "$A" /api/auth/login "$right" -H 'X-Forwarded-For: 10.7.7.8')" = 200 ] || fail "the owner from another address is locked out"
for i in 1 2 3 4 5; do
  if [ $((i % 2)) = 1 ]; then base=$A; else base=$B; fi
  [ "$(post "$base" /api/auth/refresh '{"refresh_token":"nope"}' -H 'X-Forwarded-For: 10.9.9.9')" = 401 ] ||
    fail "refresh $i from 10.9.9.9: $(cat "$work/post.json")"
done
status=$(post "$B" /api/auth/refresh '{"refresh_token":"nope"}' -H 'X-Forwarded-For: 10.9.9.9')
[ "$status" = 429 ] || fail "6th credential request from 10.9.9.9 (burst 5, spread over A and B) answered $status"
log "login throttle and credential rate limit held across A and B"

# ---- 3. kill -9 of A under order load through nginx
# keyed_loader N: places orders as user N, each with a fresh Idempotency-Key, retrying the
# same key and body through nginx until it is answered 201. Odd loaders send each key's first
# attempt straight to A, so that the kill leaves clients with unanswered requests that may
# have committed, and their retries go to B. Lines of $work/keyed/N.log: "key status" per
# answer, and "key 201 order_id" for the acknowledgement.
keyed_loader() {
  local n=$1 token body k=0 key code tries target
  token=$(cat "$work/tokens/$n")
  body=$(order_body "$n")
  while [ ! -e "$work/stop" ]; do
    k=$((k + 1))
    key="scale-$n-$k"
    tries=0
    while :; do
      tries=$((tries + 1))
      target=$N
      if [ $((n % 2)) = 1 ] && [ "$tries" = 1 ]; then target=$A; fi
      code=$(curl -s -m 20 -o "$work/keyed/$n.body" -w '%{http_code}' -X POST "$target/api/orders" \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -H "Idempotency-Key: $key" -H "X-Forwarded-For: 10.1.0.$n" -d "$body" || true)
      if [ "$code" = 201 ]; then
        echo "$key 201 $(jq -r .id "$work/keyed/$n.body")" >>"$work/keyed/$n.log"
        break
      fi
      echo "$key $code" >>"$work/keyed/$n.log"
      case $code in
        000 | 429 | 502 | 503 | 504) ;;
        *) cp "$work/keyed/$n.body" "$work/keyed/$n.unexpected-$code.json" ;;
      esac
      [ "$tries" -lt 100 ] || break
      sleep 0.05
    done
  done
}
mkdir -p "$work/keyed"
rm -f "$work/stop"
for i in $(seq 1 8); do
  keyed_loader "$i" &
  load_pids+=("$!")
done
acknowledged() { cat "$work"/keyed/*.log 2>/dev/null | awk '$2 == 201' | wc -l; }
deadline=$((SECONDS + 60))
until [ "$(acknowledged)" -ge 100 ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "only $(acknowledged) orders acknowledged in 60 s"
  sleep 0.2
done
sleep 0.$((RANDOM % 10))
kill -9 "$pid_a"
wait "$pid_a" 2>/dev/null || true
pid_a=""
before=$(acknowledged)
log "killed A with $before orders acknowledged"
deadline=$((SECONDS + 60))
until [ "$(acknowledged)" -ge $((before + 100)) ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "B acknowledged only $(($(acknowledged) - before)) orders in 60 s after the kill"
  sleep 0.2
done
stop_load

all=$(cat "$work"/keyed/*.log)
unexpected=$(echo "$all" | awk '$2 != 201 && $2 != "000" && $2 != 429 && $2 != 502 && $2 != 503 && $2 != 504')
[ -z "$unexpected" ] || fail "unexpected answers: $(echo "$unexpected" | head -n 3)"
unresolved=$(echo "$all" | awk '{ seen[$1] = 1 } $2 == 201 { ok[$1] = 1 } END { for (k in seen) if (!(k in ok)) print k }')
[ -z "$unresolved" ] || fail "keys never answered 201 after 100 tries: $(echo "$unresolved" | head -n 3)"
retried=$(echo "$all" | awk '$2 != 201 { print $1 }' | sort -u | wc -l)
echo "$all" | awk '$2 == 201 { print $3 }' | sort >"$work/acknowledged"
acked=$(wc -l <"$work/acknowledged")
[ "$(sort -u "$work/acknowledged" | wc -l)" = "$acked" ] || fail "two keys were acknowledged with the same order"
sql "SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id WHERE u.email LIKE 'fault%'" | sort >"$work/in-db"
missing=$(comm -23 "$work/acknowledged" "$work/in-db")
[ -z "$missing" ] || fail "acknowledged orders missing from the database: $(echo "$missing" | head -n 3)"
extra=$(comm -13 "$work/acknowledged" "$work/in-db")
[ -z "$extra" ] || fail "orders in the database that no key resolved to (a retry made a second order?): $(echo "$extra" | head -n 3)"
check_whole_orders
nginx_retries=$(grep -c 'while connecting to upstream\|prematurely closed\|while reading response header from upstream' \
  "$work/nginx/logs/coffee-error.log" || true)
echo "two instances OK: rules change seen through B in ${seen} ms; login throttle and credential limit held across A and B; kill -9 of A: $acked orders acknowledged, each key one order, $retried keys needed a client retry (nginx logged $nginx_retries upstream failures it passed on to B), none lost or doubled"
