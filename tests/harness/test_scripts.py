"""run_all.sh and ci/test.sh: --resume is checked before anything is built (no doubled path, no options silently
dropped), a resumed run is built only where run_all.sh's own --build-dir says, and ci/test.sh takes --skip-install
as the README says."""
import json
import os
import subprocess

from conftest import REPO, harness, load
from test_report import make_run, one_line_exit_2


def script(*args, timeout=60, env=None):
    return subprocess.run([*map(str, args)], cwd=REPO, capture_output=True, text=True, timeout=timeout, env=env)


def test_resume_of_a_missing_run_names_it_once(tmp_path):
    line = one_line_exit_2(script("./run_all.sh", "--resume", "results/nonexistent"))
    assert "results/nonexistent" in line and "results/results" not in line
    line = one_line_exit_2(script("./run_all.sh", "--resume", "nonexistent", "--out", tmp_path))
    assert f"no run id nonexistent under {tmp_path}/" in line
    line = one_line_exit_2(script("./run_all.sh", "--resume", tmp_path / "nonexistent"))
    assert line.count("nonexistent") == 1, line


def test_resume_refuses_run_options_instead_of_dropping_them(tmp_path):
    make_run(tmp_path, "interrupted")
    for extra, dropped in ((["--", "--model", "tbb"], "--model tbb"), (["--profile", "quick"], "--profile"),
                           (["--portable"], "--portable")):
        for resume in ("interrupted", tmp_path / "interrupted"):
            line = one_line_exit_2(script("./run_all.sh", "--out", tmp_path, "--resume", resume, *extra))
            assert "own settings" in line and dropped in line, line


def test_ci_test_takes_skip_install():
    line = one_line_exit_2(script("ci/test.sh", "--skip-install", "--bogus"))
    assert "unknown argument '--bogus'" in line  # --skip-install itself was accepted
    helped = script("ci/test.sh", "--help")
    assert helped.returncode == 0 and "--skip-install" in helped.stderr
    helped = script("./run_all.sh", "--help")
    assert helped.returncode == 0 and "--skip-install" in helped.stderr


def test_resume_builds_in_its_own_build_dir_never_in_one_the_file_names(python, fake_build, tmp_path):
    """results.json is data: run_all.sh --resume builds in its --build-dir (default build), passes it on, and the
    harness refuses a run made with another build, naming the --build-dir to use. cmake is a stand-in that notes
    its arguments (nothing is really built)."""
    build = fake_build("good_threads")
    out = tmp_path / "out"
    made = harness(python, "run", "--build-dir", build, "--out", out, "--run-id", "r", "--workers", "1",
                   "--repetitions", "1", "--warmup", "0", "--no-report")
    assert made.returncode == 0, made.stderr
    evil, marker = tmp_path / "evil", tmp_path / "pwned"
    evil.mkdir()
    (evil / "CMakeCache.txt").write_text("")
    (evil / "Makefile").write_text(f"all:\n\ttouch {marker}\n")
    path = out / "r" / "results.json"
    doc = load(path)
    doc["run"]["config"]["build_dir"] = str(evil)
    path.write_text(json.dumps(doc))
    fakebin, calls = tmp_path / "fakebin", tmp_path / "cmake.log"
    fakebin.mkdir()
    (fakebin / "cmake").write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    (fakebin / "cmake").chmod(0o755)
    env = dict(os.environ, PATH=f"{fakebin}:{os.environ['PATH']}")

    line = one_line_exit_2(script("./run_all.sh", "--skip-install", "--out", out, "--resume", "r", env=env))
    assert f"--build-dir {evil}" in line, line
    assert str(evil) not in calls.read_text() and "--build build" in calls.read_text()
    assert not marker.exists()

    doc["run"]["config"]["build_dir"] = str(build)
    path.write_text(json.dumps(doc))
    calls.unlink()
    resumed = script("./run_all.sh", "--skip-install", "--out", out, "--resume", "r", "--build-dir", build, env=env)
    assert resumed.returncode == 0 and "nothing to resume" in resumed.stdout, resumed.stderr
    assert f"--build {build}" in calls.read_text()
    line = one_line_exit_2(script("./run_all.sh", "--skip-install", "--out", "", "--resume", "r", env=env))
    assert "empty --out" in line
