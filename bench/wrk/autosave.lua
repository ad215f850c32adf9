-- PUT one answer of a random attempt of the in-progress pool (args: pool file, last line to use).
local rows
function init(args)
  rows = read_pool(args[1], 1, tonumber(args[2]))
  math.randomseed(os.time() + (tid or 0) * 7919)
end

function request()
  local row = rows[math.random(#rows)]
  local item = row[3 + math.random(#row - 3)]
  local question, choices = item:match("(%d+):(.+)")
  local list = {}
  for c in choices:gmatch("%d+") do list[#list + 1] = c end
  local body = '{"choices":[' .. list[math.random(#list)] .. ']}'
  return wrk.format("PUT", "/api/v1/attempts/" .. row[3] .. "/answers/" .. question .. "/",
    {["Authorization"] = "Token " .. row[1], ["Content-Type"] = "application/json"}, body)
end
