#!/usr/bin/env bash
# The deployed-stack test on its own: deploys infra/template.yaml into a fresh emulator with IAM
# enforced (AUTH=true), runs the product through the function URLs, checks least privilege and
# deletes the stack. scripts/test.sh runs it after the cargo tests; alone it first builds what it
# deploys. Its own emulator, so no other test's tables or functions are in the way.
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR="target/test-logs"
mkdir -p "$LOG_DIR"
# shellcheck source=scripts/emulator.sh
source scripts/emulator.sh

emulator_install
# The host builds the cargo tests already made (a no-op after `cargo test --workspace`): the
# emulator runs provided.al2023 functions as host processes, so these are what it deploys.
cargo test --workspace --no-run --quiet

"$EMULATOR_VENV/bin/python" -m unittest discover --start-directory tests/deployed --pattern 'test_*.py'

emulator_start deployed-stack AUTH=true
trap 'emulator_stop "$EMULATOR_PID" "$EMULATOR_TMPDIR"' EXIT
"$EMULATOR_VENV/bin/python" tests/deployed/deployed_stack.py --endpoint "$EMULATOR_URL"
