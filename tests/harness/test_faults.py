"""Whatever a benchmark does, the run goes on and says what happened; whatever signal reaches the harness, no
process outlives it and no finished result is lost (issue 6, invariants 1, 3, 4); bad input gets one line and exit
code 2 (invariants 7, 9, 10). Real processes throughout, fake benchmarks (fakebench.py) chosen by name."""
import os
import shlex
import shutil
import signal
import subprocess
import time
import uuid

import pytest

from conftest import (REPO, alive, harness, kill_all, load, one_line, pids_in, processes, scratch_folders,
                      start_harness, wait_for, wait_gone, with_mark)


def records_by_model_workload(doc):
    return {(r["workload"], r["workers"]): r for r in doc["records"]}


def test_faulty_benchmarks_are_recorded_and_the_run_goes_on(python, fake_build, tmp_path):
    build = fake_build("good_threads", "crash_threads", "hang_threads", "garbage_threads", "failverify_threads",
                       "exitsig_threads", "empty_threads", "nodevice_threads")
    pids = tmp_path / "pids"
    log = tmp_path / "log"
    env = dict(os.environ, FAKE_PIDS=str(pids), FAKE_LOG=str(log))
    result = harness(python, "run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "faults",
                     "--workers", "1", "--repetitions", "3", "--timeout", "3", "--no-report", env=env)
    assert result.returncode == 0, result.stderr
    run_dir = tmp_path / "out" / "faults"
    doc = load(run_dir / "results.json")
    got = records_by_model_workload(doc)

    good = got[("good", 1)]
    assert good["status"] == "ok" and good["verified"] is True and good["message"] == ""
    # One sample per pass, each from a fresh process (the fake counts its runs).
    assert good["samples"] == [10.0, 11.0, 12.0] and good["median"] == 11.0

    crash = got[("crash", 1)]
    assert crash["status"] == "failed" and crash["verified"] is False and crash["median"] is None
    assert "SIGSEGV" in crash["message"] and "about to crash" in crash["message"]

    hang = got[("hang", 1)]
    assert hang["status"] == "timeout" and "timed out after 3" in hang["message"]
    assert "hanging" in hang["message"]
    # The hung benchmark and its helper in another process group are both gone.
    for pid in pids_in(pids):
        assert not alive(pid), f"process {pid} outlived the timeout"

    garbage = got[("garbage", 1)]
    assert garbage["status"] == "failed" and "unreadable benchmark JSON" in garbage["message"]

    failed = got[("failverify", 1)]
    assert failed["status"] == "failed" and failed["samples"] == []
    assert failed["message"] == "pass 1 of 3: verification failed: total is 3, expected 4"

    signalled = got[("exitsig", 1)]  # a real-time signal
    assert signalled["status"] == "failed" and f"killed by signal {signal.SIGRTMIN + 3}" in signalled["message"]

    # Inv 9: a benchmark that lists no cases is a failed record; one that says why it cannot run is skipped.
    (empty,) = [r for r in doc["records"] if r["workload"] == "empty"]
    assert empty["status"] == "failed" and "listed no cases" in empty["message"]
    (nodevice,) = [r for r in doc["records"] if r["workload"] == "nodevice"]
    assert nodevice["status"] == "skipped" and nodevice["message"] == "skipped: no CUDA device (fake)"

    # A group whose every case failed is not run again in later passes; the good one ran once per pass.
    runs = [line.split() for line in log.read_text().splitlines()]
    assert sum(1 for kind, name, _ in runs if kind == "run" and name == "good_threads") == 3
    assert sum(1 for kind, name, _ in runs if kind == "run" and name == "hang_threads") == 1
    assert sum(1 for kind, name, _ in runs if kind == "list") == 8  # each executable listed once
    skipped = [i for i in doc["run"]["invocations"] if i["executable"] == "crash_threads" and i["pass"] == 3]
    assert skipped[0]["status"] == "skipped" and "not run" in skipped[0]["message"]

    assert doc["run"]["status"] == "complete"
    assert (run_dir / "results.json").stat().st_mode & 0o777 == 0o644  # readable by collaborators
    validated = harness(python, "validate", run_dir / "results.json")
    assert validated.returncode == 0, validated.stderr
    assert not scratch_folders(os.getpid())


def interrupt_run(python, build, out, run_id, env, *extra):
    return start_harness(python, "run", "--build-dir", build, "--out", out, "--run-id", run_id, "--no-report",
                         *extra, env=env)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["ctrl-c", "sigterm", "sighup"])
def test_interrupt_keeps_finished_results_and_resume_completes(python, fake_build, tmp_path, stop):
    build = fake_build("good_threads", "stall_threads")
    release = tmp_path / "release"
    pids = tmp_path / "pids"
    env = dict(os.environ, FAKE_RELEASE=str(release), FAKE_PIDS=str(pids))
    results = tmp_path / "out" / "ctrlc" / "results.json"
    proc = interrupt_run(python, build, tmp_path / "out", "ctrlc", env, "--workers", "1,2", "--repetitions", "2",
                         "--timeout", "120")
    wait_for(lambda: pids_in(pids), 60, "stall fake hanging", proc)
    proc.send_signal(stop)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    for pid in pids_in(pids):
        assert not alive(pid), f"process {pid} survived {stop.name}"
    assert not scratch_folders(proc.pid)

    doc = load(results)
    assert doc["run"]["status"] == "interrupted"
    for r in doc["records"]:  # what finished before the stall: ok with the samples so far, marked incomplete
        assert r["workload"] == "good" and r["status"] == "ok" and r["message"].startswith("incomplete: 1 of 2")
    pending = [i for i in doc["run"]["invocations"] if i["status"] == "pending"]
    assert any(i["executable"] == "stall_threads" for i in pending)

    release.write_text("go")
    # The printed hint is the whole resume command: this run's build is not ./build, so it names --build-dir.
    hint = err.split("complete them with ", 1)[1].splitlines()[0]
    assert f"--build-dir {build}" in hint, hint
    resumed = harness(python, "run", *shlex.split(hint), env=env)
    assert resumed.returncode == 0, resumed.stderr
    doc = load(results)
    assert doc["run"]["status"] == "complete" and len(doc["run"]["resumed"]) == 1
    ids = [r["id"] for r in doc["records"]]
    assert len(ids) == len(set(ids)) == 4
    for r in doc["records"]:
        assert r["status"] == "ok" and len(r["samples"]) == 2 and r["message"] == "", r
    assert {(r["workload"], r["workers"]) for r in doc["records"]} == {("good", 1), ("good", 2), ("stall", 1),
                                                                         ("stall", 2)}


def test_repeated_ctrl_c_still_kills_a_child_that_ignores_sigterm(python, fake_build, tmp_path):
    build = fake_build("ignoreterm_threads")
    pids = tmp_path / "pids"
    env = dict(os.environ, FAKE_PIDS=str(pids))
    proc = interrupt_run(python, build, tmp_path / "out", "again", env, "--workers", "1", "--timeout", "120")
    wait_for(lambda: pids_in(pids), 60, "ignoreterm fake running", proc)
    for _ in range(3):  # each lands while the harness waits out the SIGTERM grace of the one before
        proc.send_signal(signal.SIGINT)
        time.sleep(0.4)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert not [p for p in pids_in(pids) if alive(p)], "a child that ignores SIGTERM survived three Ctrl-Cs"
    assert load(tmp_path / "out" / "again" / "results.json")["run"]["status"] == "interrupted"


def test_sigkill_of_the_harness_ends_its_benchmark(python, fake_build, tmp_path):
    """The guard hears of the harness's death (parent-death signal) and ends the whole session: the hanging fake
    and its helper in another process group. The next run removes the scratch folder left behind."""
    build = fake_build("hang_threads")
    pids = tmp_path / "pids"
    env = dict(os.environ, FAKE_PIDS=str(pids))
    proc = interrupt_run(python, build, tmp_path / "out", "killed", env, "--workers", "1", "--timeout", "600")
    wait_for(lambda: len(pids_in(pids)) == 2, 60, "hang fake and helper running", proc)
    proc.kill()
    proc.communicate(timeout=30)
    left = wait_gone(pids_in(pids), timeout=15)
    kill_all(left)
    assert not left, f"processes outlived a SIGKILLed harness: {left}"
    leftover = scratch_folders(proc.pid)
    if leftover:  # a SIGKILLed harness cannot tidy up; its next run does
        again = harness(python, "run", "--build-dir", fake_build("good_threads"), "--out", tmp_path / "out2",
                        "--workload", "good", "--workers", "1", "--repetitions", "1", "--no-report")
        assert again.returncode == 0, again.stderr
        assert not scratch_folders(proc.pid)


def test_a_stopped_harness_cannot_keep_a_benchmark_past_its_limit(python, fake_build, tmp_path):
    """The guard's own limit (timeout + 5 s) ends the benchmark while the harness is stopped; the harness then
    records a timeout."""
    build = fake_build("hang_threads")
    pids = tmp_path / "pids"
    env = dict(os.environ, FAKE_PIDS=str(pids))
    proc = interrupt_run(python, build, tmp_path / "out", "stopped", env, "--workers", "1", "--repetitions", "1",
                         "--timeout", "1")
    wait_for(lambda: len(pids_in(pids)) == 2, 60, "hang fake and helper running", proc)
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        left = wait_gone(pids_in(pids), timeout=20)
    finally:
        os.kill(proc.pid, signal.SIGCONT)
    kill_all(left)
    assert not left, "the benchmark ran on past its hard limit while the harness was stopped"
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    (record,) = load(tmp_path / "out" / "stopped" / "results.json")["records"]
    assert record["status"] == "timeout"


def test_a_detached_grandchild_is_the_documented_limit(python, fake_build, tmp_path):
    """A process that moves into a session of its own escapes every session-wide kill (docs/design.md); the run
    still completes and records the case."""
    build = fake_build("detach_threads")
    pids = tmp_path / "pids"
    env = dict(os.environ, FAKE_PIDS=str(pids))
    try:
        result = harness(python, "run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "detach",
                         "--workers", "1", "--repetitions", "1", "--no-report", env=env, timeout=120)
        assert result.returncode == 0, result.stderr
        (record,) = load(tmp_path / "out" / "detach" / "results.json")["records"]
        assert record["status"] == "ok"
    finally:
        kill_all(pids_in(pids))


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["int", "term", "hup"])
def test_a_signal_as_a_benchmark_exits_loses_no_record(python, fake_build, tmp_path, stop):
    """Inv 3: the fake signals the harness as it exits; whichever step that lands in, --resume ends with every
    record exactly once and every sample."""
    build = fake_build("killharness_threads", "good_threads")
    env = dict(os.environ, FAKE_SIGNAL=str(int(stop)))
    result = harness(python, "run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "exit",
                     "--workers", "1,2", "--repetitions", "2", "--no-report", env=env)
    for _ in range(3):  # the fake signals on its first run with each worker count
        assert result.returncode in (0, 130), result.stderr
        assert "Traceback" not in result.stderr
        if result.returncode == 0:
            break
        result = harness(python, "run", "--resume", tmp_path / "out" / "exit", "--build-dir", build, env=env)
    assert result.returncode == 0, result.stderr
    doc = load(tmp_path / "out" / "exit" / "results.json")
    assert doc["run"]["status"] == "complete"
    ids = sorted(r["id"] for r in doc["records"])
    assert ids == sorted(f"{w}/threads/alpha/workers:{n}" for w in ("good", "killharness") for n in (1, 2))
    assert all(r["status"] == "ok" and len(r["samples"]) == 2 for r in doc["records"]), doc["records"]


def test_bad_input_gets_one_line_and_exit_2(python, fake_build, tmp_path):
    build = fake_build("good_threads", "good_mpi")
    out = tmp_path / "out"
    log = tmp_path / "log"
    env = dict(os.environ, FAKE_LOG=str(log))
    run = lambda *args: harness(python, "run", "--build-dir", build, "--out", out, *args, env=env)  # noqa: E731
    assert "unrecognized arguments: --bogus" in one_line(harness(python, "run", "--bogus"))
    for workers in ("1,0", "two", "", " ", "1,,2", "99999", "4097", "-1", "1.5", "٣"):
        assert "bad worker count" in one_line(run("--workers", workers)), workers
    assert "unknown model" in one_line(run("--model", "fortran"))
    assert "unknown profile" in one_line(run("--profile", "fastest"))
    assert "no build" in one_line(harness(python, "run", "--build-dir", tmp_path / "nowhere", "--out", out))
    for flag, value in (("--repetitions", "0"), ("--repetitions", "1001"), ("--repetitions", "1.5"),
                        ("--repetitions", "x"), ("--min-time", "nan"), ("--min-time", "inf"), ("--min-time", "0"),
                        ("--min-time", "-1"), ("--min-time", "3601"), ("--timeout", "nan"), ("--timeout", "-inf"),
                        ("--timeout", "0"), ("--timeout", "1e9"), ("--warmup", "-0.5"), ("--warmup", "nan"),
                        ("--size", "0"), ("--size", "1T"), ("--size", ""), ("--size", "1001G"),
                        ("--size", "1000001M"), ("--size", "1000000001k"), ("--size", "1000000000001"),
                        ("--size", "99999999999999999999999"), ("--size", "1 k"), ("--run-id", "../escaped"),
                        ("--run-id", "/tmp/absolute"), ("--run-id", "a b"), ("--run-id", "<b>"), ("--run-id", ""),
                        ("--run-id", ".."), ("--bind", "sockets")):
        line = one_line(run("--model", "threads", flag, value))
        assert flag.lstrip("-").split("-")[0] in line or "run id" in line, (flag, value, line)
    # MPI ranks are capped at what the executable takes, before anything is launched.
    assert "at most 256" in one_line(run("--model", "mpi", "--workers", "300"))
    # Inv 9: an empty selection names what exists.
    line = one_line(run("--variant", "foo", "--workers", "1", "--model", "threads"))
    assert "foo" in line and "alpha" in line
    assert not out.exists() or not any(out.iterdir()), "a rejected run must not leave a run folder"
    assert not any(line.startswith("run ") for line in (log.read_text().splitlines() if log.exists() else []))
    assert "not a folder" in one_line(harness(python, "run", "--build-dir", build, "--out", build / "bin" /
                                              "good_threads", "--workers", "1"))
    # An empty --out is not the current folder, an empty --build-dir not ./build.
    before = sorted(os.listdir(REPO))
    assert "empty --out" in one_line(run("--workers", "1", "--out", ""))
    assert "empty --build-dir" in one_line(run("--workers", "1", "--build-dir", ""))
    assert sorted(os.listdir(REPO)) == before
    # Sizes the executables take (cli.cpp parse_size: 1..10^12, k/M/G = 10^3/10^6/10^9) are planned.
    for size in ("1000G", "1000000M", "1000000000000", "1k"):
        listed = run("--workers", "1", "--size", size, "--list")
        assert listed.returncode == 0, (size, listed.stderr)
    # A pseudo file system is not "full": it stores no files at all.
    for where in ("/proc/x", "/sys/kernel"):
        line = one_line(harness(python, "run", "--build-dir", build, "--out", where, "--workers", "1"))
        assert "full" not in line and "not on a file system that stores files" in line, line


def test_a_folder_the_user_may_not_enter_is_one_line_exit_2(python, fake_build, tmp_path):
    """Every verb given a path below a folder it may not enter: one line, exit 2, never a traceback."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv to run the harness as another user")
    build = fake_build("good_threads")
    locked = tmp_path / "locked"
    (locked / "x").mkdir(parents=True)
    locked.chmod(0o700)

    def as_nobody(*args):
        return subprocess.run([setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", "env", "HOME=/tmp",
                               python, "-m", "harness", *map(str, args)], cwd=REPO, capture_output=True, text=True,
                              timeout=120)
    probe = as_nobody("validate", "--help")
    if probe.returncode != 0:
        pytest.skip(f"the harness does not start as nobody here: {probe.stderr[-300:]}")
    for args in (("run", "--build-dir", build, "--out", locked / "x", "--workers", "1"),
                 ("run", "--build-dir", build, "--out", locked / "x", "--workers", "1", "--list"),
                 ("run", "--build-dir", locked / "b", "--out", "/tmp", "--workers", "1", "--list"),
                 ("run", "--resume", locked / "x"),
                 ("summary", locked / "x"), ("report", locked / "x"), ("plot", locked / "x"),
                 ("validate", locked / "x" / "results.json")):
        line = one_line(as_nobody(*args))
        assert "Permission denied" in line, (args, line)


def test_corrupt_results_are_rejected_and_left_untouched(python, tmp_path):
    run_dir = tmp_path / "broken"
    run_dir.mkdir()
    corrupt = run_dir / "results.json"
    corrupt.write_bytes(b'{"schema": "parbench-results/1", "run": ')
    before = corrupt.read_bytes()
    assert "not valid JSON" in one_line(harness(python, "validate", corrupt))
    assert "not valid JSON" in one_line(harness(python, "run", "--resume", run_dir))
    assert corrupt.read_bytes() == before
    assert sorted(p.name for p in run_dir.iterdir()) == ["results.json"]
    assert "no such file" in one_line(harness(python, "validate", tmp_path / "missing.json"))
    assert "no such file" in one_line(harness(python, "summary", tmp_path / "missing"))


def benchmark_processes(name, mark):
    """Live `name` processes started by this test (their environment carries `mark`): suites running beside this
    one (ctest -j) start MPI ranks of their own."""
    return processes(lambda pid, fields, comm: comm == name and with_mark(pid, mark))


def test_interrupt_kills_every_mpi_rank(python, build_dir, tmp_path):
    if not (build_dir / "bin" / "counters_mpi").exists():
        pytest.skip("counters_mpi not built")
    mark = f"PARBENCH_TEST_MARK={uuid.uuid4().hex}"
    env = dict(os.environ, PARBENCH_TEST_MARK=mark.split("=", 1)[1])
    proc = start_harness(python, "run", "--build-dir", build_dir, "--out", tmp_path, "--run-id", "mpi", "--model",
                         "mpi", "--variant", "locked", "--workers", "2", "--size", "200M", "--no-report", env=env)
    wait_for(lambda: (tmp_path / "mpi" / "results.json").exists(), 60, "the run started", proc)  # listing done
    wait_for(lambda: len(benchmark_processes("counters_mpi", mark)) >= 2, 60, "MPI ranks in their rounds", proc)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    leftovers = benchmark_processes("counters_mpi", mark)
    assert not leftovers, f"MPI ranks survived Ctrl-C: {leftovers}"
    assert load(tmp_path / "mpi" / "results.json")["run"]["status"] == "interrupted"


def test_run_all_rejects_bad_arguments(tmp_path):
    for args, complaint in ((["--bogus"], "unknown argument"), (["--profile", "huge"], "unknown profile"),
                            (["--out"], "needs a value")):
        result = subprocess.run(["./run_all.sh", *args], cwd=REPO, capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, result.stderr
        assert complaint in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
