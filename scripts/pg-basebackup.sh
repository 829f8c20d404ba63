#!/usr/bin/env bash
# A base backup for point-in-time recovery (docs/backup.md). Run it daily as the postgres user on the backup
# host (deploy/systemd/agora-basebackup.timer); with the WAL that pg_receivewal streams beside it, it restores
# the database to its last acknowledged commit (scripts/pg-restore.sh).
# Usage: PGHOST=db.internal PGPORT=5432 PGUSER=postgres scripts/pg-basebackup.sh /backup/agora/base [KEEP]
set -euo pipefail
root=${1:?usage: pg-basebackup.sh BACKUP_DIR [KEEP]}
keep=${2:-7}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$root"
# plain format with the WAL it needs (-X stream): each base backup can be started on its own as well
pg_basebackup -D "$root/base-$stamp.partial" -Fp -X stream -c fast --no-password
mv "$root/base-$stamp.partial" "$root/base-$stamp"   # only complete backups get the final name
ls -1d "$root"/base-*[0-9]Z 2>/dev/null | sort | head -n -"$keep" | xargs -r rm -rf
echo "$root/base-$stamp"
