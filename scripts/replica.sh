#!/usr/bin/env bash
# A real streaming replica of the local PostgreSQL, and the API suite with reads routed to it.
#
#   scripts/replica.sh [test|start|stop]      (default test)
#
# test   start the replica, run the API test suite (crates/server/tests) with
#        DANGWU_TEST_PG_REPLICA pointing at it, print the numbers, stop and remove the replica;
# start  start it and leave it running (work dir printed; `stop` removes it);
# stop   stop and remove a replica left by `start`.
#
# The replica is a second cluster made by `pg_basebackup -R` from the primary at DANGWU_TEST_PG
# (default postgres://postgres@127.0.0.1:5432) into a temporary directory, started with `pg_ctl` on
# REPLICA_PORT (default 5433) as the postgres OS user, streaming through a physical replication slot
# that is dropped again at the end (a slot left behind would keep the primary's WAL forever).
# The primary is never restarted: it needs wal_level=replica and max_wal_senders>0 (PostgreSQL 15
# defaults) and a `host replication` line in pg_hba.conf for 127.0.0.1, which is added (with a
# reload) when missing. Results: docs/SCALING.md.
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:-test}
PRIMARY=${DANGWU_TEST_PG:-postgres://postgres@127.0.0.1:5432}
PORT=${REPLICA_PORT:-5433}
SLOT=dangwu_test_replica
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
STATE=/tmp/dangwu-replica.dir  # where `start` leaves the work dir's name for `stop`
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dangwu-target}"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
psql_primary() { psql -X -q -At "$PRIMARY/postgres" "$@"; }
psql_replica() { psql -X -q -At "postgres://postgres@127.0.0.1:$PORT/postgres" "$@"; }

stop_replica() {
  local work=$1
  if [ -f "$work/data/postmaster.pid" ]; then
    as_postgres "$BIN/pg_ctl" -D "$work/data" -m fast -w stop > /dev/null 2>&1 || true
  fi
  psql_primary -c "SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots \
    WHERE slot_name = '$SLOT' AND NOT active" > /dev/null 2>&1 || true
  rm -rf "$work"
  rm -f "$STATE"
}

start_replica() {
  local work=$1
  [ "$(psql_primary -c 'SHOW wal_level')" != minimal ] \
    || { echo "primary: wal_level=minimal, a replica needs 'replica' (restart required)" >&2; return 1; }
  [ "$(psql_primary -c 'SHOW max_wal_senders')" -gt 0 ] \
    || { echo "primary: max_wal_senders=0 (restart required)" >&2; return 1; }
  local hba
  hba=$(psql_primary -c 'SHOW hba_file')
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+(all|postgres)[[:space:]]+127\.0\.0\.1/32' "$hba"; then
    echo "primary: adding 'host replication postgres 127.0.0.1/32 trust' to $hba and reloading"
    printf '\n# streaming replica of scripts/replica.sh\nhost replication postgres 127.0.0.1/32 trust\n' >> "$hba"
    psql_primary -c 'SELECT pg_reload_conf()' > /dev/null
    sleep 1
  fi
  # A slot left by a run that was killed: nobody streams from it, drop it.
  psql_primary -c "SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots \
    WHERE slot_name = '$SLOT' AND NOT active" > /dev/null
  chown postgres "$work"
  local started=$SECONDS
  as_postgres "$BIN/pg_basebackup" -d "$PRIMARY/postgres" -D "$work/data" -R -X stream -C -S "$SLOT" \
    --checkpoint=fast
  echo "base backup: $(du -sh "$work/data" | cut -f1) in $((SECONDS - started)) s"
  # Debian keeps postgresql.conf outside the data directory: the replica gets its own, minimal.
  cat > "$work/data/postgresql.conf" <<EOF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
hot_standby = on
hot_standby_feedback = on
max_connections = 200
shared_buffers = 64MB
fsync = off
logging_collector = off
EOF
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' > "$work/data/pg_hba.conf"
  chown postgres "$work/data/postgresql.conf" "$work/data/pg_hba.conf"
  as_postgres "$BIN/pg_ctl" -D "$work/data" -l "$work/replica.log" -w -t 60 start > /dev/null
  for _ in $(seq 1 60); do
    [ "$(psql_primary -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" -gt 0 ] && break
    sleep 0.5
  done
  [ "$(psql_replica -c 'SELECT pg_is_in_recovery()')" = t ] || { echo "replica is not in recovery" >&2; return 1; }
  echo "replica streaming on port $PORT (data in $work/data)"
}

lag() {
  psql_primary -c "SELECT COALESCE(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0)::bigint, \
    COALESCE(round(max(extract(epoch FROM replay_lag)) * 1000), 0) FROM pg_stat_replication"
}

case "$action" in
  start)
    [ ! -f "$STATE" ] || { echo "a replica is running already: $(cat "$STATE")" >&2; exit 1; }
    work=$(mktemp -d /tmp/dangwu-replica.XXXXXX)
    echo "$work" > "$STATE"
    start_replica "$work" || { stop_replica "$work"; exit 1; }
    echo "DANGWU_TEST_PG_REPLICA=postgres://postgres@127.0.0.1:$PORT"
    ;;
  stop)
    [ -f "$STATE" ] || { echo "no replica started by this script" >&2; exit 0; }
    stop_replica "$(cat "$STATE")"
    ;;
  test)
    work=$(mktemp -d /tmp/dangwu-replica.XXXXXX)
    trap 'stop_replica "$work"' EXIT
    start_replica "$work"
    cargo build -p dangwu-server --tests --quiet
    sampler() {
      # The largest replay lag seen during the run, sampled every 200 ms.
      local max_bytes=0 max_ms=0 bytes ms
      while :; do
        read -r bytes ms < <(lag | tr '|' ' ')
        [ "${bytes:-0}" -gt "$max_bytes" ] && max_bytes=$bytes
        [ "${ms:-0}" -gt "$max_ms" ] && max_ms=$ms
        echo "$max_bytes $max_ms" > "$work/lag"
        sleep 0.2
      done
    }
    sampler &
    sampler_pid=$!
    trap 'kill $sampler_pid 2>/dev/null || true; stop_replica "$work"' EXIT
    started=$SECONDS
    status=0
    DANGWU_TEST_PG="$PRIMARY" DANGWU_TEST_PG_REPLICA="postgres://postgres@127.0.0.1:$PORT" \
      cargo test -p dangwu-server --tests --no-fail-fast 2>&1 | tee "$work/test-output.txt" || status=$?
    elapsed=$((SECONDS - started))
    kill "$sampler_pid" 2>/dev/null || true
    passed=$(grep -Eo '[0-9]+ passed' "$work/test-output.txt" | awk '{s += $1} END {print s + 0}')
    failed=$(grep -Eo '[0-9]+ failed' "$work/test-output.txt" | awk '{s += $1} END {print s + 0}')
    read -r max_bytes max_ms < "$work/lag" || true
    echo
    echo "API suite against a streaming replica: $passed passed, $failed failed in ${elapsed} s"
    echo "largest replay lag seen (sampled every 200 ms): ${max_bytes:-0} bytes, ${max_ms:-0} ms"
    grep -q 'SKIPPED (replica' "$work/test-output.txt" && { echo "replica tests were skipped: failing" >&2; status=1; }
    exit "$status"
    ;;
  *)
    echo "usage: $0 [test|start|stop]" >&2
    exit 2
    ;;
esac
