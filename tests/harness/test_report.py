"""report, plot and summary: intervals with their coverage, noisy records flagged, conclusions computed from the
run's own records, run ids as well as folders, 0644 files written whole, and never a degraded report in place of a
good one."""
import stat
import subprocess
import sys

import pytest

from conftest import REPO, harness
from harness import SCHEMA_VERSION, derive, report, results, stats, summary

HOST = {"hostname": "test", "kernel": "6", "cpu_model": "Test CPU (TestVendor family 1 model 2 stepping 3)",
        "sockets": 1, "cores": 2, "threads_per_core": 1, "logical_cpus": 2, "usable_cpus": 2, "caches": [],
        "frequency_mhz": 3600, "frequency_mhz_nominal": 2000, "frequency_mhz_measured": 3600,
        "frequency_method": "test", "load_average_start": [0.1, 0.1, 0.1], "load_average_end": [0.1, 0.1, 0.1]}
SOFTWARE = {"compiler": "GNU 12", "cxx_flags": "-O3", "build_type": "Release", "benchmark_version": "1.7.1",
            "python": "3", "models": {}}
# A run's settings as results.json carries them (run.config).
CONFIG = {"profile": "quick", "size": None, "repetitions": 3, "min_time": 0.05, "warmup": 0.0, "timeout": 300,
          "workers": [1, 2], "oversubscribe": False, "bind": "cores", "models": None, "workloads": None,
          "variants": None, "build_dir": "build", "mpiexec": None, "sampling": "passes", "seed": 1}
LONG_MESSAGE = ("verification failed: total is 3 expected 4 after the second round of the racy variant; stderr: "
                "something went wrong in a place that is described at considerable length here")


def record(model, variant, workers, samples, status="ok", message="", lost=None):
    ok = status == "ok"
    samples = list(samples) if ok else []
    r = {"id": f"counters/{model}/{variant}/workers:{workers}", "workload": "counters", "model": model,
         "variant": variant, "params": {}, "workers": workers, "case": f"{variant}/workers:{workers}",
         "metric": {"name": "ns_per_op", "unit": "ns", "direction": "lower"}, "samples": samples, "counters": {},
         "verified": ok, "status": status, "message": message, "raw_file": None, "derived": {}}
    r.update(stats.summarize(samples))
    if ok:
        rates = [1e9 / s for s in samples]
        r["counters"]["items_per_second"] = {"unit": "1/s", "direction": "higher", "samples": rates,
                                             **stats.summarize(rates)}
    if lost is not None:
        r["counters"]["lost_fraction"] = {"unit": "fraction", "direction": "lower", "samples": [lost] * len(samples),
                                          **stats.summarize([lost] * len(samples))}
    return r


def standard_records():
    """threads and openmp at 1 and 2 workers: false_sharing 3x the time of sharded at 2 workers, sharded scaling
    2x, racy losing half its updates, one noisy record, one failure with a long message."""
    rs = []
    for model in ("threads", "openmp"):
        rs += [record(model, "sharded", 1, [0.40, 0.40, 0.40]), record(model, "sharded", 2, [0.20, 0.20, 0.20]),
               record(model, "false_sharing", 1, [0.40, 0.40, 0.40]),
               record(model, "false_sharing", 2, [0.60, 0.60, 0.60]),
               record(model, "racy", 1, [0.5, 0.5, 0.5], lost=0.0), record(model, "racy", 2, [0.5, 0.5, 0.5], lost=0.5)]
    rs.append(record("tbb", "sharded", 1, [0.40, 0.50, 0.30]))  # CV 25%: noisy
    rs.append(record("tbb", "sharded", 2, [], status="failed", message=LONG_MESSAGE))
    return rs


def make_run(out, run_id="run1", records=None):
    """A complete, valid run folder with results.json (no raw files) under `out`."""
    records = standard_records() if records is None else records
    derive.apply(records)
    doc = {"schema": SCHEMA_VERSION,
           "run": {"id": run_id, "started": "2026-01-01T00:00:00+00:00", "ended": "2026-01-01T00:01:00+00:00",
                   "status": "complete", "profile": "quick", "command": ["test"], "git": {"sha": None, "dirty": None},
                   "config": dict(CONFIG), "invocations": []},
           "host": dict(HOST), "software": dict(SOFTWARE), "env": {"PARBENCH_PIN": None}, "records": records}
    results.validate(doc)
    run_dir = out / run_id
    run_dir.mkdir(parents=True)
    results.write_atomic(run_dir / "results.json", doc)
    return run_dir


def one_line_exit_2(result):
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def snapshot(run_dir):
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns, stat.S_IMODE(p.stat().st_mode))
            for p in sorted(run_dir.iterdir()) if p.is_file()}


@pytest.fixture
def reported(python, tmp_path):
    """A run folder with a good report.html and figure, made under the usual umask 022."""
    run_dir = make_run(tmp_path / "out")
    made = subprocess.run(["sh", "-c", 'umask 022 && exec "$0" -m harness report "$1"', python, str(run_dir)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == str(run_dir / "report.html")
    return run_dir


def test_report_and_figures_are_0644_and_complete(python, reported):
    for name in ("report.html", "counters_scaling.png", "counters_by_model.png"):
        assert stat.S_IMODE((reported / name).stat().st_mode) == 0o644, name
    # a stricter umask is respected, as for results.json: 0644 less the umask, never mkstemp's 0600 regardless
    made = subprocess.run(["sh", "-c", 'umask 027 && exec "$0" -m harness report "$1"', python, str(reported)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    for name in ("report.html", "counters_scaling.png", "counters_by_model.png"):
        assert stat.S_IMODE((reported / name).stat().st_mode) == 0o640, name
    assert not [p.name for p in reported.iterdir() if p.name.startswith(".")], "temporary files left behind"
    page = (reported / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 2  # scaling, and by model (the variants do the same work)
    assert "(75%)" in page, "3 samples: the interval's coverage is 75%, and the page says so"
    assert "95% CI" not in page
    assert "noisy" in page and "0.4~" in page  # the tbb record, marked, with the legend
    assert "What this run shows on this machine" in page and "Test CPU" in page


def test_conclusions_come_from_the_records():
    doc = {"host": HOST, "records": standard_records()}
    derive.apply(doc["records"])
    lines = report.conclusions(doc)
    text = "\n".join(lines)
    assert "counters, 2 workers: false_sharing takes 3× (threads), 3× (openmp) the time of sharded: slower in " \
           "every model." in text
    assert "counters, 2 workers against 1: sharded speedup 2× (threads), 2× (openmp): faster than 1 worker in every " \
           "model." in text
    assert "racy at 2 workers lost updates (median share): threads 50%, openmp 50%" in text
    assert "1 of 13 records are noisy" in text
    # the numbers follow the records: make false_sharing as fast as sharded and the sentence changes
    for r in doc["records"]:
        if r["variant"] == "false_sharing" and r["workers"] == 2:
            r["samples"], r["median"] = [0.19, 0.20, 0.21], 0.20
    text = "\n".join(report.conclusions(doc))
    assert "false_sharing takes 1× [" in text and "no clear difference in any model" in text


def test_summary_table_coverage_noisy_marker_and_word_boundaries(tmp_path):
    run_dir = make_run(tmp_path)
    doc = results.load(run_dir)
    text = summary.text(doc, run_dir)
    assert "0.4–0.4 (75%)" in text and "0.4~" in text
    assert summary.LEGEND_NOISY in text and summary.LEGEND_INTERVAL in text
    failed = next(line for line in text.splitlines() if "verification failed" in line)
    shown = failed[failed.index("verification failed"):]
    assert shown.endswith("…") and len(shown) <= 70
    assert LONG_MESSAGE.startswith(shown[:-1]) and LONG_MESSAGE[len(shown) - 1] == " ", "cut mid-word"
    assert "report:" not in text, "no report.html: no report line"
    assert "report:" in summary.text(doc, run_dir, report=True)
    (run_dir / "report.html").write_text("x")
    assert "report:" in summary.text(doc, run_dir) and "report:" not in summary.text(doc, run_dir, report=False)


@pytest.mark.parametrize("text, width, expected", [
    ("short message", 70, "short message"),
    ("alpha beta gamma delta", 12, "alpha beta…"),
    ("alpha beta, gamma", 13, "alpha beta…"),
    ("line one\nline   two", 70, "line one line two"),
    ("/a/very/long/path/without/any/spaces/at/all", 12, "/a/very/lon…"),
])
def test_shorten(text, width, expected):
    assert summary.shorten(text, width) == expected
    assert len(summary.shorten(text, width)) <= width


def test_verbs_take_a_run_id(python, tmp_path):
    out = tmp_path / "out"
    run_dir = make_run(out, "myrun")
    shown = harness(python, "summary", "myrun", "--out", out)
    assert shown.returncode == 0 and "run myrun (complete)" in shown.stdout, shown.stderr
    plotted = harness(python, "plot", "myrun", "--out", out)
    assert plotted.returncode == 0 and plotted.stdout.split() == [str(run_dir / "counters_scaling.png"),
                                                                  str(run_dir / "counters_by_model.png")]
    made = harness(python, "report", "myrun", "--out", out)
    assert made.returncode == 0 and (run_dir / "report.html").exists(), made.stderr
    assert "report:" in harness(python, "summary", run_dir).stdout
    by_file = harness(python, "summary", run_dir / "results.json")
    assert by_file.returncode == 0 and "run myrun" in by_file.stdout
    for verb in ("summary", "plot", "report"):
        line = one_line_exit_2(harness(python, verb, "nosuchrun", "--out", out))
        assert "nosuchrun: no such file" in line and f"{out}/nosuchrun" not in line
        line = one_line_exit_2(harness(python, verb, out / "nosuchrun", "--out", out))
        assert line.count("nosuchrun") == 1, line


BLOCK_MATPLOTLIB = ("import runpy, sys; sys.modules['matplotlib'] = None; sys.argv = ['harness'] + sys.argv[1:]; "
                    "runpy.run_module('harness', run_name='__main__')")


@pytest.mark.parametrize("verb", ["report", "plot"])
def test_missing_matplotlib_is_exit_2_and_leaves_the_good_report(python, reported, verb):
    before = snapshot(reported)
    blocked = subprocess.run([python, "-c", BLOCK_MATPLOTLIB, verb, str(reported)], cwd=REPO, capture_output=True,
                             text=True, timeout=120)
    assert "matplotlib" in one_line_exit_2(blocked)
    bare = subprocess.run([python, "-S", "-m", "harness", verb, str(reported)], cwd=REPO, capture_output=True,
                          text=True, timeout=120)  # -S: no site-packages, as a pyenv python3 without Debian's
    assert "matplotlib" in one_line_exit_2(bare) and "parbench" in bare.stderr
    assert snapshot(reported) == before


def test_report_build_writes_nothing_without_matplotlib(reported, monkeypatch):
    """The report module's own guard, behind the command line's interpreter check."""
    before = snapshot(reported)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    doc = results.load(reported)
    path, problem = report.build(doc, reported)
    assert path is None and "matplotlib" in problem
    assert snapshot(reported) == before


def test_run_without_report_names_no_report(python, fake_build, tmp_path):
    build = fake_build("good_threads")
    plain = harness(python, "run", "--build-dir", build, "--out", tmp_path, "--run-id", "a", "--workers", "1",
                    "--no-report")
    assert plain.returncode == 0, plain.stderr
    assert "report:" not in plain.stdout and "results:" in plain.stdout
    assert not (tmp_path / "a" / "report.html").exists()
    full = harness(python, "run", "--build-dir", build, "--out", tmp_path, "--run-id", "b", "--workers", "1")
    assert full.returncode == 0, full.stderr
    assert f"report:  {tmp_path / 'b' / 'report.html'}" in full.stdout
    assert stat.S_IMODE((tmp_path / "b" / "report.html").stat().st_mode) == 0o644
