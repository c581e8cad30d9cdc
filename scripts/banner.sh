#!/usr/bin/env bash
# Printed by `make run` just before the server starts: where to go and how to sign in.
# $1 is the output of `mari admin demo-account` (the demo account's email and its new password).
set -euo pipefail
addr="${MARI_LISTEN_ADDR:-:8080}"
host="${addr%:*}"
port="${addr##*:}"
case "$host" in "" | 0.0.0.0 | "[::]" | 127.0.0.1) host=localhost ;; esac
credentials="${1:-}"
if [ -z "$credentials" ]; then
  credentials="(no demo account: create one with bin/mari admin create -email E -role admin)"
fi
cat <<MSG

  ------------------------------------------------------------------------------
  Mari BI is starting: open http://$host:$port/ in a browser and sign in with the
  demo executive account (its password is new at every \`make run\`):

$(sed 's/^/    /' <<<"$credentials")

  glossary of every number:  http://$host:$port/glossary
  An admin account (to manage accounts and read the audit log):
    bin/mari admin create -email you@mari.example -role admin
$(if [ "${SIMULATE_RATE:-0}" != "0" ]; then
  printf '  A live demo stream sends %s events a second to /ingest/v1 (log: .data/simulate.log);\n' "$SIMULATE_RATE"
  printf '  make run SIMULATE_RATE=0 serves without it, SIMULATE_RATE=20 makes it busier.\n'
fi)
  Stop with Ctrl-C (the server and the stream). The databases keep running (make db-stop stops them).
  ------------------------------------------------------------------------------

MSG
