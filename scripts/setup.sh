#!/usr/bin/env bash
# Installs what the build and the test suite need beyond a fresh machine of this project's kind
# (Debian 12 with the .NET 10 SDK): clang-14 and the kernel's UAPI headers (the XDP filter is
# compiled at build time), the libbpf and libpcap runtimes, tshark (the independent reader the
# host's flow counts are checked against), tcpdump and iproute2 (the kernel tests' namespaces),
# systemd's unit verifier (for the shipped unit file), redis-server (scripts/test.sh starts one for the run; the tests that stop it start their own).
# bpffs is mounted by the kernel tests themselves when missing. Idempotent: does nothing when
# everything is present.
set -euo pipefail

if ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
  echo "setup: the .NET 10 SDK is missing (global.json asks for 10.0); install the .NET 10 SDK and run again" >&2
  exit 1
fi

need=()
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v clang-14 >/dev/null 2>&1 || need+=(clang-14)
[ -f /usr/include/linux/bpf.h ] || need+=(linux-libc-dev)
ldconfig -p 2>/dev/null | grep -q 'libpcap.so.0.8' || need+=(libpcap0.8)
ldconfig -p 2>/dev/null | grep -q 'libbpf.so.1' || need+=(libbpf1)

if [ ${#need[@]} -eq 0 ]; then
  echo "setup: all test prerequisites present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: missing ${need[*]}; install them as root with apt-get (the kernel tests need root anyway)" >&2
  exit 1
fi

echo "setup: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "setup: done"
