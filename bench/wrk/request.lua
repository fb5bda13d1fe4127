-- One request shape from the environment, so the same script drives gatehouse and the peer:
-- BENCH_METHOD (default GET), BENCH_HEADERS ("Name: value" lines) and BENCH_BODY. The path is
-- the one in wrk's URL.
wrk.method = os.getenv("BENCH_METHOD") or "GET"
for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end
local body = os.getenv("BENCH_BODY")
if body and #body > 0 then wrk.body = body end
