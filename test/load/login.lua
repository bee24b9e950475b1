-- wrk script: valid logins for one account, each request from a different client address
-- (X-Forwarded-For, believed because the server trusts 127.0.0.1 as its proxy), so that
-- per-address throttling does not hide the cost of the flood. Counts answers by status.
local user = os.getenv("LOAD_USER") or "flood@example.com"
local password = os.getenv("LOAD_PASSWORD") or "flood-password"
wrk.method = "POST"
wrk.body = "username=" .. user:gsub("@", "%%40") .. "&password=" .. password
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local n = 0
function init(args)
  ok, busy, throttled, other = 0, 0, 0, 0
end

function request()
  n = n + 1
  local addr = string.format("10.%d.%d.%d", id % 256, math.floor(n / 256) % 256, n % 256)
  -- wrk.format uses the headers it is given instead of wrk.headers: pass both.
  return wrk.format(nil, nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Forwarded-For"] = addr,
  })
end

function response(status)
  if status == 200 then ok = ok + 1
  elseif status == 503 then busy = busy + 1
  elseif status == 429 then throttled = throttled + 1
  else other = other + 1 end
end

function done(summary)
  local t = { ok = 0, busy = 0, throttled = 0, other = 0 }
  for _, th in ipairs(threads) do
    for k in pairs(t) do t[k] = t[k] + th:get(k) end
  end
  io.write(string.format("STATUS ok=%d busy=%d throttled=%d other=%d seconds=%.2f\n",
    t.ok, t.busy, t.throttled, t.other, summary.duration / 1e6))
end
