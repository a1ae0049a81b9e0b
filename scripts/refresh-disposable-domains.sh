#!/usr/bin/env bash
# Refreshes shared/domain/data/disposable-email-domains.txt, the list of disposable email domains
# embedded in the functions at build time (docs/api.md, *Disposable addresses*), from the community's
# list as the PyPI package `disposable-email-domains` ships it (its source_data file, one domain
# a line). Usage: scripts/refresh-disposable-domains.sh <version>, e.g. 0.0.293; then review the
# diff, run the tests, commit.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:?usage: $0 <disposable-email-domains version on PyPI>}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --no-binary :all: --dest "$work" \
  "disposable-email-domains==$version"
tar -xzf "$work/disposable_email_domains-$version.tar.gz" -C "$work"
source="$work/disposable_email_domains-$version/source_data/disposable_email_blocklist.conf"
target="shared/domain/data/disposable-email-domains.txt"
{
  echo "# disposable-email-domains $version (PyPI; the list CC0 1.0, https://github.com/disposable-email-domains/disposable-email-domains)"
  echo "# Refreshed by scripts/refresh-disposable-domains.sh; one lower-case domain a line."
  tr 'A-Z' 'a-z' <"$source" | sed 's/[[:space:]]//g' | grep -v '^$' | grep -v '^#' | LC_ALL=C sort -u
} >"$target"
echo "$(grep -vc '^#' "$target") domains in $target"
