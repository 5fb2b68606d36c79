"""The harness side of FLOP-rate and bandwidth workloads (issue 8): the per-variant primary metric, the derived
fields against the reference model and the machine's limits, their figures and report, and profile options that go
only to executables that declare them. Synthetic records and fake executables; no timing is asserted."""
import json

import pytest

from conftest import harness, load
from harness import derive, plan, plot, records, report, results, stats
from test_report import make_run

PEAKS = {"peak_gflops_fp64_measured_1core": "8.0", "peak_gflops_fp64_measured_all": "15.0",
         "peak_gflops_fp64_nominal_1core": "9.6", "peak_method": "test"}


def run_output(context, names):
    data = {"context": context, "benchmarks": []}
    for name in names:
        entry = {"name": name + "/manual_time", "run_name": name + "/manual_time", "run_type": "iteration",
                 "repetitions": 1, "repetition_index": 0, "threads": 1, "iterations": 1, "real_time": 5.0,
                 "cpu_time": 5.0, "time_unit": "ns", "gflops": 3.0, "gb_per_s": 7.0}
        data["benchmarks"].append(entry)
    return data


def recorded(context, names=("gemm/n:64/workers:1", "copy/elements:9/workers:1", "other/workers:1")):
    inv = {"workload": "matrix", "model": "threads", "workers": 1, "raw_file": None}
    data = run_output(context, names)
    return {r["variant"]: r for r in records.invocation_records(inv, list(names), records.gbench.group_runs(data),
                                                                data["context"], None, None, "")}


def test_primary_metric_per_variant_with_the_default_for_the_rest():
    found = recorded({"parbench_primary_metric": "gb_per_s",
                      "parbench_primary_metric_by_variant": "copy=gb_per_s, gemm=gflops"})
    assert found["gemm"]["status"] == "ok" and found["gemm"]["metric"] == \
        {"name": "gflops", "unit": "GFLOP/s", "direction": "higher"}
    assert found["gemm"]["median"] == 3.0 and "gb_per_s" in found["gemm"]["counters"]
    assert found["copy"]["metric"] == {"name": "gb_per_s", "unit": "GB/s", "direction": "higher"}
    assert found["copy"]["median"] == 7.0
    assert found["other"]["metric"]["name"] == "gb_per_s"  # not listed: parbench_primary_metric
    without = recorded({"parbench_primary_metric": "gb_per_s"})
    assert without["gemm"]["metric"]["name"] == "gb_per_s" and without["gemm"]["median"] == 7.0


@pytest.mark.parametrize("value, complaint", [
    ("gemm", "the entry 'gemm', not variant=metric"),
    ("gemm=", "not variant=metric"),
    ("=gflops", "not variant=metric"),
    ("gemm=gflops,,copy=gb_per_s", "the entry '', not variant=metric"),
    ("gemm=gflops,gemm=gb_per_s", "names variant 'gemm' twice"),
    ("gemm=gfl=ops", "is not a metric name"),
    ("gemm=gflops\n", "is not a list of variant=metric"),
    ("", "is not a list of variant=metric"),
    (7, "is a number, not a list of variant=metric"),
    (["gemm=gflops"], "is a list, not a list of variant=metric"),
])
def test_a_malformed_metric_list_fails_every_case_of_the_invocation(value, complaint):
    found = recorded({"parbench_primary_metric": "gb_per_s", "parbench_primary_metric_by_variant": value})
    assert len(found) == 3
    for r in found.values():
        assert r["status"] == "failed" and r["samples"] == [] and r["median"] is None
        assert "parbench_primary_metric_by_variant" in r["message"] and complaint in r["message"], r["message"]


def rate(model, variant, workers, samples, metric="gflops", status="ok", **params):
    ok = status == "ok"
    samples = list(samples) if ok else []
    case = variant + "".join(f"/{k}:{v}" for k, v in params.items()) + f"/workers:{workers}"
    unit = {"gflops": "GFLOP/s", "gb_per_s": "GB/s"}[metric]
    r = {"id": f"matrix/{model}/{case}", "workload": "matrix", "model": model, "variant": variant,
         "params": {k: str(v) for k, v in params.items()}, "workers": workers, "case": case,
         "metric": {"name": metric, "unit": unit, "direction": "higher"}, "samples": samples, "counters": {},
         "verified": ok, "status": status, "message": "" if ok else "skipped: test", "raw_file": None, "derived": {}}
    r.update(stats.summarize(samples))
    return r


def matrix_records():
    return [rate("openblas", "gemm", 1, [10.0, 10.0, 10.0], n=256), rate("openblas", "gemm", 2, [20.0] * 3, n=256),
            rate("threads", "gemm", 1, [8.0] * 3, n=256), rate("threads", "gemm", 2, [15.0] * 3, n=256),
            rate("threads", "gemm_naive", 1, [1.0] * 3, n=256), rate("threads", "gemm_naive", 2, [2.0] * 3, n=256),
            rate("threads", "gemm", 1, [9.0] * 3, n=512),  # no openblas record at n=512
            rate("threads", "gemm", 2, [], status="skipped", n=512),
            rate("threads", "triad", 1, [10.0] * 3, "gb_per_s", elements=1000),
            rate("threads", "triad", 2, [12.0] * 3, "gb_per_s", elements=1000),
            rate("openmp", "triad", 2, [9.0] * 3, "gb_per_s", elements=1000),
            rate("threads", "copy", 2, [16.0] * 3, "gb_per_s", elements=1000)]


def by_case(rs):
    return {(r["model"], r["case"]): r["derived"] for r in rs}


def test_percent_of_reference_peak_and_best_bandwidth():
    rs = matrix_records()
    derive.apply(rs, {"models": {"threads": dict(PEAKS), "openblas": {"peak_gflops_fp64_measured_1core": "7.5"}}})
    d = by_case(rs)
    assert d["threads", "gemm/n:256/workers:1"]["percent_of_openblas"] == pytest.approx(80.0)
    assert d["threads", "gemm/n:256/workers:2"]["percent_of_openblas"] == pytest.approx(75.0)
    assert d["openblas", "gemm/n:256/workers:2"]["percent_of_openblas"] == pytest.approx(100.0)
    # gemm_naive: the reference has only `gemm` at these parameters, and that is the one compared with.
    assert d["threads", "gemm_naive/n:256/workers:2"]["percent_of_openblas"] == pytest.approx(10.0)
    none = d["threads", "gemm/n:512/workers:1"]
    assert none["percent_of_openblas"] is None and "no ok record" in none["percent_of_openblas_reason"]
    # Peak: the highest measured per-core figure (8.0) × workers, capped by the all-core figure (15.0).
    assert d["threads", "gemm/n:256/workers:1"]["peak_gflops"] == 8.0
    assert d["threads", "gemm/n:256/workers:1"]["percent_of_peak"] == pytest.approx(100.0)
    assert d["threads", "gemm/n:256/workers:2"]["peak_gflops"] == 15.0
    assert d["threads", "gemm/n:256/workers:2"]["percent_of_peak"] == pytest.approx(100.0)
    assert d["threads", "gemm_naive/n:256/workers:2"]["percent_of_peak"] == pytest.approx(200 / 15)
    # Bandwidth: against the best of the same variant and parameters over models and workers.
    assert d["threads", "triad/elements:1000/workers:2"]["percent_of_best_bandwidth"] == pytest.approx(100.0)
    assert d["openmp", "triad/elements:1000/workers:2"]["percent_of_best_bandwidth"] == pytest.approx(75.0)
    assert d["threads", "triad/elements:1000/workers:1"]["best_bandwidth"] == 12.0
    assert d["threads", "copy/elements:1000/workers:2"]["percent_of_best_bandwidth"] == pytest.approx(100.0)
    assert "percent_of_peak" not in d["threads", "triad/elements:1000/workers:2"]
    assert "percent_of_best_bandwidth" not in d["threads", "gemm/n:256/workers:1"]
    assert "percent_of_peak" not in d["threads", "gemm/n:512/workers:2"]  # skipped: no number, no derived figure


def test_no_reference_and_no_peak_give_null_with_a_reason():
    rs = [r for r in matrix_records() if r["model"] != "openblas"]
    derive.apply(rs, {"models": {"threads": {"peak_gflops_fp64_measured_1core": "not a number"}}})
    d = by_case(rs)["threads", "gemm/n:256/workers:2"]
    assert d["percent_of_openblas"] is None and d["percent_of_openblas_reason"]
    assert d["percent_of_peak"] is None and "no measured per-core FP64 peak" in d["percent_of_peak_reason"]
    derive.apply(rs)  # no software section at all
    assert by_case(rs)["threads", "gemm/n:256/workers:2"]["percent_of_peak"] is None


def test_reference_models_come_from_the_table_and_the_manifest_flag():
    assert derive.reference_models(None) == ("openblas",)
    assert derive.reference_models({"models": {"mkl": {"reference": True}, "tbb": {"reference": "yes"},
                                               "openmp": {}}}) == ("openblas", "mkl")
    assert derive.reference_models({"models": ["odd"]}) == ("openblas",)


def test_derived_fields_fit_the_schema_and_figures_reach_the_report(tmp_path):
    rs = matrix_records()
    run_dir = make_run(tmp_path, records=rs)  # derive.apply without software: no peak
    doc = load(run_dir / "results.json")
    doc["software"]["models"] = {"threads": dict(PEAKS)}
    derive.apply(doc["records"], doc["software"])
    results.validate(doc)
    page_path, problem = report.build(doc, run_dir)
    assert problem is None
    names = {"matrix_flops.png", "matrix_flops_scaling.png", "matrix_roofline.png", "matrix_bandwidth.png"}
    for name in names:
        assert (run_dir / name).stat().st_size > 0, name
    page = page_path.read_text()
    for name in names:
        assert f'alt="{name}"' in page
    assert "75% of openblas" in page and "% of best bandwidth" in page


def test_figures_left_out_with_a_note_when_they_cannot_be_drawn(tmp_path):
    # One worker count, no peak, a failed record: no speedup figure, no roofline; the others are drawn.
    rs = [rate("threads", "gemm", 1, [8.0] * 3, n=256), rate("threads", "gemm", 1, [9.0] * 3, n=512),
          rate("threads", "gemm", 1, [], status="failed", n=1024),
          rate("threads", "triad", 1, [10.0] * 3, "gb_per_s", elements=1000)]
    run_dir = make_run(tmp_path, records=rs)
    doc = load(run_dir / "results.json")
    written, notes = plot.limit_figures(doc, run_dir)
    assert sorted(p.name for p in written) == ["matrix_bandwidth.png", "matrix_flops.png"]
    assert any("no speedup figure" in n for n in notes) and any("no roofline" in n and "peak" in n for n in notes)
    page_path, problem = report.build(doc, run_dir)
    assert problem is None and "Figure left out: matrix: no roofline" in page_path.read_text()
    # Nothing of these metrics: nothing drawn, nothing said.
    assert plot.limit_figures({**doc, "records": [rate("threads", "gemm", 1, [], status="skipped", n=1)]},
                              run_dir) == ([], [])


def test_refused_option_is_the_one_the_executable_names():
    options = ["--parbench_n=256,512", "--parbench_q=1"]
    assert plan.refused_option(options, "unknown flag '--parbench_q=1' (known: ...)") == "--parbench_q=1"
    assert plan.refused_option(options, "bad --parbench_n '256,512'") is None  # a bad value is a failure
    assert plan.refused_option(options, None) is None
    assert plan.offered_options("quick") == ["--parbench_n=256,512"] and plan.offered_options("default") == []


def test_quick_profile_options_go_only_to_executables_that_declare_them(python, fake_build, tmp_path):
    build = fake_build("matrix_threads", "good_processes")
    result = harness(python, "run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "q",
                     "--profile", "quick", "--workers", "1,2", "--repetitions", "2", "--min-time", "0.01",
                     "--warmup", "0")
    assert result.returncode == 0, result.stderr
    run_dir = tmp_path / "out" / "q"
    doc = load(run_dir / "results.json")
    results.validate(doc)
    runs = [i for i in doc["run"]["invocations"] if i["pass"] is not None]
    assert runs and all(i["status"] == "done" for i in runs)
    for inv in runs:
        wanted = ["--parbench_n=256,512"] if inv["executable"] == "matrix_threads" else []
        assert inv["options"] == wanted and set(wanted) <= set(inv["command"])
        assert not any(a.startswith("--parbench_n") for a in inv["command"]) or wanted
    by_id = {r["id"]: r for r in doc["records"]}
    assert {r["case"] for r in doc["records"] if r["workload"] == "matrix" and r["variant"] == "gemm"} == \
        {f"gemm/n:{n}/workers:{w}" for n in (256, 512) for w in (1, 2)}
    gemm = by_id["matrix/threads/gemm/n:512/workers:2"]
    assert gemm["status"] == "ok" and gemm["metric"]["name"] == "gflops" and len(gemm["samples"]) == 2
    assert gemm["derived"]["percent_of_peak"] is not None and gemm["derived"]["peak_gflops"] == 15.0
    assert gemm["derived"]["percent_of_openblas"] is None  # no openblas executable in this build
    assert by_id["matrix/threads/triad/elements:1000/workers:1"]["metric"]["name"] == "gb_per_s"
    assert by_id["good/processes/alpha/workers:2"]["status"] == "ok"
    assert doc["software"]["models"]["threads"]["peak_gflops_fp64_measured_all"] == "15.0"
    page = (run_dir / "report.html").read_text()
    for name in ("matrix_flops.png", "matrix_flops_scaling.png", "matrix_roofline.png", "matrix_bandwidth.png"):
        assert (run_dir / name).exists() and f'alt="{name}"' in page


def test_default_profile_offers_no_options(python, fake_build, tmp_path):
    build = fake_build("matrix_threads")
    result = harness(python, "run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "d",
                     "--workers", "1", "--repetitions", "1", "--min-time", "0.01", "--warmup", "0", "--no-report")
    assert result.returncode == 0, result.stderr
    doc = load(tmp_path / "out" / "d" / "results.json")
    assert {r["case"] for r in doc["records"]} == {"gemm/n:64/workers:1", "triad/elements:1000/workers:1"}
    assert all(i.get("options") == [] for i in doc["run"]["invocations"] if i["pass"] is not None)


def test_an_option_with_a_bad_value_fails_the_listing_instead_of_being_dropped(python, fake_build, tmp_path,
                                                                               monkeypatch):
    monkeypatch.setitem(plan.PROFILES["quick"], "options", {"n": "0"})
    build = fake_build("matrix_threads")
    rule = {"launcher": None, "own_workers": False}
    group = plan._list_one(type("P", (), {"settings": {"size": None, "bind": "cores", "mpiexec": None}, "cpus": 2,
                                          "manifest": {}})(),
                           type("B", (), {"name": "matrix_threads", "workload": "matrix", "model": "threads",
                                          "path": build / "bin" / "matrix_threads"})(),
                           rule, 1, {"profile": "quick", "timeout": 30, "bind": "cores"}, tmp_path)
    assert group["record"]["status"] == "failed" and "listing its cases failed" in group["record"]["message"]
    assert "bad --parbench_n" in group["record"]["message"]


def test_list_shows_the_options_each_executable_gets(python, fake_build, tmp_path):
    build = fake_build("matrix_threads", "good_processes")
    result = harness(python, "run", "--build-dir", build, "--out", tmp_path / "out", "--profile", "quick",
                     "--workers", "1", "--list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("  matrix_threads workers=1 --parbench_n=256,512: gemm/n:256/workers:1")
               for line in lines), result.stdout
    assert any(line.startswith("  good_processes workers=1: alpha/workers:1") for line in lines), result.stdout
