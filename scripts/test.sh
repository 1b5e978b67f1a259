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
trap 'rm -f "$log"' EXIT
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
