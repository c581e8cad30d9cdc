#!/usr/bin/env bash
# Fails when a committed *_templ.go file differs from what `go tool templ generate` writes
# for its .templ file, or when a .templ file has no generated file. It compares file contents
# before and after generating, so it works in a fresh clone, in a tree with uncommitted edits,
# and outside git alike. Generating leaves the tree up to date either way.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
GO="${GO:-go}"

snapshot() {
  find . \( -path ./.data -o -path ./.git -o -path ./artifacts \) -prune -o -name '*_templ.go' -print |
    sort | xargs -r sha256sum
}

before="$(snapshot)"
if ! out="$("$GO" tool templ generate 2>&1)"; then echo "$out" >&2; exit 1; fi
after="$(snapshot)"
if [ "$before" != "$after" ]; then
  echo "generated templ files were out of date; these changed when regenerated:" >&2
  diff <(echo "$before") <(echo "$after") | grep '^[<>]' | awk '{print "  " $3}' | sort -u >&2
  echo "run 'make generate' and commit the *_templ.go files" >&2
  exit 1
fi
echo "templ: generated files are up to date"
