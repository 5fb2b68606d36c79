"""Figures chosen from the data (issue 7): overhead bars for records whose primary metric is an overhead, throughput
by model where variants do the same work, fairness where records carry the `fairness` counter, scaling per
variant with a line per model and parameter set; each figure names the machine and its error bars, a figure that
cannot be drawn is skipped with a note, and the summary and report show overheads in ns."""
import pytest

from test_report import make_run
from harness import metrics, plot, report, results, stats, summary

PNG = b"\x89PNG\r\n\x1a\n"


def counter(values, unit="", direction="none"):
    return {"unit": unit, "direction": direction, "samples": list(values), **stats.summarize(list(values))}


def rec(workload, model, variant, params, workers, samples, metric="ns_per_op", counters=None, status="ok",
        message=""):
    """A record as the harness writes it: counters given as {name: [samples]}."""
    ok = status == "ok"
    case = variant + "".join(f"/{k}:{v}" for k, v in params.items()) + f"/workers:{workers}"
    unit, direction = metrics.describe(metric)
    r = {"id": f"{workload}/{model}/{case}", "workload": workload, "model": model, "variant": variant,
         "params": dict(params), "workers": workers, "case": case,
         "metric": {"name": metric, "unit": unit, "direction": direction}, "samples": list(samples) if ok else [],
         "counters": {}, "verified": ok, "status": status, "message": message, "raw_file": None, "derived": {}}
    r.update(stats.summarize(r["samples"]))
    for name, values in (counters or {}).items() if ok else ():
        r["counters"][name] = counter(values, *metrics.describe(name))
    return r


LOCK = {"mode": "throughput", "cs": "0", "gap": "0", "size": "1048576"}


def lock_records():
    """Three algorithms in two models at 1 and 2 workers (the same work: identical parameters), a latency case
    at 1 worker, one failed and one skipped record."""
    rs = []
    for model in ("threads", "openmp"):
        for variant, ns in (("tas", 20.0), ("ticket", 30.0), ("mcs", 40.0)):
            for w in (1, 2):
                share = 0.5 if w == 2 else 1.0
                rs.append(rec("locks", model, variant, LOCK, w, [ns * w, ns * w * 1.02, ns * w * 0.98],
                              counters={"items_per_second": [1e9 / (ns * w)] * 3,
                                        "fairness": [0.9, 0.95, 0.92] if w == 2 else [1.0] * 3,
                                        "min_share": [share * 0.6] * 3, "max_share": [share * 1.4] * 3}))
    rs.append(rec("locks", "threads", "tas", {"mode": "latency", "size": "4096"}, 1, [5.0, 5.1, 4.9],
                  counters={"items_per_second": [2e8] * 3}))
    rs.append(rec("locks", "threads", "futex", LOCK, 2, [], status="failed",
                  message="verification failed: owner slot held by worker 1"))
    rs.append(rec("locks", "tbb", "*", {}, 2, [], status="skipped", message="skipped: model not built: no TBB"))
    return rs


def sync_records():
    """Overheads: positive, zero and negative medians, the wait policy as a parameter, two worker counts, a
    construct skipped for one model and a failed one."""
    common = {"delay": "100", "inner": "1000"}
    over = {"overhead_ci_low_ns": [1.0] * 3, "overhead_ci_high_ns": [2.0] * 3, "outliers": [0] * 3,
            "reference_ns": [100.0] * 3, "outer_repetitions": [20] * 3}
    rs = []
    for w in (1, 2):
        rs += [rec("sync", "threads", "barrier", {"impl": "spin", **common}, w, [50.0 * w, 52.0 * w, 49.0 * w],
                   "overhead_ns", over),
               rec("sync", "threads", "barrier", {"impl": "futex", **common}, w, [800.0, 900.0, 850.0],
                   "overhead_ns", over),
               rec("sync", "openmp", "barrier", {"wait": "default", **common}, w, [0.0, 0.0, 0.0], "overhead_ns",
                   over),
               rec("sync", "openmp", "barrier", {"wait": "passive", **common}, w, [-0.4, -0.2, -0.3],
                   "overhead_ns", over),
               rec("sync", "openmp", "atomic", {"wait": "default", **common}, w, [3e-4, 2e-4, 4e-4], "overhead_ns",
                   over)]
    rs.append(rec("sync", "tbb", "barrier", common, 2, [], "overhead_ns", status="skipped",
                  message="skipped: tbb has no barrier"))
    rs.append(rec("sync", "mpi", "lock", common, 2, [], "overhead_ns", status="failed",
                  message="verification failed: lock lost an update"))
    return rs


def classics_records():
    """One worker count only (2): different problems (different parameters) in each variant, methods as a
    parameter, fairness for philosophers only."""
    rs = []
    for model in ("threads", "processes"):
        for method in ("mutex", "condvar"):
            rs.append(rec("classics", model, "producer_consumer", {"method": method, "buffer": "16"}, 2,
                          [100.0, 101.0, 99.0], counters={"items_per_second": [1e7] * 3}))
            rs.append(rec("classics", model, "bank", {"method": method, "accounts": "64"}, 2, [10.0, 10.5, 9.5],
                          counters={"items_per_second": [1e8] * 3}))
        rs.append(rec("classics", model, "philosophers", {"method": "waiter"}, 2, [1e3, 1.1e3, 0.9e3],
                      counters={"items_per_second": [1e6] * 3, "fairness": [0.99] * 3, "min_share": [0.45] * 3,
                                "max_share": [0.55] * 3}))
    return rs


@pytest.fixture
def run_dir(tmp_path):
    return make_run(tmp_path, "figs", lock_records() + sync_records() + classics_records())


def title(fig):
    """The figure's title as one line (it is wrapped to the figure's width)."""
    return " ".join(fig._suptitle.get_text().split())


def drawn(monkeypatch):
    """Makes the figure functions hand back their matplotlib figure instead of writing it."""
    caught = {}

    def keep(plt, fig, path):
        caught[path.name] = fig
        return path
    monkeypatch.setattr(plot, "_save", keep)
    return caught


def test_each_kind_of_record_gets_its_figures(run_dir):
    doc = results.load(run_dir)
    paths, notes = plot.figures(doc, run_dir)
    assert notes == []
    names = sorted(p.name for p in paths)
    assert names == ["classics_fairness.png", "classics_scaling.png", "locks_by_model.png", "locks_fairness.png",
                     "locks_scaling.png", "sync_overhead.png"]
    for path in paths:
        assert path.read_bytes().startswith(PNG) and path.stat().st_size > 10_000, path


def test_overhead_figure_symlog_hatched_nonpositive_machine_and_error_bars(run_dir, monkeypatch):
    doc = results.load(run_dir)
    caught = drawn(monkeypatch)
    plot.overhead(doc, "sync", run_dir)
    fig = caught["sync_overhead.png"]
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == ["1 worker", "2 workers"]  # faceted by worker count
    text = title(fig)
    assert "Test CPU" in text and "2 cores" in text  # the machine
    assert "coverage ≥ 75%" in text and "order-statistic interval of the median" in text  # what the bars are
    assert "below what the measurement resolves" in text and "not drawn: 1 failed, 1 skipped" in text
    assert "delay:100, inner:1000" in text  # parameters every case shares, said once
    for ax in panels:
        assert ax.get_xscale() == "symlog" and "ns" in ax.get_xlabel()
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert "barrier impl:spin" in labels and "barrier wait:passive" in labels and "atomic wait:default" in labels
        bars = [p for p in ax.patches if p.get_width() != 0 or p.get_hatch()]
        hatched = [p for p in ax.patches if p.get_hatch() == "//"]
        assert len(hatched) == 2, "the zero and the negative overhead are hatched"
        assert any(p.get_width() < 0 for p in hatched) and bars
        assert not any(p.get_width() <= 0 for p in ax.patches if not p.get_hatch())


def test_fairness_figure_at_the_largest_worker_count(run_dir, monkeypatch):
    doc = results.load(run_dir)
    caught = drawn(monkeypatch)
    plot.fairness(doc, "locks", run_dir)
    fig = caught["locks_fairness.png"]
    left, right = fig.axes[:2]
    assert left.get_title() == "fairness at 2 workers" and "Jain" in left.get_xlabel()
    lengths = sorted(round(p.get_width(), 3) for p in left.patches)
    assert lengths == [0.92] * 6, "three algorithms x two models, the median of the fairness counter"
    assert "fraction" in right.get_xlabel() and "Test CPU" in title(fig) and "coverage" in title(fig)


def test_by_model_only_where_variants_do_the_same_work(run_dir, monkeypatch):
    doc = results.load(run_dir)
    caught = drawn(monkeypatch)
    assert plot.by_model(doc, "classics", run_dir) is None, "different parameters: different problems"
    plot.by_model(doc, "locks", run_dir)
    fig = caught["locks_by_model.png"]
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title().split(" ")[0] for ax in panels] == ["threads", "openmp"]
    for ax in panels:
        assert sorted(text.get_text() for text in ax.get_legend().get_texts()) == ["mcs", "tas", "ticket"]
        assert "operations per second" in ax.get_ylabel() and ax.get_xlabel() == "workers"


def test_scaling_lines_per_model_and_method_with_one_worker_count(run_dir, monkeypatch):
    doc = results.load(run_dir)
    caught = drawn(monkeypatch)
    plot.scaling(doc, "classics", run_dir)
    fig = caught["classics_scaling.png"]
    panel = next(ax for ax in fig.axes if ax.get_title().startswith("bank"))
    labels = sorted(text.get_text() for text in panel.get_legend().get_texts())
    assert labels == ["processes method:condvar", "processes method:mutex", "threads method:condvar",
                      "threads method:mutex"]
    assert {tuple(line.get_xdata()) for line in panel.get_lines()} == {(2,)}, "one worker count: one point a line"


def test_a_figure_that_cannot_be_drawn_is_a_note_and_the_rest_are_written(run_dir, monkeypatch):
    def broken(doc, workload, run_dir):
        raise ValueError("cannot draw\nthis")
    monkeypatch.setattr(plot, "KINDS", tuple((k, broken if k == "fairness" else f) for k, f in plot.KINDS))
    doc = results.load(run_dir)
    notes = []
    path, problem = report.build(doc, run_dir, notes)
    assert problem is None
    assert notes == [f"figure {w}_fairness.png not drawn (ValueError: cannot draw this)"
                     for w in ("classics", "locks", "sync")]
    page = path.read_text()
    assert "locks_fairness.png not drawn" in page and 'alt="sync_overhead.png"' in page
    assert not (run_dir / "locks_fairness.png").exists()


def test_report_references_every_figure(run_dir):
    doc = results.load(run_dir)
    path, problem = report.build(doc, run_dir)
    assert problem is None
    page = path.read_text()
    figures = sorted(p.name for p in run_dir.glob("*.png"))
    assert len(figures) == 6
    for name in figures:
        assert f'alt="{name}"' in page and f'href="{name}"' in page
    assert page.count("data:image/png;base64,") == 6
    assert summary.LEGEND_OVERHEAD in page


def test_summary_shows_overheads_in_ns_with_their_interval(run_dir):
    doc = results.load(run_dir)
    text = summary.text(doc, run_dir)
    rows = [line for line in text.splitlines() if line.startswith("sync ")]
    passive = next(line for line in rows if "barrier/wait:passive/delay:100/inner:1000" in line and
                   line.split()[3] == "2")
    assert "-0.3" in passive and "-0.4–-0.2 (75%)" in passive and "ns overhead" in passive
    spin = next(line for line in rows if "impl:spin" in line and line.split()[3] == "2")
    assert " 100 " in spin and "98–104 (75%)" in spin and "ns overhead" in spin
    assert all("/s" not in line for line in rows), "an overhead is never shown as a rate"
    for r in doc["records"]:
        if metrics.is_overhead(r):
            assert r["derived"]["speedup"] is None, "no speedup from an overhead"
    assert summary.LEGEND_OVERHEAD in text


def test_no_overhead_legend_without_overheads(tmp_path):
    run_dir = make_run(tmp_path, "plain", lock_records())
    assert summary.LEGEND_OVERHEAD not in summary.text(results.load(run_dir), run_dir)


def test_one_worker_count_and_nothing_above_zero(tmp_path, monkeypatch):
    """An overhead workload measured at one worker count whose medians are all at or below 0, and fairness records
    at 1 worker only: both figures are drawn, and say what such values mean."""
    rs = [rec("sync", "openmp", "barrier", {"wait": w}, 1, [-1.0, 0.0, -2.0], "overhead_ns")
          for w in ("default", "passive")]
    rs.append(rec("locks", "threads", "tas", LOCK, 1, [20.0, 21.0, 19.0],
                  counters={"items_per_second": [5e7] * 3, "fairness": [1.0] * 3, "min_share": [1.0] * 3,
                            "max_share": [1.0] * 3}))
    run_dir = make_run(tmp_path, "one", rs)
    doc = results.load(run_dir)
    caught = drawn(monkeypatch)
    plot.overhead(doc, "sync", run_dir)
    fig = caught["sync_overhead.png"]
    (panel,) = [ax for ax in fig.axes if ax.get_visible()]
    assert panel.get_title() == "1 worker"
    assert sorted(p.get_hatch() for p in panel.patches) == ["//", "//"]
    assert "2 median(s) at or below 0" in title(fig)
    plot.fairness(doc, "locks", run_dir)
    assert "with 1 worker every case is trivially fair" in title(caught["locks_fairness.png"])
    paths, notes = plot.figures(doc, run_dir)
    assert notes == [] and sorted(p.name for p in paths) == ["locks_fairness.png", "locks_scaling.png",
                                                             "sync_overhead.png"]


def test_conclusions_compare_the_values_of_an_env_sweep():
    """The run's invocations say which parameter was swept (wait); each other value is set against the first one
    for the same case, by the medians' intervals (an overhead may be <= 0: no ratio), at the largest worker count."""
    doc = {"host": {"usable_cpus": 2}, "records": sync_records(),
           "run": {"invocations": [{"executable": "sync_openmp", "sweep": {"wait": "default"}},
                                   {"executable": "sync_openmp", "sweep": {"wait": "passive"}},
                                   {"executable": "sync_threads"}]}}
    lines = [line for line in report.conclusions(doc) if "wait:" in line]
    assert lines == ["sync, openmp, 2 workers: barrier/delay:100/inner:1000 with wait:passive -0.3 ns "
                     "[-0.4–-0.2 (75%)] against wait:default 0 ns [0–0 (75%)] (overhead_ns): lower (better)."]
    doc["run"]["invocations"] = [{"executable": "sync_openmp"}]
    assert not [line for line in report.conclusions(doc) if "wait:" in line], "no sweep ran: nothing to compare"
