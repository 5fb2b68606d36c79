"""A killed counters_processes run leaves nothing in /dev/shm and no worker processes."""
import os
import pathlib
import signal
import subprocess
import time

import pytest

from conftest import alive, processes

SHM = pathlib.Path("/dev/shm")
# Open MPI's own segments and other harnesses' scratch folders (parbench-<pid>-*) come and go while other suites
# run beside this one (ctest -j); the benchmark under test names nothing here.
OTHERS = ("vader_segment", "sm_segment", "osc_", "ompi", "pmix", "parbench-")


def segments():
    return {p for p in SHM.iterdir() if not p.name.startswith(OTHERS)}


def children_of(parent):
    return processes(lambda pid, fields, comm: int(fields[1]) == parent)


@pytest.mark.parametrize("kill_group", [True, False], ids=["whole-group", "parent-only"])
def test_killed_run_leaves_no_segments_or_workers(build_dir, kill_group):
    exe = build_dir / "bin" / "counters_processes"
    if not exe.exists():
        pytest.skip("counters_processes not built")
    before = segments()
    proc = subprocess.Popen([str(exe), "--parbench_workers=2", "--benchmark_filter=locked",
                             "--benchmark_min_time=30"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 30
    while len(children_of(proc.pid)) < 2:  # the fork pool is up and working
        assert time.monotonic() < deadline and proc.poll() is None, "workers never started"
        time.sleep(0.05)
    workers = children_of(proc.pid)
    time.sleep(0.3)
    if kill_group:
        os.killpg(proc.pid, signal.SIGKILL)
    else:
        proc.kill()  # workers must follow their parent (PR_SET_PDEATHSIG)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(w) for w in workers), "worker processes outlived their parent"
    assert segments() - before == set(), "segments left in /dev/shm"
