-- Like request.lua, but every request's body is new: "@ITEM@" in BENCH_BODY becomes
-- BENCH_PREFIX .. "-" .. thread .. "-" .. counter (sign-up with a fresh email each time).
-- BENCH_PREFIX must differ between runs against the same database.
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
  prefix = os.getenv("BENCH_PREFIX") .. "-" .. index .. "-"
  sent = 0
end

function request()
  sent = sent + 1
  local item = (prefix .. sent):gsub("%%", "%%%%")
  return wrk.format(method, nil, headers, (template:gsub("@ITEM@", item)))
end
