#!/usr/bin/env python3
"""Half-open connections against the control socket of a running Detect.Sample host.

Starts the host on a pipe that carries a pcap header and nothing else (so it keeps running with
no traffic and no network interface), waits for its control socket, then opens N unix-socket
connections that each send the start of a handshake and never finish it. Prints the host's
resident memory (VmRSS) before, with the connections open, and some seconds after they are closed,
and how the server treated the connections (replied, closed, left open).

  python3 bench/control/half_open.py --host Detect.Sample/bin/Debug/net10.0/Detect.Sample.dll
"""
import argparse
import collections
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time


def rss_mb(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def hold_pipe(path, stop):
    # A classic pcap header (microseconds, Ethernet), then nothing: the reader waits for packets.
    with open(path, "wb", buffering=0) as pipe:
        pipe.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        stop.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True, help="Detect.Sample.dll to run")
    parser.add_argument("--connections", type=int, default=3000)
    parser.add_argument("--hold", type=float, default=10, help="seconds the connections stay open")
    parser.add_argument("--settle", type=float, default=10, help="seconds to wait after closing them")
    parser.add_argument("--set", action="append", default=[], help="extra --set for the host")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="half-open-")
    fifo = os.path.join(work, "capture.pcap")
    sock_path = os.path.join(work, "command.socket")
    os.mkfifo(fifo)
    stop = threading.Event()
    writer = threading.Thread(target=hold_pipe, args=(fifo, stop), daemon=True)
    writer.start()
    command = ["dotnet", args.host, "-r", fifo, "-l", os.path.join(work, "logs"),
               "--set", "unix-command.enabled=yes", "--set", f"unix-command.filename={sock_path}"]
    for extra in args.set:
        command += ["--set", extra]
    host = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not os.path.exists(sock_path):
            if host.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"host did not open {sock_path}: rc {host.poll()} {host.stderr.read()}")
            time.sleep(0.2)
        time.sleep(2)
        before = rss_mb(host.pid)

        clients = []
        refused_connect = collections.Counter()
        for _ in range(args.connections):
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                client.connect(sock_path)
                client.sendall(b'{"version": "0.')
                clients.append(client)
            except OSError as error:
                refused_connect[error.strerror] += 1
                client.close()
        time.sleep(args.hold)
        held = rss_mb(host.pid)

        replied = collections.Counter()
        closed = still_open = 0
        for client in clients:
            client.setblocking(False)
            try:
                data = client.recv(4096)
                if data:
                    replied[json.loads(data.split(b"\n")[0]).get("message", "")] += 1
                else:
                    closed += 1
            except BlockingIOError:
                still_open += 1
            except OSError:
                closed += 1
            client.close()
        time.sleep(args.settle)
        after = rss_mb(host.pid)

        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        probe.settimeout(5)
        probe.connect(sock_path)
        probe.sendall(b'{"version": "0.2"}')
        handshake = probe.recv(4096).decode("utf-8", "replace").strip()
        probe.close()

        print(f"connections attempted: {args.connections}, connect or first send failed: {sum(refused_connect.values())} {dict(refused_connect)}")
        print(f"after {args.hold:g} s: {sum(replied.values())} got a reply, {closed} closed without one, {still_open} still open")
        for message, count in replied.most_common():
            print(f"  {count} x NOK: {message}")
        print(f"host VmRSS: {before:.0f} MB before, {held:.0f} MB with the connections, "
              f"{after:.0f} MB {args.settle:g} s after closing them")
        print(f"a new client afterwards: {handshake}")
    finally:
        host.terminate()
        try:
            host.wait(10)
        except subprocess.TimeoutExpired:
            host.kill()
        stop.set()


if __name__ == "__main__":
    main()
