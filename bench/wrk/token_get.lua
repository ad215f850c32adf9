-- GET a path as a random user of a pool (args: pool file, path).
local rows, target
function init(args)
  rows = read_pool(args[1])
  target = args[2]
  math.randomseed(os.time() + (tid or 0) * 7919)
end

function request()
  local row = rows[math.random(#rows)]
  return wrk.format("GET", target, {["Authorization"] = "Token " .. row[1]})
end
