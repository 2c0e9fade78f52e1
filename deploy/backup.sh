#!/usr/bin/env bash
# Take a base backup of the running primary into BACKUP_ROOT/base-<UTC time>/.
#   deploy/backup.sh BACKUP_ROOT          (connection from PGHOST, PGPORT, PGUSER as for psql)
# The backup is two compressed tars (base.tar.gz, pg_wal.tar.gz: the WAL needed to make it
# consistent) and backup_manifest. With WAL archiving on (deploy/wal_archive.sh) it is the
# starting point of a point-in-time recovery by deploy/restore.sh. Prints the folder made.
set -euo pipefail
root=${1:?usage: backup.sh BACKUP_ROOT}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
folder="$root/base-$stamp"
mkdir -p "$folder"
"$PGBIN/pg_basebackup" -D "$folder" -Ft -z -X stream -c fast -l "sahayata $stamp" >&2
# pg_verifybackup reads tar backups only from PostgreSQL 18 on: test the archives instead.
for part in base.tar.gz pg_wal.tar.gz; do
  gzip -t "$folder/$part" || { echo "backup.sh: $folder/$part is damaged" >&2; exit 1; }
done
test -s "$folder/backup_manifest"
echo "$folder"
