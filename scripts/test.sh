#!/usr/bin/env bash
# The README's test command: installs missing prerequisites, builds everything, runs every test
# project (the kernel tests make and remove their own namespaces and veth pairs; they need root).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Everything is built first, then tested without building. `dotnet test` on the solution builds
# and runs test projects side by side, so tests started while other projects were still building;
# once the af-packet end-to-end test found the built host or its plugin missing.
dotnet build Capture.sln --nologo
status=0
dotnet test Capture.sln --no-build --nologo 2>&1 | tee "$log" || status=$?

# One closing line that any reader understands, summed over the test assemblies.
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
