#!/usr/bin/env bash
# Printed by `make run` just before the server starts: where to go, and what is not there yet.
set -euo pipefail
addr="${MARI_LISTEN_ADDR:-:8080}"
host="${addr%:*}"
port="${addr##*:}"
case "$host" in "" | 0.0.0.0 | "[::]" | 127.0.0.1) host=localhost ;; esac
cat <<MSG

  ------------------------------------------------------------------------------
  Mari BI is starting: open http://$host:$port/ in a browser.
    glossary of every number:  http://$host:$port/glossary
  There is no sign-in yet: sign-in arrives with issue 3, so until then the app is
  open to anyone on this machine's loopback.
  Stop with Ctrl-C. The databases keep running (make db-stop stops them).
  ------------------------------------------------------------------------------

MSG
