-- wrk script for the soak (bench/soak): a mixed load of signed-in users. Each wrk thread takes a
-- disjoint slice of the users file (one "email token" per line, env SOAK_USERS) and cycles
-- through this mix of 20 requests: 5 GET /api/coffees (two variants), 4 GET
-- /api/business-rules/pricing, 3 POST /api/orders/quote, 4 POST /api/orders, 4 GET /api/orders
-- (own orders); every 500th request is a login instead, for each of the thread's users in turn.
-- Like a real client, the load keeps its users signed in: a login's answer carries a new access
-- token, and the user's requests use it from then on; a user whose token is older than
-- SOAK_TOKEN_RENEW_SECONDS (default 600, access tokens live 900) logs in with its next request,
-- so the load runs for any duration. Every request of the mix expects 200 or 201, so any other
-- status is an error (an expired token would be a 401). SOAK_DELAY_MS paces each connection
-- (0 = flat out).
package.path = (os.getenv("BENCH_DIR") or "bench") .. "/?.lua;" .. package.path
local report = require("wrk_report")

local password = os.getenv("SOAK_PASSWORD") or "SoakPass123"
local delay_ms = tonumber(os.getenv("SOAK_DELAY_MS") or "0")
local renew_seconds = tonumber(os.getenv("SOAK_TOKEN_RENEW_SECONDS") or "600")
setup = report.setup

local function order_body(n)
  local a = n % 12 + 1
  local b = (n + 5) % 12 + 1
  return string.format(
    '{"items":[{"coffee_item_id":%d,"quantity":2},{"coffee_item_id":%d,"quantity":1}]}', a, b)
end

-- The requests of one user, signed with `token`.
local function signed(u, token)
  local auth = {["Authorization"] = "Bearer " .. token}
  local json = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
  u.quote = wrk.format("POST", "/api/orders/quote", json, u.body)
  u.order = wrk.format("POST", "/api/orders", json, u.body)
  u.my_orders = wrk.format("GET", "/api/orders?limit=10", auth)
  u.signed_at = os.time()
end

function init(args)
  local users = {}
  local f = assert(io.open(os.getenv("SOAK_USERS"), "r"))
  for line in f:lines() do
    local email, token = line:match("^(%S+) (%S+)$")
    if email then table.insert(users, {email = email, token = token}) end
  end
  f:close()
  local nthreads = tonumber(os.getenv("SOAK_THREADS") or "2")
  mine = {}
  by_email = {}
  for i = thread_index, #users, nthreads do
    local u = {
      email = users[i].email,
      body = order_body(i),
      coffees = wrk.format("GET", "/api/coffees"),
      coffees_query = wrk.format("GET", "/api/coffees?sort=price&order=desc&limit=5"),
      pricing = wrk.format("GET", "/api/business-rules/pricing"),
      login = wrk.format("POST", "/api/auth/login", {["Content-Type"] = "application/json"},
        string.format('{"email":"%s","password":"%s"}', users[i].email, password)),
    }
    signed(u, users[i].token)
    table.insert(mine, u)
    by_email[u.email] = u
  end
  assert(#mine > 0, "no users for thread " .. thread_index)
  mix = {"coffees", "pricing", "quote", "order", "my_orders",
         "coffees_query", "pricing", "order", "my_orders", "coffees",
         "quote", "pricing", "order", "my_orders", "coffees_query",
         "coffees", "quote", "pricing", "order", "my_orders"}
  n = 0
  logins = 0
end

function request()
  n = n + 1
  if n % 500 == 0 then
    logins = logins + 1
    return mine[logins % #mine + 1].login
  end
  local u = mine[n % #mine + 1]
  if os.time() - u.signed_at >= renew_seconds then
    -- Counted as renewed now, so that the other connections do not log it in too; the answer
    -- brings the token.
    u.signed_at = os.time()
    return u.login
  end
  return u[mix[n % #mix + 1]]
end

function delay()
  return delay_ms
end

local function success(status) return status == 200 or status == 201 end

function response(status, headers, body)
  report.count(success, status, body)
  if status == 200 and body and string.find(body, '"access_token"', 1, true) then
    local token = body:match('"access_token"%s*:%s*"([^"]+)"')
    local email = body:match('"email"%s*:%s*"([^"]+)"')
    local u = email and by_email[email]
    if token and u then
      signed(u, token)
      tokens_renewed = (tokens_renewed or 0) + 1
    end
  end
end

function done(summary, latency, requests)
  local good, errors = report.totals(report.threads, "unexpected statuses")
  local renewed = 0
  for _, t in ipairs(report.threads) do renewed = renewed + (t:get("tokens_renewed") or 0) end
  print(report.line(summary, latency, good)
    .. string.format(" bad_status=%d tokens_renewed=%d", errors, renewed))
end
