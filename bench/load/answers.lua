-- POST /s/<token> as the survey page's form sends it, over the seeded surveys in turn; each
-- visit to a survey gives another score, so most requests change an answer and move counters.
dofile(os.getenv("LOAD_SCRIPTS") .. "/common.lua")

local tokens = read_lines(os.getenv("LOAD_TOKENS"))
local base = os.getenv("LOAD_BASE")
local sent = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

function request()
  sent = sent + 1
  -- Threads walk disjoint residues, so two connections rarely answer one survey at once.
  local index = ((sent * 2 + thread_number) % #tokens) + 1
  local score = sent % 11
  return wrk.format(nil, base .. "/s/" .. tokens[index], nil, "score=" .. score)
end
