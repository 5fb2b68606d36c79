"""run_all.sh and ci/test.sh: --resume is checked before anything is built (no doubled path, no options silently
dropped), and ci/test.sh takes --skip-install as the README says."""
import subprocess

from conftest import REPO
from test_report import make_run, one_line_exit_2


def script(*args, timeout=60):
    return subprocess.run([*map(str, args)], cwd=REPO, capture_output=True, text=True, timeout=timeout)


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
