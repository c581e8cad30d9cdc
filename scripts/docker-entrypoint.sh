#!/usr/bin/env bash
# The container's entrypoint (Dockerfile): apply the migrations, then serve. Migrations are
# idempotent, so every start runs them; a failed migration stops the container before it
# serves anything. Any other arguments run that subcommand instead (e.g. `demo`, `rollup`).
set -euo pipefail
if [ "$#" -gt 0 ]; then exec mari "$@"; fi
mari migrate
exec mari serve
