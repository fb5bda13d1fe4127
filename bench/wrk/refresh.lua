-- POST /v1/auth/refresh with rotation: every refresh token works once, so each wrk thread keeps
-- a pool of live tokens (one per connection, read from BENCH_REFRESH_FILE: one token per line,
-- split across threads) and puts back the token each response returns.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  pool = {}
  local all = {}
  for line in io.lines(os.getenv("BENCH_REFRESH_FILE")) do
    if #line > 0 then table.insert(all, line) end
  end
  local count = tonumber(os.getenv("BENCH_THREADS") or "2")
  for i, token in ipairs(all) do
    if (i - 1) % count == index then table.insert(pool, token) end
  end
end

function request()
  local token = table.remove(pool)
  if token == nil then
    -- Pool empty (a refresh failed): send a request that will be counted as non-2xx.
    token = "exhausted"
  end
  return wrk.format("POST", "/v1/auth/refresh", {["x-refresh-token"] = token}, "")
end

function response(status, headers, body)
  local token = body:match('"refreshToken":"([^"]+)"')
  if token then table.insert(pool, token) end
end
