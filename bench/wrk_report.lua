-- Shared by the bench/*.lua wrk scripts: one machine-readable summary line that bench/run
-- parses. `ok` is the number of successful responses (for GETs: wrk's non-error count).
local M = {}

function M.line(summary, latency, ok)
  local secs = summary.duration / 1e6
  local errors = summary.errors
  return string.format(
    "BENCH requests=%d ok=%d seconds=%.3f ok_per_s=%.1f p50_us=%d p99_us=%d max_us=%d "
      .. "connect_err=%d read_err=%d write_err=%d timeout=%d status_err=%d",
    summary.requests, ok, secs, ok / secs,
    latency:percentile(50), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, errors.timeout, errors.status)
end

return M
