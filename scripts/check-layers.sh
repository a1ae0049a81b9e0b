#!/usr/bin/env bash
# The layering of docs/architecture.md, checked on the dependency graph: the compiler stops code
# from using a crate its package does not depend on; this stops a package from depending on a
# crate its layer must not know. Run by scripts/test.sh; takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

failures=0
# forbid PACKAGE PATTERN WHY: PACKAGE's normal dependency graph must contain no crate matching PATTERN.
forbid() {
  local package="$1" pattern="$2" why="$3" found
  found="$(cargo tree -p "$package" -e normal --prefix none --offline 2>/dev/null \
    | awk '{print $1}' | grep -E "^($pattern)$" | sort -u | tr '\n' ' ' || true)"
  if [ -n "$found" ]; then
    echo "layering: $package depends on $found($why)" >&2
    failures=$((failures + 1))
  fi
}

AWS='aws-[a-z0-9-]+|lambda_http|lambda_runtime'
SQL='rusqlite|libsqlite3-sys|store-sqlite'
# The web layer; hyper alone is allowed below it, since the AWS SDK's HTTP client uses it.
WEB='axum|axum-core|tower-http'
for function in create-referral reward-referral collect-survey score-nps customer-data deliver-outbox; do
  forbid "$function" "$SQL" "a Lambda binary links only the DynamoDB store"
done
# Only deliver-outbox sends: the request functions must not even link a way to.
for function in create-referral reward-referral collect-survey score-nps customer-data; do
  forbid "$function" "aws-sdk-sesv2|mail-ses|webhook-http|platform-discounts|reqwest" "only deliver-outbox sends mail or webhooks or calls a shop platform"
done
forbid domain "$AWS|$SQL|$WEB|hyper|store-dynamodb|mail-ses|web|settings|lambda-host" "the core knows no AWS, SQL or HTTP"
forbid store-dynamodb "$SQL|$WEB|mail-ses|web" "an adapter knows only the core and its backend"
forbid store-sqlite "$AWS|$WEB|store-dynamodb|web" "an adapter knows only the core and its backend"
forbid mail-ses "$SQL|$WEB|store-dynamodb|web" "an adapter knows only the core and its backend"
# reqwest brings tower-http and TLS through aws-lc-rs (a crypto library, not AWS): allowed here.
forbid webhook-http "aws-sdk-[a-z0-9-]+|aws-config|lambda_http|lambda_runtime|$SQL|axum|store-dynamodb|mail-ses|web" "an adapter knows only the core and its backend"
forbid platform-discounts "aws-sdk-[a-z0-9-]+|aws-config|lambda_http|lambda_runtime|$SQL|axum|store-dynamodb|mail-ses|web|settings" "an adapter knows only the core and its backend"
# Reading the platforms' webhooks is pure: no HTTP server, no store, no client.
forbid shop-platforms "$AWS|$SQL|$WEB|hyper|reqwest|store-dynamodb|mail-ses|web|settings" "the platforms' payloads are read without HTTP or a store"
forbid web "$AWS|$SQL|store-dynamodb|mail-ses" "the HTTP glue knows no store or AWS"
forbid settings "$AWS|$SQL|store-dynamodb|mail-ses|webhook-http|platform-discounts|reqwest" "settings know no store, AWS or HTTP client"
forbid lambda-host "$SQL|store-dynamodb|mail-ses" "the Lambda host knows no store"

if [ "$failures" -gt 0 ]; then
  echo "layering: $failures violation(s); see docs/architecture.md#layers-and-crates" >&2
  exit 1
fi
echo "layering: every crate depends only on the layers docs/architecture.md allows"
