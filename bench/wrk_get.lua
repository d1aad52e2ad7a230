-- wrk script for the cached reads: plain GET of the path on the command line; prints the
-- BENCH summary line (ok = requests without an HTTP >= 400 status or socket error).
package.path = (os.getenv("BENCH_DIR") or "bench") .. "/?.lua;" .. package.path
local report = require("wrk_report")

function done(summary, latency, requests)
  local e = summary.errors
  local bad = e.status + e.read + e.write + e.timeout
  print(report.line(summary, latency, summary.requests - bad))
end
