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
