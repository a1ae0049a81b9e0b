-- POST /orders: every request is a new friend's first order carrying one of the seeded
-- referrers' codes, so every order takes the rewarded path (REFERRER_CAP is raised for the run).
dofile(os.getenv("LOAD_SCRIPTS") .. "/common.lua")

local codes = read_lines(os.getenv("LOAD_CODES"))
local sent = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
  sent = sent + 1
  local friend = string.format("friend-%d-%d", thread_number, sent)
  local code = codes[(sent + thread_number) % #codes + 1]
  local body = string.format(
    '{"order_id":"order-%s","customer_id":"%s","email":"%s@example.com","total_cents":5000,"currency":"EUR","referral_code":"%s"}',
    friend, friend, friend, code)
  return wrk.format(nil, nil, nil, body)
end
