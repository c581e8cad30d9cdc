#!/usr/bin/env bash
# Installs libchdb.so, the embedded current ClickHouse engine (chDB) that the tests in chtest/
# run the project's ClickHouse SQL on, next to the 18.16 server the machines can install.
# github.com/chdb-io/chdb-go loads it with purego from PATH or /usr/local/lib/libchdb.so.
# Idempotent: does nothing when the library is already there. Prints one line.
set -euo pipefail

PACKAGE="@chdb/lib-linux-x64-gnu"
VERSION="26.7.3-stable.1" # ClickHouse 26.7, what production's image runs
DEST=/usr/local/lib/libchdb.so

# Where chdb-go looks, in its order: CHDB_LIB_PATH, then PATH, then /usr/local/lib.
if [ -n "${CHDB_LIB_PATH:-}" ] && [ -s "$CHDB_LIB_PATH" ]; then
  echo "[install-chdb] $CHDB_LIB_PATH already installed (CHDB_LIB_PATH)"
  exit 0
fi
if [ -s "$DEST" ]; then
  echo "[install-chdb] $DEST already installed"
  exit 0
fi
if found="$(command -v libchdb.so 2>/dev/null)"; then
  echo "[install-chdb] $found already installed (on PATH)"
  exit 0
fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "[install-chdb] $PACKAGE is built for Linux x86_64, not $(uname -s) $(uname -m)" >&2
  exit 1
fi
command -v npm >/dev/null || { echo "[install-chdb] npm is needed to fetch $PACKAGE" >&2; exit 1; }

sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
started=$SECONDS
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# npm checks the tarball against the registry's integrity hash; only the library is kept.
(cd "$work" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/libchdb.so
$sudo install -d "$(dirname "$DEST")"
# Copied under a temporary name and renamed, so a run that is cut short never leaves a partial
# library at the path chdb-go loads.
$sudo install -m 0755 "$work/package/libchdb.so" "$DEST.partial"
$sudo mv -f "$DEST.partial" "$DEST"
echo "[install-chdb] installed $PACKAGE@$VERSION as $DEST ($(du -m "$DEST" | cut -f1) MB) in $((SECONDS - started))s"
