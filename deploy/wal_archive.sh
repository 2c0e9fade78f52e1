#!/usr/bin/env bash
# PostgreSQL's archive_command: copy one finished WAL segment into the archive, durably.
#   archive_command = '/srv/sahayata/deploy/wal_archive.sh %p %f /var/backups/sahayata/wal'
# Refuses to overwrite a segment already archived with other contents (exit 1: PostgreSQL
# keeps the segment and retries), so a second server archiving to the same place is noticed.
set -euo pipefail
path=$1 name=$2 archive=$3
target="$archive/$name"
if [[ -e "$target" ]]; then
  cmp -s "$path" "$target" && exit 0
  echo "wal_archive: $target exists with other contents" >&2
  exit 1
fi
cp "$path" "$target.part"
sync "$target.part"
mv "$target.part" "$target"
