"""A benchmark that crashes, hangs, writes garbage or fails its check is recorded as such and the run goes on;
Ctrl-C keeps what finished and --resume completes it; bad input gets one line and exit code 2."""
import os
import signal
import subprocess
import time

import pytest

from conftest import REPO, alive, harness, load, processes


def records_by_model_workload(doc):
    return {(r["workload"], r["workers"]): r for r in doc["records"]}


def test_faulty_benchmarks_are_recorded_and_the_run_goes_on(python, fake_build, tmp_path):
    build = fake_build("good_threads", "crash_threads", "hang_threads", "garbage_threads", "failverify_threads")
    pids = tmp_path / "pids"
    env = dict(os.environ, FAKE_PIDS=str(pids))
    result = harness(python, "run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "faults",
                     "--workers", "1", "--repetitions", "3", "--timeout", "5", "--no-report", env=env)
    assert result.returncode == 0, result.stderr
    doc = load(tmp_path / "out" / "faults" / "results.json")
    got = records_by_model_workload(doc)

    good = got[("good", 1)]
    assert good["status"] == "ok" and good["verified"] is True
    assert good["samples"] == [10.0, 11.0, 12.0] and good["median"] == 11.0

    crash = got[("crash", 1)]
    assert crash["status"] == "failed" and crash["verified"] is False and crash["median"] is None
    assert "SIGSEGV" in crash["message"] and "about to crash" in crash["message"]

    hang = got[("hang", 1)]
    assert hang["status"] == "timeout" and "timed out after 5" in hang["message"]
    assert "hanging" in hang["message"]
    # The hung benchmark and its helper in another process group are both gone.
    for line in pids.read_text().split("\n"):
        for pid in map(int, line.split()):
            assert not alive(pid), f"process {pid} outlived the timeout"

    garbage = got[("garbage", 1)]
    assert garbage["status"] == "failed" and "unreadable benchmark JSON" in garbage["message"]

    failed = got[("failverify", 1)]
    assert failed["status"] == "failed" and failed["samples"] == []
    assert failed["message"] == "verification failed: total is 3, expected 4"

    assert doc["run"]["status"] == "complete"
    validated = harness(python, "validate", tmp_path / "out" / "faults" / "results.json")
    assert validated.returncode == 0, validated.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupt_keeps_finished_results_and_resume_completes(python, fake_build, tmp_path, stop):
    build = fake_build("good_threads", "stall_threads")
    release = tmp_path / "release"
    pids = tmp_path / "pids"
    env = dict(os.environ, FAKE_RELEASE=str(release), FAKE_PIDS=str(pids))
    results = tmp_path / "out" / "ctrlc" / "results.json"
    proc = subprocess.Popen([python, "-m", "harness", "run", "--build-dir", str(build), "--out",
                             str(tmp_path / "out"), "--run-id", "ctrlc", "--workers", "1,2", "--timeout", "120",
                             "--no-report"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    while not (pids.exists() and pids.read_text().strip()):  # the stall fake is hanging now
        assert time.monotonic() < deadline and proc.poll() is None, "stall fake never started"
        time.sleep(0.1)
    proc.send_signal(stop)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "--resume" in err

    doc = load(results)
    assert doc["run"]["status"] == "interrupted"
    done = {(r["workload"], r["workers"]): r["status"] for r in doc["records"]}
    assert done == {("good", 1): "ok", ("good", 2): "ok"}
    for line in pids.read_text().split("\n"):
        for pid in map(int, line.split()):
            assert not alive(pid), f"process {pid} survived Ctrl-C"

    release.write_text("go")
    resumed = harness(python, "run", "--resume", tmp_path / "out" / "ctrlc", env=env)
    assert resumed.returncode == 0, resumed.stderr
    doc = load(results)
    assert doc["run"]["status"] == "complete"
    statuses = {(r["workload"], r["workers"]): r["status"] for r in doc["records"]}
    assert statuses == {("good", 1): "ok", ("good", 2): "ok", ("stall", 1): "ok", ("stall", 2): "ok"}
    assert len(doc["run"]["resumed"]) == 1


def one_line_exit_2(result):
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_bad_input_gets_one_line_and_exit_2(python, fake_build, tmp_path):
    build = fake_build("good_threads")
    out = tmp_path / "out"
    assert "unrecognized arguments: --bogus" in one_line_exit_2(harness(python, "run", "--bogus"))
    assert "bad worker count" in one_line_exit_2(
        harness(python, "run", "--build-dir", build, "--out", out, "--workers", "1,0"))
    assert "bad worker count" in one_line_exit_2(
        harness(python, "run", "--build-dir", build, "--out", out, "--workers", "two"))
    assert "unknown model" in one_line_exit_2(
        harness(python, "run", "--build-dir", build, "--out", out, "--model", "fortran"))
    assert "unknown profile" in one_line_exit_2(
        harness(python, "run", "--build-dir", build, "--out", out, "--profile", "fastest"))
    assert "no build" in one_line_exit_2(harness(python, "run", "--build-dir", tmp_path / "nowhere", "--out", out))
    assert not out.exists() or not any(out.iterdir()), "a rejected run must not leave a run folder"


def test_corrupt_results_are_rejected_and_left_untouched(python, tmp_path):
    run_dir = tmp_path / "broken"
    run_dir.mkdir()
    corrupt = run_dir / "results.json"
    corrupt.write_bytes(b'{"schema": "parbench-results/1", "run": ')
    before = corrupt.read_bytes()
    assert "not valid JSON" in one_line_exit_2(harness(python, "validate", corrupt))
    assert "not valid JSON" in one_line_exit_2(harness(python, "run", "--resume", run_dir))
    assert corrupt.read_bytes() == before
    assert sorted(p.name for p in run_dir.iterdir()) == ["results.json"]
    assert "no such file" in one_line_exit_2(harness(python, "validate", tmp_path / "missing.json"))
    assert "no such file" in one_line_exit_2(harness(python, "summary", tmp_path / "missing"))


def benchmark_processes(name):
    return processes(lambda pid, fields, comm: comm == name)


def test_interrupt_kills_every_mpi_rank(python, build_dir, tmp_path):
    if not (build_dir / "bin" / "counters_mpi").exists():
        pytest.skip("counters_mpi not built")
    before = set(benchmark_processes("counters_mpi"))
    proc = subprocess.Popen([python, "-m", "harness", "run", "--build-dir", str(build_dir), "--out", str(tmp_path),
                             "--run-id", "mpi", "--model", "mpi", "--variant", "locked", "--workers", "2",
                             "--size", "200M", "--no-report"], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(set(benchmark_processes("counters_mpi")) - before) < 2:  # both ranks are in their first round
        assert time.monotonic() < deadline and proc.poll() is None, "MPI ranks never started"
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    leftovers = set(benchmark_processes("counters_mpi")) - before
    assert not leftovers, f"MPI ranks survived Ctrl-C: {leftovers}"
    assert load(tmp_path / "mpi" / "results.json")["run"]["status"] == "interrupted"


def test_run_all_rejects_bad_arguments(tmp_path):
    for args, complaint in ((["--bogus"], "unknown argument"), (["--profile", "huge"], "unknown profile"),
                            (["--out"], "needs a value")):
        result = subprocess.run(["./run_all.sh", *args], cwd=REPO, capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, result.stderr
        assert complaint in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
