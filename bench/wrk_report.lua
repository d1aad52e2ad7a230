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

-- wrk's setup(): numbers the threads (thread_index, from 1) and keeps them for M.totals.
M.threads = {}
function M.setup(thread)
  table.insert(M.threads, thread)
  thread:set("thread_index", #M.threads)
end

-- Tallies one answer in the calling thread's globals: answers_ok, answers_bad, and the first
-- three unexpected answers in answers_sample. `expected(status)` says which statuses are good.
function M.count(expected, status, body)
  if expected(status) then
    answers_ok = (answers_ok or 0) + 1
  else
    answers_bad = (answers_bad or 0) + 1
    if answers_bad <= 3 then
      answers_sample = (answers_sample or "") .. status .. ":" .. string.sub(body or "", 1, 160)
        .. " | "
    end
  end
end

-- In done(): the good and bad answers of all threads; prints each thread's sample of
-- unexpected answers to stderr after `label`.
function M.totals(threads, label)
  local ok, bad = 0, 0
  for _, t in ipairs(threads) do
    ok = ok + (t:get("answers_ok") or 0)
    bad = bad + (t:get("answers_bad") or 0)
    local s = t:get("answers_sample")
    if s and s ~= "" then io.stderr:write(label .. ": " .. s .. "\n") end
  end
  return ok, bad
end

return M
