#!/usr/bin/env bash
# Schemathesis, an independent property-based client, against the local stack with the published
# document (docs/openapi.json): every operation, each role's key, signed webhook deliveries,
# a bounded number of examples per operation (tests/fuzz/schemathesis.toml). Installs its pinned
# version into .venv-schemathesis/ on first use. A finding fails the run.
set -euo pipefail
cd "$(dirname "$0")/../.."

SCHEMATHESIS_VERSION="4.32.5"
VENV=".venv-schemathesis"
LOG_DIR="${LOG_DIR:-target/test-logs}"
mkdir -p "$LOG_DIR"

if ! "$VENV/bin/python" -m pip freeze 2>/dev/null | grep -qx "schemathesis==$SCHEMATHESIS_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build --quiet -p local
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
data_dir="$(mktemp -d)"
# The development defaults are the local stack's, and so are these secrets (docs/configuration.md).
export API_KEY="local-dev-key-not-secret"
export STAFF_API_KEY="local-staff-key-not-secret"
export PRIVACY_API_KEY="local-privacy-key-not-secret"
export SHOPIFY_WEBHOOK_SECRET="local-shopify-secret-not-secret"
export WOOCOMMERCE_WEBHOOK_SECRET="local-woocommerce-secret-not-secret"
PORT="$port" DATA_DIR="$data_dir" target/debug/local >"$LOG_DIR/fuzz-local-stack.log" 2>&1 &
stack_pid=$!
trap 'kill "$stack_pid" 2>/dev/null || true; wait "$stack_pid" 2>/dev/null || true; rm -rf "$data_dir"' EXIT

base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "$base/lambda-url/create-referral/openapi.json" 2>/dev/null && break
  sleep 0.1
done

# One worker: with several threads, CPython 3.11's ast.parse (which Hypothesis calls to describe
# its filters) fails at random with "AST constructor recursion depth mismatch".
PYTHONPATH="tests/fuzz" SCHEMATHESIS_HOOKS="hooks" "$VENV/bin/schemathesis" \
  --config-file tests/fuzz/schemathesis.toml --no-color \
  run docs/openapi.json --url "$base" --workers 1 \
  --report junit --report-junit-path "$LOG_DIR/schemathesis-junit.xml" \
  2>&1 | tee "$LOG_DIR/schemathesis.log"
