#!/usr/bin/env bash
# Point-in-time recovery into a fresh data directory (docs/backup.md): the latest base backup plus every WAL
# segment pg_receivewal archived after it, including the segment it was still writing (`*.partial`), which holds
# the last acknowledged commits. Run as the postgres user; then start PostgreSQL on DATA_DIR: it replays the WAL
# to its end and promotes itself (a new timeline). Afterwards: start a fresh WAL archive and take a base backup.
# Usage: scripts/pg-restore.sh BASE_BACKUP_DIR WAL_ARCHIVE_DIR NEW_DATA_DIR
set -euo pipefail
base=${1:?usage: pg-restore.sh BASE_BACKUP WAL_ARCHIVE NEW_DATA_DIR}
archive=${2:?usage: pg-restore.sh BASE_BACKUP WAL_ARCHIVE NEW_DATA_DIR}
data=${3:?usage: pg-restore.sh BASE_BACKUP WAL_ARCHIVE NEW_DATA_DIR}
if [ -e "$data" ] && [ -n "$(ls -A "$data")" ]; then
  echo "$data is not empty: restore into a fresh directory" >&2
  exit 1
fi
mkdir -p "$data"
chmod 700 "$data"
cp -a "$base/." "$data/"
rm -f "$data/postmaster.pid" "$data/standby.signal"
# A copy of the archive for recovery to read; the last segment loses its .partial suffix (unless a complete
# copy exists), as PostgreSQL's documentation prescribes for pg_receivewal archives.
wal="$data.wal"
rm -rf "$wal"
mkdir -p "$wal"
cp -a "$archive/." "$wal/"
for partial in "$wal"/*.partial; do
  [ -e "$partial" ] || continue
  complete=${partial%.partial}
  if [ -e "$complete" ]; then rm -f "$partial"; else mv "$partial" "$complete"; fi
done
cat >> "$data/postgresql.auto.conf" <<CONF
# added by scripts/pg-restore.sh: replay every archived segment, then promote
restore_command = 'cp "$wal/%f" "%p"'
recovery_target_timeline = 'latest'
CONF
touch "$data/recovery.signal"
echo "restored $base into $data with $(ls "$wal" | wc -l) WAL files from $archive; start PostgreSQL on it"
