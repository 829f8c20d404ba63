#!/usr/bin/env bash
# The scheduled logical backup (docs/backup.md): a compressed pg_dump of the whole database, restorable with
# pg_restore into any PostgreSQL 15+ (deploy/systemd/agora-dump.timer runs it every 6 hours).
# Usage: DATABASE_URL=postgres://... scripts/pg-dump.sh /backup/agora/dumps [KEEP]
set -euo pipefail
root=${1:?usage: pg-dump.sh DUMP_DIR [KEEP]}
keep=${2:-28}
: "${DATABASE_URL:?set DATABASE_URL}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$root"
pg_dump --format=custom --no-owner --file "$root/agora-$stamp.dump.partial" "$DATABASE_URL"
mv "$root/agora-$stamp.dump.partial" "$root/agora-$stamp.dump"
ls -1 "$root"/agora-*Z.dump 2>/dev/null | sort | head -n -"$keep" | xargs -r rm -f
echo "$root/agora-$stamp.dump"
