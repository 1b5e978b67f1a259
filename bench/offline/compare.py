#!/usr/bin/env python3
"""Whole-process CPU of host builds on one capture, run against run (docs/BENCHMARKS.md).

usage: compare.py [--paired] RUNS CAPTURE|sample LABEL=[ENV=V,...@]EXECUTABLE ...

Each run is `EXECUTABLE -l <fresh dir> [-r CAPTURE]` under /usr/bin/time (CPU-s = user + sys),
started in the executable's directory (the sample is found there). This machine's speed moves by
half within an hour, so builds are never timed apart:
  interleaved (default): the builds one after another, round after round; medians and ranges.
  --paired: exactly two builds at once, each pinned to one of two CPUs (swapped every round); also
            the median of the per-round ratio second/first, which sees differences of a few percent.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile


def parse_build(argument):
    label, rest = argument.split("=", 1)
    env = {}
    if "@" in rest:
        settings, rest = rest.split("@", 1)
        for setting in settings.split(","):
            key, value = setting.split("=", 1)
            env[key] = value
    return label, env, os.path.abspath(rest)


def start(build, capture, logs, cpu=None):
    label, env, executable = build
    shutil.rmtree(logs, ignore_errors=True)
    command = ["/usr/bin/time", "-f", "%U %S %e %M", executable, "-l", logs]
    if capture != "sample":
        command += ["-r", os.path.abspath(capture)]
    if cpu is not None:
        command = ["taskset", "-c", str(cpu)] + command
    return subprocess.Popen(command, cwd=os.path.dirname(executable), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **env})


def finish(process, label):
    _, err = process.communicate()
    if process.returncode != 0:
        sys.exit(f"{label}: the host exited with {process.returncode}:\n{err}")
    user, system, wall, rss = err.strip().splitlines()[-1].split()
    return float(user) + float(system), float(system), float(wall), int(rss) / 1024


def main(argv):
    paired = "--paired" in argv
    argv = [a for a in argv if a != "--paired"]
    if len(argv) < 3:
        sys.exit(__doc__)
    runs, capture, builds = int(argv[0]), argv[1], [parse_build(a) for a in argv[2:]]
    if paired and len(builds) != 2:
        sys.exit("--paired compares exactly two builds")
    work = tempfile.mkdtemp(prefix="compare-")
    results = {b[0]: [] for b in builds}
    ratios = []
    try:
        for run in range(runs):
            if paired:
                processes = [start(b, capture, f"{work}/{b[0]}", cpu=(i + run) % 2) for i, b in enumerate(builds)]
                row = [finish(p, b[0]) for p, b in zip(processes, builds)]
                if row[0][0] > 0 and row[1][0] > 0:  # /usr/bin/time counts in 10 ms steps
                    ratios.append(row[1][0] / row[0][0])
            else:
                row = [finish(start(b, capture, f"{work}/{b[0]}"), b[0]) for b in builds]
            for b, r in zip(builds, row):
                results[b[0]].append(r)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for label, rows in results.items():
        cpu = [r[0] for r in rows]
        print(f"{capture} {label}: CPU-s median {statistics.median(cpu):.3f} ({min(cpu):.2f}-{max(cpu):.2f}), "
              f"sys {statistics.median(r[1] for r in rows):.2f}, wall {statistics.median(r[2] for r in rows):.2f}, "
              f"peak RSS {statistics.median(r[3] for r in rows):.1f} MiB, n={len(rows)}")
    if ratios:
        print(f"ratio {builds[1][0]}/{builds[0][0]} per round: median {statistics.median(ratios):.3f} "
              f"({min(ratios):.3f}-{max(ratios):.3f})")


if __name__ == "__main__":
    main(sys.argv[1:])
