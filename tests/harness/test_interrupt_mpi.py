"""SIGINT, SIGTERM, SIGHUP and repeated SIGINT at random moments of a real MPI run (issue 6, "How to test it"):
no process left, nothing new in /dev/shm, no Open MPI session directory left, results.json valid, and --resume
completes the run with every record exactly once.

The moments are random; the seed is printed, and PARBENCH_INTERRUPT_SEED repeats a run's moments."""
import glob
import os
import pathlib
import random
import signal
import time
import uuid

import pytest

from conftest import alive, harness, load, processes, scratch_folders, start_harness, with_mark

SHM = pathlib.Path("/dev/shm")
# Open MPI's own segments come and go while MPI tests run beside this one (ctest -j), and so do other harnesses'
# scratch folders; the harness under test puts its runs' segments into scratch folders of its own,
# parbench-<its pid>-*, checked separately.
OTHERS = ("vader_segment", "sm_segment", "osc_", "ompi", "pmix", "parbench-")
SEED = int(os.environ.get("PARBENCH_INTERRUPT_SEED", random.SystemRandom().randrange(1 << 30)))
RUN = ("--model", "mpi", "--workers", "2", "--repetitions", "2", "--min-time", "0.01", "--warmup", "0.02",
       "--no-report")
SCENARIOS = [("sigint", [signal.SIGINT]), ("sigterm", [signal.SIGTERM]), ("sighup", [signal.SIGHUP]),
             ("sigint-x3", [signal.SIGINT] * 3)]


def session_dirs():
    """Open MPI session directories in /tmp: ompi.<host>.<uid>/pid.<mpirun pid> (4.x), openmpi-sessions-*/*."""
    return {p: p.rsplit("pid.", 1)[-1] for p in glob.glob("/tmp/ompi.*/pid.*") + glob.glob("/tmp/openmpi-sessions-*/*")}


def dead_session_dirs(before):
    """New session directories whose mpirun is gone: left behind by a killed job."""
    left = []
    for path, pid in session_dirs().items():
        if path in before:
            continue
        if not (pid.isdigit() and alive(int(pid))):
            left.append(path)
    return left


def shm_entries():
    return {p.name for p in SHM.iterdir() if not p.name.startswith(OTHERS)} if SHM.is_dir() else set()


@pytest.fixture(scope="module")
def mpi_build(build_dir):
    if not (build_dir / "bin" / "counters_mpi").exists():
        pytest.skip("counters_mpi not built")
    return build_dir


@pytest.mark.parametrize("round_", [1, 2], ids=["round1", "round2"])
@pytest.mark.parametrize("name, signals", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_random_interrupt_of_a_real_mpi_run(python, mpi_build, tmp_path, name, signals, round_):
    rng = random.Random(f"{SEED}-{name}-{round_}")
    delay = rng.uniform(0.2, 4.0)
    print(f"seed {SEED}: {name} after {delay:.2f} s (PARBENCH_INTERRUPT_SEED={SEED} repeats it)")
    mark = f"PARBENCH_TEST_MARK={uuid.uuid4().hex}"
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    env = dict(os.environ, PARBENCH_TEST_MARK=mark.split("=", 1)[1], TMPDIR=str(private_tmp))
    shm_before, dirs_before = shm_entries(), set(session_dirs())
    out = tmp_path / "out"

    proc = start_harness(python, "run", "--build-dir", mpi_build, "--out", out, "--run-id", "mpi", *RUN, env=env)
    time.sleep(delay)
    for sig in signals:
        if proc.poll() is None:
            proc.send_signal(sig)
        time.sleep(0.03)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode in (0, 130), stderr
    assert "Traceback" not in stderr

    ours = lambda: processes(lambda pid, fields, comm: with_mark(pid, mark))  # noqa: E731
    deadline = time.monotonic() + 3
    while ours() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not ours(), f"processes of the run outlived the harness: {ours()}"
    assert shm_entries() - shm_before == set(), "new entries in /dev/shm"
    assert not scratch_folders(proc.pid), "the harness left its scratch folder"
    assert not list(private_tmp.iterdir()), "files left in the harness's TMPDIR"
    assert not dead_session_dirs(dirs_before), "Open MPI session directory left in /tmp"

    results_file = out / "mpi" / "results.json"
    if not results_file.exists():  # stopped while planning: nothing may be written
        assert proc.returncode == 130 and not (out / "mpi").exists()
        return
    assert harness(python, "validate", results_file).returncode == 0
    if proc.returncode == 130:
        assert load(results_file)["run"]["status"] == "interrupted"
        resumed = harness(python, "run", "--resume", out / "mpi", "--build-dir", mpi_build, env=env, timeout=300)
        assert resumed.returncode == 0, resumed.stderr
    doc = load(results_file)
    assert doc["run"]["status"] == "complete"
    ids = [r["id"] for r in doc["records"]]
    assert len(ids) == len(set(ids)) == 4, ids
    assert sorted(r["variant"] for r in doc["records"]) == ["atomic", "locked", "racy", "sharded"]
    for r in doc["records"]:
        assert r["status"] == "ok" and len(r["samples"]) == 2 and r["message"] == "", (r["id"], r["message"])
    assert shm_entries() - shm_before == set()
    assert not dead_session_dirs(dirs_before)
