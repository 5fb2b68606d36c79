"""The raw per-executable files of a real quick run stay readable by Google Benchmark's own tools/compare.py,
which reads `context` and, per entry of `benchmarks`, name, run_name, run_type, repetitions, real_time, cpu_time
and time_unit (tools/gbench/report.py); and our own compare reads them too."""
import json

import pytest

from conftest import harness, load

# What tools/gbench/report.py reads from every entry.
GBENCH_COMPARE_FIELDS = ("name", "run_name", "run_type", "repetitions", "real_time", "cpu_time", "time_unit")
NEEDED = ("counters_threads", "locks_threads")


@pytest.fixture(scope="module")
def quick_run(build_dir, python, tmp_path_factory):
    """One quick pass of the threads model of counters and locks at 2 workers (locks' latency mode skips its
    cases there, so the run holds ok and skipped cases)."""
    missing = [exe for exe in NEEDED if not (build_dir / "bin" / exe).exists()]
    if missing:
        pytest.skip(f"not built in {build_dir}: {', '.join(missing)}")
    out = tmp_path_factory.mktemp("rawfiles")
    result = harness(python, "run", "--build-dir", build_dir, "--out", out, "--run-id", "raw", "--profile",
                     "quick", "--workload", "counters,locks", "--model", "threads", "--workers", "2",
                     "--repetitions", "1", "--no-report", timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    folder = out / "raw"
    files = sorted((folder / "raw").glob("*.json"))
    assert len(files) == len(NEEDED), files
    return folder, files


def test_every_raw_file_has_what_google_benchmarks_compare_reads(quick_run):
    _, files = quick_run
    for path in files:
        data = load(path)
        assert isinstance(data.get("context"), dict), path
        assert isinstance(data.get("benchmarks"), list) and data["benchmarks"], path
        for entry in data["benchmarks"]:
            missing = [f for f in GBENCH_COMPARE_FIELDS if f not in entry]
            assert not missing, f"{path.name}: {entry.get('name')} lacks {missing}"
            assert entry["time_unit"] in ("ns", "us", "ms", "s")
            assert entry["run_type"] in ("iteration", "aggregate")


def test_every_ok_case_has_a_positive_time(quick_run):
    _, files = quick_run
    for path in files:
        for entry in load(path)["benchmarks"]:
            if not entry.get("error_occurred"):
                assert entry["real_time"] > 0 and entry["cpu_time"] >= 0, (path.name, entry["name"])


@pytest.mark.xfail(strict=True, reason="known: Google Benchmark writes a case skipped with SkipWithError as an "
                                       "entry with error_occurred and real_time 0, which tools/compare.py (it does "
                                       "not read error_occurred) shows as a zero time; the fix belongs in the "
                                       "executables' main (reported to the coordinator)")
def test_skipped_cases_do_not_appear_as_zero_times(quick_run):
    folder, files = quick_run
    doc = load(folder / "results.json")
    skipped = [r for r in doc["records"] if r["status"] == "skipped"]
    assert skipped, "the run was expected to hold skipped cases (locks latency mode at 2 workers)"
    zero = [(path.name, e["name"]) for path in files for e in load(path)["benchmarks"]
            if e.get("real_time", 1) <= 0]
    assert not zero, f"{len(zero)} skipped cases appear with time 0, e.g. {zero[0]}"


def test_our_compare_reads_the_raw_files_and_the_run(quick_run, python, tmp_path):
    folder, files = quick_run
    for path in files:
        result = harness(python, "compare", path, path, "--json", tmp_path / "c.json")
        assert result.returncode == 0, result.stderr
        report = load(tmp_path / "c.json")
        assert report["kind"] == "raw" and report["rows"]
        # One repetition per file: no ok case can be judged, and skipped cases are listed as skipped.
        assert {row["verdict"] for row in report["rows"]} <= {"noisy", "skipped"}
    result = harness(python, "compare", folder, folder, "--json", tmp_path / "run.json")
    assert result.returncode == 0, result.stderr
    report = load(tmp_path / "run.json")
    assert report["kind"] == "results" and report["hosts_differ"] == []
    assert json.dumps(report["rows"]).count('"only in') == 0
