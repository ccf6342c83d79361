-- wrk script: one header for every request (the session cookie or the Bearer token, from the
-- environment), and the figures as one JSON line at the end (microseconds).
local name, value = os.getenv("BENCH_HEADER_NAME"), os.getenv("BENCH_HEADER_VALUE")
if name and name ~= "" then wrk.headers[name] = value end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
