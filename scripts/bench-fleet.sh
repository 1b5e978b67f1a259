#!/usr/bin/env bash
# Sizing figures for docs/FLEET.md: the host reads a generated capture of N one-packet UDP flows
# (N flow events, spread over 10 minutes of capture time so that flows time out as it goes) and
# writes eve.json alone, then eve.json and a Redis eve-log in each mode, into a redis-server of its
# own (loopback, a free port, a temp directory). Prints events delivered, wall time, the host's CPU
# and redis-server's CPU. Then the same with Redis stopped: what the bounded buffer does.
# Usage: bash scripts/bench-fleet.sh [flows] [configuration]   (after `dotnet build Capture.sln`, or
# `dotnet build Detect.Sample/Detect.Sample.csproj -c Release` for the configuration Release)
set -euo pipefail
cd "$(dirname "$0")/.."
flows=${1:-200000}
configuration=${2:-Debug}
host=Detect.Sample/bin/$configuration/net10.0/Detect.Sample
[ -x "$host" ] || { echo "bench-fleet.sh: $host is not built (dotnet build Detect.Sample/Detect.Sample.csproj -c $configuration)" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill "$redis_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

python3 - "$work/flows.pcap" "$flows" <<'PY'
import struct, sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        payload = b'x' * 32
        udp = struct.pack('!HHHH', 1024 + i % 60000, 53, 8 + len(payload), 0) + payload
        src = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), i & 0xffff, 0, 64, 17, 0, src, bytes([192, 0, 2, 1]))
        frame = b'\x02\x00\x00\x00\x00\x02' + b'\x02\x00\x00\x00\x00\x01' + b'\x08\x00' + ip + udp
        t = 1_700_000_000 * 1_000_000 + i * 600_000_000 // n
        f.write(struct.pack('<IIII', t // 1_000_000, t % 1_000_000, len(frame), len(frame)) + frame)
PY

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_redis() {
  redis-server --port "$port" --bind 127.0.0.1 --dir "$work" --save "" --appendonly no --daemonize no >/dev/null &
  redis_pid=$!
  until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

run() { # name, redis yaml (empty: file only)
  local name=$1 redis=$2 yaml="$work/detect.yaml"
  {
    echo "outputs:"
    echo "  - eve-log: { enabled: yes, filename: eve.json, types: [flow] }"
    [ -n "$redis" ] && echo "  - eve-log: { enabled: yes, filetype: redis, types: [flow], redis: { port: $port, key: eve, $redis } }"
    echo "stats: { enabled: no }"
    echo "rule-files: []"
  } >"$yaml"
  rm -rf "$work/logs"
  redis-cli -p "$port" del eve >/dev/null 2>&1 || true
  local before=0
  [ -n "${redis_pid:-}" ] && kill -0 "$redis_pid" 2>/dev/null && before=$(cpu_ticks "$redis_pid")
  /usr/bin/time -f '%e %U %S' -o "$work/time" "$host" -c "$yaml" -l "$work/logs" -r "$work/flows.pcap" >"$work/out" 2>"$work/err"
  local after=0
  [ -n "${redis_pid:-}" ] && kill -0 "$redis_pid" 2>/dev/null && after=$(cpu_ticks "$redis_pid")
  read -r wall user sys <"$work/time"
  local events delivered
  events=$(wc -l <"$work/logs/eve.json")
  delivered=$(grep -Eo 'redis://[^ ]+ \(([0-9,]+) events' "$work/out" | grep -Eo '\(([0-9,]+)' | tr -d '(,' || true)
  local lost
  lost=$(grep -Eo '[0-9,]+ LOST' "$work/out" | tr -d ', LOST' || true)
  printf '%-28s events %8s  redis %8s  lost %8s  wall %6.2f s  host cpu %6.2f s  redis cpu %5.2f s\n' \
    "$name" "$events" "${delivered:--}" "${lost:-0}" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "($after - $before) / $hz" | bc -l)"
}

echo "flows: $flows (one flow event each), $configuration build, $(nproc) cores shared"
redis_pid=
run "file only" ""
start_redis
run "list, one at a time" "mode: list, buffer-events: 1000000"
run "list, pipelining 100" "mode: list, buffer-events: 1000000, pipelining: { enabled: yes, batch-size: 100 }"
run "rpush, pipelining 100" "mode: rpush, buffer-events: 1000000, pipelining: { enabled: yes, batch-size: 100 }"
run "stream, pipelining 100" "mode: stream, stream-maxlen: 0, buffer-events: 1000000, pipelining: { enabled: yes, batch-size: 100 }"
run "channel, pipelining 100" "mode: channel, buffer-events: 1000000, pipelining: { enabled: yes, batch-size: 100 }"
kill "$redis_pid"; wait "$redis_pid" 2>/dev/null || true; redis_pid=
run "redis down, buffer 10000" "mode: list, buffer-events: 10000, shutdown-timeout: 1"
