"""./parbench, the one entry point: it runs the harness under a Python that has matplotlib, jsonschema and numpy,
and without one says so in one line with exit code 2, touching nothing."""
import os
import subprocess
import sys

import pytest

from conftest import REPO
from test_report import make_run, one_line_exit_2, snapshot

ENTRY = REPO / "parbench"
MODULES = "import matplotlib, jsonschema, numpy"


def entry(*args, env=None, cwd=REPO, **extra):
    environment = {k: v for k, v in os.environ.items() if k != "PARBENCH_PYTHON"}
    environment.update(extra)
    if env is not None:
        environment.update(env)
    return subprocess.run([str(ENTRY), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env=environment)


@pytest.fixture
def bare_python(tmp_path):
    """An interpreter without site-packages, like a pyenv python3 first on PATH: no matplotlib, numpy, jsonschema."""
    path = tmp_path / "bare-python3"
    path.write_text(f"#!/bin/sh\nexec {sys.executable} -S \"$@\"\n")
    path.chmod(0o755)
    check = subprocess.run([str(path), "-c", MODULES], capture_output=True)
    assert check.returncode != 0, "the bare interpreter still finds the libraries"
    return path


def test_entry_point_picks_an_interpreter_with_the_libraries():
    chosen = entry("--which-python")
    assert chosen.returncode == 0, chosen.stderr
    python = chosen.stdout.strip()
    assert os.path.isabs(python)
    assert subprocess.run([python, "-c", MODULES]).returncode == 0


def test_entry_point_runs_the_harness_from_anywhere(tmp_path):
    run_dir = make_run(tmp_path / "out", "entryrun")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shown = entry("summary", "entryrun", "--out", tmp_path / "out", cwd=elsewhere)
    assert shown.returncode == 0, shown.stderr
    assert "run entryrun (complete)" in shown.stdout
    relative = entry("validate", "../out/entryrun/results.json", cwd=elsewhere)
    assert relative.returncode == 0 and "valid" in relative.stdout, relative.stderr
    assert entry("validate", run_dir / "results.json", env={"PARBENCH_PYTHON": sys.executable}).returncode == 0


def test_entry_point_without_a_suitable_python_is_exit_2(bare_python, tmp_path):
    line = one_line_exit_2(entry("summary", "x", env={"PARBENCH_PYTHON": str(bare_python)}))
    assert "matplotlib" in line and str(bare_python) in line and "PARBENCH_PYTHON" in line
    line = one_line_exit_2(entry("--which-python", env={"PARBENCH_PYTHON": str(tmp_path / "no-such-python")}))
    assert "not found" in line


def test_the_trap_no_longer_overwrites_a_good_report(bare_python, python, tmp_path):
    run_dir = make_run(tmp_path / "out")
    made = subprocess.run([python, "-m", "harness", "report", str(run_dir)], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    before = snapshot(run_dir)
    assert (run_dir / "report.html").stat().st_size > 10_000
    # through the entry point with the wrong interpreter forced, and straight at the harness with it
    line = one_line_exit_2(entry("report", run_dir, env={"PARBENCH_PYTHON": str(bare_python)}))
    assert "no Python with" in line
    direct = subprocess.run([str(bare_python), "-m", "harness", "report", str(run_dir)], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    line = one_line_exit_2(direct)
    assert "cannot import" in line and "matplotlib" in line and "./parbench" in line
    assert snapshot(run_dir) == before
