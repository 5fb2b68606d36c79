"""A stand-in benchmark executable for the harness's fault tests; its behaviour is the workload part of the
name its wrapper passes as the first argument: good, crash, hang, garbage, failverify, stall."""
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

name = pathlib.Path(sys.argv[1]).name
behaviour = name.split("_")[0]
args = dict(a.split("=", 1) if "=" in a else (a, "") for a in sys.argv[2:])
workers = int(args.get("--parbench_workers", "1"))
case = f"alpha/workers:{workers}"

if "--benchmark_list_tests" in args:
    print(case)
    sys.exit(0)

if behaviour == "stall":
    release = os.environ.get("FAKE_RELEASE")
    behaviour = "good" if release and os.path.exists(release) else "hang"

out = args.get("--benchmark_out")
repetitions = int(args.get("--benchmark_repetitions", "1"))


def entry(i, ns):
    return {"name": case + "/manual_time", "run_name": case + "/manual_time", "run_type": "iteration",
            "repetitions": repetitions, "repetition_index": i, "threads": 1, "iterations": 10,
            "real_time": ns * 10, "cpu_time": ns * 10, "time_unit": "ns", "ns_per_op": ns,
            "items_per_second": 1e9 / ns}


document = {"context": {"parbench_primary_metric": "ns_per_op", "library_build_type": "release",
                        "fake_library_version": "1.0"},
            "benchmarks": [entry(i, 10.0 + i) for i in range(repetitions)]}

if behaviour == "good":
    pathlib.Path(out).write_text(json.dumps(document))
elif behaviour == "failverify":
    document["benchmarks"] = [{"name": case + "/manual_time", "run_name": case + "/manual_time",
                               "run_type": "iteration", "error_occurred": True,
                               "error_message": "verification failed: total is 3, expected 4"}]
    pathlib.Path(out).write_text(json.dumps(document))
    sys.exit(1)
elif behaviour == "garbage":
    pathlib.Path(out).write_text('{"context": {"half a file')
elif behaviour == "crash":
    pathlib.Path(out).write_text(json.dumps(document)[:40])
    print("fake: about to crash", file=sys.stderr, flush=True)
    os.kill(os.getpid(), signal.SIGSEGV)
elif behaviour == "hang":
    # A helper in its own process group, as MPI ranks are: killing only the group of the launcher misses it.
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], process_group=0)
    pid_file = os.environ.get("FAKE_PIDS")
    if pid_file:
        with open(pid_file, "a") as f:
            f.write(f"{os.getpid()} {helper.pid}\n")
    print("fake: hanging", file=sys.stderr, flush=True)
    time.sleep(600)
sys.exit(0)
