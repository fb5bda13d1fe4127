-- POST /v1/audit/events (seed 000 logAuditEvent) with a bearer token holding audit.write
-- (BENCH_TOKEN); each answer means the event's transaction has committed (group commit).
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"eventType":"custom_action","resourceType":"bench","description":"load test",' ..
           '"metadata":{"n":1},"status":"success","sourceService":"backend"}'
function done(summary, latency, requests)
  io.write(string.format("p95: %.3fms\n", latency:percentile(95) / 1000))
end
