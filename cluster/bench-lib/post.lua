-- wrk script for cluster/bench: POSTs one JSON body (BENCH_BODY) with an optional
-- Authorization header (BENCH_AUTH), and prints one machine-readable summary line.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY") or '{"model":"auto","messages":[{"role":"user","content":"hi"}]}'
wrk.headers["Content-Type"] = "application/json"
-- What Triage's stream calls send upstream: a static upstream (cluster/bench's nginx) answers by it.
if string.find(wrk.body, '"stream":true', 1, true) then
  wrk.headers["Accept"] = "text/event-stream"
else
  wrk.headers["Accept"] = "application/json"
end
local auth = os.getenv("BENCH_AUTH")
if auth and auth ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. auth
end

done = function(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d "
      .. "err_connect=%d err_read=%d err_write=%d err_timeout=%d non2xx=%d bytes=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status, summary.bytes))
end
