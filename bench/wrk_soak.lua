-- wrk script for the soak (bench/soak): a mixed load of signed-in users. Each wrk thread takes a
-- disjoint slice of the users file (one "email token" per line, env SOAK_USERS) and cycles
-- through this mix of 20 requests: 5 GET /api/coffees (two variants), 4 GET
-- /api/business-rules/pricing, 3 POST /api/orders/quote, 4 POST /api/orders, 4 GET /api/orders
-- (own orders); every 500th request is a login instead. Every request of the mix expects 200 or
-- 201, so any other status is an error. SOAK_DELAY_MS paces each connection (0 = flat out).
package.path = (os.getenv("BENCH_DIR") or "bench") .. "/?.lua;" .. package.path
local report = require("wrk_report")

local password = os.getenv("SOAK_PASSWORD") or "SoakPass123"
local delay_ms = tonumber(os.getenv("SOAK_DELAY_MS") or "0")
setup = report.setup

local function order_body(n)
  local a = n % 12 + 1
  local b = (n + 5) % 12 + 1
  return string.format(
    '{"items":[{"coffee_item_id":%d,"quantity":2},{"coffee_item_id":%d,"quantity":1}]}', a, b)
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
  for i = thread_index, #users, nthreads do
    local u = users[i]
    local auth = {["Authorization"] = "Bearer " .. u.token}
    local json = {["Authorization"] = "Bearer " .. u.token, ["Content-Type"] = "application/json"}
    local body = order_body(i)
    table.insert(mine, {
      coffees = wrk.format("GET", "/api/coffees"),
      coffees_query = wrk.format("GET", "/api/coffees?sort=price&order=desc&limit=5"),
      pricing = wrk.format("GET", "/api/business-rules/pricing"),
      quote = wrk.format("POST", "/api/orders/quote", json, body),
      order = wrk.format("POST", "/api/orders", json, body),
      my_orders = wrk.format("GET", "/api/orders?limit=10", auth),
      login = wrk.format("POST", "/api/auth/login", {["Content-Type"] = "application/json"},
        string.format('{"email":"%s","password":"%s"}', u.email, password)),
    })
  end
  assert(#mine > 0, "no users for thread " .. thread_index)
  mix = {"coffees", "pricing", "quote", "order", "my_orders",
         "coffees_query", "pricing", "order", "my_orders", "coffees",
         "quote", "pricing", "order", "my_orders", "coffees_query",
         "coffees", "quote", "pricing", "order", "my_orders"}
  n = 0
end

function request()
  n = n + 1
  local u = mine[n % #mine + 1]
  if n % 500 == 0 then return u.login end
  return u[mix[n % #mix + 1]]
end

function delay()
  return delay_ms
end

local function success(status) return status == 200 or status == 201 end

function response(status, headers, body)
  report.count(success, status, body)
end

function done(summary, latency, requests)
  local good, errors = report.totals(report.threads, "unexpected statuses")
  print(report.line(summary, latency, good) .. string.format(" bad_status=%d", errors))
end
