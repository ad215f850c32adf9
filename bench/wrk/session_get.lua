-- GET a lesson as a random logged-in learner (args: file of "sessionid path" lines).
local rows
function init(args)
  rows = read_pool(args[1])
  math.randomseed(os.time() + (tid or 0) * 7919)
end

function request()
  local row = rows[math.random(#rows)]
  return wrk.format("GET", row[2], {["Cookie"] = "sessionid=" .. row[1]})
end
