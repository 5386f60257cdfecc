#!/usr/bin/env bash
# Stops the server started by .ci/start-postgres.sh (reads NDC_TEST_PG_DIR / NDC_TEST_PG_BINDIR) and removes its data.
set -euo pipefail
DIR="${NDC_TEST_PG_DIR:?NDC_TEST_PG_DIR is not set; nothing to stop}"
BINDIR="${NDC_TEST_PG_BINDIR:?NDC_TEST_PG_BINDIR is not set}"
if [ "$(id -u)" -eq 0 ]; then
  runuser -u "$(stat -c %U "$DIR/data")" -- "$BINDIR/pg_ctl" -D "$DIR/data" -m fast -w stop >&2 || true
else
  "$BINDIR/pg_ctl" -D "$DIR/data" -m fast -w stop >&2 || true
fi
rm -rf "$DIR"
