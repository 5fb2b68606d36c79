"""./run_all.sh --profile quick into a temporary folder: verified counters records for every CPU model at 1 and 2
workers, CUDA skipped with its reason (no device here) or verified (with one), a valid results.json, the figure
and the page."""
import os
import subprocess

from conftest import REPO, harness, load

CPU_MODELS = ("threads", "processes", "tbb", "openmp", "mpi")


def test_quick_run_all(build_dir, python, tmp_path):
    env = dict(os.environ, PARBENCH_PYTHON=python)
    # The workloads this test covers, named: matrix's STREAM arrays (4x the LLC) make each of its cases seconds
    # long, too long for every model and pass here; its harness path is tested with small arrays
    # (matrix_harness_quick_run, tests/matrix.cmake).
    result = subprocess.run(["./run_all.sh", "--profile", "quick", "--skip-install", "--build-dir", str(build_dir),
                             "--out", str(tmp_path), "--", "--workload", "counters,locks"], cwd=REPO,
                            capture_output=True, text=True, timeout=900, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (run_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert harness(python, "validate", run_dir / "results.json").returncode == 0
    doc = load(run_dir / "results.json")
    assert doc["run"]["status"] == "complete" and doc["run"]["profile"] == "quick"
    assert (run_dir / "results.json").stat().st_mode & 0o777 == 0o644
    # Three passes of separate invocations, each (executable, workers) once per pass, in a shuffled order.
    config = doc["run"]["config"]
    assert config["sampling"] == "passes" and config["repetitions"] == 3 and isinstance(config["seed"], int)
    runs = [i for i in doc["run"]["invocations"] if i["pass"] is not None]
    assert all(i["status"] in ("done", "skipped") for i in runs), [i for i in runs if i["status"] not in
                                                                    ("done", "skipped")]
    for i in runs:
        if i["status"] == "done":
            assert "--benchmark_repetitions=1" in i["command"] and i["records"]
            if i["model"] in ("threads", "processes", "tbb"):
                assert i["env"].get("PARBENCH_PIN") == "cores"

    counters = [r for r in doc["records"] if r["workload"] == "counters"]
    for model in CPU_MODELS:
        for workers in (1, 2):
            mine = [r for r in counters if r["model"] == model and r["workers"] == workers]
            assert {r["variant"] for r in mine} >= {"racy", "atomic", "locked", "sharded"}, (model, workers)
            for r in mine:
                assert r["status"] == "ok" and r["verified"], (r["id"], r["message"])
                assert r["median"] > 0 and len(r["samples"]) == 3
    racy_single = [r for r in counters if r["variant"] == "racy" and r["workers"] == 1]
    assert all(r["counters"]["lost_updates"]["median"] == 0 for r in racy_single)

    cuda = [r for r in counters if r["model"] == "cuda"]
    assert cuda, "the CUDA model is neither run nor recorded as skipped"
    for r in cuda:
        assert r["status"] in ("ok", "skipped"), r["message"]
        if r["status"] == "skipped":
            assert "no CUDA device" in r["message"] or "not built" in r["message"]

    assert (run_dir / "counters_scaling.png").stat().st_size > 10_000
    page = (run_dir / "report.html").read_text()
    assert "data:image/png;base64," in page and "results.json" in page
    assert "results:" in result.stdout and "speedup" in result.stdout
