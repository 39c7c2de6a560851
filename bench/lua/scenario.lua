-- One wrk script for every scenario of bench/run.sh. Driven by environment variables:
--   BENCH_DATA    file of lines "bearer<TAB>path": each request picks a random line
--   BENCH_METHOD  GET (default) or POST
--   BENCH_BODY    none (default) | create (a new credential) | test (an unsaved key test)
--   BENCH_OUT     where done() writes the result as one JSON object (latencies in microseconds)
local method = os.getenv("BENCH_METHOD") or "GET"
local body_kind = os.getenv("BENCH_BODY") or "none"
local out = os.getenv("BENCH_OUT")

local bearers, paths = {}, {}
do
  local data = assert(os.getenv("BENCH_DATA"), "BENCH_DATA is not set")
  for line in io.lines(data) do
    local bearer, path = line:match("^([^\t]*)\t(.+)$")
    if path then
      bearers[#bearers + 1] = bearer
      paths[#paths + 1] = path
    end
  end
  assert(#paths > 0, "no request lines in " .. data)
end

local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end

local function hex32()
  local parts = {}
  for i = 1, 8 do parts[i] = string.format("%04x", math.random(0, 0xffff)) end
  return table.concat(parts)
end

local counter = 0
local function make_body()
  if body_kind == "create" then
    counter = counter + 1
    return string.format(
      '{"name":"bench create %d-%d","description":"created by bench/run.sh","appApiKey":"%s","region":"%s"}',
      tid or 0, counter, hex32(), (counter % 5 == 0) and "eu" or "us")
  elseif body_kind == "test" then
    return string.format('{"appApiKey":"%s","region":"us"}', hex32())
  end
  return nil
end

function request()
  local i = math.random(1, #paths)
  local headers = { ["Accept"] = "application/json" }
  if bearers[i] ~= "" then headers["Authorization"] = "Bearer " .. bearers[i] end
  local body = make_body()
  if body then headers["Content-Type"] = "application/json" end
  return wrk.format(method, paths[i], headers, body)
end

function done(summary, latency, requests)
  if not out then return end
  local f = assert(io.open(out, "w"))
  local seconds = summary.duration / 1e6
  f:write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"non2xx":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  f:close()
end
