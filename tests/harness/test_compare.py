"""compare BASE NEW (the regression gate) and the tracker exports, on synthetic results.json files built here
around the top level of a fake benchmark's run (so host, software and run facts are real and valid)."""
import copy
import json

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import harness, load, one_line, write_fake_build
from harness import compare, records, results, stats

TIGHT_BASE = [100.0, 100.5, 99.6, 100.2, 99.9]          # CV about 0.3%
TIGHT_SLOW = [120.1, 119.7, 120.4, 120.0, 119.8]        # the same, 20% slower
NOISE_ONLY = [100.1, 99.7, 100.4, 99.8, 100.3]          # the same distribution as TIGHT_BASE


@pytest.fixture(scope="session")
def template(tmp_path_factory, python):
    """A valid results.json (from a fake benchmark's run) whose records the tests replace."""
    folder = tmp_path_factory.mktemp("compare_template")
    build = write_fake_build(folder / "build", "good_threads")
    result = harness(python, "run", "--build-dir", build, "--out", folder / "out", "--run-id", "t",
                     "--workers", "1", "--repetitions", "1", "--no-report")
    assert result.returncode == 0, result.stderr
    doc = load(folder / "out" / "t" / "results.json")
    doc["records"] = []
    return doc


def ok_record(variant, samples, workers=1, metric=("ns_per_op", "ns", "lower")):
    name, unit, direction = metric
    r = records.make_record("counters", "threads", variant, {}, workers,
                            {"name": name, "unit": unit, "direction": direction}, "ok", "")
    r.update(stats.summarize(samples))
    r.update(samples=list(samples), verified=True, noisy=(r["cv"] or 0) > 0.05)
    return r


def failed_record(variant, workers=1, status="failed", message="verification failed: total is 3, expected 4"):
    return records.make_record("counters", "threads", variant, {}, workers,
                               {"name": "ns_per_op", "unit": "ns", "direction": "lower"}, status, message)


def write_doc(template, path, recs, host=None):
    doc = copy.deepcopy(template)
    doc["records"] = recs
    if host:
        doc["host"].update(host)
    results.validate(doc)
    path.write_text(json.dumps(doc))
    return path


def run_compare(python, tmp_path, base_recs, new_recs, template, *flags, new_host=None):
    base = write_doc(template, tmp_path / "base.json", base_recs)
    new = write_doc(template, tmp_path / "new.json", new_recs, host=new_host)
    out = tmp_path / "cmp.json"
    result = harness(python, "compare", base, new, "--json", out, *flags)
    report = load(out) if out.exists() else None
    return result, report


def verdicts(report):
    return {row["id"]: row["verdict"] for row in report["rows"]}


def test_a_20_percent_slowdown_with_tight_samples_exits_1(python, tmp_path, template):
    result, report = run_compare(python, tmp_path, [ok_record("alpha", TIGHT_BASE)],
                                 [ok_record("alpha", TIGHT_SLOW)], template)
    assert result.returncode == 1, result.stderr
    row = report["rows"][0]
    assert row["verdict"] == "slower" and row["basis"] == "mann-whitney"
    assert row["change"] == pytest.approx(0.2, abs=0.01) and row["p"] < 0.05
    assert "| **slower** | counters/threads/alpha/workers:1 |" in result.stdout
    assert report["regressions"] == ["counters/threads/alpha/workers:1"]


def test_a_throughput_drop_is_slower_and_a_time_drop_is_faster(python, tmp_path, template):
    rate = ("items_per_second", "1/s", "higher")
    base = [ok_record("alpha", TIGHT_SLOW, metric=rate), ok_record("beta", TIGHT_SLOW)]
    new = [ok_record("alpha", TIGHT_BASE, metric=rate), ok_record("beta", TIGHT_BASE)]
    result, report = run_compare(python, tmp_path, base, new, template)
    assert result.returncode == 1
    assert verdicts(report) == {"counters/threads/alpha/workers:1": "slower",
                                "counters/threads/beta/workers:1": "faster"}


def test_noise_only_is_same_and_exits_0(python, tmp_path, template):
    result, report = run_compare(python, tmp_path, [ok_record("alpha", TIGHT_BASE)],
                                 [ok_record("alpha", NOISE_ONLY)], template)
    assert result.returncode == 0, result.stdout
    assert report["rows"][0]["verdict"] == "same"
    assert "no regression (exit 0)" in result.stdout


def test_a_wide_spread_is_noisy_not_same(python, tmp_path, template):
    wide = [80.0, 100.0, 120.0, 90.0, 110.0]
    result, report = run_compare(python, tmp_path, [ok_record("alpha", wide)], [ok_record("alpha", wide)],
                                 template)
    assert result.returncode == 0
    assert report["rows"][0]["verdict"] == "noisy"


def test_three_samples_each_decide_by_separation_or_are_noisy_when_asked(python, tmp_path, template):
    base, slow = [ok_record("alpha", TIGHT_BASE[:3])], [ok_record("alpha", TIGHT_SLOW[:3])]
    result, report = run_compare(python, tmp_path, base, slow, template)
    assert result.returncode == 1
    row = report["rows"][0]
    assert row["verdict"] == "slower" and row["basis"] == "separation"
    assert compare.smallest_p(3, 3) == pytest.approx(0.1)
    result, report = run_compare(python, tmp_path, base, slow, template, "--few-samples", "noisy")
    assert result.returncode == 0 and report["rows"][0]["verdict"] == "noisy"
    overlapping = [ok_record("alpha", [100.0, 130.0, 118.0])]
    result, report = run_compare(python, tmp_path, base, overlapping, template)
    assert result.returncode == 0 and report["rows"][0]["verdict"] == "noisy"


def test_too_few_samples_are_noisy(python, tmp_path, template):
    result, report = run_compare(python, tmp_path, [ok_record("alpha", [100.0, 100.1])],
                                 [ok_record("alpha", [150.0, 150.1])], template)
    assert result.returncode == 0
    assert report["rows"][0]["verdict"] == "noisy" and "too few samples" in report["rows"][0]["why"]


@pytest.mark.parametrize("status", ["failed", "timeout"])
def test_ok_to_failed_exits_1_and_failed_to_ok_is_fixed(python, tmp_path, template, status):
    base = [ok_record("alpha", TIGHT_BASE), failed_record("beta")]
    new = [failed_record("alpha", status=status, message="timed out after 5 s" if status == "timeout"
                         else "verification failed: x"), ok_record("beta", TIGHT_BASE)]
    result, report = run_compare(python, tmp_path, base, new, template)
    assert result.returncode == 1
    assert verdicts(report) == {"counters/threads/alpha/workers:1": "failed",
                                "counters/threads/beta/workers:1": "fixed"}
    assert report["regressions"] == ["counters/threads/alpha/workers:1"]


def test_skipped_and_both_failed_do_not_fail_the_gate(python, tmp_path, template):
    base = [ok_record("alpha", TIGHT_BASE), failed_record("beta")]
    new = [failed_record("alpha", status="skipped", message="skipped: no device"), failed_record("beta")]
    result, report = run_compare(python, tmp_path, base, new, template)
    assert result.returncode == 0
    assert verdicts(report) == {"counters/threads/alpha/workers:1": "skipped",
                                "counters/threads/beta/workers:1": "not ok"}


def test_records_on_one_side_only_are_listed(python, tmp_path, template):
    base = [ok_record("alpha", TIGHT_BASE), ok_record("gone", TIGHT_BASE)]
    new = [ok_record("alpha", NOISE_ONLY), ok_record("added", TIGHT_BASE)]
    result, report = run_compare(python, tmp_path, base, new, template)
    assert result.returncode == 0
    assert verdicts(report) == {"counters/threads/alpha/workers:1": "same",
                                "counters/threads/gone/workers:1": "only in base",
                                "counters/threads/added/workers:1": "only in new"}
    assert "| only in base | counters/threads/gone/workers:1 |" in result.stdout
    assert "| only in new | counters/threads/added/workers:1 |" in result.stdout


def test_another_host_is_said_loudly_at_the_top(python, tmp_path, template):
    result, report = run_compare(python, tmp_path, [ok_record("alpha", TIGHT_BASE)],
                                 [ok_record("alpha", NOISE_ONLY)], template,
                                 new_host={"hostname": "elsewhere", "logical_cpus": 96})
    assert result.returncode == 0
    assert set(report["hosts_differ"]) >= {"hostname", "logical_cpus"}
    warning = result.stdout.index("WARNING: the two runs come from different machines")
    assert warning < result.stdout.index("| verdict |")
    keys = {(d["section"], d["key"]) for d in report["context_differences"]}
    assert ("host", "hostname") in keys


def test_the_same_host_gives_no_warning(python, tmp_path, template):
    result, report = run_compare(python, tmp_path, [ok_record("alpha", TIGHT_BASE)],
                                 [ok_record("alpha", NOISE_ONLY)], template)
    assert report["hosts_differ"] == [] and "WARNING" not in result.stdout


def test_bad_input_exits_2_with_one_line(python, tmp_path, template):
    good = write_doc(template, tmp_path / "good.json", [ok_record("alpha", TIGHT_BASE)])
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{"schema": "parbench-results/2", "records": [')
    line = one_line(harness(python, "compare", good, corrupt))
    assert "corrupt.json" in line and "not valid JSON" in line
    line = one_line(harness(python, "compare", tmp_path / "missing.json", good))
    assert "missing.json: no such file" in line
    old = copy.deepcopy(template)
    old["schema"] = "parbench-results/1"
    (tmp_path / "old.json").write_text(json.dumps(old))
    assert "incompatible" in one_line(harness(python, "compare", tmp_path / "old.json", good))
    raw = tmp_path / "raw.json"
    raw.write_text(json.dumps({"context": {}, "benchmarks": []}))
    assert "cannot compare" in one_line(harness(python, "compare", good, raw))
    (tmp_path / "list.json").write_text("[1, 2]")
    assert "neither" in one_line(harness(python, "compare", tmp_path / "list.json", good))
    assert "--threshold" in one_line(harness(python, "compare", good, good, "--threshold", "nan"))


def gbench_file(path, cases):
    """A raw Google Benchmark file: cases = {name: [real_time per repetition] or 'skipped: why'}."""
    entries = []
    for name, times in cases.items():
        if isinstance(times, str):
            entries.append({"name": name, "run_name": name, "run_type": "iteration", "error_occurred": True,
                            "error_message": times})
            continue
        for i, t in enumerate(times):
            entries.append({"name": name, "run_name": name, "run_type": "iteration", "repetitions": len(times),
                            "repetition_index": i, "threads": 1, "iterations": 100, "real_time": t,
                            "cpu_time": t, "time_unit": "ns"})
    path.write_text(json.dumps({"context": {"host_name": "h", "num_cpus": 2}, "benchmarks": entries}))
    return path


def test_raw_google_benchmark_files_compare_by_case_name(python, tmp_path):
    base = gbench_file(tmp_path / "a.json", {"alpha/workers:1/manual_time": TIGHT_BASE,
                                             "beta/workers:1": "skipped: no device"})
    new = gbench_file(tmp_path / "b.json", {"alpha/workers:1/manual_time": TIGHT_SLOW,
                                            "beta/workers:1": "skipped: no device"})
    result = harness(python, "compare", base, new)
    assert result.returncode == 1
    assert "| **slower** | alpha/workers:1 |" in result.stdout
    assert "| skipped | beta/workers:1 |" in result.stdout


def test_html_escapes_every_name(python, tmp_path):
    evil = '<script>alert("x")</script>/workers:1'
    base = gbench_file(tmp_path / "a.json", {evil: TIGHT_BASE})
    new = gbench_file(tmp_path / "b.json", {evil: NOISE_ONLY, "<img src=x onerror=alert(1)>": TIGHT_BASE})
    page = tmp_path / "cmp.html"
    result = harness(python, "compare", base, new, "--html", page, "--markdown", tmp_path / "cmp.md")
    assert result.returncode == 0, result.stderr
    text = page.read_text()
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;/workers:1" in text
    assert "<script" not in (tmp_path / "cmp.md").read_text()


# ---------------------------------------------------------------------------------------------------- properties
samples_st = st.lists(st.floats(min_value=1.0, max_value=1e6, allow_nan=False), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(samples_st, samples_st, st.sampled_from(["lower", "higher"]))
def test_swapping_the_sides_swaps_faster_and_slower(xs, ys, direction):
    def rec(s):
        summary = stats.summarize(s)
        return {"status": "ok", "samples": s, "median": summary["median"], "ci": summary["ci"], "metric": "m",
                "unit": "u", "direction": direction, "message": ""}
    forward, backward = compare.judge(rec(xs), rec(ys)), compare.judge(rec(ys), rec(xs))
    mirror = {"faster": "slower", "slower": "faster"}
    assert forward["verdict"] in ("faster", "slower", "same", "noisy")
    if forward["verdict"] in mirror and backward["verdict"] in mirror:
        assert backward["verdict"] == mirror[forward["verdict"]]
    if forward["verdict"] in ("faster", "slower"):
        assert abs(forward["change"]) >= compare.DEFAULT_THRESHOLD
        assert forward["basis"] == "separation" or forward["p"] < compare.DEFAULT_ALPHA


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                           max_leaves=20)
documents = json_values | st.fixed_dictionaries(
    {"context": json_values | st.dictionaries(st.text(), json_values, max_size=3),
     "benchmarks": st.lists(json_values | st.dictionaries(
         st.sampled_from(["name", "run_name", "run_type", "real_time", "time_unit", "error_occurred",
                          "error_message", "ns_per_op"]), json_values, max_size=6), max_size=4)}) | \
    st.fixed_dictionaries({"schema": st.sampled_from(["parbench-results/2", "parbench-results/9"]),
                           "records": json_values})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents)
def test_any_json_file_loads_or_is_refused_with_one_line(tmp_path, doc):
    path = tmp_path / "any.json"
    path.write_text(json.dumps(doc))
    try:
        kind, side = compare.load(path)
    except compare.CompareError as e:
        assert "\n" not in str(e) and str(path) in str(e)
        return
    assert kind in ("results", "raw")
    for record in side["records"].values():
        assert record["status"] in ("ok", "failed", "skipped", "timeout")
        if record["status"] == "ok":
            assert record["samples"] and record["median"] is not None


# ---------------------------------------------------------------------------------------------------- exports
# github-action-benchmark's entry for the custom tools (its BenchmarkResult: name, value, unit; range and extra
# optional strings) and Bencher's published BMF schema (https://bencher.dev/bmf.json).
GAB_SCHEMA = {"type": "array", "items": {
    "type": "object", "required": ["name", "unit", "value"], "additionalProperties": False,
    "properties": {"name": {"type": "string"}, "unit": {"type": "string"}, "value": {"type": "number"},
                   "range": {"type": "string"}, "extra": {"type": "string"}}}}
BMF_SCHEMA = {"$schema": "http://json-schema.org/draft-07/schema", "type": "object", "patternProperties": {
    ".+": {"type": "object", "patternProperties": {
        ".+": {"type": "object", "required": ["value"], "properties": {
            "value": {"type": "number"}, "lower_value": {"type": "number"}, "upper_value": {"type": "number"}}}}}}}


@pytest.fixture
def export_run(tmp_path, template):
    rate = ("items_per_second", "1/s", "higher")
    time_record = ok_record("alpha", TIGHT_BASE)
    time_record["counters"] = {"items_per_second": {"unit": "1/s", "direction": "higher", "samples": [1e7, 1.1e7],
                                                    **stats.summarize([1e7, 1.1e7])}}
    recs = [time_record, ok_record("beta", TIGHT_SLOW, metric=rate), failed_record("gamma"),
            failed_record("delta", status="skipped", message="skipped: no device")]
    folder = tmp_path / "run"
    folder.mkdir()
    write_doc(template, folder / "results.json", recs)
    return folder


@pytest.mark.parametrize("tool,expected", [("customSmallerIsBetter", "counters/threads/alpha/workers:1"),
                                           ("customBiggerIsBetter", "counters/threads/beta/workers:1")])
def test_github_action_benchmark_export_has_its_shape(python, export_run, tmp_path, tool, expected):
    out = tmp_path / f"{tool}.json"
    result = harness(python, "export", export_run, "--format", tool, "--output", out)
    assert result.returncode == 0, result.stderr
    data = load(out)
    jsonschema.validate(data, GAB_SCHEMA)
    assert [e["name"] for e in data] == [expected]  # only ok records, only this direction
    entry = data[0]
    assert entry["value"] == stats.median(TIGHT_BASE if "alpha" in expected else TIGHT_SLOW)
    assert entry["range"].startswith("± ") and float(entry["range"][2:]) > 0
    assert entry["unit"] in ("ns", "1/s")


def test_bmf_export_has_its_shape(python, export_run):
    result = harness(python, "export", export_run, "--format", "bmf")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.Draft7Validator(BMF_SCHEMA).validate(data)
    assert set(data) == {"counters/threads/alpha/workers:1", "counters/threads/beta/workers:1"}
    alpha = data["counters/threads/alpha/workers:1"]
    assert set(alpha) == {"ns_per_op", "items_per_second"}
    for measure in (m for bench in data.values() for m in bench.values()):
        assert measure["lower_value"] <= measure["value"] <= measure["upper_value"]


def test_export_of_a_bad_run_exits_2(python, tmp_path):
    (tmp_path / "results.json").write_text("{")
    assert "not valid JSON" in one_line(harness(python, "export", tmp_path, "--format", "bmf"))


def test_a_nan_in_a_raw_files_context_still_gives_strict_json(python, tmp_path):
    base = gbench_file(tmp_path / "a.json", {"alpha/workers:1": TIGHT_BASE})
    new = gbench_file(tmp_path / "b.json", {"alpha/workers:1": NOISE_ONLY})
    new.write_text(new.read_text().replace('"num_cpus": 2', '"num_cpus": 2, "mhz": NaN'))
    result = harness(python, "compare", base, new, "--json", tmp_path / "c.json")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "c.json").read_text()
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in the JSON output"))


def test_another_host_of_the_same_kind_is_said_but_not_as_another_machine(python, tmp_path, template):
    result, report = run_compare(python, tmp_path, [ok_record("alpha", TIGHT_BASE)],
                                 [ok_record("alpha", NOISE_ONLY)], template, new_host={"hostname": "runner-2"})
    assert report["hosts_differ"] == ["hostname"]
    assert "different hosts of the same kind" in result.stdout and "different machines" not in result.stdout
