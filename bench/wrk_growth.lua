-- wrk script for bench/growth: one request repeated (wrk -t1 -c1, so requests run one after
-- another). Environment: GROWTH_METHOD (GET or POST), GROWTH_TARGET (path and query string),
-- GROWTH_TOKEN (bearer token, optional), GROWTH_BODY (JSON body of a POST), GROWTH_EXPECT (the
-- good status, default 200) and GROWTH_BUST=1 to append a distinct `bust=<n>` query parameter
-- to each request, so that the catalog's per-query-string answer cache never answers and every
-- request reaches the database (the API ignores unknown parameters). Prints the BENCH line of
-- wrk_report.lua plus the mean latency; non-expected answers are counted and sampled.
package.path = (os.getenv("BENCH_DIR") or "bench") .. "/?.lua;" .. package.path
local report = require("wrk_report")

local method = os.getenv("GROWTH_METHOD") or "GET"
local target = assert(os.getenv("GROWTH_TARGET"), "GROWTH_TARGET is required")
local token = os.getenv("GROWTH_TOKEN") or ""
local body = os.getenv("GROWTH_BODY")
local expect = tonumber(os.getenv("GROWTH_EXPECT") or "200")
local bust = os.getenv("GROWTH_BUST") == "1"
local separator = target:find("?", 1, true) and "&" or "?"
setup = report.setup

local headers = {}
if token ~= "" then headers["Authorization"] = "Bearer " .. token end
if body then headers["Content-Type"] = "application/json" end
local fixed = wrk.format(method, target, headers, body)
local counter = 0

function request()
  if not bust then return fixed end
  counter = counter + 1
  return wrk.format(method, target .. separator .. "bust=" .. counter, headers, body)
end

local function good(status) return status == expect end

function response(status, headers, body)
  report.count(good, status, body)
end

function done(summary, latency, requests)
  local ok, bad = report.totals(report.threads, "unexpected answers")
  print(report.line(summary, latency, ok) .. string.format(" bad=%d mean_us=%.1f", bad, latency.mean))
end
