#!/usr/bin/env python3
"""Runs a benchmark executable with JSON output and checks the contract for a model that cannot run here (no
CUDA device): exit 0, no case in the JSON (no case with time 0), and the reason in the context as
parbench_skipped_reason. Where the model can run, every case must have a time above 0 instead.

    check_skipped_json.py EXECUTABLE WORK_DIR"""
import json
import os
import subprocess
import sys


def main(executable, work_dir):
    out = os.path.join(work_dir, os.path.basename(executable) + "_skipped.json")
    run = subprocess.run([executable, "--parbench_verify_only", f"--benchmark_out={out}"], capture_output=True,
                         text=True, timeout=300)
    if run.returncode != 0:
        return f"exit code {run.returncode}: {run.stderr.strip()}"
    with open(out) as f:
        data = json.load(f)
    reason = data["context"].get("parbench_skipped_reason")
    if reason is not None:
        if not reason or data["benchmarks"]:
            return f"skipped ({reason!r}) yet {len(data['benchmarks'])} cases in the JSON"
        if reason not in run.stderr:
            return f"the reason is not on stderr: {run.stderr!r}"
        print(f"skipped: {reason}")
    elif not data["benchmarks"] or any(b.get("real_time", 0) <= 0 for b in data["benchmarks"]):
        return "not skipped, yet a case without time"
    return None


if __name__ == "__main__":
    problem = main(*sys.argv[1:])
    if problem:
        print(problem, file=sys.stderr)
    sys.exit(1 if problem else 0)
