#!/usr/bin/env bash
# Lists the project's Go files (not the private database folder or test artifacts), for gofmt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
find . \( -path ./.data -o -path ./.git -o -path ./artifacts -o -path ./bin \) -prune -o -name '*.go' -print | sort
