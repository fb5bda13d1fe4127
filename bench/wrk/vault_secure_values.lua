-- GET a credential's decrypted secure values with a bearer token (BENCH_TOKEN); every request
-- unwraps the data key, opens the sealed values and commits a credential_secret_read audit
-- event before answering. Adds p95 to wrk's summary.
local token = os.getenv("BENCH_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token

function done(summary, latency, requests)
  io.write(string.format("p95: %.3fms\n", latency:percentile(95) / 1000))
end
