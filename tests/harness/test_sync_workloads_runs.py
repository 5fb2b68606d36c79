"""Real quick runs of the locks, sync and classics workloads through the harness: the OpenMP wait-policy sweep on the real
sync executable (both values ok and verified, records apart by `wait`, the overhead figure written), and classics
and locks figures from real records. Smaller than the whole quick profile: one model each, 2 workers."""
import json

from conftest import harness, load


def _run(python, build_dir, tmp_path, *args):
    result = harness(python, "run", "--build-dir", build_dir, "--profile", "quick", "--out", tmp_path, *args,
                     timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (run_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    return run_dir, load(run_dir / "results.json")


def test_openmp_sync_runs_under_both_wait_policies(python, build_dir, tmp_path):
    run_dir, doc = _run(python, build_dir, tmp_path, "--workload", "sync", "--model", "openmp", "--workers", "2")
    records = [r for r in doc["records"] if r["workload"] == "sync" and r["model"] == "openmp"]
    by_wait = {}
    for r in records:
        assert r["status"] == "ok" and r["verified"], (r["id"], r["message"])
        assert r["metric"]["name"] == "overhead_ns"
        by_wait.setdefault(r["params"]["wait"], set()).add(r["variant"])
    assert set(by_wait) == {"default", "passive"}
    assert by_wait["default"] == by_wait["passive"] >= {"fork_join", "barrier", "critical", "lock", "atomic",
                                                        "reduction"}
    sweeps = {json.dumps(i.get("sweep"), sort_keys=True) for i in doc["run"]["invocations"] if i["pass"] is not None}
    assert len(sweeps) == 2, sweeps
    assert (run_dir / "sync_overhead.png").stat().st_size > 10_000


def test_classics_and_locks_figures_from_real_records(python, build_dir, tmp_path):
    run_dir, doc = _run(python, build_dir, tmp_path, "--workload", "classics,locks", "--model", "threads")
    ok = [r for r in doc["records"] if r["status"] == "ok"]
    assert {r["workload"] for r in ok} == {"classics", "locks"}
    assert all(r["verified"] for r in ok)
    fair = [r for r in ok if r["workers"] == 2 and "fairness" in r["counters"]]
    assert fair and all(0 < r["counters"]["fairness"]["median"] <= 1 for r in fair)
    for name in ("classics_scaling.png", "classics_fairness.png", "locks_by_model.png", "locks_fairness.png"):
        assert (run_dir / name).stat().st_size > 10_000, name
