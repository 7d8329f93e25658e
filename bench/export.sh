#!/usr/bin/env bash
# The whole roster exported to Excel from a running server: time, file size, rows, and the server's
# resident memory before and at its peak (VmHWM; the peak since the process started, so run this on
# a freshly started server to see what the export itself takes).
#
#   bench/export.sh http://127.0.0.1:8080 SERVER_PID [QUERY]
#
# Logs in as the benchmark user (`DANGWU_BENCH_USER`, default bench_admin; see bench/src/main.rs). QUERY defaults to the whole group.
set -euo pipefail
base=${1:?server URL}
pid=${2:?server process id}
query=${3:-}
jar=$(mktemp)
out=$(mktemp --suffix=.xlsx)
trap 'rm -f "$jar" "$out"' EXIT

rss() { awk -v k="$1:" '$1 == k { print int($2 / 1024) }' "/proc/$pid/status"; }

curl -sf -c "$jar" -H 'content-type: application/json' \
  -d "{\"username\":\"${DANGWU_BENCH_USER:-bench_admin}\",\"password\":\"Bench-pass-2026\"}" "$base/api/v1/auth/login" > /dev/null
echo "server memory before: $(rss VmRSS) MB (peak so far $(rss VmHWM) MB)"
start=$(date +%s.%N)
status=$(curl -s -b "$jar" -o "$out" -w '%{http_code}' "$base/api/v1/members/export.xlsx${query:+?$query}")
end=$(date +%s.%N)
echo "status $status, $(stat -c %s "$out" | awk '{ printf "%.1f MB", $1 / 1048576 }') in $(echo "$end - $start" | bc) s"
echo "server memory after: $(rss VmRSS) MB, peak $(rss VmHWM) MB"
if command -v unzip > /dev/null && [ "$status" = 200 ]; then
  # Rows of the sheet, counted from the file itself (the last row number in the sheet's XML).
  rows=$(unzip -p "$out" xl/worksheets/sheet1.xml | grep -o '<row r="[0-9]*"' | tail -1 | grep -o '[0-9]*')
  echo "rows in the file: $((rows - 1)) members and the header"
fi
