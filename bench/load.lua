-- wrk script for `make load` (bench/load.sh): every request picks a kind of request by weight,
-- then one of the concrete paths of that kind, uniformly. The paths are not written here:
-- bench/load.sh discovers ids, cursors and names from the running API and passes a file of
-- "<kind>\t<path>" lines as the script's first argument (wrk ... -- FILE).
--
-- done() prints the status counts, the non-2xx count and the totals, plus "load.<key>=<value>"
-- lines that bench/load.sh reads for its summary.

-- Weights of the kinds of request (percent of the requests, roughly).
local weights = {
  { "root", 5 }, -- GET /v1
  { "list", 18 }, -- first pages of lists, with filters and sorts
  { "page", 12 }, -- later pages, through discovered cursors
  { "item", 20 }, -- GET /v1/{collection}/{id}
  { "search", 12 }, -- GET /v1/search and q= on lists
  { "resolve", 8 }, -- GET /v1/entities/resolve
  { "facets", 10 }, -- lists with facets=
  { "timeline", 8 }, -- GET /v1/timeline
  { "relations", 4 }, -- GET /v1/entities/{id}/relations
  { "csv", 3 }, -- format=csv exports of filtered lists
}

local threads = {}
local counter = 0

-- main state: give each thread an id so that each draws a different, reproducible sequence
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

-- per-thread state (globals so that done() can read them with thread:get)
statuses = {}
sent = {}

local paths = {} -- kind -> list of paths
local cumulative = {} -- { {kind, upper bound}, ... } over the kinds that have paths
local total_weight = 0

function init(args)
  local file = args[1]
  if not file then
    error("load.lua: pass the paths file: wrk ... -- FILE")
  end
  for line in io.lines(file) do
    local kind, path = line:match("^(%S+)\t(/%S*)$")
    if kind then
      paths[kind] = paths[kind] or {}
      table.insert(paths[kind], path)
    end
  end
  for _, entry in ipairs(weights) do
    local kind, weight = entry[1], entry[2]
    if not paths[kind] then
      error("load.lua: no path of kind " .. kind .. " in " .. file)
    end
    total_weight = total_weight + weight
    table.insert(cumulative, { kind, total_weight })
    sent[kind] = 0
  end
  math.randomseed(id * 7919)
end

function request()
  local r = math.random() * total_weight
  local kind = cumulative[#cumulative][1]
  for _, entry in ipairs(cumulative) do
    if r < entry[2] then
      kind = entry[1]
      break
    end
  end
  local list = paths[kind]
  sent[kind] = sent[kind] + 1
  return wrk.format("GET", list[math.random(#list)])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local by_status, by_kind = {}, {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + n
    end
    for kind, n in pairs(thread:get("sent")) do
      by_kind[kind] = (by_kind[kind] or 0) + n
    end
  end

  local answered, non_2xx = 0, 0
  local codes = {}
  for status, n in pairs(by_status) do
    answered = answered + n
    if status < 200 or status > 299 then
      non_2xx = non_2xx + n
    end
    table.insert(codes, status)
  end
  table.sort(codes)

  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  io.write("\n-- load.lua --\n")
  io.write("responses by status:")
  for _, status in ipairs(codes) do
    io.write(string.format(" %d=%d", status, by_status[status]))
  end
  io.write("\n")
  for _, status in ipairs(codes) do
    if status < 200 or status > 299 then
      io.write(string.format("non-2xx %d: %d\n", status, by_status[status]))
    end
  end
  io.write("requests sent by kind:")
  for _, entry in ipairs(weights) do
    io.write(string.format(" %s=%d", entry[1], by_kind[entry[1]] or 0))
  end
  io.write("\n")
  io.write(string.format(
    "totals: %d requests completed, %d responses seen by response(), %d non-2xx, %d socket errors\n",
    summary.requests, answered, non_2xx, socket_errors
  ))

  local function kv(key, value)
    io.write(string.format("load.%s=%s\n", key, value))
  end
  local seconds = summary.duration / 1e6
  kv("duration_s", string.format("%.2f", seconds))
  kv("requests", summary.requests)
  kv("rps", string.format("%.1f", summary.requests / seconds))
  kv("bytes", summary.bytes)
  kv("p50_ms", string.format("%.2f", latency:percentile(50) / 1000))
  kv("p90_ms", string.format("%.2f", latency:percentile(90) / 1000))
  kv("p99_ms", string.format("%.2f", latency:percentile(99) / 1000))
  kv("max_ms", string.format("%.2f", latency.max / 1000))
  kv("mean_ms", string.format("%.2f", latency.mean / 1000))
  kv("socket_errors", socket_errors)
  kv("errors_connect", e.connect)
  kv("errors_read", e.read)
  kv("errors_write", e.write)
  kv("errors_timeout", e.timeout)
  kv("non_2xx", non_2xx)
  local statuses_text = {}
  for _, status in ipairs(codes) do
    table.insert(statuses_text, string.format("%d:%d", status, by_status[status]))
  end
  kv("statuses", table.concat(statuses_text, ","))
end
