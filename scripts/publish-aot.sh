#!/usr/bin/env bash
# Publishes the host compiled ahead of time (Native AOT) with its capture plugins built in: one
# native executable that needs no .NET runtime, with the shipped sample, rules, configuration and
# XDP filters beside it. It starts in milliseconds and runs no JIT compiler, but it loads no plugin
# assemblies: a third party's plugin needs the Just-In-Time compiled host (docs/HOST.md).
# Usage: scripts/publish-aot.sh [output directory]   (default Detect.Sample/bin/Release/aot)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-Detect.Sample/bin/Release/aot}"
# The native link needs a C compiler driver: clang or gcc as such, else the clang-14 that
# scripts/setup.sh installs for the XDP filter.
linker=()
if ! command -v clang >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1; then
  if command -v clang-14 >/dev/null 2>&1; then
    linker=(-p:CppCompilerAndLinker=clang-14)
  else
    echo "publish-aot: the native link needs clang or gcc; run scripts/setup.sh (it installs clang-14) or apt-get install gcc" >&2
    exit 1
  fi
fi
# Its own intermediate directories (obj/aot/): the ahead-of-time build compiles the plugins into the
# host and must not disturb the Just-In-Time build's restore and outputs.
dotnet publish Detect.Sample/Detect.Sample.csproj -c Release -r linux-x64 -p:PublishAot=true \
  -p:BaseIntermediateOutputPath=obj/aot/ -o "$out" --nologo "${linker[@]}" "${@:2}"
echo "published: $out/Detect.Sample"
