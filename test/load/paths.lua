-- paths.lua: each request asks for the next path of the file named by PATHS (one path
-- per line), round robin; run with -t1 so that one walk covers every path in order.
local paths, i = {}, 0
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
