#!/usr/bin/env bash
# Publishes the host compiled ahead of time (Native AOT) with its capture plugins built in: one
# native executable that needs no .NET runtime, with the shipped sample, rules, configuration and
# XDP filters beside it. It starts in milliseconds and runs no JIT compiler, but it loads no plugin
# assemblies: a third party's plugin needs the Just-In-Time compiled host (docs/HOST.md).
# Usage: scripts/publish-aot.sh [output directory]   (default Detect.Sample/bin/Release/aot)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-Detect.Sample/bin/Release/aot}"
# Its own intermediate directories (obj/aot/): the ahead-of-time build compiles the plugins into the
# host and must not disturb the Just-In-Time build's restore and outputs.
dotnet publish Detect.Sample/Detect.Sample.csproj -c Release -r linux-x64 -p:PublishAot=true \
  -p:BaseIntermediateOutputPath=obj/aot/ -o "$out" --nologo "${@:2}"
echo "published: $out/Detect.Sample"
