-- POST submit for attempts of the pool, each once (args: pool file, first line, last line, threads).
local rows, i, step
function init(args)
  rows = read_pool(args[1], tonumber(args[2]), tonumber(args[3]))
  step = tonumber(args[4])
  i = tid + 1
end

function request()
  local row = rows[((i - 1) % #rows) + 1]
  i = i + step
  return wrk.format("POST", "/api/v1/attempts/" .. row[3] .. "/submit/",
    {["Authorization"] = "Token " .. row[1], ["Content-Type"] = "application/json"}, '{"prediction":1234}')
end
