#!/usr/bin/env bash
# The app container's health check (the Dockerfile's HEALTHCHECK and docker-compose.yml):
# healthy only when GET /readyz answers 200, which the app does while PostgreSQL and ClickHouse
# can be reached. A 503, any other answer or none within 4 s is unhealthy, and the answer's
# first line and body go to stderr, where `docker inspect` shows them. /healthz only says the
# process is up, so it would stay healthy through a database outage.
#
# The image has no curl or wget: bash's /dev/tcp sends the one request.
set -uo pipefail
addr="${MARI_LISTEN_ADDR:-:8080}"
port="${addr##*:}"
if ! { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
  echo "readyz: nothing answers on 127.0.0.1:$port" >&2
  exit 1
fi
printf 'GET /readyz HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
status=""
IFS= read -r -t 4 status <&3
status="${status%$'\r'}"
case "$status" in
  "HTTP/1."[01]" 200 "*) exit 0 ;;
esac
# Skip the headers; keep a little of the body, which says what is unreachable.
body=""
while IFS= read -r -t 1 line <&3; do
  [ -z "${line%$'\r'}" ] && break
done
IFS= read -r -t 1 -N 300 body <&3 || true
echo "readyz: ${status:-no answer within 4 s}${body:+: $body}" >&2
exit 1
