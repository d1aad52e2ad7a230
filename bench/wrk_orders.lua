-- wrk script for POST /api/orders: 2 lines (coffee 1 x2, coffee 2 x1; 3 items, so the seeded
-- quantity rule and the bench's promotional rule both apply), one signed-in user per request
-- from a token file (one access token per line, env BENCH_TOKENS). Each wrk thread takes a
-- disjoint slice of the tokens and cycles through it, so concurrent requests come from
-- distinct users. Only 201s count as placed orders; other statuses are tallied and printed.
package.path = (os.getenv("BENCH_DIR") or "bench") .. "/?.lua;" .. package.path
local report = require("wrk_report")

local body = '{"items":[{"coffee_item_id":1,"quantity":2},{"coffee_item_id":2,"quantity":1}]}'
setup = report.setup

function init(args)
  local tokens = {}
  local f = assert(io.open(os.getenv("BENCH_TOKENS"), "r"))
  for line in f:lines() do
    if line ~= "" then table.insert(tokens, line) end
  end
  f:close()
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")
  requests_list = {}
  for i = thread_index, #tokens, nthreads do
    table.insert(requests_list, wrk.format("POST", "/api/orders", {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. tokens[i],
    }, body))
  end
  assert(#requests_list > 0, "no tokens for thread " .. thread_index)
  next_request = 0
end

function request()
  next_request = next_request % #requests_list + 1
  return requests_list[next_request]
end

local function created(status) return status == 201 end

function response(status, headers, body)
  report.count(created, status, body)
end

function done(summary, latency, requests)
  local ok, bad = report.totals(report.threads, "non-201 responses")
  print(report.line(summary, latency, ok) .. string.format(" non201=%d", bad))
end
