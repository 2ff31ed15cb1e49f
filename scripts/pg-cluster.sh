#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 cluster on 127.0.0.1 and a free port, for the tests.
# Usage: eval "$(scripts/pg-cluster.sh start)"  -> exports SURVEYLAB_TEST_PG_URL and SURVEYLAB_PG_DIR
#        scripts/pg-cluster.sh stop DIR
# As root, initdb/pg_ctl run as the postgres user (the server refuses root). Trust auth on loopback
# is acceptable only because the cluster lives in a temporary folder for one test run.
set -euo pipefail
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
cmd=${1:-start}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "echo 'PostgreSQL server binaries not found' >&2"
    exit 0
  fi
  dir=$(mktemp -d /tmp/surveylab-pg.XXXXXX)
  chmod 755 "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  as_owner "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 \
    || { echo "echo 'initdb failed: see $dir/initdb.log' >&2"; exit 0; }
  as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c unix_socket_directories=$dir -c max_connections=100" \
    start >"$dir/pg_ctl.log" 2>&1 || { echo "echo 'pg_ctl start failed: see $dir/server.log' >&2"; exit 0; }
  echo "export SURVEYLAB_PG_DIR=$dir"
  echo "export SURVEYLAB_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
  ;;
stop)
  dir=${2:?usage: pg-cluster.sh stop DIR}
  as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
