"""The life of a run folder (issue 6, invariants 3 and 5-8; issue 5 item 6): samples from separate passes, an
invocation marked done only with its records, one writer per folder, resume that trusts nothing in the file,
every check before the first write, and records that say what ran. Some tests drive the harness in this process
to stop it at an exact step; the rest run it as a real process."""
import errno
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from conftest import REPO, harness, load, one_line, pids_in, start_harness, wait_for, write_fake_build

from harness import __main__ as cli  # noqa: E402  (conftest puts the repository on sys.path)
from harness import derive, launch, merge, plan, records, results


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def in_process(*args):
    """The harness's exit code, run in this process."""
    return cli.main([str(a) for a in args])


def check_consistent(doc):
    """Inv 3 on a saved file: a finished pass's records are all there, and every ok record has one sample per
    finished pass of its group."""
    by_id = {r["id"]: r for r in doc["records"]}
    passes = {}
    for inv in doc["run"]["invocations"]:
        if inv.get("pass") is None:
            continue
        if inv["status"] in ("done", "failed", "timeout") and inv.get("records") is not None:
            for rid in inv["records"]:
                assert rid in by_id, f"{inv['executable']} pass {inv['pass']} is {inv['status']} without {rid}"
                passes[rid] = passes.get(rid, 0) + 1
        if inv["status"] == "pending":
            assert "records" not in inv
    for rid, n in passes.items():
        if by_id[rid]["status"] == "ok":
            assert len(by_id[rid]["samples"]) == n, (rid, by_id[rid]["samples"], n)


def complete_and_once(doc, ids, samples):
    assert doc["run"]["status"] == "complete"
    got = [r["id"] for r in doc["records"]]
    assert sorted(got) == sorted(ids), got
    for r in doc["records"]:
        assert r["status"] == "ok" and len(r["samples"]) == samples and r["message"] == "", r


GOOD_IDS = [f"good/threads/alpha/workers:{w}" for w in (1, 2)]


# ----- Inv 3: an invocation is marked done only together with its records -----
def _signal_on_call(monkeypatch, module, name, call, after=False):
    real = getattr(module, name)
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == call and not after:
            os.kill(os.getpid(), signal.SIGINT)
        result = real(*args, **kwargs)
        if len(calls) == call and after:
            os.kill(os.getpid(), signal.SIGINT)
        return result
    monkeypatch.setattr(module, name, wrapper)


@pytest.mark.parametrize("module, name, call, after", [
    (launch, "run", 4, True),                 # the benchmark has just exited
    (records, "invocation_records", 2, False),  # its records are being built
    (merge, "apply_pass", 2, False),          # they are being merged
    (derive, "apply", 3, False),              # the save has begun
    (results, "write_atomic", 3, False),      # the file is being written
    (results, "write_atomic", 3, True),       # the file has just been written
], ids=["after-exit", "records", "merge", "derive", "write", "after-write"])
def test_a_signal_at_any_step_after_a_benchmark_exits_loses_nothing(fake_build, tmp_path, monkeypatch, module,
                                                                     name, call, after):
    build = fake_build("good_threads")
    _signal_on_call(monkeypatch, module, name, call, after)
    code = in_process("run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "step", "--workers",
                      "1,2", "--repetitions", "2", "--warmup", "0", "--no-report")
    monkeypatch.undo()
    assert code == 130
    doc = load(tmp_path / "out" / "step" / "results.json")
    results.validate(doc)
    assert doc["run"]["status"] == "interrupted"
    check_consistent(doc)
    for r in doc["records"]:
        assert r["status"] == "ok" and r["message"].startswith("incomplete: 1 of 2"), r
    assert in_process("run", "--resume", tmp_path / "out" / "step", "--build-dir", build) == 0
    complete_and_once(load(tmp_path / "out" / "step" / "results.json"), GOOD_IDS, 2)


def test_an_unexpected_error_is_one_line_exit_1_and_keeps_what_finished(fake_build, tmp_path, monkeypatch, capsys):
    build = fake_build("good_threads")
    real, calls = merge.apply_pass, []

    def broken(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("a harness bug")
        return real(*args, **kwargs)
    monkeypatch.setattr(merge, "apply_pass", broken)
    capsys.readouterr()
    code = in_process("run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "bug", "--workers", "1,2",
                      "--repetitions", "2", "--warmup", "0", "--no-report")
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert code == 1
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("WARNING")]
    assert len(lines) == 1 and "internal error" in lines[0] and "a harness bug" in lines[0], err
    doc = load(tmp_path / "out" / "bug" / "results.json")
    assert doc["run"]["status"] == "interrupted" and len(doc["records"]) == 1
    check_consistent(doc)
    assert in_process("run", "--resume", tmp_path / "out" / "bug", "--build-dir", build) == 0
    complete_and_once(load(tmp_path / "out" / "bug" / "results.json"), GOOD_IDS, 2)


# ----- Inv 7: nothing written before is overwritten by a failing command -----
def _no_space(monkeypatch, from_call):
    real, calls = results.write_atomic, []

    def full(*args, **kwargs):
        calls.append(1)
        if len(calls) >= from_call:
            raise OSError(errno.ENOSPC, "No space left on device", str(args[0]))
        return real(*args, **kwargs)
    monkeypatch.setattr(results, "write_atomic", full)


def test_a_full_disk_mid_run_is_exit_1_and_keeps_the_last_good_file(fake_build, tmp_path, monkeypatch, capsys):
    build = fake_build("good_threads")
    _no_space(monkeypatch, 3)
    capsys.readouterr()
    code = in_process("run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "full", "--workers", "1,2",
                      "--repetitions", "2", "--warmup", "0", "--no-report")
    monkeypatch.undo()
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip() and not line.startswith("WARNING")]
    assert code == 1 and len(err) == 1 and "No space left on device" in err[0], err
    doc = load(tmp_path / "out" / "full" / "results.json")
    check_consistent(doc)
    assert len(doc["records"]) == 1  # the first invocation's, saved before the disk filled
    assert in_process("run", "--resume", tmp_path / "out" / "full", "--build-dir", build) == 0
    complete_and_once(load(tmp_path / "out" / "full" / "results.json"), GOOD_IDS, 2)


def test_a_full_disk_at_start_is_exit_2_and_leaves_nothing(fake_build, tmp_path, monkeypatch, capsys):
    build = fake_build("good_threads")
    _no_space(monkeypatch, 1)
    assert in_process("run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "new", "--workers", "1",
                      "--no-report") == 2
    assert not (tmp_path / "out" / "new").exists()
    monkeypatch.undo()
    # A resumed run: the file stays as it was.
    assert in_process("run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "old", "--workers", "1",
                      "--repetitions", "1", "--warmup", "0", "--no-report") == 0
    path = tmp_path / "out" / "old" / "results.json"
    doc = load(path)
    doc["run"]["invocations"][-1]["status"] = "pending"
    doc["run"]["invocations"][-1].pop("records")
    doc["run"]["status"] = "interrupted"
    path.write_text(json.dumps(doc))
    before = digest(path)
    _no_space(monkeypatch, 1)
    capsys.readouterr()
    assert in_process("run", "--resume", tmp_path / "out" / "old", "--build-dir", build) == 2
    assert "results.json is unchanged" in capsys.readouterr().err
    assert digest(path) == before


@pytest.fixture(scope="module")
def finished_template(python, tmp_path_factory):
    """The run that finished_run copies (made once per module: the cases below each need one to edit)."""
    base = tmp_path_factory.mktemp("finished")
    build = write_fake_build(base / "fakebuild", "good_threads")
    result = harness(python, "run", "--build-dir", build, "--out", base / "out", "--run-id", "r", "--workers",
                     "1,2", "--repetitions", "2", "--warmup", "0", "--no-report")
    assert result.returncode == 0, result.stderr
    path = base / "out" / "r" / "results.json"
    doc = load(path)
    last = doc["run"]["invocations"][-1]
    last["status"] = "pending"
    by_id = {r["id"]: r for r in doc["records"]}
    for rid in last.pop("records"):
        by_id[rid]["samples"].pop()  # as if that pass had not run
    doc["run"]["status"] = "interrupted"
    path.write_text(json.dumps(doc, indent=1))
    return path.parent, build


@pytest.fixture
def finished_run(finished_template, tmp_path):
    """A finished run of good_threads (1 and 2 workers, 2 passes) whose last pass is put back to pending, so that
    --resume has something to do; returns (run folder, build folder). The build is shared by the module's tests."""
    template, build = finished_template
    run_dir = tmp_path / "out" / "r"
    shutil.copytree(template, run_dir)
    return run_dir, build


def edit(run_dir, change):
    path = run_dir / "results.json"
    doc = load(path)
    change(doc)
    path.write_text(json.dumps(doc, indent=1))
    return digest(path)


@pytest.mark.parametrize("change, complaint", [
    (lambda d: d["run"]["config"].pop("timeout"), "timeout"),
    (lambda d: d["run"]["config"].__setitem__("timeout", "x"), "timeout"),
    (lambda d: d["run"]["config"].__setitem__("timeout", 1e300), "timeout"),
    (lambda d: d["run"]["config"].__setitem__("repetitions", 0), "repetitions"),
    (lambda d: d["run"]["config"].__setitem__("workers", []), "workers"),
    (lambda d: d["run"]["config"].__setitem__("bind", "sockets"), "bind"),
    (lambda d: d["run"]["invocations"][-1].pop("cases"), "cases"),
    # Every pending invocation must be one the harness could have planned from run.config.
    (lambda d: d["run"]["invocations"][-1].__setitem__("workers", 3), "workers"),
    (lambda d: d["run"]["invocations"][-1].__setitem__("workers", None), "workers"),
    (lambda d: (d["run"]["config"].__setitem__("workers", [1, 2, 300]),
                d["run"]["invocations"][-1].update(executable="good_mpi", model="mpi", workers=300)), "at most 256"),
    (lambda d: d["run"]["invocations"][-1].__setitem__("executable", "../../good_threads"), "executable"),
    (lambda d: d["run"]["invocations"][-1].__setitem__("pass", 7), "pass 7"),
    # run.config: exactly the keys the harness writes, plain names, a size the executables take, a canonical build.
    (lambda d: d["run"]["config"].__setitem__("extra", 1), "extra"),
    (lambda d: d["run"]["config"].pop("models"), "models"),
    (lambda d: d["run"]["config"].__setitem__("models", ["../threads"]), "models"),
    (lambda d: d["run"]["config"].__setitem__("workloads", ["good;rm"]), "workloads"),
    (lambda d: d["run"]["config"].__setitem__("variants", ["alpha|.*"]), "variants"),
    (lambda d: d["run"]["config"].__setitem__("size", "1001G"), "size"),
    (lambda d: d["run"]["config"].__setitem__("build_dir", "fakebuild"), "build_dir"),
    (lambda d: d["run"]["config"].__setitem__("build_dir", d["run"]["config"]["build_dir"] + "/../fakebuild"),
     "build_dir"),
], ids=["no-timeout", "text-timeout", "huge-timeout", "zero-repetitions", "no-workers", "bad-bind", "no-cases",
        "workers-not-in-config", "workers-null", "mpi-over-256", "executable-path", "pass-beyond", "extra-key",
        "missing-key", "model-path", "workload-name", "variant-regex", "size-too-big", "relative-build",
        "uncanonical-build"])
def test_resume_of_a_broken_config_is_refused_and_the_file_untouched(python, finished_run, change, complaint):
    run_dir, build = finished_run
    before = edit(run_dir, change)
    line = one_line(harness(python, "run", "--resume", run_dir, "--build-dir", build))
    assert complaint in line
    assert digest(run_dir / "results.json") == before


@pytest.mark.parametrize("key, value", [
    ("timeout", "x"), ("timeout", 1e300), ("timeout", 0), ("min_time", 0), ("warmup", -1), ("repetitions", 1.5),
    ("repetitions", True), ("workers", [0]), ("workers", [1, 4097]), ("size", "1001G"), ("models", []),
    ("workloads", ["a b"]), ("variants", ["a|b"]), ("build_dir", "build"), ("sampling", "repetitions"),
    ("profile", "huge"), ("seed", "1"), ("extra", 1)])
def test_check_config_refuses_what_the_harness_never_writes(finished_run, key, value):
    """The checks of run.config themselves, without the schema in front of them."""
    config = load(finished_run[0] / "results.json")["run"]["config"]
    plan.check_config(dict(config))
    with pytest.raises(plan.UsageError, match=key):
        plan.check_config({**config, key: value})


def test_resume_without_raw_is_refused(python, finished_run):
    run_dir, build = finished_run
    shutil.rmtree(run_dir / "raw")
    before = digest(run_dir / "results.json")
    assert "raw" in one_line(harness(python, "run", "--resume", run_dir, "--build-dir", build))
    assert digest(run_dir / "results.json") == before


def _in_namespace(script):
    """Runs `script` in a private mount namespace (root, unshare); None when this machine does not allow it."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return None
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        return None
    return subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("mount, complaint", [("ro,size=4m", "read-only"), ("size=64k", "full")],
                         ids=["read-only", "full"])
def test_an_unusable_out_folder_is_one_line_exit_2(python, fake_build, tmp_path, mount, complaint):
    build = fake_build("good_threads")
    target = tmp_path / "mnt"
    target.mkdir()
    fill = f"dd if=/dev/zero of={target}/filler bs=1k count=200 2>/dev/null; " if "ro" not in mount else ""
    result = _in_namespace(f"mount -t tmpfs -o {mount} tmpfs {target} && {fill}exec {python} -m harness run "
                           f"--build-dir {build} --out {target}/out --workers 1 --no-report")
    if result is None:
        pytest.skip("no private mount namespace here (unshare -m)")
    assert complaint in one_line(result)


# ----- Inv 5: one run folder, one writer -----
@pytest.mark.parametrize("racing, second_id", [("run", "race"), ("out", "race"), ("out", "other")],
                         ids=["same-run-folder", "same-out-and-run-folder", "same-out"])
def test_racing_harnesses_never_remove_each_others_folders(python, fake_build, tmp_path, monkeypatch, capsys,
                                                             racing, second_id):
    """Two harnesses started at once in one new --out: whichever creates a folder first, the other never removes
    it. The race is made exact: the moment this harness is about to create the folder, another harness (a real
    process) creates it and writes its run there. A second run folder in the same --out is fine; the same run id
    is one line and exit 2 for the loser, and the winner's run is untouched."""
    build = fake_build("good_threads")
    out = tmp_path / "new" / "out"
    target = out if racing == "out" else out / "race"
    real_mkdir, raced = os.mkdir, []
    other = ("run", "--build-dir", build, "--out", out, "--run-id", "race", "--workers", "1", "--repetitions", "1",
             "--warmup", "0", "--no-report")

    def mkdir(path, *args, **kwargs):
        if os.fspath(path) == str(target) and not raced:
            raced.append(harness(python, *other))
        return real_mkdir(path, *args, **kwargs)
    monkeypatch.setattr(os, "mkdir", mkdir)
    capsys.readouterr()
    code = in_process("run", "--build-dir", build, "--out", out, "--run-id", second_id, "--workers", "1",
                      "--repetitions", "1", "--warmup", "0", "--no-report")
    monkeypatch.undo()
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip() and
           not line.lower().startswith("warning")]
    assert raced and raced[0].returncode == 0, raced and raced[0].stderr
    winner = out / "race" / "results.json"
    assert load(winner)["run"]["status"] == "complete" and (out / "race" / "raw").is_dir()
    if second_id == "race":
        assert code == 2 and len(err) == 1 and "already exists" in err[0], (code, err)
        assert harness(python, "validate", winner).returncode == 0
    else:
        assert code == 0, err
        assert load(out / "other" / "results.json")["run"]["status"] == "complete"



def test_a_second_writer_is_refused_while_a_run_goes_on(python, fake_build, tmp_path):
    build = fake_build("stall_threads")
    pids = tmp_path / "pids"
    release = tmp_path / "release"
    env = dict(os.environ, FAKE_PIDS=str(pids), FAKE_RELEASE=str(release))
    proc = start_harness(python, "run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "busy",
                         "--workers", "1", "--repetitions", "1", "--no-report", env=env)
    try:
        wait_for(lambda: pids_in(pids), 60, "stall fake hanging", proc)
        before = digest(tmp_path / "out" / "busy" / "results.json")
        line = one_line(harness(python, "run", "--resume", tmp_path / "out" / "busy", "--build-dir", build, env=env))
        assert "in use" in line
        line = one_line(harness(python, "run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "busy",
                                "--workers", "1", env=env))
        assert "already exists" in line
        assert digest(tmp_path / "out" / "busy" / "results.json") == before
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    release.write_text("go")
    resumed = harness(python, "run", "--resume", tmp_path / "out" / "busy", "--build-dir", build, env=env)
    assert resumed.returncode == 0, resumed.stderr


# ----- Inv 6: a results.json is data, never a command -----
def test_resume_never_runs_a_program_named_in_the_file(python, finished_run, tmp_path, fake_build):
    run_dir, build = finished_run
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil"
    evil.write_text(f"#!/bin/sh\ntouch {marker}\n")
    evil.chmod(0o755)
    before = edit(run_dir, lambda d: d["run"]["config"].__setitem__("mpiexec", str(evil)))
    assert "launcher" in one_line(harness(python, "run", "--resume", run_dir, "--build-dir", build))
    assert digest(run_dir / "results.json") == before

    evil_build = tmp_path / "evilbuild"
    (evil_build / "bin").mkdir(parents=True)
    shutil.copy(evil, evil_build / "bin" / "good_threads")
    edit(run_dir, lambda d: d["run"]["config"].update(mpiexec=None, build_dir=str(evil_build)))
    before = digest(run_dir / "results.json")
    assert "build" in one_line(harness(python, "run", "--resume", run_dir, "--build-dir", build))
    assert "build" in one_line(harness(python, "run", "--resume", run_dir))  # default: ./build
    assert digest(run_dir / "results.json") == before
    assert not marker.exists(), "resume ran a program named by results.json"


# ----- Inv 8: what the record says is what ran -----
def test_resume_refuses_another_host_and_other_options(python, finished_run, tmp_path):
    run_dir, build = finished_run
    before = digest(run_dir / "results.json")
    assert "--bind" in one_line(harness(python, "run", "--resume", run_dir, "--build-dir", build, "--bind", "none"))
    assert "oversubscribe" in one_line(harness(python, "run", "--resume", run_dir, "--build-dir", build,
                                               "--oversubscribe"))
    other = tmp_path / "otherbuild"
    shutil.copytree(build, other)
    assert "build" in one_line(harness(python, "run", "--resume", run_dir, "--build-dir", other))
    for flag, value in (("--warmup", "1"), ("--model", "threads"), ("--repetitions", "3")):
        assert "drop " + flag in one_line(harness(python, "run", "--resume", run_dir, flag, value))
    assert digest(run_dir / "results.json") == before
    edit(run_dir, lambda d: d["host"].__setitem__("hostname", "elsewhere-" + socket.gethostname()))
    before = digest(run_dir / "results.json")
    assert "elsewhere" in one_line(harness(python, "run", "--resume", run_dir, "--build-dir", build))
    assert digest(run_dir / "results.json") == before


def test_resume_with_its_own_options_finishes_the_run(python, finished_run):
    run_dir, build = finished_run
    result = harness(python, "run", "--resume", run_dir, "--build-dir", build, "--bind", "cores")
    assert result.returncode == 0, result.stderr
    complete_and_once(load(run_dir / "results.json"), GOOD_IDS, 2)
    before = digest(run_dir / "results.json")
    again = harness(python, "run", "--resume", run_dir, "--build-dir", build)
    assert again.returncode == 0 and "nothing to resume" in again.stdout
    assert digest(run_dir / "results.json") == before


@pytest.mark.parametrize("bind", ["none", "cores"])
def test_the_binding_in_the_file_is_the_binding_that_ran(python, fake_build, tmp_path, bind):
    build = fake_build("envdump_threads")
    seen = tmp_path / "env.jsonl"
    caller = {"PARBENCH_PIN": "none" if bind == "cores" else "cores", "OMP_PROC_BIND": "spread",
              "OMP_PLACES": "threads"}
    env = dict(os.environ, FAKE_ENV=str(seen), **caller)
    result = harness(python, "run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "bind",
                     "--workers", "1", "--repetitions", "1", "--bind", bind, "--no-report", env=env)
    assert result.returncode == 0, result.stderr
    (ran,) = [json.loads(line) for line in seen.read_text().splitlines()]
    doc = load(tmp_path / "out" / "bind" / "results.json")
    (inv,) = [i for i in doc["run"]["invocations"] if i["pass"] == 1]
    assert doc["run"]["config"]["bind"] == bind
    if bind == "none":
        assert ran["PARBENCH_PIN"] is None and ran["OMP_PROC_BIND"] is None and ran["OMP_PLACES"] is None
        assert not {"PARBENCH_PIN", "OMP_PROC_BIND", "OMP_PLACES"} & set(inv["env"])
    else:
        assert ran["PARBENCH_PIN"] == "cores" and inv["env"]["PARBENCH_PIN"] == "cores"
    assert ran["TMPDIR"] and ran["TMPDIR"] != os.environ.get("TMPDIR")  # the invocation's own scratch folder
    assert not os.path.exists(ran["TMPDIR"])


# ----- issue 5 item 6: samples from separate, interleaved invocations -----
def test_samples_come_from_passes_in_a_recorded_shuffled_order(python, fake_build, tmp_path):
    build = fake_build("good_threads", "flaky_threads", "slow_threads")
    log = tmp_path / "log"
    env = dict(os.environ, FAKE_LOG=str(log), FAKE_SLEEP="0")
    result = harness(python, "run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "passes",
                     "--workers", "1,2", "--repetitions", "3", "--warmup", "0.01", "--no-report", env=env)
    assert result.returncode == 0, result.stderr
    doc = load(tmp_path / "out" / "passes" / "results.json")
    config = doc["run"]["config"]
    assert config["sampling"] == "passes" and isinstance(config["seed"], int) and config["repetitions"] == 3
    runs = [i for i in doc["run"]["invocations"] if i["pass"] is not None and i["status"] != "skipped"]
    # Each pass runs every (executable, workers) once; the order is the recorded one.
    for k in (1, 2, 3):
        mine = [(i["executable"], i["workers"]) for i in runs if i["pass"] == k]
        expected = {(f"{w}_threads", n) for w in ("good", "slow") for n in (1, 2)} | \
            ({("flaky_threads", 1), ("flaky_threads", 2)} if k <= 2 else set())
        assert set(mine) == expected and len(mine) == len(expected), (k, mine)
    ran = [tuple(line.split()[1:]) for line in log.read_text().splitlines() if line.startswith("run ")]
    assert ran == [(i["executable"], str(i["workers"])) for i in runs]
    lists = [line for line in log.read_text().splitlines() if line.startswith("list ")]
    assert len(lists) == 6  # once per (executable, workers)
    for i in runs:
        assert "--benchmark_repetitions=1" in i["command"] and "--benchmark_min_warmup_time=0.01" in i["command"]
    by_id = {r["id"]: r for r in doc["records"]}
    good = by_id["good/threads/alpha/workers:1"]
    assert good["samples"] == [10.0, 11.0, 12.0] and good["median"] == 11.0
    assert good["counters"]["items_per_second"]["samples"] == [1e8, 1e9 / 11, 1e9 / 12]  # merged alike
    assert good["counters"]["items_per_second"]["median"] == 1e9 / 11
    flaky = by_id["flaky/threads/alpha/workers:2"]
    assert flaky["status"] == "failed" and flaky["samples"] == [] and flaky["median"] is None
    assert flaky["message"].startswith("pass 2 of 3: verification failed")


def test_list_prints_the_plan_and_writes_nothing(python, fake_build, tmp_path):
    build = fake_build("good_threads", "nodevice_threads")
    result = harness(python, "run", "--build-dir", build, "--out", tmp_path / "out", "--workers", "1,2",
                     "--repetitions", "2", "--list")
    assert result.returncode == 0, result.stderr
    assert "good_threads workers=2: alpha/workers:2" in result.stdout
    assert "skipped: no CUDA device (fake)" in result.stdout and "2 passes" in result.stdout
    assert not (tmp_path / "out").exists()
    # -0 is 0, never "-0 s".
    zero = harness(python, "run", "--build-dir", build, "--out", tmp_path / "out", "--workers", "1", "--warmup", "-0",
                   "--list")
    assert zero.returncode == 0 and "after 0 s warm-up" in zero.stdout, zero.stdout + zero.stderr


def test_models_come_from_the_build_manifest(python, fake_build, tmp_path):
    build = fake_build("good_threads", "good_sycl", "good_openmp")
    (build / "parbench_build.json").write_text(json.dumps({
        "enabled_models": "threads;sycl", "benchmark_version": "1.7.1",
        "models": {"threads": {"launcher": "direct", "bind_env": {"PARBENCH_PIN": "cores"}, "own_workers": False},
                   "sycl": {"launcher": "direct", "bind_env": {}, "own_workers": False}}}))
    result = harness(python, "run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "m", "--workers",
                     "1", "--repetitions", "1", "--no-report")
    assert result.returncode == 0, result.stderr
    doc = load(tmp_path / "out" / "m" / "results.json")
    assert {r["model"] for r in doc["records"]} == {"threads", "sycl"}
    assert "unknown model" in one_line(harness(python, "run", "--build-dir", build, "--out", tmp_path / "out",
                                               "--model", "openmp"))


def test_after_an_interrupt_stop_signals_stay_ignored_until_exit():
    # Python puts SIG_DFL back for its own handlers while it shuts down; a Ctrl-C arriving then (the third of a
    # quick burst) killed an interrupted harness by SIGINT instead of letting it end with 130 (3 of 25 bursts
    # did before this). An ignored signal stays ignored through the shutdown.
    from harness import launch
    saved = {s: signal.getsignal(s) for s in launch.STOP_SIGNALS}
    try:
        launch.install()
        with pytest.raises(launch.Interrupted):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)  # the handler raises as soon as the signal is delivered
        launch.restore()
        for s in launch.STOP_SIGNALS:
            assert signal.getsignal(s) == signal.SIG_IGN
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
        launch._state.installed, launch._state.stopping, launch._state.pending = None, False, None
