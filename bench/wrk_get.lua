-- wrk script for the cached reads: plain GET of the path on the command line; prints the
-- BENCH summary line (ok = requests without an HTTP >= 400 status or socket error).
-- BENCH_DELAY_MS (default 0): each connection waits that long after an answer before sending
-- its next request, so that a run paces itself below capacity (the latency rows at half load).
package.path = (os.getenv("BENCH_DIR") or "bench") .. "/?.lua;" .. package.path
local report = require("wrk_report")
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")

if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local bad = e.status + e.read + e.write + e.timeout
  print(report.line(summary, latency, summary.requests - bad))
end
