#!/usr/bin/env bash
# HTTP throughput of gatehouse against its ceiling (bench/bare_server.cpp: Beast answering a
# fixed envelope with the same io-thread count). Builds both in Release (build-release), starts
# each on a free port, warms up 2 s, runs wrk against /health, prints requests/s, p99 latency
# and the gatehouse/bare ratio, and appends a dated section to docs/benchmarks.md.
#
#   bench/http.sh                                   # wrk -t2 -c50 -d10s
#   BENCH_DURATION=30s BENCH_CONNECTIONS=200 bench/http.sh
#   BENCH_OUT=/tmp/scratch.md BENCH_PATH=/v1/health bench/http.sh
# (BENCH_GATEHOUSE_BIN + BENCH_BARE_BIN: use these binaries, skip the build.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-50}
wrk_threads=${BENCH_WRK_THREADS:-2}
path=${BENCH_PATH:-/health}
out=${BENCH_OUT:-docs/benchmarks.md}
build_dir=${BENCH_BUILD_DIR:-build-release}
io_threads=${BENCH_IO_THREADS:-$(nproc)}
# The access log is off: it measures stdout, not the stack. Override to include it.
gatehouse_flags=${BENCH_GATEHOUSE_FLAGS:---access-log false --log-level info}

command -v wrk >/dev/null || { echo "http.sh: wrk is not installed (scripts/install-deps)" >&2; exit 1; }

if [ -n "${BENCH_GATEHOUSE_BIN:-}" ] && [ -n "${BENCH_BARE_BIN:-}" ]; then
  gatehouse_bin=$BENCH_GATEHOUSE_BIN
  bare_bin=$BENCH_BARE_BIN
else
  echo "== building Release binaries in $build_dir (-j2)" >&2
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGATEHOUSE_BUILD_TESTS=OFF \
    -DGATEHOUSE_BUILD_BENCH=ON >/dev/null
  ninja -C "$build_dir" -j2 gatehouse >&2
  if ninja -C "$build_dir" -t targets all 2>/dev/null | grep -q '^bare_server:'; then
    ninja -C "$build_dir" -j2 bare_server >&2
    bare_bin=$build_dir/bench/bare_server
  else
    # bench/ not part of the top-level build: build it standalone.
    cmake -S bench -B "$build_dir/bench-standalone" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    ninja -C "$build_dir/bench-standalone" -j2 bare_server >&2
    bare_bin=$build_dir/bench-standalone/bare_server
  fi
  gatehouse_bin=$build_dir/gatehouse
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-bench.XXXXXX")
cleanup() {
  local f pid
  for f in "$work"/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# Starts a server with stderr to $work/$name.err, its pid in $work/$name.pid (this runs in a
# command substitution, so no shell variable would survive), and echoes its port once logged.
start_server() {
  local name=$1
  shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  local pid=$!
  echo "$pid" >"$work/$name.pid"
  for _ in $(seq 200); do
    local port
    port=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$work/$name.err" 2>/dev/null |
      head -1 | sed 's/.*://') || true
    if [ -n "$port" ]; then
      echo "$port"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "http.sh: $name did not start; stderr:" >&2
  tail -n 20 "$work/$name.err" >&2
  return 1
}

# Converts wrk latency ("850.00us", "2.10ms", "1.02s") to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000
    printf "%.2f", n }'
}

# Runs wrk against a port; sets rps and p99 (ms) and keeps the full output in $work/$name.wrk.
run_wrk() {
  local name=$1 port=$2
  local url="http://127.0.0.1:$port$path"
  wrk -t"$wrk_threads" -c"$connections" -d2s "$url" >/dev/null  # warm-up
  wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency "$url" >"$work/$name.wrk"
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/$name.wrk")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$work/$name.wrk")")
  local errors
  errors=$(grep -E 'Non-2xx|Socket errors' "$work/$name.wrk" || true)
  [ -z "$errors" ] || echo "http.sh: $name: $errors" >&2
}

bare_port=$(start_server bare "$bare_bin" --listen 127.0.0.1:0 --threads "$io_threads")
# shellcheck disable=SC2086  # flags are meant to split
gh_port=$(start_server gatehouse "$gatehouse_bin" serve --listen 127.0.0.1:0 \
  --data-dir "$work/data" --io-threads "$io_threads" $gatehouse_flags)

echo "== bare_server (port $bare_port)" >&2
run_wrk bare "$bare_port"
bare_rps=$rps bare_p99=$p99
echo "== gatehouse (port $gh_port)" >&2
run_wrk gatehouse "$gh_port"
gh_rps=$rps gh_p99=$p99
ratio=$(awk -v a="$gh_rps" -v b="$bare_rps" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
cores=$(nproc)
wrk_cmd="wrk -t$wrk_threads -c$connections -d$duration --latency http://127.0.0.1:PORT$path"
table=$(cat <<EOF
| server | requests/s | p99 latency |
|---|---:|---:|
| bare Beast (\`bench/bare_server\`, $io_threads io threads) | $bare_rps | $bare_p99 ms |
| gatehouse (\`serve --io-threads $io_threads $gatehouse_flags\`) | $gh_rps | $gh_p99 ms |
| **gatehouse / bare** | **$ratio** | |
EOF
)
echo
echo "$table"
echo

if [ ! -f "$out" ]; then
  mkdir -p "$(dirname "$out")"
  # shellcheck disable=SC2016  # literal backquotes (markdown)
  printf '# Benchmarks\n\nAppended by the scripts under `bench/`; newest last.\n' >"$out"
fi
{
  echo
  echo "## HTTP /health throughput — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- command: \`bench/http.sh\` → \`$wrk_cmd\` after a 2 s warm-up, each server alone"
  echo "- machine: $cores cores ($cpu); wrk shares the machine with the server"
  echo "- binaries: \`$gatehouse_bin\`, \`$bare_bin\`"
  echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo 'none')$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
  echo
  echo "$table"
} >>"$out"
echo "http.sh: appended to $out" >&2
