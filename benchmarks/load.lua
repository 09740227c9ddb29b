-- wrk script of benchmarks/load.py: counts every answer's status per thread (and the 503s
-- that lack Retry-After), then prints one line "WRK-JSON {...}" with the run's summary.
-- `wrk ... URL -- plain` leaves the response callback out: wrk then neither copies each
-- answer's headers and body nor calls Lua per answer, and only counts statuses over 399.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for _, arg in pairs(args) do
    if arg == "plain" then
      response = nil
      return
    end
  end
  statuses = {}
  missing_retry_after = 0
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 503 and headers["retry-after"] == nil and headers["Retry-After"] == nil then
    missing_retry_after = missing_retry_after + 1
  end
end

function done(summary, latency, requests)
  local merged, missing, counted = {}, 0, false
  for _, thread in ipairs(threads) do
    local seen = thread:get("statuses")
    if seen ~= nil then
      counted = true
      for status, count in pairs(seen) do
        merged[status] = (merged[status] or 0) + count
      end
      missing = missing + (thread:get("missing_retry_after") or 0)
    end
  end
  local parts = {}
  for status, count in pairs(merged) do
    parts[#parts + 1] = string.format('"%d": %d', status, count)
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %d, "duration_us": %d, "bytes": %d, "counted": %s, '
      .. '"statuses": {%s}, "missing_retry_after": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"latency_us": {"p50": %.1f, "p90": %.1f, "p99": %.1f, "max": %.1f, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes, tostring(counted),
    table.concat(parts, ", "), missing,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean
  ))
end
