"""A stand-in benchmark executable for the harness's fault tests; its behaviour is the workload part of the
name its wrapper passes as the first argument:

good        one case, alpha/workers:N, whose sample is 10 + the number of earlier runs of this executable and
            worker count (so the passes of a run give 10, 11, 12, ...)
crash       half a JSON file, a line on stderr, SIGSEGV
hang        a helper in its own process group (as MPI ranks are), then sleeps
stall       hangs until the file FAKE_RELEASE exists, then good
garbage     a broken JSON file
failverify  the case reports "verification failed"
flaky       good, except that its second run fails verification
exitsig     kills itself with signal FAKE_SIGNAL (default SIGRTMIN+3) before writing its JSON
ignoreterm  ignores SIGTERM and sleeps
detach      good, leaving a grandchild that moved into a session of its own (the documented limit)
killharness good JSON, then (on its first run only) sends FAKE_SIGNAL (default SIGINT) to the harness and exits at
            once
slow        sleeps FAKE_SLEEP seconds (default 0.3), then good
empty       lists no case and gives no reason
nodevice    lists no case, says "skipped: no CUDA device (fake)" on stderr
envdump     good, and appends its binding variables as one JSON line to FAKE_ENV
waitparam   good, its case names carrying the OpenMP wait policy it was started with, as the sync workload's do:
            alpha/wait:<OMP_WAIT_POLICY, or default when unset>/workers:N
knob        good, its case names carrying alpha/knob:<FAKE_KNOB, or default when unset>/workers:N; when that value
            is FAKE_INTERRUPT_KNOB, its first such run sends SIGINT to the harness after writing its JSON
deafknob    names knob:default whatever FAKE_KNOB says (an executable that ignores the swept setting)

FAKE_PIDS (a file): each run appends "<pid> <helper pid>" or "<pid>"; FAKE_LOG: each start appends
"list|run <name> <workers>"."""
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

path = pathlib.Path(sys.argv[1])
name = path.name
behaviour = name.split("_")[0]
args = dict(a.split("=", 1) if "=" in a else (a, "") for a in sys.argv[2:])
workers = int(args.get("--parbench_workers", "1"))
case = f"alpha/workers:{workers}"
listing = "--benchmark_list_tests" in args and args["--benchmark_list_tests"] != "false"
if behaviour == "waitparam":
    case = f"alpha/wait:{os.environ.get('OMP_WAIT_POLICY') or 'default'}/workers:{workers}"
elif behaviour == "knob":
    case = f"alpha/knob:{os.environ.get('FAKE_KNOB') or 'default'}/workers:{workers}"
elif behaviour == "deafknob":
    case = f"alpha/knob:default/workers:{workers}"
knob_interrupts = behaviour == "knob" and not listing and \
    (os.environ.get("FAKE_KNOB") or "default") == os.environ.get("FAKE_INTERRUPT_KNOB")
if behaviour in ("waitparam", "knob", "deafknob"):
    behaviour = "good"


def log(kind):
    log_file = os.environ.get("FAKE_LOG")
    if log_file:
        with open(log_file, "a") as f:
            f.write(f"{kind} {name} {workers}\n")


def note_pid(*pids):
    pid_file = os.environ.get("FAKE_PIDS")
    if pid_file:
        with open(pid_file, "a") as f:
            f.write(" ".join(str(p) for p in pids) + "\n")


log("list" if listing else "run")
if listing:
    if behaviour == "nodevice":
        print("skipped: no CUDA device (fake)", file=sys.stderr)
    elif behaviour != "empty":
        print(case)
    sys.exit(0)

if behaviour == "stall":
    release = os.environ.get("FAKE_RELEASE")
    behaviour = "good" if release and os.path.exists(release) else "hang"
if behaviour == "slow":
    time.sleep(float(os.environ.get("FAKE_SLEEP", "0.3")))
    behaviour = "good"

# Runs so far of this executable with these workers: the sample of this run is 10 + that.
counter = path.parent / f".{name}.w{workers}.runs"
earlier = int(counter.read_text()) if counter.exists() else 0
counter.write_text(str(earlier + 1))
if behaviour == "flaky":
    behaviour = "failverify" if earlier == 1 else "good"

out = args.get("--benchmark_out")
repetitions = int(args.get("--benchmark_repetitions", "1"))


def entry(i, ns):
    return {"name": case + "/manual_time", "run_name": case + "/manual_time", "run_type": "iteration",
            "repetitions": repetitions, "repetition_index": i, "threads": 1, "iterations": 10,
            "real_time": ns * 10, "cpu_time": ns * 10, "time_unit": "ns", "ns_per_op": ns,
            "items_per_second": 1e9 / ns}


document = {"context": {"parbench_primary_metric": "ns_per_op", "library_build_type": "release",
                        "fake_library_version": "1.0"},
            "benchmarks": [entry(i, 10.0 + earlier + i) for i in range(repetitions)]}


def harness_pid():
    """The nearest ancestor running `-m harness`."""
    pid = os.getppid()
    while pid > 1:
        try:
            cmdline = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        if b"-m" in cmdline and b"harness" in cmdline:
            return pid
        pid = int(stat.rsplit(")", 1)[1].split()[1])
    return None


if behaviour in ("good", "detach", "killharness", "envdump"):
    pathlib.Path(out).write_text(json.dumps(document))
if knob_interrupts:
    marker = path.parent / f".{name}.interrupted"
    target = harness_pid() if not marker.exists() else None
    if target:
        marker.write_text("1")
        os.kill(target, signal.SIGINT)
if behaviour == "envdump":
    keys = ("PARBENCH_PIN", "OMP_PROC_BIND", "OMP_PLACES", "GOMP_CPU_AFFINITY", "TMPDIR")
    with open(os.environ["FAKE_ENV"], "a") as f:
        f.write(json.dumps({k: os.environ.get(k) for k in keys}) + "\n")
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
    note_pid(os.getpid(), helper.pid)
    print("fake: hanging", file=sys.stderr, flush=True)
    time.sleep(600)
elif behaviour == "ignoreterm":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    note_pid(os.getpid())
    print("fake: ignoring SIGTERM", file=sys.stderr, flush=True)
    time.sleep(600)
elif behaviour == "exitsig":
    number = int(os.environ.get("FAKE_SIGNAL", str(signal.SIGRTMIN + 3)))
    print(f"fake: exiting by signal {number}", file=sys.stderr, flush=True)
    signal.signal(number, signal.SIG_DFL)
    os.kill(os.getpid(), number)
    time.sleep(5)
elif behaviour == "detach":
    grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    note_pid(grandchild.pid)
elif behaviour == "killharness":
    target = harness_pid() if earlier == 0 else None
    if target:
        os.kill(target, int(os.environ.get("FAKE_SIGNAL", str(signal.SIGINT))))
    os._exit(0)
elif behaviour == "empty":
    pathlib.Path(out).write_text(json.dumps({"context": document["context"], "benchmarks": []}))
sys.exit(0)
