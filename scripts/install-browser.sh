#!/usr/bin/env bash
# Installs Debian's Chromium (used by the browser tests in e2e/) if it is missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
echo "[install-browser] installing Debian's chromium for the browser tests" >&2
# Refresh the package lists only when they do not know chromium yet (scripts/dbctl.sh may
# have just refreshed them).
if ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  $sudo apt-get update -qq
fi
# fonts: pages serve their own web fonts, but the fallbacks and screenshots need some.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
  chromium fonts-liberation fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
