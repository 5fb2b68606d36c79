import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
FAKE = pathlib.Path(__file__).resolve().parent / "fakebench.py"
sys.path.insert(0, str(REPO))


@pytest.fixture(scope="session")
def build_dir():
    path = pathlib.Path(os.environ.get("PARBENCH_BUILD_DIR", REPO / "build"))
    if not (path / "bin").is_dir():
        pytest.fail(f"no build at {path}; build first (ci/test.sh does)")
    return path


@pytest.fixture(scope="session")
def python():
    return os.environ.get("PARBENCH_PYTHON", sys.executable)


def harness(python, *args, timeout=300, env=None):
    """Runs `python -m harness ARGS` from the repository root."""
    return subprocess.run([python, "-m", "harness", *map(str, args)], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=env)


def start_harness(python, *args, env=None):
    """Starts `python -m harness ARGS` from the repository root; returns the Popen (text pipes)."""
    return subprocess.Popen([python, "-m", "harness", *map(str, args)], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def one_line(result, code=2):
    """The single stderr line of a command that failed with `code` (bad input: 2)."""
    assert result.returncode == code, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def wait_for(predicate, timeout, what, proc=None):
    """Polls `predicate` until true; fails after `timeout` s, or when `proc` ends first."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"{what}: the harness ended first (exit {proc.returncode}): {err[-2000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(0.05)


def pids_in(path):
    """Every PID written to a FAKE_PIDS file."""
    path = pathlib.Path(path)
    return [int(p) for line in (path.read_text().splitlines() if path.exists() else []) for p in line.split()]


def wait_gone(pids, timeout=10):
    """Waits until none of `pids` is alive; returns those still alive after `timeout` s."""
    deadline = time.monotonic() + timeout
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


def kill_all(pids):
    """Test clean-up: SIGKILL to processes a test left on purpose."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def with_mark(pid, mark):
    """True when process `pid` has `mark` in its environment."""
    try:
        return mark.encode() in pathlib.Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False


def scratch_folders(pid):
    """The harness's per-invocation scratch folders of harness process `pid` that still exist."""
    return [p for base in (pathlib.Path("/dev/shm"), pathlib.Path("/tmp")) if base.is_dir()
            for p in base.glob(f"parbench-{pid}-*")]


@pytest.fixture
def fake_build(tmp_path):
    """make(names) -> a build folder whose bin/ holds fake benchmarks; a fake's behaviour is the workload part of
    its name (see fakebench.py: good, crash, hang, stall, garbage, failverify, flaky, exitsig, ignoreterm, detach,
    killharness, slow, empty, nodevice, envdump, matrix)."""
    return lambda *names: write_fake_build(tmp_path / "fakebuild", *names)


def write_fake_build(folder, *names):
    """`folder`, whose bin/ now holds fakebench executables named `names` (for fixtures of any scope)."""
    (folder / "bin").mkdir(parents=True, exist_ok=True)
    for name in names:
        exe = folder / "bin" / name
        exe.write_text(f"#!/bin/sh\nexec {sys.executable} {FAKE} \"$0\" \"$@\"\n")
        exe.chmod(0o755)
    return folder


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _stat_fields(pid):
    """Fields of /proc/PID/stat after the command name: state, ppid, pgrp, session, …; None if gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def alive(pid):
    """True while the process exists and is not a zombie."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def processes(where):
    """Live PIDs whose (pid, fields, command name) satisfy `where`."""
    found = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        fields = _stat_fields(pid)
        try:
            comm = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if fields is not None and fields[0] != "Z" and where(pid, fields, comm):
            found.append(pid)
    return found
