-- Like request.lua, but each request uses up one line of BENCH_POOL_FILE: "@ITEM@" in BENCH_BODY
-- becomes the next line (revoke-session: one seeded session per request). The lines are split
-- across wrk threads (BENCH_THREADS); when a thread's share runs out it sends "exhausted", which
-- gatehouse answers with 404, so an undersized pool shows in the non-2xx column.
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
end

function init(args)
  method = os.getenv("BENCH_METHOD") or "POST"
  headers = {}
  for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
  template = os.getenv("BENCH_BODY")
  pool = {}
  local count = tonumber(os.getenv("BENCH_THREADS") or "2")
  local i = 0
  for line in io.lines(os.getenv("BENCH_POOL_FILE")) do
    if #line > 0 then
      if i % count == index then table.insert(pool, line) end
      i = i + 1
    end
  end
  next_item = 1
end

function request()
  local item = pool[next_item] or "exhausted"
  next_item = next_item + 1
  return wrk.format(method, nil, headers, (template:gsub("@ITEM@", (item:gsub("%%", "%%%%")))))
end
