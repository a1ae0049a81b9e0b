#!/usr/bin/env bash
# Throughput of the local stack (embedded store) under wrk, on this machine: requests/s and
# latency percentiles per route at a fixed concurrency. Prints a markdown table on stdout,
# progress on stderr. Called by bench/run.sh after `cargo build --release -p local`.
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS=2
CONNECTIONS="${LOAD_CONNECTIONS:-16}"
DURATION="${LOAD_DURATION:-15s}"
REFERRERS=200
SURVEYS=2000
KEY="Authorization: Bearer local-dev-key-not-secret"

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing Debian's wrk…" >&2
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
fi

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
# Every order is a rewarded first order, so the referrer cap must not end the run early.
PORT="$port" DATA_DIR="$work/data" REFERRER_CAP=1000000000 ./target/release/local >"$work/local.log" 2>&1 &
stack=$!
stop() { kill "$stack" 2>/dev/null || true; wait "$stack" 2>/dev/null || true; rm -rf "$work"; }
trap stop EXIT
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done
base="http://127.0.0.1:$port/lambda-url"

# Seeds many requests through one curl process (parallel), printing the answers' bodies.
seed() {
  local config="$work/seed.curl"
  : >"$config"
  local body separator=""
  while IFS= read -r line; do
    body="${line#* }"
    printf '%surl = "%s"\nrequest = "POST"\nheader = "%s"\nheader = "Content-Type: application/json"\ndata = %s\nwrite-out = "\\n"\n' \
      "$separator" "${line%% *}" "$KEY" "\"${body//\"/\\\"}\"" >>"$config"
    separator=$'next\n'
  done
  curl -s --no-progress-meter --fail-with-body --parallel --parallel-max 8 --config "$config"
}

echo "seeding $REFERRERS referral codes and $SURVEYS surveys…" >&2
for i in $(seq 1 "$REFERRERS"); do
  echo "$base/create-referral/referrals {\"customer_id\":\"referrer-$i\",\"email\":\"referrer-$i@example.com\"}"
done | seed | grep -o '"code":"[A-Z0-9]*"' | cut -d'"' -f4 >"$work/codes"
for i in $(seq 1 "$SURVEYS"); do
  echo "$base/collect-survey/surveys {\"order_id\":\"seed-$i\",\"customer_id\":\"surveyed-$i\",\"email\":\"surveyed-$i@example.com\"}"
done | seed | grep -o '"survey_id":"[^"]*"' | cut -d'"' -f4 >"$work/tokens"
[ "$(wc -l <"$work/codes")" = "$REFERRERS" ] || { echo "seeding codes failed" >&2; exit 1; }
[ "$(wc -l <"$work/tokens")" = "$SURVEYS" ] || { echo "seeding surveys failed" >&2; exit 1; }
click_code="$(head -1 "$work/codes")"

export LOAD_SCRIPTS="$PWD/bench/load" LOAD_CODES="$work/codes" LOAD_TOKENS="$work/tokens" LOAD_BASE="/lambda-url/collect-survey"

# wrk prints latencies as 812.00us, 1.23ms or 1.02s; the table wants milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }

echo "| route | what each request does | requests/s | p50 (ms) | p99 (ms) | requests | errors |"
echo "|---|---|---:|---:|---:|---:|---:|"
run() {
  local label="$1" what="$2" url="$3" script="$4"
  echo "wrk: $label ($CONNECTIONS connections, $DURATION)…" >&2
  local args=(-t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency)
  if [ -n "$script" ]; then args+=(-s "$LOAD_SCRIPTS/$script"); fi
  local out
  out="$(wrk "${args[@]}" "$url")"
  local rps p50 p99 total bad
  rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")"
  p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
  p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
  total="$(awk '/requests in/ { print $1 }' <<<"$out")"
  bad="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")"
  local socket
  socket="$(awk '/Socket errors:/ { sub(/.*Socket errors: /, ""); print }' <<<"$out")"
  echo "| \`$label\` | $what | $rps | $p50 | $p99 | $total | ${bad:-0}${socket:+ (socket: $socket)} |"
}
run "POST /referrals" "new customer: code created" "$base/create-referral/referrals" referrals.lua
run "GET /r/<code>" "click counted, 302 to the shop" "$base/create-referral/r/$click_code" ""
run "POST /orders" "friend's first order: rewarded, 2 coupons, 2 mails to the outbox" "$base/reward-referral/orders" orders.lua
run "POST /s/<token>" "survey answer from the page's form (changes the score), thank-you page" "$base/collect-survey" answers.lua

# The load must have done what the table says: read the stack's own counters back.
stats="$(curl -fsS -H "Authorization: Bearer local-staff-key-not-secret" "$base/score-nps/referrals/stats")"
python3 - "$stats" <<'PY'
import json, sys
stats = json.loads(sys.argv[1])
rejected = sum(stats["rejected"].values())
print(f"\nChecked after the run (`GET /referrals/stats` of the stack): {stats['codes_created']} codes created, "
      f"{stats['clicks']} clicks counted, {stats['rewarded']} orders rewarded, {rejected} rejected.")
if rejected:
    sys.exit(f"{rejected} orders were rejected: the orders load did not take the rewarded path")
PY
