"""The GitHub Actions workflow is valid YAML of the expected shape, and every script it calls exists (and is
executable where it is run directly); ci/regression.sh behaves as documented on a fake build."""
import os
import re
import shlex
import subprocess

import yaml  # Debian: python3-yaml

from conftest import REPO, load, write_fake_build

WORKFLOW = REPO / ".github" / "workflows" / "parbench.yml"
SCRIPT = re.compile(r"^(\./)?[\w.-]+(/[\w.-]+)*$")


def steps():
    doc = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(doc, dict) and doc.get("name") == "parbench"
    assert doc.get("on", doc.get(True))  # YAML 1.1 reads the key `on` as true
    jobs = doc["jobs"]
    assert jobs and all(isinstance(job.get("steps"), list) and job.get("runs-on") for job in jobs.values())
    return [step for job in jobs.values() for step in job["steps"]]


def called_scripts(command):
    """The repository files a `run:` line executes: its commands' first words that are paths in the checkout,
    and the argument of `bash`/`sh`."""
    found = []
    for part in re.split(r"&&|\|\||;|\|", command):
        words = shlex.split(part)
        if not words:
            continue
        if words[0] in ("bash", "sh") and len(words) > 1:
            found.append((words[1], False))
        elif "/" in words[0] and SCRIPT.match(words[0]):
            found.append((words[0], True))
    return found


def test_the_workflow_installs_tests_gates_and_uploads():
    all_steps = steps()
    runs = [step["run"] for step in all_steps if "run" in step]
    assert any("ci/install_deps.sh" in r for r in runs)
    assert any("bash .ci/run" in r for r in runs)
    assert any("ci/regression.sh" in r for r in runs)
    uploads = [step for step in all_steps if str(step.get("uses", "")).startswith("actions/upload-artifact@")]
    assert uploads and uploads[0].get("if") == "always()"
    paths = uploads[0]["with"]["path"]
    for wanted in ("results.json", "*.png", "report.html"):
        assert wanted in paths


def test_every_script_the_workflow_calls_exists():
    calls = [call for step in steps() if "run" in step for call in called_scripts(step["run"])]
    assert {path for path, _ in calls} >= {"ci/install_deps.sh", ".ci/run", "ci/regression.sh"}
    for path, direct in calls:
        target = REPO / path
        assert target.is_file(), f"the workflow calls {path}, which does not exist"
        if direct:
            assert os.access(target, os.X_OK), f"the workflow runs {path} directly but it is not executable"


def regression(build, tmp_path, *args, env=None):
    return subprocess.run(["bash", str(REPO / "ci" / "regression.sh"), "--build-dir", str(build), "--out",
                           str(tmp_path / "out"), "--baselines", str(tmp_path / "baselines"), "--repetitions", "3",
                           *args, "--", "--workers", "1", "--no-report"], cwd=REPO, capture_output=True,
                          text=True, timeout=300, env=env)


def test_regression_script_without_baseline_says_so_then_refreshes_and_gates(tmp_path):
    build = write_fake_build(tmp_path / "build", "good_threads")
    summary = tmp_path / "summary.md"
    env = dict(os.environ, GITHUB_STEP_SUMMARY=str(summary))
    first = regression(build, tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert "no baseline for machine class" in first.stdout and "no baseline" in summary.read_text()
    refresh = regression(build, tmp_path, "--refresh")
    assert refresh.returncode == 0, refresh.stderr
    baselines = list((tmp_path / "baselines").glob("*.json"))
    assert len(baselines) == 1
    # The fake benchmark's samples grow with every run (10, 11, 12, then 13, 14, 15): the next run is slower
    # with no overlap, which the gate must catch.
    gated = regression(build, tmp_path, env=env)
    assert gated.returncode == 1, gated.stdout + gated.stderr
    report = load(tmp_path / "out" / "regression" / "compare.json")
    assert report["regressions"] == ["good/threads/alpha/workers:1"]
    assert "| **slower** | good/threads/alpha/workers:1 |" in summary.read_text()


def test_regression_script_refuses_a_missing_build(tmp_path):
    result = regression(tmp_path / "nowhere", tmp_path)
    assert result.returncode == 2 and "no build" in result.stderr
