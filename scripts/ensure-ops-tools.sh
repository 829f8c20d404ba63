#!/usr/bin/env bash
# The tools the ops tests and drills run for real (tests/ops): promtool and prometheus (Debian's `prometheus`
# package: checks and unit-tests the alert rules, and watches an alert go pending in the RPC drill) and nginx
# (checks the reverse-proxy example). Installed once when missing; about 15 s.
set -euo pipefail
missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} for the ops tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
promtool --version | head -n1
