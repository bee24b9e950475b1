-- wrk script: POST /password-reset for the address in RESET_EMAIL, each request from a
-- different client address (X-Forwarded-For, believed because the server trusts
-- 127.0.0.1 as its proxy). Counts answers by status: every one must be 202.
wrk.method = "POST"
wrk.body = '{"email":"' .. (os.getenv("RESET_EMAIL") or "nobody@example.com") .. '"}'
wrk.headers["Content-Type"] = "application/json"

local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local n = 0
function init(args)
  accepted, other = 0, 0
end

function request()
  n = n + 1
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", id, math.floor(n / 256) % 256, n % 256)
  return wrk.format()
end

function response(status)
  if status == 202 then accepted = accepted + 1 else other = other + 1 end
end

function done()
  local a, o = 0, 0
  for _, t in ipairs(threads) do
    a, o = a + t:get("accepted"), o + t:get("other")
  end
  io.write(string.format("answers: %d accepted, %d other\n", a, o))
end
