#!/usr/bin/env bash
# The one test command: installs what the tests need, starts the DynamoDB emulator on a free
# loopback port, runs formatting, lints and every test of the workspace, and always stops the
# emulator again. Works on a fresh clone; CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

MINISTACK_VERSION="1.5.33"
VENV=".venv"
# Infra tools get their own venv: checkov pins a botocore that ministack's would conflict with.
TOOLS_VENV=".venv-tools"
TOOLS=("cargo-lambda==1.9.2" "ziglang==0.17.1" "cfn-lint==1.58.0" "checkov==3.3.30")
FUNCTIONS=(create-referral reward-referral collect-survey score-nps)
LOG_DIR="target/test-logs"
mkdir -p "$LOG_DIR"

step() { printf '\n==> %s\n' "$*"; }

step "emulator: ministack $MINISTACK_VERSION in $VENV"
if [ "$("$VENV/bin/python" -m pip show ministack 2>/dev/null | awk '/^Version:/{print $2}')" != "$MINISTACK_VERSION" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "ministack==$MINISTACK_VERSION"
fi

step "browser: Debian's chromium for the survey browser test"
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$LOG_DIR/apt.log" 2>&1
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >>"$LOG_DIR/apt.log" 2>&1 \
    || { echo "installing chromium failed; see $LOG_DIR/apt.log" >&2; exit 1; }
fi
export CHROME="$(command -v chromium)"
echo "using $CHROME ($("$CHROME" --version 2>/dev/null || echo 'version unknown'))"

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
GATEWAY_PORT="$PORT" BIND_HOST="127.0.0.1" "$VENV/bin/ministack" >"$LOG_DIR/ministack.log" 2>&1 &
EMULATOR_PID=$!
stop_emulator() {
  kill "$EMULATOR_PID" 2>/dev/null || true
  wait "$EMULATOR_PID" 2>/dev/null || true
}
trap stop_emulator EXIT

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$PORT/_ministack/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
    echo "ministack exited during start-up; its log:" >&2
    cat "$LOG_DIR/ministack.log" >&2
    exit 1
  fi
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/_ministack/health" >/dev/null
echo "ministack listening on 127.0.0.1:$PORT (log: $LOG_DIR/ministack.log)"

# The SDK's standard variables: the tests' DynamoDB client talks to the emulator with dummy credentials.
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT"
export AWS_ACCESS_KEY_ID="test" AWS_SECRET_ACCESS_KEY="test" AWS_REGION="us-east-1"
unset AWS_PROFILE AWS_SESSION_TOKEN

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "infra: ${TOOLS[*]} in $TOOLS_VENV"
if ! "$TOOLS_VENV/bin/python" -m pip freeze 2>/dev/null | grep -qx "checkov==3.3.30"; then
  python3 -m venv "$TOOLS_VENV"
  "$TOOLS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${TOOLS[@]}"
fi
export PATH="$PWD/$TOOLS_VENV/bin:$PATH"

step "cfn-lint infra/template.yaml (errors and warnings fail)"
cfn-lint infra/template.yaml

step "checkov on infra/template.yaml (suppressions carry their reason in the template)"
checkov -f infra/template.yaml --framework cloudformation --quiet --compact --skip-download

step "cargo lambda build --release --arm64 (every function)"
rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1 || rustup target add aarch64-unknown-linux-gnu
packages=()
for function in "${FUNCTIONS[@]}"; do packages+=(-p "$function"); done
cargo lambda build --release --arm64 --output-format zip "${packages[@]}"
for function in "${FUNCTIONS[@]}"; do
  zip="target/lambda/$function/bootstrap.zip"
  test -s "$zip" || { echo "missing $zip" >&2; exit 1; }
  printf '%-16s %8d bytes  (%s)\n' "$function" "$(stat -c %s "$zip")" "$zip"
done

step "cargo test (workspace)"
cargo test --workspace 2>&1 | tee "$LOG_DIR/cargo-test.log"

# One closing line over all test binaries (cargo prints one per binary, the last often a doc-test with none).
awk '/^test result:/ { passed += $4; failed += $6 } END { printf "%d passed, %d failed\n", passed, failed }' \
  "$LOG_DIR/cargo-test.log"
