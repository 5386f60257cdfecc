#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for the ledger tests and prints, on stdout and nothing else,
#   export NDC_TEST_PG_URL=postgres://ndc@127.0.0.1:PORT/ndc_test
#   export NDC_TEST_PG_DIR=/tmp/ndc-pg.XXXX
# Use: eval "$(bash .ci/start-postgres.sh)"; stop with: bash .ci/stop-postgres.sh
# Works as root (runs the server as the `postgres` user, created if missing: PostgreSQL refuses to run as
# root) or as an ordinary user. Installs Debian's postgresql package when no server binaries are found.
# NDC_PG_USER names the user the server runs as when started by root (default postgres).
set -euo pipefail

log() { echo "start-postgres: $*" >&2; }

find_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

BINDIR="$(find_bindir || true)"
if [ -z "$BINDIR" ]; then
  log "no initdb/pg_ctl found; installing Debian's postgresql package"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq --no-install-recommends postgresql >&2
  BINDIR="$(find_bindir || true)"
  if [ -z "$BINDIR" ]; then log "postgresql installed but initdb/pg_ctl still not found"; exit 1; fi
fi
log "using $BINDIR"

# The server must not run as root: as root, run it as $PG_USER (created when missing).
PG_USER="${NDC_PG_USER:-postgres}"
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id "$PG_USER" >/dev/null 2>&1; then
    log "creating system user $PG_USER"
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_USER" >&2
  fi
  if command -v runuser >/dev/null 2>&1; then RUN_AS=(runuser -u "$PG_USER" --); else RUN_AS=(su "$PG_USER" -s /bin/sh -c); fi
fi
run() {
  if [ "${#RUN_AS[@]}" -eq 0 ]; then "$@";
  elif [ "${RUN_AS[0]}" = runuser ]; then "${RUN_AS[@]}" "$@";
  else "${RUN_AS[@]}" "$(printf '%q ' "$@")"; fi
}

DIR="$(mktemp -d "${TMPDIR:-/tmp}/ndc-pg.XXXXXX")"
chmod 0755 "$DIR"
if [ "$(id -u)" -eq 0 ]; then chown "$PG_USER": "$DIR"; fi

# A free loopback port: ask the kernel for one.
PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"

run "$BINDIR/initdb" -D "$DIR/data" -U ndc --auth=trust -E UTF8 --locale=C >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
run "$BINDIR/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >&2 \
  || { cat "$DIR/server.log" >&2; exit 1; }
run "$BINDIR/createdb" -h 127.0.0.1 -p "$PORT" -U ndc ndc_test >&2

log "PostgreSQL $("$BINDIR/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$PORT, data in $DIR"
echo "export NDC_TEST_PG_URL=postgres://ndc@127.0.0.1:$PORT/ndc_test"
echo "export NDC_TEST_PG_DIR=$DIR"
echo "export NDC_TEST_PG_BINDIR=$BINDIR"
