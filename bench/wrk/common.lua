-- Shared by every scenario: one machine-readable line with the summary.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end

-- Lines of a pool file, split on spaces.
function read_pool(path, first, last)
  local rows, n = {}, 0
  for line in io.lines(path) do
    n = n + 1
    if (not first or n >= first) and (not last or n <= last) then
      local fields = {}
      for field in line:gmatch("%S+") do fields[#fields + 1] = field end
      rows[#rows + 1] = fields
    end
  end
  return rows
end

local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
