#!/usr/bin/env bash
# The EC2 sandbox's wire tests drive it with an independent client, Debian's AWS CLI (/usr/bin/aws).
# `npm test` runs this first: on a fresh Debian machine (as root) it installs the package; elsewhere it says how.
set -euo pipefail
if [ -x /usr/bin/aws ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's awscli (the EC2 sandbox's wire tests use it)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq awscli >/dev/null
  exit 0
fi
echo "The EC2 wire tests need the AWS CLI at /usr/bin/aws: run 'sudo apt-get install awscli'." >&2
exit 1
