#!/bin/bash
# Run against run with the harness (docs/BENCHMARKS.md): ROUNDS rounds of one flows-pipeline harness
# run, then three whole-process runs of the host on CAPTURE; per round, the harness's thread-CPU
# median and full-speed figure (ns a packet), the host's CPU-s and its ns a packet, and their ratio.
# This machine's speed moves within minutes, so only figures of one round are compared.
# usage: bench/offline/against-harness.sh HOST_EXECUTABLE CAPTURE [ROUNDS=5]
# (build the harness first: dotnet build -c Release bench/Capture.Benchmarks)
set -euo pipefail
host=$(realpath "$1"); capture=$(realpath "$2"); rounds=${3:-5}
cd "$(dirname "$0")/../.."
packets=$(python3 -c '
import struct,sys
f=open(sys.argv[1],"rb"); h=f.read(24); e="<" if h[:4] in (b"\xd4\xc3\xb2\xa1",b"\x4d\x3c\xb2\xa1") else ">"; n=0
while True:
    r=f.read(16)
    if len(r)<16: break
    f.seek(struct.unpack(e+"IIII",r)[2],1); n+=1
print(n)' "$capture")
logs=$(mktemp -d); trap 'rm -rf "$logs"' EXIT
for r in $(seq "$rounds"); do
  out=$(dotnet run -c Release --no-build --project bench/Capture.Benchmarks -- run flows-pipeline 1200000 120000 1000 8 eve 2>&1)
  median=$(grep -E '^window 1000' <<<"$out" | sed -E 's/.*thread CPU best [0-9.]+ ns\/packet, median ([0-9.]+).*/\1/')
  full=$(grep -E '^at full speed' <<<"$out" | sed -E 's/.*= ([0-9.]+) ns\/packet.*/\1/')
  cpu=()
  for i in 1 2 3; do
    rm -rf "$logs/l"
    /usr/bin/time -o "$logs/time" -f '%U %S' "$host" -r "$capture" -l "$logs/l" >/dev/null 2>&1
    cpu+=("$(awk '{printf "%.2f", $1 + $2}' "$logs/time")")
  done
  python3 - "$r" "$median" "$full" "$packets" "${cpu[@]}" <<'PY'
import statistics, sys
r, median, full, packets = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
cpu = [float(c) for c in sys.argv[5:]]
host = statistics.median(cpu) * 1e9 / packets
print(f"round {r}: harness {median:.1f} ns/packet (full speed {full:.1f}); host CPU-s {' '.join(f'{c:.2f}' for c in cpu)} = {host:.0f} ns/packet; ratio {host / median:.2f}")
PY
done
