#!/usr/bin/env bash
# Crash test: the real server is killed with SIGKILL again and again while concurrent clients write;
# afterwards every write a client saw acknowledged (HTTP 2xx) must be in the database, the database
# must pass its integrity check and the audit hash chain must verify. SQLite first, then PostgreSQL.
#
#   scripts/crash-test.sh [sqlite|postgres|both]      (default both)
#
# Environment: ROUNDS (kills per engine, default 12), WRITERS (concurrent clients, default 4),
# DANGWU_BIN (binary to test; default: `cargo build -p dangwu` and a private copy of it),
# DANGWU_TEST_PG (default postgres://postgres@127.0.0.1:5432; a scratch database is created and dropped).
# Takes about a minute per engine: not part of scripts/test.sh. Results: docs/OPERATIONS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
engines=${1:-both}
ROUNDS=${ROUNDS:-12}
WRITERS=${WRITERS:-4}
PG=${DANGWU_TEST_PG:-postgres://postgres@127.0.0.1:5432}
export DANGWU_DEMO_PASSWORD=Crash-test-2026
export DANGWU_LOG=warn
export DANGWU_SECURE_COOKIES=false  # the writers speak plain HTTP to 127.0.0.1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dangwu-target}"

work=$(mktemp -d /tmp/dangwu-crash.XXXXXX)
server_pid=""
writer_pid=""
pg_db=""
cleanup() {
  [ -n "$writer_pid" ] && kill "$writer_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null || true
  [ -n "$pg_db" ] && psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${DANGWU_BIN:-}" ]; then
  cargo build -p dangwu --quiet
  cp "$CARGO_TARGET_DIR/debug/dangwu" "$work/dangwu"
  DANGWU_BIN="$work/dangwu"
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

# The client: WRITERS threads create members until told to stop, each appending the ID number of
# every member the server acknowledged to acked.txt; a refused connection or a dropped request is
# not an acknowledgement and is simply retried with a new member.
cat > "$work/writer.py" << 'PY'
import http.cookiejar, json, os, sys, threading, time, urllib.error, urllib.request
base, out, writers, stop_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
def id_number(birth, seq):
    # An odd 17th digit: male, as the body below says.
    body = "650102" + birth.replace("-", "") + f"{(seq * 2 + 1) % 1000:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, W)) % 11]
lock = threading.Lock()
stats = {"acked": 0, "refused": 0, "failed": 0}
def writer(n):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    csrf, org, i = None, None, 0
    def call(method, path, body=None, timeout=5):
        headers = {"content-type": "application/json"}
        if csrf: headers["x-csrf-token"] = csrf
        req = urllib.request.Request(base + path, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
        with opener.open(req, timeout=timeout) as res:
            return res.status, json.loads(res.read() or b"null")
    while not os.path.exists(stop_file):
        try:
            if csrf is None:
                _, me = call("POST", "/api/v1/auth/login",
                             {"username": "admin", "password": os.environ["DANGWU_DEMO_PASSWORD"]})
                csrf = me["csrf_token"]
            if org is None:
                _, orgs = call("GET", "/api/v1/organizations")
                org = [o["id"] for o in orgs if o["kind"] == "branch"][n % 5]
            # Births one day apart per write keep ID numbers unique across writers and restarts.
            day = n * 20000 + i
            birth = time.strftime("%Y-%m-%d", time.gmtime(-315619200 + (day % 9000) * 86400))
            idn = id_number(birth, n * 100 + day // 9000)
            i += 1
            body = {"name": f"压测{n}-{i}", "gender": "male", "ethnicity": "汉族", "birth_date": birth,
                    "id_number": idn, "education": "大学本科", "occupation": "professional",
                    "work_unit": "压测公司", "post": "工程师", "phone": "13800001234",
                    "joined_on": "2015-07-01", "converted_on": "2016-07-01", "status": "full",
                    "organization_id": org}
            status, _ = call("POST", "/api/v1/members", body)
            if 200 <= status < 300:
                with lock:
                    with open(out, "a") as f:
                        f.write(idn + "\n")
                        f.flush()
                    stats["acked"] += 1
        except urllib.error.HTTPError as e:
            with lock:
                stats["refused"] += 1
                if stats["refused"] <= 5:
                    print(f"writer {n}: HTTP {e.code} {e.read()[:300]!r}", file=sys.stderr)
            if e.code == 401: csrf = None
            time.sleep(0.05)
        except Exception:
            with lock: stats["failed"] += 1
            time.sleep(0.05)
threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps(stats))
PY

start_server() {
  "$DANGWU_BIN" serve --listen "127.0.0.1:$port" --database-url "$url" "$@" >> "$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    curl -fs "$base/healthz" > /dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || { tail -20 "$work/server.log"; echo "server died at start" >&2; exit 1; }
    sleep 0.05
  done
  echo "server did not start" >&2
  exit 1
}

run_engine() {
  local engine=$1
  rm -f "$work/acked.txt" "$work/stop"
  touch "$work/acked.txt"
  case $engine in
    sqlite) url="sqlite://$work/crash.db" ;;
    postgres)
      pg_db="dangwu_crash_$$"
      psql -q "$PG/postgres" -c "CREATE DATABASE $pg_db" > /dev/null
      url="$PG/$pg_db"
      ;;
  esac
  echo "==> $engine: $ROUNDS kills with $WRITERS writers ($url)"
  local t0=$SECONDS
  start_server --demo
  python3 "$work/writer.py" "$base" "$work/acked.txt" "$WRITERS" "$work/stop" > "$work/writer.out" &
  writer_pid=$!
  for round in $(seq 1 "$ROUNDS"); do
    # Between 0.5 and 2.5 s of writing, then SIGKILL: no chance to finish anything in flight.
    sleep "$(python3 -c 'import random; print(round(random.uniform(0.5, 2.5), 2))')"
    kill -9 "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    printf '  kill %2d: %6d writes acknowledged so far\n' "$round" "$(wc -l < "$work/acked.txt")"
    start_server
  done
  sleep 1
  touch "$work/stop"
  wait "$writer_pid"
  writer_pid=""
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  local elapsed=$((SECONDS - t0))

  local acked present missing integrity
  acked=$(sort -u "$work/acked.txt" | wc -l)
  case $engine in
    sqlite)
      sqlite3 "$work/crash.db" "SELECT id_number FROM members" | sort -u > "$work/present.txt"
      integrity=$(sqlite3 "$work/crash.db" "PRAGMA integrity_check")
      ;;
    postgres)
      psql -qAt "$url" -c "SELECT id_number FROM members" | sort -u > "$work/present.txt"
      # Reads every row of every table (a damaged page fails the read).
      integrity=ok
      for t in $(psql -qAt "$url" -c "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'"); do
        psql -qAt "$url" -c "SELECT count(*) FROM $t" > /dev/null || integrity="unreadable table $t"
      done
      ;;
  esac
  # Each member the clients created has its creation in the audit log (same transaction).
  local created_sql="SELECT (SELECT COUNT(*) FROM members WHERE work_unit = '压测公司') - \
    (SELECT COUNT(*) FROM audit_log WHERE action = 'member.create' AND after_json LIKE '%压测公司%')"
  local unaudited
  case $engine in
    sqlite) unaudited=$(sqlite3 "$work/crash.db" "$created_sql") ;;
    postgres) unaudited=$(psql -qAt "$url" -c "$created_sql") ;;
  esac
  present=$(grep -c '^650102' "$work/present.txt" || true)
  missing=$(sort -u "$work/acked.txt" | comm -23 - "$work/present.txt" | wc -l)
  local verify_out verify_rc=0
  verify_out=$("$DANGWU_BIN" --database-url "$url" audit verify 2>&1) || verify_rc=$?
  echo "  writer: $(cat "$work/writer.out")"
  # Written by the clients and present (more than acknowledged: requests killed after their commit).
  echo "  result: engine=$engine kills=$ROUNDS acknowledged=$acked missing=$missing written_present=$present" \
    "unaudited=$unaudited integrity=$integrity audit_verify_exit=$verify_rc seconds=$elapsed"
  echo "  $verify_out"
  if [ "$missing" -ne 0 ] || [ "$integrity" != "ok" ] || [ "$verify_rc" -ne 0 ] || [ "$acked" -eq 0 ] \
    || [ "$unaudited" -ne 0 ]; then
    echo "FAILED on $engine" >&2
    return 1
  fi
  if [ "$engine" = postgres ]; then
    psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" > /dev/null
    pg_db=""
  fi
}

status=0
case $engines in
  sqlite | postgres) run_engine "$engines" || status=1 ;;
  both)
    run_engine sqlite || status=1
    run_engine postgres || status=1
    ;;
  *) echo "usage: $0 [sqlite|postgres|both]" >&2; exit 2 ;;
esac
[ $status -eq 0 ] && echo "crash test passed" || echo "crash test FAILED"
exit $status
