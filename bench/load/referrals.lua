-- POST /referrals for a new customer on every request: the path that creates a code.
dofile(os.getenv("LOAD_SCRIPTS") .. "/common.lua")

local sent = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
  sent = sent + 1
  local customer = string.format("load-%d-%d", thread_number, sent)
  local body = string.format('{"customer_id":"%s","email":"%s@example.com"}', customer, customer)
  return wrk.format(nil, nil, nil, body)
end
