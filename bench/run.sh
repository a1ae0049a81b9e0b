#!/usr/bin/env bash
# Runs every benchmark and rewrites BENCHMARKS.md with the figures, the machine and the date.
# Not part of CI: timings need a quiet machine, and CI checks behaviour, not speed.
# Takes ≈ 35 min on 2 cores from a fresh clone (release builds ≈ 10 min, arm64 zips ≈ 8 min,
# the build with symbols for cargo bloat ≈ 7 min).
# Options (environment): STARTS (cold starts per binary, 21), ROUNDS (route-costs rounds, 20),
# LOAD_DURATION (wrk per route, 15s), LOAD_CONNECTIONS (16).
set -euo pipefail
cd "$(dirname "$0")/.."

STARTS="${STARTS:-21}"
ROUNDS="${ROUNDS:-20}"
FUNCTIONS=(create-referral reward-referral collect-survey score-nps customer-data deliver-outbox)
step() { printf '\n==> %s\n' "$*" >&2; }

step "release builds: the functions, the local stack and the benchmarks"
cargo build --release -q -p create-referral -p reward-referral -p collect-survey -p score-nps -p customer-data -p deliver-outbox \
  -p local -p bench

step "emulator: as scripts/test.sh installs and starts it"
LOG_DIR="target/bench-logs"
mkdir -p "$LOG_DIR"
# shellcheck source=scripts/emulator.sh
source scripts/emulator.sh
emulator_install
emulator_start ministack
trap 'emulator_stop "$EMULATOR_PID" "$EMULATOR_TMPDIR"' EXIT
export AWS_ENDPOINT_URL="$EMULATOR_URL"
export AWS_ACCESS_KEY_ID="test" AWS_SECRET_ACCESS_KEY="test" AWS_REGION="us-east-1"
unset AWS_PROFILE AWS_SESSION_TOKEN SSL_CERT_FILE SSL_CERT_DIR

step "cold init: $STARTS starts of each binary against a local Runtime API stub"
# A short unrecorded pass first: the emulator is still settling after its health check, and the
# binaries' pages should come from the page cache in every recorded start, not just the later ones.
./target/release/cold-start target/release 3 >/dev/null
cold="$(./target/release/cold-start target/release "$STARTS")"

step "DynamoDB requests, capacity units and cost per route: $ROUNDS rounds against the emulator"
routes="$(./target/release/route-costs "$ROUNDS")"

step "NPS scaling: recording 1 000 and 100 000 answers, then timing reads"
nps="$(./target/release/nps-scaling)"

step "referral-code scaling: 100 and 100 000 codes issued (embedded store)"
codes="$(./target/release/code-scaling embedded)"

step "throughput of the local stack under wrk"
load="$(bench/throughput.sh)"

step "outbox: a rewarded order's latency while every mail takes 100 ms"
latency="$(./target/release/order-latency 200)"

step "outbox: duplicates after random SIGKILLs, 5 runs of 300 rewarded orders"
duplicates="$("$EMULATOR_VENV/bin/python" bench/duplicates.py 5 300)"

step "Lambda zips: cargo lambda build --release --arm64 (tools in .venv-tools, as scripts/test.sh)"
if [ ! -x .venv-tools/bin/cargo-lambda ]; then
  python3 -m venv .venv-tools
  .venv-tools/bin/python -m pip install --quiet --disable-pip-version-check "cargo-lambda==1.9.2" "ziglang==0.17.1"
fi
rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1
packages=()
for function in "${FUNCTIONS[@]}"; do packages+=(-p "$function"); done
PATH="$PWD/.venv-tools/bin:$PATH" cargo lambda build --release --arm64 --output-format zip "${packages[@]}" \
  >target/bench-logs/cargo-lambda.log 2>&1
sizes="| function | zip (bytes) | zip (MB) | bootstrap unpacked (bytes) | goal ≤ 6 MB |
|---|---:|---:|---:|---|"
for function in "${FUNCTIONS[@]}"; do
  zip="target/lambda/$function/bootstrap.zip"
  bytes="$(stat -c %s "$zip")"
  unpacked="$(unzip -l "$zip" | tail -1 | awk '{print $1}')"
  mb="$(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1000000 }')"
  ok="$(awk -v b="$bytes" 'BEGIN { print (b <= 6000000 ? "met" : "missed") }')"
  sizes="$sizes
| $function | $bytes | $mb | $unpacked | $ok |"
done

step "what each dependency costs: cargo bloat --crates on reward-referral (release with symbols)"
if ! command -v cargo-bloat >/dev/null 2>&1; then
  cargo install --locked --quiet cargo-bloat --version 0.12.1
fi
bloat="$(cargo bloat --profile release-symbols -p reward-referral --bin reward-referral --crates -n 0 \
  --message-format json 2>target/bench-logs/cargo-bloat.log | python3 bench/bloat_table.py)"


cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//' || echo unknown)"
today="$(date -u +%Y-%m-%d)"
sed -e "s|@MACHINE@|${cpu}, $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(uname -sr)|" \
    -e "s|@DATE@|${today}|" -e "s|@TOOLCHAIN@|$(rustc --version)|" \
    -e "s|@STARTS@|${STARTS}|g" -e "s|@ROUNDS@|${ROUNDS}|g" bench/BENCHMARKS.template.md |
  awk -v cold="$cold" -v routes="$routes" -v nps="$nps" -v codes="$codes" -v load="$load" -v sizes="$sizes" -v bloat="$bloat" \
      -v latency="$latency" -v duplicates="$duplicates" '
    $0 == "@COLD@" { print cold; next }
    $0 == "@ROUTES@" { print routes; next }
    $0 == "@NPS@" { print nps; next }
    $0 == "@CODES@" { print codes; next }
    $0 == "@LOAD@" { print load; next }
    $0 == "@SIZES@" { print sizes; next }
    $0 == "@BLOAT@" { print bloat; next }
    $0 == "@LATENCY@" { print latency; next }
    $0 == "@DUPLICATES@" { print duplicates; next }
    { print }' >BENCHMARKS.md
step "wrote BENCHMARKS.md"
