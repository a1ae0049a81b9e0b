# The shop platforms' fakes the tests start (tests/fakes): Shopify's published Admin GraphQL
# schema, which the Shopify fake validates every request against, comes from the npm package
# that ships it, at a pinned version. Sourced by scripts/test.sh and tests/deployed/run.sh.

SHOPIFY_DEV_MCP_VERSION="1.16.0"
SHOPIFY_ADMIN_VERSION="2026-10"
# Where the tests look for it (tests/src/fakes.rs, tests/blackbox, tests/deployed).
SHOPIFY_ADMIN_SCHEMA="target/fakes/admin_${SHOPIFY_ADMIN_VERSION}.json.gz"

# shopify_schema_install: fetches the schema once; a later run finds it in place.
shopify_schema_install() {
  if [ -s "$SHOPIFY_ADMIN_SCHEMA" ]; then
    return 0
  fi
  local work
  work="$(mktemp -d)"
  (cd "$work" && npm pack --silent "@shopify/dev-mcp@$SHOPIFY_DEV_MCP_VERSION" >/dev/null) \
    || { echo "npm pack @shopify/dev-mcp@$SHOPIFY_DEV_MCP_VERSION failed" >&2; rm -rf "$work"; return 1; }
  tar -xzf "$work/shopify-dev-mcp-$SHOPIFY_DEV_MCP_VERSION.tgz" -C "$work" \
    "package/dist/data/admin_${SHOPIFY_ADMIN_VERSION}.json.gz"
  mkdir -p "$(dirname "$SHOPIFY_ADMIN_SCHEMA")"
  mv "$work/package/dist/data/admin_${SHOPIFY_ADMIN_VERSION}.json.gz" "$SHOPIFY_ADMIN_SCHEMA"
  rm -rf "$work"
  echo "Shopify Admin schema $SHOPIFY_ADMIN_VERSION (@shopify/dev-mcp@$SHOPIFY_DEV_MCP_VERSION) in $SHOPIFY_ADMIN_SCHEMA"
}
