-- GET /v1/audit/events with three filters (BENCH_TOKEN holds audit.read), and p95 in the summary.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
function done(summary, latency, requests)
  io.write(string.format("p95: %.3fms\n", latency:percentile(95) / 1000))
end
