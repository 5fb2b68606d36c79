"""Issue 6, invariants 1, 2 and 9 (the record side), by example: whatever a benchmark writes becomes records —
failed with a clear one-line reason, or ok where the data really is valid — and every results.json written
passes its own validate. The property-based versions are in test_properties_records.py."""
import copy
import json
import math
import os
import signal
import stat
import sys

import pytest

from conftest import harness, load, write_fake_build
from harness import derive, gbench, records, results

INV = {"executable": "alpha_threads", "workload": "alpha", "model": "threads", "workers": 1,
       "raw_file": "raw/alpha_threads.w1.json"}


class Outcome:
    def __init__(self, returncode=0, timed_out=False):
        self.returncode, self.timed_out, self.seconds = returncode, timed_out, 0.1


def entry(name, **fields):
    """A Google Benchmark iteration entry as the C++ executables write it."""
    run = {"name": name + "/manual_time", "run_name": name + "/manual_time", "run_type": "iteration",
           "repetitions": 1, "repetition_index": 0, "threads": 1, "iterations": 10, "real_time": 100.0,
           "cpu_time": 100.0, "time_unit": "ns", "ns_per_op": 10.0, "items_per_second": 1e8, "ops": 1000}
    run.update(fields)
    return run


def gb_document(*entries, **context):
    return {"context": {"parbench_primary_metric": "ns_per_op", **context}, "benchmarks": list(entries)}


def through_the_loop(raw, inv, expected, returncode, timed_out, stderr_tail):
    """What the run loop does with one invocation's output file (run.py's run_invocation, minus the launch), with
    only the documented exception caught. Returns (records, cases, the invocation's status)."""
    cases, context, problem = {}, {}, None
    try:
        data = gbench.load(raw)
        cases = gbench.group_runs(data)
        context = data["context"]
    except gbench.BenchmarkJsonError as e:
        problem = str(e)
        assert "\n" not in problem
    status, why = records.invocation_status(Outcome(returncode, timed_out), 60, problem)
    return records.invocation_records(inv, list(expected), cases, context, status, why, stderr_tail), cases, status


def to_records(tmp_path, document=None, text=None, inv=INV, expected=(), returncode=0, timed_out=False,
               stderr_tail=""):
    raw = tmp_path / "raw.json"
    raw.write_text(text if text is not None else json.dumps(document))
    return through_the_loop(raw, inv, expected, returncode, timed_out, stderr_tail)[0]


def real_document(python, folder):
    """A results document from a real harness run of one fake benchmark, without its records: the frame into
    which the tests put the records they build."""
    build = write_fake_build(folder / "build", "good_threads")
    result = harness(python, "run", "--build-dir", build, "--out", folder / "out", "--run-id", "frame",
                     "--workers", "1", "--no-report")
    assert result.returncode == 0, result.stderr
    doc = load(folder / "out" / "frame" / "results.json")
    doc["records"] = []
    doc["run"]["invocations"] = []  # the records' frame only; validating fewer entries keeps the tests quick
    return doc


@pytest.fixture(scope="module")
def frame(python, tmp_path_factory):
    return real_document(python, tmp_path_factory.mktemp("frame"))


def written(frame, folder, new_records):
    """Puts records into a copy of the frame as the run loop saves it; returns the file's document as loaded."""
    doc = copy.deepcopy(frame)
    doc["records"] = new_records
    derive.apply(doc["records"])
    path = folder / "results.json"
    results.write_atomic(path, doc)
    return results.load(path)


def strict(constant):
    raise AssertionError(f"{constant} in a written file")


def by_case(recs):
    return {r["case"]: r for r in recs}


def one_line(message):
    return "\n" not in message and "\r" not in message


# ----- invariant 1: any output becomes records, never an exception -----

def test_a_bare_numeric_name_part_fails_its_own_case_and_the_others_still_count(tmp_path, frame):
    recs = to_records(tmp_path, gb_document(entry("alpha/8/workers:1"), entry("beta/workers:1")),
                      expected=["alpha/8/workers:1", "beta/workers:1"])
    assert [r["status"] for r in recs] == ["failed", "ok"]
    bad = recs[0]
    assert bad["variant"] == records.INVALID_VARIANT and bad["workers"] == 1
    assert bad["id"] == "alpha/threads/invalid-case:alpha/8/workers:1/workers:1"
    assert "part without ':' ('8')" in bad["message"] and one_line(bad["message"])
    assert recs[1]["median"] == 10.0 and recs[1]["verified"]
    assert [r["status"] for r in written(frame, tmp_path, recs)["records"]] == ["failed", "ok"]


@pytest.mark.parametrize("value, said", [
    (math.nan, "is NaN"), (math.inf, "is Infinity"), (-math.inf, "is -Infinity"), ([1.0], "is a list"),
    (True, "is a boolean (true)"), ("10", "is a string"), (None, "is null"), ({"v": 1}, "is an object"),
    (10 ** 400, "is an integer too large"),
])
def test_a_primary_metric_that_is_not_a_finite_number_fails_the_case(tmp_path, frame, value, said):
    recs = to_records(tmp_path, gb_document(entry("alpha/workers:1", ns_per_op=value)))
    (r,) = recs
    assert r["status"] == "failed" and not r["verified"] and r["median"] is None
    assert f"metric ns_per_op {said}" in r["message"] and "repetition 1" in r["message"]
    assert written(frame, tmp_path, recs)["records"][0]["status"] == "failed"


@pytest.mark.parametrize("value", [0, 0.0, -5.0, -1e-300])
def test_a_primary_time_or_rate_that_is_not_positive_fails_the_case(tmp_path, frame, value):
    # A time of zero is what trackers chart as "infinitely fast"; a negative one is a broken clock.
    recs = to_records(tmp_path, gb_document(entry("alpha/workers:1", ns_per_op=value)))
    (r,) = recs
    assert r["status"] == "failed" and r["median"] is None and "must be positive" in r["message"]
    assert written(frame, tmp_path, recs)["records"][0]["status"] == "failed"


def test_a_missing_primary_metric_fails_the_case(tmp_path):
    run = entry("alpha/workers:1")
    del run["ns_per_op"]
    (r,) = to_records(tmp_path, gb_document(run))
    assert r["status"] == "failed" and r["message"] == "metric ns_per_op missing from repetition 1"


def test_boolean_string_and_null_fields_are_not_counters(tmp_path, frame):
    recs = to_records(tmp_path, gb_document(entry("alpha/workers:1", verified=True, flag=False, note="x",
                                                  nothing=None, listed=[1, 2])))
    (r,) = recs
    assert r["status"] == "ok"
    assert set(r["counters"]) == {"items_per_second", "ops"}
    assert written(frame, tmp_path, recs)["records"][0]["counters"].keys() == {"items_per_second", "ops"}


@pytest.mark.parametrize("value, said", [(math.nan, "is NaN"), (math.inf, "is Infinity"),
                                         (10 ** 400, "is an integer too large")])
def test_a_counter_that_is_not_finite_fails_the_case(tmp_path, value, said):
    (r,) = to_records(tmp_path, gb_document(entry("alpha/workers:1", lost_fraction=value)))
    assert r["status"] == "failed" and f"counter 'lost_fraction' {said}" in r["message"]


def test_counter_names_must_be_printable(tmp_path):
    (r,) = to_records(tmp_path, gb_document(entry("alpha/workers:1", **{"lost\nupdates": 1.0})))
    assert r["status"] == "failed" and "counter name 'lost\\nupdates'" in r["message"] and one_line(r["message"])


def test_a_benchmarks_own_messages_are_kept_on_one_line(tmp_path):
    recs = to_records(tmp_path, gb_document(
        entry("a/workers:1", error_occurred=True, error_message="verification failed:\n total 3\ud800"),
        entry("b/workers:1", error_occurred=True, error_message="x" * 5000)))
    assert recs[0]["message"] == "verification failed:\\n total 3\\ud800"
    assert len(recs[1]["message"]) < 2100


def test_statistics_that_overflow_fail_the_case(tmp_path):
    doc = gb_document(entry("alpha/workers:1", ns_per_op=1e308), entry("alpha/workers:1", ns_per_op=1.7e308))
    (r,) = to_records(tmp_path, doc)
    assert r["status"] == "failed" and "not finite" in r["message"]


@pytest.mark.parametrize("name, complaint", [
    ("alpha/workers:0", "bad worker count"),
    ("alpha/workers:-1", "bad worker count"),
    ("alpha/workers:99999999999999999999", "bad worker count"),
    ("alpha/workers:\u00b2", "bad worker count"),
    ("alpha/workers:01", "without leading zeros"),
    (" alpha /workers:1", "leading or trailing white space"),
    ("alpha/n: 3/workers:1", "leading or trailing white space"),
    ("/workers:1", "empty variant"),
    ("workers:1", "does not start with a variant"),
    ("alpha/workers:1/workers:1", "names workers twice"),
    ("alpha/n:1/n:2/workers:1", "names parameter 'n' twice"),
    ("alpha/:1/workers:1", "empty key or value"),
    ("al\x07pha/workers:1", "control or unprintable"),
    ("alpha\u2028/workers:1", "control or unprintable"),
    ("alpha\ud800/workers:1", "control or unprintable"),
    ("alpha/workers:2", "says workers:2 but the invocation ran 1 workers"),
    ("alpha", "has no workers:<n> part"),
    ("manual_time", "is empty"),
    ("a" * 600 + "/workers:1", "longer than"),
])
def test_names_that_break_the_contract_become_failed_records_with_safe_ids(tmp_path, frame, name, complaint):
    recs = to_records(tmp_path, gb_document(entry(name), entry("good/workers:1")))
    bad, good = recs
    assert bad["status"] == "failed" and complaint in bad["message"] and one_line(bad["message"])
    assert bad["id"].startswith("alpha/threads/invalid-case:") and bad["id"].isprintable()
    assert bad["id"].isascii() and len(bad["id"]) < 300
    assert good["status"] == "ok"
    assert [r["status"] for r in written(frame, tmp_path, recs)["records"]] == ["failed", "ok"]


def test_a_case_with_another_worker_count_never_replaces_that_worker_counts_record(tmp_path):
    (r,) = to_records(tmp_path, gb_document(entry("alpha/workers:1")), inv=dict(INV, workers=2))
    assert r["status"] == "failed" and r["id"] != "alpha/threads/alpha/workers:1" and r["workers"] == 2


def test_cases_of_an_invocation_without_a_worker_count_keep_their_own(tmp_path):
    inv = dict(INV, workers=None)
    recs = to_records(tmp_path, gb_document(entry("alpha/workers:256"), entry("beta")), inv=inv)
    assert [(r["status"], r["workers"]) for r in recs] == [("ok", 256), ("ok", None)]


@pytest.mark.parametrize("bad_entry, complaint", [
    (5, "benchmarks[0] is a number, not a JSON object"),
    ("alpha/workers:1", "benchmarks[0] is a string"),
    (None, "benchmarks[0] is a null"),
    ({"run_type": "iteration"}, "benchmarks[0] has no name"),
    ({"name": 7, "ns_per_op": 1.0}, "benchmarks[0] has a name that is a number (7)"),
    ({"name": ["alpha"], "ns_per_op": 1.0}, "benchmarks[0] has a name that is a list"),
])
def test_entries_that_are_not_named_objects_become_failed_records(tmp_path, frame, bad_entry, complaint):
    recs = to_records(tmp_path, gb_document(bad_entry, entry("good/workers:1")))
    bad, good = recs
    assert bad["status"] == "failed" and bad["message"].startswith(complaint), bad["message"]
    assert good["status"] == "ok"
    written(frame, tmp_path, recs)


def test_error_entries_need_a_message_and_skips_are_skipped(tmp_path, frame):
    recs = to_records(tmp_path, gb_document(
        entry("a/workers:1", error_occurred=True, error_message=""),
        entry("b/workers:1", error_occurred=True, error_message=["x"]),
        entry("c/workers:1", error_occurred=True, error_message="skipped: no CUDA device (none found)"),
        entry("d/workers:1", error_occurred=True, error_message="verification failed: total is 3, expected 4")))
    assert [(r["status"], r["message"]) for r in recs] == [
        ("failed", "the benchmark reported an error without a message"),
        ("failed", 'the benchmark reported an error (["x"])'),
        ("skipped", "skipped: no CUDA device (none found)"),
        ("failed", "verification failed: total is 3, expected 4")]
    written(frame, tmp_path, recs)


@pytest.mark.parametrize("context, complaint", [
    ({"parbench_primary_metric": ["ns_per_op"]}, "parbench_primary_metric is a list"),
    ({"parbench_primary_metric": 3}, "parbench_primary_metric is a number"),
    ({"parbench_primary_metric": "ns\nper_op"}, "is not a metric name"),
])
def test_a_context_that_names_no_usable_metric_fails_the_cases(tmp_path, context, complaint):
    doc = {"context": context, "benchmarks": [entry("alpha/workers:1")]}
    (r,) = to_records(tmp_path, doc)
    assert r["status"] == "failed" and complaint in r["message"]


def test_real_time_needs_one_known_time_unit(tmp_path):
    doc = {"context": {}, "benchmarks": [entry("a/workers:1"), entry("a/workers:1", time_unit="us"),
                                         entry("b/workers:1", time_unit="fortnights"),
                                         entry("c/workers:1", time_unit="ms")]}
    a, b, c = to_records(tmp_path, doc)
    assert a["status"] == b["status"] == "failed" and "time unit" in a["message"]
    assert c["status"] == "ok" and c["metric"] == {"name": "real_time", "unit": "ms", "direction": "lower"}


@pytest.mark.parametrize("text, complaint", [
    ('{"context": {}, "benchmarks": {}}', "not Google Benchmark output"),
    ('{"context": [], "benchmarks": []}', "not Google Benchmark output"),
    ("[1, 2]", "not Google Benchmark output"),
    ('{"context": {}, "benchmarks": [', "unreadable benchmark JSON"),
    ("[" * 100000 + "]" * 100000, "nested too deeply"),
    ('{"context": {}, "benchmarks": [' + "1" * 5000 + "]}", "unreadable benchmark JSON"),
    (b"\xff\xfe".decode("latin-1"), "unreadable benchmark JSON"),
])
def test_unusable_files_fail_every_expected_case_with_one_line(tmp_path, frame, text, complaint):
    recs = to_records(tmp_path, text=text, expected=["alpha/workers:1", "beta/workers:1"])
    assert [r["status"] for r in recs] == ["failed", "failed"]
    assert all(complaint in r["message"] and one_line(r["message"]) for r in recs), recs[0]["message"]
    written(frame, tmp_path, recs)


def test_huge_and_special_files_are_refused_without_reading_them(tmp_path, monkeypatch):
    monkeypatch.setattr(gbench, "MAX_JSON_BYTES", 1000)
    big = tmp_path / "big.json"
    big.write_text(json.dumps(gb_document(*[entry(f"a{i}/workers:1") for i in range(20)])))
    with pytest.raises(gbench.BenchmarkJsonError, match="over the"):
        gbench.load(big)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)  # opening it would wait for a writer forever
    with pytest.raises(gbench.BenchmarkJsonError, match="not a regular file"):
        gbench.load(fifo)
    with pytest.raises(gbench.BenchmarkJsonError, match="not a regular file"):
        gbench.load(tmp_path)
    with pytest.raises(gbench.BenchmarkJsonError, match="no JSON output"):
        gbench.load(tmp_path / "absent.json")


def test_group_runs_and_parse_case_raise_only_their_documented_error():
    for data in (None, [], {"benchmarks": 5}, {"benchmarks": {}}):
        with pytest.raises(gbench.BenchmarkJsonError):
            gbench.group_runs(data)
    for name in (None, 8, ["a"], {"a": 1}, math.nan, "", "alpha/8/workers:1"):
        with pytest.raises(gbench.BenchmarkJsonError):
            gbench.parse_case(name)
    assert gbench.parse_case("gemm/n:512/workers:4/real_time") == ("gemm", {"n": "512"}, 4)


@pytest.mark.parametrize("returncode, why", [
    (-signal.SIGSEGV, "killed by signal 11 (SIGSEGV)"),
    (-signal.SIGRTMIN, f"killed by signal {int(signal.SIGRTMIN)} (SIGRTMIN)"),
    (-(signal.SIGRTMIN + 3), f"killed by signal {int(signal.SIGRTMIN) + 3} (SIGRTMIN+3)"),
    (-signal.SIGRTMAX, f"killed by signal {int(signal.SIGRTMAX)} (SIGRTMAX)"),
    (-200, "killed by signal 200 (unknown signal)"),
    (-(2 ** 40), f"killed by signal {2 ** 40} (unknown signal)"),
    (255, "exit code 255"),
    (2, "exit code 2"),
    (None, "no exit status was recorded"),
])
def test_any_exit_status_is_named(tmp_path, frame, returncode, why):
    assert records.invocation_status(Outcome(returncode), 60, None) == ("failed", why)
    recs = to_records(tmp_path, text="", expected=["alpha/workers:1"], returncode=returncode,
                      stderr_tail="fake: about to crash\n")
    assert recs[0]["status"] == "failed" and recs[0]["message"].startswith(why)
    written(frame, tmp_path, recs)


def test_cases_a_crash_cut_short_fail_and_finished_ones_keep_their_numbers(tmp_path):
    recs = to_records(tmp_path, gb_document(entry("alpha/workers:1")),
                      expected=["alpha/workers:1", "beta/workers:1"], returncode=-9, stderr_tail="bye")
    assert [r["status"] for r in recs] == ["ok", "failed"]
    assert recs[1]["message"] == "killed by signal 9 (SIGKILL); stderr: bye"


def test_listed_names_with_decorations_are_the_same_cases(tmp_path):
    recs = to_records(tmp_path, gb_document(entry("alpha/workers:1")), expected=["alpha/workers:1/manual_time"])
    assert [(r["id"], r["status"]) for r in recs] == [("alpha/threads/alpha/workers:1", "ok")]


def test_a_timeout_marks_the_missing_cases_timeout(tmp_path):
    recs = to_records(tmp_path, text="", expected=["alpha/workers:1"], timed_out=True, returncode=-15)
    assert recs[0]["status"] == "timeout" and recs[0]["message"].startswith("timed out after 60 s")


# ----- invariant 9: a benchmark with no cases -----

def test_an_invocation_without_cases_is_a_failed_record(tmp_path, frame):
    recs = to_records(tmp_path, gb_document(), stderr_tail="nothing to do")
    (r,) = recs
    assert r["status"] == "failed" and r["variant"] == "*" and r["workers"] == 1
    assert r["message"] == "the benchmark listed no cases; stderr: nothing to do"
    assert r["id"] == "alpha/threads/*/workers:1"
    (direct,) = [records.empty_invocation_record(INV, {}, "nothing to do")]
    assert direct == r
    written(frame, tmp_path, recs)


def test_an_invocation_that_says_it_skipped_is_one_skipped_record(tmp_path, frame):
    reason = "no CUDA device (cudaGetDeviceCount: no CUDA-capable device is detected)"
    inv = dict(INV, model="cuda", workers=None)
    recs = to_records(tmp_path, gb_document(parbench_skipped_reason=reason), inv=inv)
    (r,) = recs
    assert (r["status"], r["message"], r["id"], r["workers"]) == ("skipped", reason, "alpha/cuda/*", None)
    assert records.empty_invocation_record(inv, {"parbench_skipped_reason": reason}, "") == r
    written(frame, tmp_path, recs)


def test_a_skip_reason_does_not_hide_a_crash_or_a_bad_reason(tmp_path):
    crashed = records.empty_invocation_record(INV, {"parbench_skipped_reason": "no GPU"}, "core dumped",
                                              "failed", "killed by signal 6 (SIGABRT)")
    assert crashed["status"] == "failed" and crashed["message"].startswith("killed by signal 6")
    odd = records.empty_invocation_record(INV, {"parbench_skipped_reason": True}, "")
    assert odd["status"] == "failed" and "parbench_skipped_reason is a boolean" in odd["message"]


def test_listed_cases_missing_from_a_skipped_invocations_output_are_skipped(tmp_path):
    doc = gb_document(parbench_skipped_reason="no CUDA device")
    (r,) = to_records(tmp_path, doc, inv=dict(INV, workers=None), expected=["atomic/workers:256"])
    assert (r["status"], r["message"]) == ("skipped", "no CUDA device")


# ----- invariant 2: every file written passes validate -----

def test_write_atomic_replaces_invalid_records_by_valid_failed_ones(tmp_path, frame):
    ok = to_records(tmp_path, gb_document(entry("a/workers:1"), entry("b/workers:1"), entry("c/workers:1"),
                                          entry("d/workers:1")))
    doc = copy.deepcopy(frame)
    doc["records"] = ok + [copy.deepcopy(ok[0])]
    derive.apply(doc["records"])
    doc["records"][0]["median"] = math.nan  # NaN in an ok record
    doc["records"][1]["workers"] = 0
    doc["records"][2]["counters"]["ops"]["samples"] = [True]
    doc["records"][3]["derived"]["speedup"] = math.inf  # a derived figure: nulled, the record stays ok
    path = tmp_path / "results.json"
    results.write_atomic(path, doc)
    json.loads(path.read_text(), parse_constant=strict)  # no NaN or Infinity in the file
    loaded = results.load(path)
    statuses = [(r["id"], r["status"]) for r in loaded["records"]]
    assert statuses == [("alpha/threads/a/workers:1", "failed"), ("alpha/threads/b/workers:1", "failed"),
                        ("alpha/threads/c/workers:1", "failed"), ("alpha/threads/d/workers:1", "ok"),
                        ("alpha/threads/a/workers:1#2", "failed")]
    assert "median: NaN is not valid JSON" in loaded["records"][0]["message"]
    assert "workers" in loaded["records"][1]["message"] and loaded["records"][1]["workers"] is None
    assert loaded["records"][3]["derived"]["speedup"] is None
    assert "duplicate record id" in loaded["records"][4]["message"]
    assert all(one_line(r["message"]) for r in loaded["records"])
    assert loaded == doc  # sanitised in place: the caller's document is what the file holds


def test_write_atomic_never_writes_an_invalid_document(tmp_path, frame):
    path = tmp_path / "results.json"
    results.write_atomic(path, copy.deepcopy(frame))
    before = path.read_bytes()
    for breakage in (lambda d: d["host"].__setitem__("load_average_start", [math.nan]),
                     lambda d: d["run"].__setitem__("status", "great"),
                     lambda d: d.__setitem__("records", {}),
                     lambda d: d["run"]["config"].__setitem__("x", object())):
        doc = copy.deepcopy(frame)
        breakage(doc)
        with pytest.raises(results.ResultsError) as e:
            results.write_atomic(path, doc)
        assert one_line(str(e.value))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]


def test_results_json_is_created_0644(tmp_path, frame):
    old = os.umask(0o022)
    try:
        results.write_atomic(tmp_path / "results.json", copy.deepcopy(frame))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "results.json").stat().st_mode) == 0o644


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_load_and_validate_refuse_nan_and_infinity(tmp_path, frame, constant):
    doc = copy.deepcopy(frame)
    doc["records"] = to_records(tmp_path, gb_document(entry("a/workers:1")))
    derive.apply(doc["records"])
    path = tmp_path / "results.json"
    results.write_atomic(path, doc)
    path.write_text(path.read_text().replace('"median": 10.0', f'"median": {constant}'))
    with pytest.raises(results.ResultsError, match=f"not valid JSON \\({constant} is not valid JSON\\)"):
        results.load(path)
    doc["records"][0]["median"] = float(constant)
    with pytest.raises(results.ResultsError, match="records/0/median: .* is not valid JSON"):
        results.validate(doc)


def test_the_schema_refuses_what_the_records_never_hold(tmp_path, frame):
    recs = to_records(tmp_path, gb_document(entry("a/n:1/workers:1")))
    derive.apply(recs)
    for field, value in [("workers", 0), ("workers", -1), ("workers", True), ("workers", 2 ** 60),
                         ("variant", ""), ("variant", "a/b"), ("variant", "a\x00"), ("params", {"n": 1}),
                         ("params", {"n/m": "1"}), ("params", {"n": ""}), ("samples", [True]),
                         ("samples", ["1"]), ("median", "1"), ("message", None), ("id", ""), ("case", ""),
                         ("counters", {"ops": {"unit": "", "direction": "none", "samples": [], "median": 1}}),
                         ("counters", {"ops": {"unit": "", "direction": "up", "samples": [1], "median": 1}}),
                         ("counters", {"ops": {"unit": "", "direction": "none", "samples": [1],
                                               "median": None}})]:
        doc = copy.deepcopy(frame)
        doc["records"] = copy.deepcopy(recs)
        doc["records"][0][field] = value
        with pytest.raises(results.ResultsError, match="records/0"):
            results.validate(doc)


# ----- the whole loop: a hostile benchmark does not stop the run -----

HOSTILE = r'''
import json, math, pathlib, sys
args = dict(a.split("=", 1) if "=" in a else (a, "") for a in sys.argv[2:])
w = args.get("--parbench_workers", "1")
names = [f"alpha/8/workers:{w}", f"nan/workers:{w}", f"flag/workers:{w}", f"/workers:{w}", "zero/workers:0",
         f"ok/workers:{w}"]
if "--benchmark_list_tests" in args:
    print("\n".join(names))
    sys.exit(0)
def entry(name, **kw):
    e = {"name": name, "run_type": "iteration", "iterations": 1, "real_time": 1.0, "cpu_time": 1.0,
         "time_unit": "ns", "ns_per_op": 5.0}
    e.update(kw)
    return e
doc = {"context": {"parbench_primary_metric": "ns_per_op"},
       "benchmarks": [entry(names[0]), entry(names[1], ns_per_op=math.nan), entry(names[2], ok=True),
                      entry(names[3]), entry(names[4]), 7, entry(names[5], lost=math.inf),
                      entry(names[5], lost=1.0)]}
pathlib.Path(args["--benchmark_out"]).write_text(json.dumps(doc))
sys.exit(-int(w) % 256 if w == "2" else 0)
'''


def test_a_hostile_benchmark_gets_failed_records_and_the_run_goes_on(python, tmp_path):
    build = write_fake_build(tmp_path / "build", "good_threads")
    script = tmp_path / "hostile.py"
    script.write_text(HOSTILE)
    exe = build / "bin" / "bad_threads"  # runs before good_threads
    exe.write_text(f"#!/bin/sh\nexec {sys.executable} {script} \"$0\" \"$@\"\n")
    exe.chmod(0o755)
    result = harness(python, "run", "--build-dir", build, "--out", tmp_path / "out", "--run-id", "hostile",
                     "--workers", "1,2", "--no-report")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    path = tmp_path / "out" / "hostile" / "results.json"
    doc = results.load(path)
    assert stat.S_IMODE(path.stat().st_mode) & 0o044 == 0o044  # readable by others (umask permitting)
    good = [r for r in doc["records"] if r["workload"] == "good"]
    assert [r["status"] for r in good] == ["ok", "ok"]
    bad = by_case([r for r in doc["records"] if r["workload"] == "bad"])
    assert bad["flag/workers:1"]["status"] == "ok" and "ok" not in bad["flag/workers:1"]["counters"]
    assert bad["nan/workers:1"]["status"] == "failed" and "NaN" in bad["nan/workers:1"]["message"]
    assert bad["ok/workers:1"]["status"] == "failed" and "counter 'lost'" in bad["ok/workers:1"]["message"]
    assert bad["invalid-case:alpha/8/workers:1/workers:1"]["status"] == "failed"
    assert bad["invalid-case:/workers:1/workers:1"]["status"] == "failed"
    assert bad["invalid-case:zero/workers:0/workers:1"]["status"] == "failed"
    assert "benchmarks[5] is a number, not a JSON object" in bad["invalid-case:entry:5/workers:1"]["message"]
    # The worker-2 invocation exited with 254 (not 0 or 1): its cases still carry what they wrote.
    assert bad["nan/workers:2"]["status"] == "failed"
    assert all(r["status"] != "ok" or r["verified"] for r in doc["records"])
