-- PUT answers of attempts of the in-progress pool (args: pool file, last line to use, saves per participant).
-- Each thread keeps 32 participants in play; each makes the given number of autosaves (a random question
-- and choice of their attempt each time, interleaved with the others) and then leaves for a new random
-- attempt of the pool, as the issue's participant does (start, 10 autosaves, submit). With 1, every
-- request is a participant not seen before (the worst case for anything remembered per participant).
local rows, per, slots, turn = nil, 1, {}, 0
function init(args)
  rows = read_pool(args[1], 1, tonumber(args[2]))
  per = tonumber(args[3] or "1")
  math.randomseed(os.time() + (tid or 0) * 7919)
end

function request()
  turn = turn % 32 + 1
  local slot = slots[turn]
  if slot == nil or slot.left == 0 then
    slot = {row = rows[math.random(#rows)], left = per}
    slots[turn] = slot
  end
  slot.left = slot.left - 1
  local row = slot.row
  local item = row[3 + math.random(#row - 3)]
  local question, choices = item:match("(%d+):(.+)")
  local list = {}
  for c in choices:gmatch("%d+") do list[#list + 1] = c end
  local body = '{"choices":[' .. list[math.random(#list)] .. ']}'
  return wrk.format("PUT", "/api/v1/attempts/" .. row[3] .. "/answers/" .. question .. "/",
    {["Authorization"] = "Token " .. row[1], ["Content-Type"] = "application/json"}, body)
end
