#!/usr/bin/env bash
# Restore a base backup into an empty PGDATA and recover to a point in time from the archive.
#   deploy/restore.sh BASE_BACKUP WAL_ARCHIVE PGDATA --time '2026-12-02 16:40:00.123+00'
#   deploy/restore.sh BASE_BACKUP WAL_ARCHIVE PGDATA --lsn 0/3000060
#   deploy/restore.sh BASE_BACKUP WAL_ARCHIVE PGDATA --latest
# The target is exclusive: recovery stops just before the first commit at or after it (the
# mistaken write), then the server promotes itself and takes writes again. Start it with
# pg_ctl (or systemctl) afterwards; run ledger_check and transparency_check before opening.
set -euo pipefail
base=${1:?usage} archive=${2:?usage} pgdata=${3:?usage} how=${4:?usage} target=${5:-}
if [[ -d "$pgdata" && -n "$(ls -A "$pgdata")" ]]; then
  echo "restore.sh: $pgdata is not empty; move the damaged cluster aside first" >&2
  exit 1
fi
mkdir -p "$pgdata"
chmod 700 "$pgdata"
tar -xzf "$base/base.tar.gz" -C "$pgdata"
# The WAL the base backup streamed: recovery reads it first, then the archive.
tar -xzf "$base/pg_wal.tar.gz" -C "$pgdata/pg_wal"
{
  echo "# deploy/restore.sh $(date -u +%FT%TZ): recover from $archive"
  echo "restore_command = 'cp \"$archive/%f\" \"%p\"'"
  case "$how" in
    --time) echo "recovery_target_time = '$target'" ;;
    --lsn) echo "recovery_target_lsn = '$target'" ;;
    --latest) ;;
    *) echo "restore.sh: give --time TIME, --lsn LSN or --latest" >&2; exit 1 ;;
  esac
  if [[ "$how" != --latest ]]; then
    echo "recovery_target_inclusive = off"
    echo "recovery_target_action = 'promote'"
  fi
} >> "$pgdata/postgresql.auto.conf"
touch "$pgdata/recovery.signal"
echo "$pgdata"
