#!/usr/bin/env python3
"""Runs a sync executable with JSON output and checks what it reports: the primary metric is overhead_ns, every
case that ran carries the EPCC counters (median inside its interval, at least 20 repetitions, outliers counted, a
positive reference, every worker taking part) and a name with delay:<n>/inner:<n>, and a skipped case says why.

    check_sync_json.py OUT_DIR EXECUTABLE [ARGS...]    (exit 0: all as described; 1: otherwise)"""
import json
import os
import re
import subprocess
import sys


def problems(report):
    out = []
    context = report.get("context", {})
    if context.get("parbench_primary_metric") != "overhead_ns":
        out.append(f"primary metric is {context.get('parbench_primary_metric')!r}, not overhead_ns")
    ran = 0
    for case in report.get("benchmarks", []):
        name = case["name"]
        if not re.search(r"/delay:\d+/inner:\d+/", name):
            out.append(f"{name}: no delay:<n>/inner:<n> in the name")
        if case.get("error_occurred"):
            if not case.get("error_message", "").startswith("skipped: "):
                out.append(f"{name}: {case.get('error_message')}")
            continue
        ran += 1
        missing = [k for k in ("overhead_ns", "overhead_ci_low_ns", "overhead_ci_high_ns", "outliers",
                               "reference_ns", "outer_repetitions") if k not in case]
        if missing:
            out.append(f"{name}: missing counters {missing}")
            continue
        if not case["overhead_ci_low_ns"] <= case["overhead_ns"] <= case["overhead_ci_high_ns"]:
            out.append(f"{name}: median {case['overhead_ns']} outside its interval")
        if case["outer_repetitions"] < 20:
            out.append(f"{name}: {case['repetitions']} repetitions, fewer than 20")
        if not 0 <= case["outliers"] <= case["outer_repetitions"]:
            out.append(f"{name}: {case['outliers']} outliers of {case['repetitions']}")
        if case["reference_ns"] <= 0:
            out.append(f"{name}: reference {case['reference_ns']} ns")
        workers = int(re.search(r"/workers:(\d+)", name).group(1))
        if "participation_min" in case and case["participation_min"] != workers:
            out.append(f"{name}: participation_min {case['participation_min']} of {workers}")
    if ran == 0:
        out.append("no case ran")
    return out


def main(out_dir, executable, *args):
    path = os.path.join(out_dir, os.path.basename(executable) + ".sync.json")
    result = subprocess.run([executable, *args, f"--benchmark_out={path}", "--benchmark_out_format=json"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=300)
    if result.returncode != 0:
        print(f"exit {result.returncode}: {result.stderr}", file=sys.stderr)
        return 1
    with open(path) as f:
        found = problems(json.load(f))
    for p in found:
        print(p, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
