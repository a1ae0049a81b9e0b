-- Shared by the wrk scripts: each wrk thread gets its own number, so generated ids never
-- collide across threads, and the storefront key of the local stack.
local next_thread = 1

function setup(thread)
  thread:set("thread_number", next_thread)
  next_thread = next_thread + 1
end

wrk.headers["Authorization"] = "Bearer local-dev-key-not-secret"

-- One value per line of a file the seeding step wrote.
function read_lines(path)
  local lines = {}
  local file = assert(io.open(path, "r"), "cannot read " .. path)
  for line in file:lines() do
    if line ~= "" then lines[#lines + 1] = line end
  end
  file:close()
  assert(#lines > 0, path .. " is empty")
  return lines
end
