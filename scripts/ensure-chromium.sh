#!/usr/bin/env bash
# The sandbox console's browser tests (tests/browser/) drive Debian's headless Chromium (/usr/bin/chromium) with
# playwright-core. `npm test` runs this first: on a fresh Debian machine (as root) it installs the package; elsewhere
# it says how.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium (the sandbox console's browser tests use it)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  # Wait for another apt/dpkg run (e.g. the awscli install) instead of failing on its lock.
  apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  exit 0
fi
echo "The browser tests need Chromium at /usr/bin/chromium: run 'sudo apt-get install chromium'." >&2
exit 1
