-- 4096 client addresses behind a trusted proxy, each request from the next
-- one (by a stride, so that a client's requests are spread out).
local reqs = {}
local n = 0
function init(args)
  for c = 0, 4095 do
    reqs[c + 1] = wrk.format("GET", "/api/items", {["X-Forwarded-For"] = "198.51." .. math.floor(c / 256) .. "." .. (c % 256)})
  end
end
function request()
  n = (n + 1531) % 4096
  return reqs[n + 1]
end
