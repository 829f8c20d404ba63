#!/usr/bin/env bash
# Run one process of the Procfile by name, as a Procfile runner would: the one entry point the systemd units
# (deploy/systemd), compose.yaml and the ops tests (tests/ops/stack.py) share, so the commands they run are the
# Procfile's. The project's .venv comes first on PATH when there is one.
# Usage: scripts/process.sh web|worker|beat|release
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/process.sh web|worker|beat|release}
line=$(grep -E "^$name: " Procfile) || { echo "no process '$name' in the Procfile" >&2; exit 2; }
[ -d .venv/bin ] && export PATH="$PWD/.venv/bin:$PATH"
eval "exec env ${line#*: }"  # env: a line may start with VAR=value
