-- Adds the 95th percentile latency to wrk's summary (wrk --latency prints 50/75/90/99 only).
function done(summary, latency, requests)
  io.write(string.format("p95: %.3fms\n", latency:percentile(95) / 1000))
end
