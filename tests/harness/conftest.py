import json
import os
import pathlib
import subprocess
import sys

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


@pytest.fixture
def fake_build(tmp_path):
    """make(names) -> a build folder whose bin/ holds fake benchmarks; a fake's behaviour is the workload part of
    its name (good, crash, hang, garbage, failverify, stall)."""
    def make(*names):
        build = tmp_path / "fakebuild"
        (build / "bin").mkdir(parents=True, exist_ok=True)
        for name in names:
            exe = build / "bin" / name
            exe.write_text(f"#!/bin/sh\nexec {sys.executable} {FAKE} \"$0\" \"$@\"\n")
            exe.chmod(0o755)
        return build
    return make


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
