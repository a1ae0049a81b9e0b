#!/usr/bin/env bash
# The one test command: installs what the tests need, starts the AWS emulator on a free loopback
# port, runs formatting, lints and every test of the workspace, then deploys infra/template.yaml
# into a second emulator with IAM enforced and runs the product through it (tests/deployed/run.sh).
# In between, the black-box tests run the local stack as a process (tests/blackbox).
# Emulators are always stopped again. Works on a fresh clone; CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# Infra tools get their own venv: checkov pins a botocore that ministack's would conflict with.
TOOLS_VENV=".venv-tools"
TOOLS=("cargo-lambda==1.9.2" "ziglang==0.17.1" "cfn-lint==1.58.0" "checkov==3.3.30")
FUNCTIONS=(create-referral reward-referral collect-survey score-nps customer-data deliver-outbox)
LOG_DIR="target/test-logs"
mkdir -p "$LOG_DIR"
# Disk, not time, is what a CI machine runs short of: a clean clone gains nothing from incremental
# compilation, whose caches would add about 1.6 GB to target/.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
# shellcheck source=scripts/emulator.sh
source scripts/emulator.sh
# shellcheck source=scripts/fakes.sh
source scripts/fakes.sh

# Each step shows the seconds since the start, so CI's log tells where the time goes.
step() { printf '\n==> [%4ds] %s\n' "$SECONDS" "$*"; }

step "emulator: ministack $MINISTACK_VERSION and aws-sam-translator $SAM_TRANSLATOR_VERSION in $EMULATOR_VENV"
emulator_install


step "Debian's chromium (the browser tests), jq (the curl examples of the README and docs/, run by a test) and npm (the Shopify schema)"
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v jq >/dev/null 2>&1 || missing+=(jq)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$LOG_DIR/apt.log" 2>&1
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>"$LOG_DIR/apt.log" 2>&1 \
    || { echo "installing ${missing[*]} failed; see $LOG_DIR/apt.log" >&2; exit 1; }
fi
export CHROME="$(command -v chromium)"
echo "using $CHROME ($("$CHROME" --version 2>/dev/null || echo 'version unknown'))"

step "platform fakes: Shopify's Admin schema from @shopify/dev-mcp@$SHOPIFY_DEV_MCP_VERSION (npm)"
shopify_schema_install

emulator_start ministack
trap 'emulator_stop "$EMULATOR_PID" "$EMULATOR_TMPDIR"' EXIT

# The SDK's standard variables: the tests' DynamoDB client talks to the emulator with dummy credentials.
export AWS_ENDPOINT_URL="$EMULATOR_URL"
export AWS_ACCESS_KEY_ID="test" AWS_SECRET_ACCESS_KEY="test" AWS_REGION="us-east-1"
unset AWS_PROFILE AWS_SESSION_TOKEN

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "layering: the dependency graph against docs/architecture.md"
scripts/check-layers.sh

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

step "black-box: the local stack as a process, killed and restarted; signatures checked by standardwebhooks; the curl examples of the README and docs/"
cargo build --quiet -p local
"$EMULATOR_VENV/bin/python" -m unittest discover --start-directory tests/blackbox --pattern 'test_*.py' -v \
  2>&1 | tee "$LOG_DIR/blackbox.log"

step "schemathesis: every operation of docs/openapi.json against the local stack"
LOG_DIR="$LOG_DIR" tests/fuzz/run.sh

step "deployed stack: infra/template.yaml in a second emulator with IAM enforced"
tests/deployed/run.sh
step "done"
