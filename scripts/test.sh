#!/usr/bin/env bash
# The README's test command: installs missing prerequisites, builds everything, runs every test
# project (the kernel tests make and remove their own namespaces and veth pairs; they need root).
# The tests that read ../shared/pcaps and ../shared/suricata-verify (trait Category=SharedCaptures)
# run when those folders are beside the checkout, as in CI; without them they are left out and the
# run says so.
# Arguments, if any, are the test projects to run instead of the whole solution
# (e.g. bash scripts/test.sh tests/FlowEngine.Tests tests/Capture.Pcap.Tests).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

log=$(mktemp)
redis_dir=""
redis_pid=""
# Always, however the run ends: the run's redis-server is stopped and its files removed.
cleanup() {
  if [ -n "$redis_pid" ]; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  [ -z "$redis_dir" ] || rm -rf "$redis_dir"
  rm -f "$log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A real redis-server for the Redis eve-log tests: loopback, a free port of the run's own, its files in
# a temp directory; the tests find it in CAPTURE_TEST_REDIS and use keys of their own on it (the tests
# that stop and start a server mid-run start a private one). Kept when the caller already set one.
if [ -z "${CAPTURE_TEST_REDIS:-}" ]; then
  redis_dir=$(mktemp -d -t capture-test-redis-XXXXXX)
  for _ in 1 2 3 4 5; do
    # A port nothing on loopback answers on (redis-server cannot pick one itself: port 0 turns TCP off).
    port=$((20000 + RANDOM % 40000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
    redis-server --port "$port" --bind 127.0.0.1 --dir "$redis_dir" --save "" --appendonly no --daemonize no \
      --logfile "$redis_dir/redis.log" &
    redis_pid=$!
    for _ in $(seq 100); do
      redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break
      kill -0 "$redis_pid" 2>/dev/null || break
      sleep 0.1
    done
    if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
      export CAPTURE_TEST_REDIS="127.0.0.1:$port"
      break
    fi
    # The port was taken between the probe and the start (or the server failed): another try.
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
    redis_pid=""
  done
  if [ -z "${CAPTURE_TEST_REDIS:-}" ]; then
    echo "test.sh: redis-server did not start on a loopback port (see $redis_dir/redis.log)" >&2
    cat "$redis_dir/redis.log" >&2 || true
    exit 1
  fi
  echo "redis-server for the tests: $CAPTURE_TEST_REDIS (pid $redis_pid, stopped when the run ends)"
fi
# Everything is built first, then tested without building. `dotnet test` on the solution builds
# and runs test projects side by side, so tests started while other projects were still building;
# once the af-packet end-to-end test found the built host or its plugin missing.
dotnet build Capture.sln --nologo
shared=$(realpath -m ../shared)
filter=()
group="SharedCaptures group: run ($shared/pcaps and $shared/suricata-verify are present)"
if [ ! -d "$shared/pcaps" ] || [ ! -d "$shared/suricata-verify" ]; then
  filter=(--filter "Category!=SharedCaptures")
  group="SharedCaptures group: NOT RUN, $shared/pcaps or $shared/suricata-verify is absent (these tests read the shared captures beside the checkout; CI has them)"
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(Capture.sln)
status=0
for target in "${targets[@]}"; do
  dotnet test "$target" --no-build --nologo "${filter[@]}" 2>&1 | tee -a "$log" || status=$?
done
# The whole suite also proves the SDK out of tree: a plugin from the template, built against the
# packed SDK, passes the conformance suite and runs in the host (under a minute).
if [ $# -eq 0 ]; then
  bash scripts/sdk-check.sh 2>&1 | tee -a "$log" || status=$?
fi

# One closing line that any reader understands, summed over the test assemblies.
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "$group"
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
