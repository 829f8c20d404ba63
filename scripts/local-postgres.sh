#!/usr/bin/env bash
# A private PostgreSQL cluster for `make run`, under .local/pgdata, on 127.0.0.1:$AGORA_LOCAL_PG_PORT.
# It uses the machine's PostgreSQL server binaries (initdb + pg_ctl, contrib included) rather than
# the pip-installable pgserver, which lacks contrib extensions such as pg_trgm. No system service is
# touched: the cluster is this checkout's own, and `scripts/local-postgres.sh stop` stops it.
# initdb refuses to run as root, so as root the cluster runs as the machine's `postgres` user.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${AGORA_LOCAL_PG_PORT:-54329}"
DATA="$PWD/.local/pgdata"
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$BIN" ]; then
  echo "no PostgreSQL server binaries found under /usr/lib/postgresql (apt-get install postgresql)" >&2
  exit 1
fi
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-start}" in
  stop)
    [ -f "$DATA/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null || true
    exit 0 ;;
  start) ;;
  *) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac

mkdir -p .local
if [ ! -f "$DATA/PG_VERSION" ]; then
  echo "creating the local PostgreSQL cluster in .local/pgdata (first run only)" >&2
  mkdir -p "$DATA"
  [ "$(id -u)" = 0 ] && chown postgres: "$DATA"
  as_owner "$BIN/initdb" -D "$DATA" -U agora --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 30 \
    -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1" start >/dev/null
fi
"$BIN/psql" -h 127.0.0.1 -p "$PORT" -U agora -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'agora'" \
  | grep -q 1 || "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U agora agora
echo "postgres://agora@127.0.0.1:$PORT/agora"
