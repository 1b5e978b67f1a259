#!/usr/bin/env bash
# The plugin SDK, proven out of tree: packs Capture.Abstractions and Capture.Conformance into a
# local feed, makes a plugin from the capture-plugin template in a temporary folder outside the
# repository, builds it against those packages only, runs its tests (the conformance suite), then
# has the built Detect.Sample host load it with --plugin-dir and read the shipped sample capture,
# checking the run against the same capture read by the pcap-file plugin.
# Needs the solution built (scripts/test.sh builds it first). Leaves nothing behind: the template
# is installed in a hive of its own, and restores go to a package folder of their own (reusing the
# user's as a read-only fallback), so a later run never sees an old copy of the SDK packages.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
umask 022
started=$SECONDS

work=$(mktemp -d "${TMPDIR:-/tmp}/capture-sdk-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
feed=$work/feed
author=$work/author
name=Contoso.Capture.Frames
capture=contoso-frames

fail() {
  echo "sdk-check: FAILED: $*" >&2
  exit 1
}

contract=$(sed -n 's:.*<CaptureContractVersion>\(.*\)</CaptureContractVersion>.*:\1:p' Directory.Build.props)
version=$contract.0
grep -A6 '"SdkVersion"' templates/capture-plugin/.template.config/template.json | grep -q "\"defaultValue\": \"$version\"" \
  || fail "the template's SdkVersion default is not $version (CaptureContractVersion $contract in Directory.Build.props)"

echo "sdk-check: packing Capture.Abstractions and Capture.Conformance $version into $feed"
dotnet pack Capture.Abstractions/Capture.Abstractions.csproj -c Release -o "$feed" --nologo -v q
dotnet pack tests/Capture.Conformance.Package/Capture.Conformance.Package.csproj -c Release -o "$feed" --nologo -v q
[ -f "$feed/Capture.Abstractions.$version.nupkg" ] && [ -f "$feed/Capture.Conformance.$version.nupkg" ] \
  || fail "the packages are not in $feed: $(ls "$feed")"

echo "sdk-check: dotnet new capture-plugin -n $name in $author"
hive=$work/template-hive
dotnet new install "$repo/templates/capture-plugin" --debug:custom-hive "$hive" >/dev/null
dotnet new capture-plugin -n "$name" --capture-name "$capture" -o "$author" --debug:custom-hive "$hive" >/dev/null
[ -f "$author/$name/plugin.json" ] || fail "the template made no $name/plugin.json"
grep -q "\"name\": \"$capture\"" "$author/$name/plugin.json" || fail "plugin.json does not name the capture $capture"

# The author's nuget.config: the SDK packages from the local feed only, everything else from the
# sources this machine already uses.
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<configuration>'
  echo "  <config><add key=\"globalPackagesFolder\" value=\"$work/packages\" /></config>"
  echo "  <fallbackPackageFolders><add key=\"user\" value=\"${NUGET_PACKAGES:-$HOME/.nuget/packages}\" /></fallbackPackageFolders>"
  echo '  <packageSources>'
  echo '    <clear />'
  echo "    <add key=\"capture-sdk\" value=\"$feed\" />"
  n=0
  while read -r state url; do
    [ "$state" = E ] || continue
    n=$((n + 1))
    echo "    <add key=\"source-$n\" value=\"$url\" />"
  done < <(dotnet nuget list source --format short)
  echo '  </packageSources>'
  echo '  <packageSourceMapping>'
  echo '    <packageSource key="capture-sdk"><package pattern="Capture.Abstractions" /><package pattern="Capture.Conformance" /></packageSource>'
  for i in $(seq 1 "$n"); do
    echo "    <packageSource key=\"source-$i\"><package pattern=\"*\" /></packageSource>"
  done
  echo '  </packageSourceMapping>'
  echo '</configuration>'
} > "$author/nuget.config"
[ "$n" -gt 0 ] || fail "no enabled NuGet source on this machine (dotnet nuget list source)"

echo "sdk-check: building and testing $name against the packages (conformance suite)"
(cd "$author" && dotnet test "$name.slnx" --nologo) || fail "the plugin made from the template does not build or pass its tests"
# Restored from the feed just packed, not from an older copy in the fallback folder.
for package in capture.abstractions capture.conformance; do
  [ -d "$work/packages/$package/$version" ] || fail "$package $version was not restored from $feed (an old copy in the package fallback folder?)"
done

# Install it as an operator would: one directory per plugin, nothing writable by others.
plugins=$work/plugins
mkdir -p "$plugins/$capture"
cp -R "$author/$name/bin/Debug/net10.0/." "$plugins/$capture/"
[ ! -e "$plugins/$capture/Capture.Abstractions.dll" ] || fail "the plugin's build output ships its own Capture.Abstractions.dll"

host=$repo/Detect.Sample/bin/Debug/net10.0/Detect.Sample.dll
[ -f "$host" ] || fail "$host is missing; build the solution first"
echo "sdk-check: Detect.Sample --plugin-dir $plugins --capture-plugin $capture -r samples/sample.pcap"
rc=0
dotnet "$host" --plugin-dir "$plugins" --capture-plugin "$capture" -r samples/sample.pcap -l "$work/logs-plugin" >"$work/plugin.out" 2>&1 || rc=$?
cat "$work/plugin.out"
[ "$rc" -eq 0 ] || fail "Detect.Sample exited with $rc using the template's plugin"
grep -q "with the $capture plugin" "$work/plugin.out" || fail "Detect.Sample did not read with the $capture plugin"
rc=0
dotnet "$host" -r samples/sample.pcap -l "$work/logs-pcap" >"$work/pcap.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { cat "$work/pcap.out"; fail "Detect.Sample exited with $rc using the pcap-file plugin"; }

# What the run finds (flows, decoding, alerts) and the packets read (the headline counts every
# packet of the file, also those the pcap-file plugin's own bypass dropped) must not depend on which
# plugin read the file.
for line in '^  flows:' '^  decoder errors:' '^  alerts:'; do
  ours=$(grep -E "$line" "$work/plugin.out") || true
  theirs=$(grep -E "$line" "$work/pcap.out") || true
  [ -n "$ours" ] && [ "$ours" = "$theirs" ] || fail "'$line' differs: $capture says '$ours', pcap says '$theirs'"
done
number() { grep -E "$1" "$2" | sed -E "s/$3/\\1/" | tr -d ,; }
ours=$(number '^Detect.Sample: [0-9,]+ packets' "$work/plugin.out" '^Detect.Sample: ([0-9,]+) packets.*')
theirs=$(number '^Detect.Sample: [0-9,]+ packets' "$work/pcap.out" '^Detect.Sample: ([0-9,]+) packets.*')
[ -n "$ours" ] && [ -n "$theirs" ] || fail "cannot read the packet counts of the two runs"
[ "$ours" -eq "$theirs" ] || fail "$capture read $ours packets; pcap read $theirs"
grep -qE "^  capture $capture:sample.pcap: $(grep -oE '^Detect.Sample: [0-9,]+' "$work/plugin.out" | cut -d' ' -f2) packets \(0 bypassed\), kernel drops 0, errors 0" "$work/plugin.out" \
  || fail "the plugin's own statistics do not count the $ours packets it delivered"

# The public API is frozen: in a copy of the SDK project, a public member added without its line
# in PublicAPI.Unshipped.txt (RS0016) and a baseline line without its member (RS0017) fail the build.
echo "sdk-check: a public API change without a baseline update must fail the build"
api=$work/api
mkdir -p "$api"
cp Directory.Build.props Directory.Packages.props .editorconfig global.json "$api/"
cp -R Capture.Abstractions "$api/"
rm -rf "$api/Capture.Abstractions/bin" "$api/Capture.Abstractions/obj"
printf 'namespace Capture.Abstractions;\n\n/// <summary>Not in the baseline.</summary>\npublic static class UndeclaredApi\n{\n}\n' > "$api/Capture.Abstractions/UndeclaredApi.cs"
echo 'Capture.Abstractions.CaptureContract.Withdrawn.get -> int' >> "$api/Capture.Abstractions/PublicAPI.Shipped.txt"
rc=0
dotnet build "$api/Capture.Abstractions/Capture.Abstractions.csproj" --nologo -v q >"$work/api.out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "the SDK built with an undeclared public type and a declared member that does not exist"
grep -q "error RS0016: Symbol 'Capture.Abstractions.UndeclaredApi'" "$work/api.out" || { cat "$work/api.out"; fail "no RS0016 error for the undeclared public type"; }
grep -q "error RS0017: Symbol 'Capture.Abstractions.CaptureContract.Withdrawn.get -> int'" "$work/api.out" || { cat "$work/api.out"; fail "no RS0017 error for the withdrawn member"; }

echo "sdk-check: passed: the template's plugin, built out of tree against the packed SDK, passes the conformance suite and runs in the host; an undeclared API change fails the build ($((SECONDS - started)) s)"
