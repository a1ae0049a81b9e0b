# The AWS emulator the tests run against (ministack, PyPI, no Docker): installed once into .venv,
# started on a free loopback port, stopped again. Sourced by scripts/test.sh and
# tests/deployed/run.sh; expects LOG_DIR to be set.

MINISTACK_VERSION="1.5.33"
# With it installed the emulator expands the AWS::Serverless-2016-10-31 transform of infra/template.yaml.
SAM_TRANSLATOR_VERSION="1.115.0"
# The Standard Webhooks authors' verifier: the tests check our signatures with it, not with ours.
STANDARDWEBHOOKS_VERSION="1.1.0"
# The Shopify fake (tests/fakes/shopify_admin.py) validates requests against Shopify's schema with it
# (the version ministack pins too).
GRAPHQL_CORE_VERSION="3.2.12"
EMULATOR_VENV=".venv"

emulator_install() {
  local wanted=("ministack==$MINISTACK_VERSION" "aws-sam-translator==$SAM_TRANSLATOR_VERSION"
    "standardwebhooks==$STANDARDWEBHOOKS_VERSION" "graphql-core==$GRAPHQL_CORE_VERSION")
  local installed
  installed="$("$EMULATOR_VENV/bin/python" -m pip freeze 2>/dev/null || true)"
  for requirement in "${wanted[@]}"; do
    if ! grep -qx "$requirement" <<<"$installed"; then
      python3 -m venv "$EMULATOR_VENV"
      "$EMULATOR_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${wanted[@]}"
      return
    fi
  done
}

# emulator_start NAME [VARIABLE=value ...]: starts an emulator with those extra variables, logging
# to $LOG_DIR/NAME.log, and waits until it answers. Sets EMULATOR_URL, EMULATOR_PID and
# EMULATOR_TMPDIR: the emulator unpacks every deployed function there (about 90 MB each for the
# host's debug builds) and never removes them, so each emulator gets its own folder under target/
# that emulator_stop deletes.
# AWS_ENDPOINT_URL in the emulator's own environment is what it hands to the Lambda functions it
# runs, so they call it back instead of real AWS.
emulator_start() {
  local name="$1"
  shift
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
  EMULATOR_URL="http://127.0.0.1:$port"
  EMULATOR_TMPDIR="$PWD/target/emulator-tmp/$name-$port"
  mkdir -p "$EMULATOR_TMPDIR"
  env TMPDIR="$EMULATOR_TMPDIR" GATEWAY_PORT="$port" BIND_HOST="127.0.0.1" AWS_ENDPOINT_URL="$EMULATOR_URL" "$@" \
    "$EMULATOR_VENV/bin/ministack" >"$LOG_DIR/$name.log" 2>&1 &
  EMULATOR_PID=$!
  for _ in $(seq 1 150); do
    if curl -fsS "$EMULATOR_URL/_ministack/health" >/dev/null 2>&1; then
      echo "ministack ($name) listening on $EMULATOR_URL (log: $LOG_DIR/$name.log)"
      return 0
    fi
    if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
      echo "ministack ($name) exited during start-up; its log:" >&2
      cat "$LOG_DIR/$name.log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "ministack ($name) did not answer on $EMULATOR_URL within 30 s" >&2
  return 1
}

# emulator_stop PID [TMPDIR]: stops an emulator and the function processes it started, and deletes
# its folder of unpacked functions.
emulator_stop() {
  local pid="$1" tmpdir="${2:-}"
  pkill -TERM -P "$pid" 2>/dev/null || true
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ -n "$tmpdir" ]; then rm -rf "$tmpdir"; fi
}
