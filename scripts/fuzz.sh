#!/usr/bin/env bash
# Schema-driven fuzzing of the whole API: starts the real binary on a fresh demo database (SQLite, or
# PostgreSQL when DANGWU_FUZZ_DATABASE_URL names one), logs in as the group's organization admin, makes an
# API token and runs schemathesis against /api/v1/openapi.json with it. Fails on any 5xx answer, any
# answer whose body does not match its documented schema, and any undocumented status code.
#
#   scripts/fuzz.sh                      # about three minutes
#   FUZZ_SECONDS=600 FUZZ_EXAMPLES=200 scripts/fuzz.sh
#
# Needs python3 with venv; schemathesis is installed once into $HOME/.cache/dangwu-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dangwu-target}"
SCHEMATHESIS_VERSION=4.32.5
venv="${DANGWU_VENV:-$HOME/.cache/dangwu-venv}"
seconds="${FUZZ_SECONDS:-150}"
examples="${FUZZ_EXAMPLES:-30}"
seed="${FUZZ_SEED:-20261203}"
password="Fuzz-demo-2026"

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

workdir=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$workdir"
}
trap cleanup EXIT

# A private copy of the binary: the shared target directory may be rebuilt while the fuzzer runs.
if [ -z "${DANGWU_BIN:-}" ]; then
  cargo build -p dangwu --quiet
  DANGWU_BIN="$CARGO_TARGET_DIR/debug/dangwu"
fi
cp "$DANGWU_BIN" "$workdir/dangwu"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
DANGWU_DEMO_PASSWORD="$password" "$workdir/dangwu" serve --demo --listen "127.0.0.1:$port" \
  --database-url "${DANGWU_FUZZ_DATABASE_URL:-sqlite://$workdir/fuzz.db}" > "$workdir/server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -fs "$base/healthz" > /dev/null 2>&1 && break
  sleep 0.5
done
curl -fs "$base/healthz" > /dev/null || { cat "$workdir/server.log"; exit 1; }

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
csrf=$(curl -fs -c "$workdir/cookies" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$password\"}" "$base/api/v1/auth/login" | json '["csrf_token"]')
token=$(curl -fs -b "$workdir/cookies" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d '{"name":"fuzz"}' "$base/api/v1/tokens" | json '["token"]')

# Revoking tokens is left out: the fuzzer would find and revoke its own token through GET /tokens.
# One worker: with two threads, CPython 3.11's ast.parse (called by hypothesis) fails now and then
# with "AST constructor recursion depth mismatch", an error of the tool, not of the API.
started=$(date +%s)
set +e
(cd "$workdir" && "$venv/bin/schemathesis" run "$base/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance \
  --exclude-path '/api/v1/tokens/{id}' \
  --max-examples "$examples" --max-time "$seconds" --seed "$seed" --workers 1 \
  --report junit --report-dir "$workdir/report" --warnings off) | tee "$workdir/fuzz.log"
status=${PIPESTATUS[0]}
set -e
elapsed=$(( $(date +%s) - started ))
fivexx=$(grep -c '^\s*\[5[0-9][0-9]\]' "$workdir/fuzz.log" || true)
echo "fuzz: schemathesis $SCHEMATHESIS_VERSION, seed $seed, ${elapsed}s, exit $status, 5xx answers shown: $fivexx"
if grep -q 'panicked' "$workdir/server.log"; then
  echo "the server panicked:" >&2
  grep -m1 -A40 'panicked' "$workdir/server.log" >&2
  exit 1
fi
exit "$status"
