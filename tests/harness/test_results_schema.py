"""Statistics, case names, derived figures and the results.json schema."""
import copy

import pytest

from conftest import harness, load
from harness import derive, gbench, results, run, stats


def test_median_interval_brackets_the_median_and_says_its_true_coverage():
    assert stats.interval([3.0]) == ([3.0, 3.0], 0.0)
    assert stats.interval([5, 1, 3]) == ([1, 5], 0.75)
    xs = list(range(1, 21))  # n = 20: the 95% interval is [x(6), x(15)]
    assert stats.interval(xs)[0] == [6, 15]
    (low, high), _ = stats.interval([float(x) for x in range(100)])
    assert low < stats.median(range(100)) < high
    assert stats.cv([1.0]) is None and stats.cv([2.0, 2.0]) == 0.0


def test_case_names_lose_google_benchmark_decorations():
    assert gbench.case_name("atomic/workers:2/manual_time") == "atomic/workers:2"
    assert gbench.case_name("atomic/workers:2/iterations:3/manual_time") == "atomic/workers:2"
    assert gbench.parse_case("gemm/n:512/workers:4/real_time") == ("gemm", {"n": "512"}, 4)
    with pytest.raises(gbench.BenchmarkJsonError):
        gbench.parse_case("gemm/oops/workers:1")


def test_worker_sweeps():
    assert run.worker_sweep(2, "ends", False) == [1, 2]
    assert run.worker_sweep(6, "powers", False) == [1, 2, 4, 6]
    assert run.worker_sweep(8, "powers", True) == [1, 2, 4, 8, 16]
    assert run.parse_workers("4,1,2,2") == [1, 2, 4]
    for bad in ("0", "1,-2", "x", "", "99999"):
        with pytest.raises(run.UsageError):
            run.parse_workers(bad)


def record(model, workers, median, direction="lower", status="ok"):
    return {"workload": "w", "model": model, "variant": "v", "params": {}, "workers": workers, "status": status,
            "median": median, "metric": {"name": "m", "unit": "ns", "direction": direction}}


def test_speedup_efficiency_and_karp_flatt():
    rs = [record("a", 1, 100.0), record("a", 2, 60.0), record("a", 4, 40.0), record("b", 1, 80.0),
          record("b", 2, 50.0)]
    derive.apply(rs)
    a2 = rs[1]["derived"]
    assert a2["speedup"] == pytest.approx(100 / 60)
    assert a2["efficiency"] == pytest.approx(100 / 60 / 2)
    # e = (1/S - 1/p) / (1 - 1/p) = (0.6 - 0.5) / 0.5
    assert a2["karp_flatt"] == pytest.approx(0.2)
    assert a2["speedup_vs_best_serial"] == pytest.approx(80 / 60)
    assert rs[0]["derived"]["karp_flatt"] is None
    rate = [record("a", 1, 10.0, "higher"), record("a", 2, 15.0, "higher")]
    derive.apply(rate)
    assert rate[1]["derived"]["speedup"] == pytest.approx(1.5)


@pytest.fixture
def valid_doc(python, fake_build, tmp_path):
    build = fake_build("good_threads", "failverify_threads")
    result = harness(python, "run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "schema",
                     "--workers", "1,2", "--no-report")
    assert result.returncode == 0, result.stderr
    return load(tmp_path / "out" / "schema" / "results.json")


def test_a_real_run_validates(valid_doc):
    results.validate(valid_doc)
    assert valid_doc["run"]["config"]["workers"] == [1, 2]
    assert valid_doc["software"]["models"]["threads"]["fake_library_version"] == "1.0"


@pytest.mark.parametrize("breakage, complaint", [
    (lambda d: d.__setitem__("schema", "parbench-results/0"), "schema is"),
    (lambda d: d["records"][0].__setitem__("status", "great"), "records/0"),
    (lambda d: d["records"][0].__setitem__("verified", False), "records/0"),  # ok but unverified
    (lambda d: next(r for r in d["records"] if r["status"] == "failed").__setitem__("samples", [1.0]), "records"),
    (lambda d: d["records"].append(copy.deepcopy(d["records"][0])), "duplicate record id"),
    (lambda d: d["run"].pop("git"), "git"),
    (lambda d: d["records"][0].__setitem__("median", "fast"), "records/0/median"),
])
def test_schema_violations_are_named(valid_doc, breakage, complaint):
    valid_doc["records"].sort(key=lambda r: r["status"] != "ok")
    breakage(valid_doc)
    with pytest.raises(results.ResultsError, match=complaint):
        results.validate(valid_doc)


def test_write_is_atomic_and_keeps_the_old_file_on_failure(valid_doc, tmp_path):
    folder = tmp_path / "write"
    folder.mkdir()
    path = folder / "results.json"
    results.write_atomic(path, valid_doc)
    # write_atomic validates before it touches the file: a broken document leaves the old file as it was.
    broken = copy.deepcopy(valid_doc)
    broken["run"].pop("git")
    for bad in (broken, dict(valid_doc, host={"a": object()}), {"a": 1}):
        with pytest.raises(results.ResultsError):
            results.write_atomic(path, bad)
    assert load(path) == valid_doc
    assert [p.name for p in folder.iterdir()] == ["results.json"]


def test_models_skipped_at_configure_time_become_skipped_records(python, fake_build, tmp_path):
    build = fake_build("good_threads")
    (build / "parbench_build.json").write_text(
        '{"benchmark_version": "1.7.1", "skipped_models": {"tbb": "oneTBB not found (Debian: libtbb-dev)"}}')
    result = harness(python, "run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "skips",
                     "--workers", "1", "--no-report")
    assert result.returncode == 0, result.stderr
    doc = load(tmp_path / "out" / "skips" / "results.json")
    (skipped,) = [r for r in doc["records"] if r["model"] == "tbb"]
    assert skipped["status"] == "skipped" and skipped["workload"] == "good" and skipped["variant"] == "*"
    assert "oneTBB not found" in skipped["message"]
    assert doc["software"]["skipped_models"] == {"tbb": "oneTBB not found (Debian: libtbb-dev)"}
    again = harness(python, "run", "--resume", tmp_path / "out" / "skips", "--workers", "2")
    assert again.returncode == 2 and "drop --workers" in again.stderr
