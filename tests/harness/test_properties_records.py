"""Issue 6, invariants 1, 2 and 9 as properties (Hypothesis, Debian's python3-hypothesis): arbitrary Google
Benchmark-shaped JSON, case names and exit statuses go through gbench and records; the records go into a real
results document that write_atomic writes and load reads back.

Asserted: nothing raises but the documented errors (gbench.BenchmarkJsonError from load/group_runs/parse_case,
results.ResultsError from load); the records need no sanitising (they are valid as built), their ids are unique,
every message is one line where the harness wrote it, no record is ok unless its data was valid, every file
written validates and holds no NaN or Infinity."""
import copy
import json
import os
import stat
import tempfile

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="Debian: apt-get install python3-hypothesis")
from hypothesis import HealthCheck, event, given, settings, strategies as st  # noqa: E402

from harness import derive, gbench, records, results  # noqa: E402
from test_records import Outcome, real_document, strict, through_the_loop  # noqa: E402

BOUNDED = settings(max_examples=200, deadline=None, database=None, print_blob=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.function_scoped_fixture])
ABSENT = object()

# ----- strategies -----
numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(min_value=1e-3, max_value=1e6),
                    st.integers(-2 ** 70, 2 ** 70), st.sampled_from([0, -0.0, 1e308, 1.7e308, 10 ** 400, 5e-324]))
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=12))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                            st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                           max_leaves=6)
segment = st.one_of(st.sampled_from(["atomic", "racy", "n", "8", "", "*", "a:b", "workers", "x y", "\x00",
                                     "\ud800", "\u2028", "é", "/", ":"]),
                    st.text(st.characters(blacklist_categories=()), max_size=6))
workers_part = st.one_of(st.sampled_from(["workers:1", "workers:2", "workers:2", "workers:256", "workers:0",
                                          "workers:-1", "workers:", "workers:x", "workers:\u00b2", "workers:1.5",
                                          "workers:02", "workers:9007199254740993"]),
                         st.integers(-5, 2 ** 60).map(lambda n: f"workers:{n}"))
decorations = st.lists(st.sampled_from(["manual_time", "real_time", "iterations:3", "repeats:2", "threads:1",
                                        "min_time:0.1s"]), max_size=2)


@st.composite
def contract_names(draw):
    """Names near the contract <variant>/<param>:<value>/…/workers:<n>, often valid, often just off it."""
    parts = [draw(segment)]
    parts += [f"{draw(segment)}:{draw(segment)}" for _ in range(draw(st.integers(0, 2)))]
    if draw(st.booleans()):
        parts.append(draw(segment))  # a bare part, as in alpha/8/workers:1
    if draw(st.integers(0, 4)):
        parts.append(draw(workers_part))
    return "/".join(parts + draw(decorations))


names = st.one_of(contract_names(), contract_names(), st.text(max_size=20), json_values)
valid_names = st.builds(lambda v, w, d: "/".join([v, w] + d), st.sampled_from(["atomic", "racy", "sharded", "é"]),
                        st.sampled_from(["workers:2", "n:64/workers:2"]), decorations)
metric_values = st.one_of(st.floats(min_value=1e-3, max_value=1e9), st.integers(0, 10 ** 6), json_values)
metric_names = st.sampled_from(["ns_per_op", "real_time", "cpu_time", "items_per_second", "lost_updates", "ops",
                                "flag"])


@st.composite
def entries(draw):
    """One element of `benchmarks`: usually an iteration entry with fields of any value, sometimes anything."""
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    entry = {}
    name = draw(st.one_of(valid_names, valid_names, names, st.just(ABSENT)))
    if name is not ABSENT:
        entry["name"] = name
    optional = {"run_name": st.one_of(valid_names, names), "run_type": st.sampled_from(["iteration", "aggregate",
                                                                                          5, None]),
                "error_occurred": st.one_of(st.booleans(), json_values),
                "error_message": st.one_of(st.just("skipped: no CUDA device"), st.just("verification failed"),
                                           json_values),
                "time_unit": st.sampled_from(["ns", "us", "ms", "s", "", None, 3, "fortnight"]),
                "iterations": numbers}
    for key, strategy in optional.items():
        if draw(st.integers(0, 3)) == 0:
            entry[key] = draw(strategy)
    for key in draw(st.lists(st.one_of(metric_names, st.text(max_size=6)), max_size=5)):
        entry[key] = draw(metric_values)
    if draw(st.booleans()):  # most entries carry a plausible primary metric
        entry["ns_per_op"] = draw(st.floats(min_value=1e-3, max_value=1e6))
    return entry


good_entries = st.builds(
    lambda name, ns, counters: {"name": name, "run_type": "iteration", "iterations": 10, "real_time": 1.0,
                                "cpu_time": 1.0, "time_unit": "ns", "ns_per_op": ns, **counters},
    valid_names, st.floats(min_value=1e-3, max_value=1e6),
    st.dictionaries(st.sampled_from(["items_per_second", "lost_updates", "ops", "flag"]),
                    st.one_of(st.floats(0, 1e12), st.integers(0, 10 ** 9), st.booleans()), max_size=3))
contexts = st.fixed_dictionaries({}, optional={
    "parbench_primary_metric": st.one_of(metric_names, metric_names, json_values),
    "parbench_skipped_reason": st.one_of(st.text(max_size=20), json_values),
    "library_build_type": st.text(max_size=6)})
plausible = st.fixed_dictionaries({"context": st.just({"parbench_primary_metric": "ns_per_op"}),
                                  "benchmarks": st.lists(st.one_of(good_entries, good_entries, entries()),
                                                         max_size=8)})
documents = st.one_of(st.fixed_dictionaries({"context": contexts, "benchmarks": st.lists(entries(), max_size=8)}),
                      plausible, plausible, json_values)
returncodes = st.one_of(st.sampled_from([0, 0, 0, 1, 2, 255, -6, -9, -11, -15, -34, -35, -64, -65]),
                        st.integers(-2 ** 40, 2 ** 40), st.none())
invocations = st.fixed_dictionaries({"executable": st.just("prop_threads"), "workload": st.just("prop"),
                                     "model": st.sampled_from(["threads", "cuda"]),
                                     "workers": st.sampled_from([2, 2, 2, 1, None]),
                                     "raw_file": st.sampled_from(["raw/prop_threads.w2.json", None])})


# ----- the frame: a real results document -----
@pytest.fixture(scope="module")
def frame(python, tmp_path_factory):
    return real_document(python, tmp_path_factory.mktemp("frame"))


def harness_wrote(message):
    """A message without its stderr tail (the tail is the benchmark's output, kept as it was)."""
    return message.split("; stderr: ")[0]


def from_text(inv, text, expected, returncode, timed_out, stderr_tail):
    with tempfile.TemporaryDirectory() as folder:
        raw = os.path.join(folder, "raw.json")
        with open(raw, "w", encoding="utf-8", errors="surrogatepass") as f:
            f.write(text)
        return through_the_loop(raw, inv, expected, returncode, timed_out, stderr_tail)


def written_and_loaded(frame, recs):
    doc = copy.deepcopy(frame)
    doc["records"] = recs
    derive.apply(doc["records"])
    before = copy.deepcopy(doc["records"])
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "results.json")
        results.write_atomic(path, doc)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o644 & ~_umask()
        with open(path, encoding="utf-8") as f:
            json.loads(f.read(), parse_constant=strict)
        loaded = results.load(path)
    return before, loaded


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_records(recs, inv, cases, status):
    ids = [r["id"] for r in recs]
    assert len(ids) == len(set(ids)) and recs
    for r in recs:
        assert r["status"] in ("ok", "failed", "skipped", "timeout")
        assert "harness error" not in r["message"], r["message"]
        assert harness_wrote(r["message"]).isprintable(), r["message"]  # one line, no control characters
        if r["status"] == "ok":
            # ok only for a case that is in the output, named by the contract, with this worker count
            case = cases[r["case"]]
            assert not case["error"] and not case.get("problem") and case["runs"]
            variant, params, workers = gbench.parse_case(r["case"])
            assert (variant, params, workers) == (r["variant"], r["params"], r["workers"])
            assert inv["workers"] is None or workers == inv["workers"]
            assert r["verified"] and all(gbench.is_number(s) for s in r["samples"])
            assert len(r["samples"]) == len(case["runs"])
        else:
            assert not r["verified"] and not r["samples"] and r["message"]


# ----- invariant 1 and 2, through the loop's steps -----
@BOUNDED
@given(inv=invocations, document=documents, extra=st.lists(st.one_of(valid_names, names), max_size=3),
       listed=st.booleans(), returncode=returncodes, timed_out=st.sampled_from([False, False, False, True]),
       stderr_tail=st.one_of(st.just(""), st.text(max_size=40)))
def test_any_benchmark_output_becomes_valid_records(frame, inv, document, extra, listed, returncode, timed_out,
                                                    stderr_tail):
    text = json.dumps(document)
    entries = document.get("benchmarks") if isinstance(document, dict) else None
    listing = [e["name"] for e in entries if isinstance(e, dict) and "name" in e] \
        if listed and isinstance(entries, list) else []
    expected = [gbench.case_name(n) for n in listing + extra if isinstance(n, str)]
    expected = list(dict.fromkeys(expected))
    recs, cases, status = from_text(inv, text, expected, returncode, timed_out, stderr_tail)
    check_records(recs, inv, cases, status)
    event("an ok record" if any(r["status"] == "ok" for r in recs) else "no ok record")
    event("an invalid case" if any(r["variant"] == records.INVALID_VARIANT for r in recs) else "no invalid case")
    before, loaded = written_and_loaded(frame, recs)
    assert loaded["records"] == before  # valid as built: sanitize had nothing to replace


@BOUNDED
@given(benchmarks=st.lists(good_entries, min_size=1, max_size=8), returncode=st.sampled_from([0, 1]))
def test_valid_data_is_recorded_ok(frame, benchmarks, returncode):
    inv = {"executable": "prop_threads", "workload": "prop", "model": "threads", "workers": 2, "raw_file": None}
    text = json.dumps({"context": {"parbench_primary_metric": "ns_per_op"}, "benchmarks": benchmarks})
    recs, cases, status = from_text(inv, text, [], returncode, False, "")
    assert [r["status"] for r in recs] == ["ok"] * len(cases)
    assert sum(len(r["samples"]) for r in recs) == len(benchmarks)
    assert all(not isinstance(v, bool) for r in recs for c in r["counters"].values() for v in c["samples"])
    written_and_loaded(frame, recs)


@BOUNDED
@given(inv=invocations, text=st.one_of(st.text(max_size=200), st.binary(max_size=200).map(
    lambda b: b.decode("latin-1"))), returncode=returncodes)
def test_any_file_content_becomes_valid_records(frame, inv, text, returncode):
    recs, cases, status = from_text(inv, text, ["atomic/workers:2"], returncode, False, "tail")
    check_records(recs, inv, cases, status)
    written_and_loaded(frame, recs)


@BOUNDED
@given(name=names)
def test_parse_case_returns_the_contract_or_raises_its_error(name):
    try:
        variant, params, workers = gbench.parse_case(name)
    except gbench.BenchmarkJsonError as e:
        assert "\n" not in str(e) and str(e).isprintable()
        return
    assert isinstance(variant, str) and variant and "/" not in variant and ":" not in variant
    assert all(isinstance(k, str) and k and isinstance(v, str) and v for k, v in params.items())
    assert workers is None or (isinstance(workers, int) and 1 <= workers <= gbench.MAX_WORKERS)
    assert gbench.case_name(name).isprintable()


@BOUNDED
@given(returncode=st.one_of(st.integers(-2 ** 70, 2 ** 70), returncodes, st.booleans(), st.floats()),
       timed_out=st.booleans(), problem=st.one_of(st.none(), st.text(max_size=20)))
def test_invocation_status_names_any_exit(returncode, timed_out, problem):
    status, why = records.invocation_status(Outcome(returncode, timed_out), 60, problem)
    assert status in (None, "failed", "timeout")
    assert (status is None) == (why is None)
    if isinstance(returncode, int) and not isinstance(returncode, bool) and returncode < 0 and not timed_out:
        assert why.startswith(f"killed by signal {-returncode} (")


# ----- invariant 9 -----
@BOUNDED
@given(inv=invocations, context=st.one_of(contexts, json_values), returncode=returncodes, timed_out=st.booleans(),
       stderr_tail=st.text(max_size=30))
def test_an_invocation_without_cases_is_one_valid_record(frame, inv, context, returncode, timed_out, stderr_tail):
    status, why = records.invocation_status(Outcome(returncode, timed_out), 60, None)
    recs = records.invocation_records(inv, [], {}, context, status, why, stderr_tail)
    assert recs == [records.empty_invocation_record(inv, context, stderr_tail, status, why)]
    (r,) = recs
    reason = context.get("parbench_skipped_reason") if isinstance(context, dict) else None
    if status:
        assert r["status"] == status
    elif isinstance(reason, str) and reason.strip():
        assert (r["status"], r["message"]) == ("skipped", gbench.one_line(reason.strip()))
    else:
        assert r["status"] == "failed" and r["message"].startswith("the benchmark listed no cases")
    written_and_loaded(frame, recs)


# ----- invariant 2: whatever a record holds, the file written validates -----
@st.composite
def corruptions(draw):
    """(index, how, key, value): a change to one record of a valid document."""
    return (draw(st.integers(0, 3)), draw(st.sampled_from(["set", "set", "delete", "replace", "counter",
                                                            "derived", "duplicate"])),
            draw(st.one_of(st.sampled_from(["id", "workload", "model", "variant", "params", "workers", "case",
                                            "metric", "samples", "median", "ci", "ci_coverage", "cv", "noisy",
                                            "counters", "verified", "status", "message", "raw_file", "derived"]),
                           st.text(max_size=6))),
            draw(json_values))


@BOUNDED
@given(changes=st.lists(corruptions(), min_size=1, max_size=4))
def test_write_atomic_writes_a_valid_file_whatever_the_records_hold(frame, changes):
    recs = records.invocation_records(
        {"executable": "prop_threads", "workload": "prop", "model": "threads", "workers": 2, "raw_file": None},
        [], {f"v{i}/workers:2": {"runs": [{"ns_per_op": 1.0 + i, "ops": 5}, {"ns_per_op": 2.0, "ops": 5}],
                                 "error": None} for i in range(3)} |
        {"gone/workers:2": {"runs": [], "error": "verification failed"}}, {"parbench_primary_metric": "ns_per_op"},
        None, None, "")
    derive.apply(recs)
    for index, how, key, value in changes:
        if how == "set" and isinstance(recs[index], dict):
            recs[index][key] = value
        elif how == "delete" and isinstance(recs[index], dict):
            recs[index].pop(key, None)
        elif how == "replace":
            recs[index] = value
        elif how == "counter" and isinstance(recs[index], dict) and isinstance(recs[index].get("counters"), dict):
            recs[index]["counters"].setdefault("ops", {})[key] = value
        elif how == "derived" and isinstance(recs[index], dict) and isinstance(recs[index].get("derived"), dict):
            recs[index]["derived"]["speedup"] = value
        elif how == "duplicate":
            recs[index] = copy.deepcopy(recs[(index + 1) % len(recs)])
    snapshot = copy.deepcopy(recs)
    doc = copy.deepcopy(frame)
    doc["records"] = recs
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "results.json")
        results.write_atomic(path, doc)
        with open(path, encoding="utf-8") as f:
            json.loads(f.read(), parse_constant=strict)
        loaded = results.load(path)
    assert len(loaded["records"]) == len(snapshot)
    kept_ids = set()
    for before, after in zip(snapshot, loaded["records"]):
        if _valid_alone(frame, before) and before["id"] not in kept_ids:
            assert after == before  # a valid record is never touched
        elif after != before:
            replaced = after["status"] == "failed" and "did not validate" in after["message"]
            nulled = isinstance(before, dict) and {k: v for k, v in after.items() if k != "derived"} == \
                {k: v for k, v in before.items() if k != "derived"}
            assert replaced or nulled, after
        kept_ids.add(after["id"])


def _valid_alone(frame, record):
    doc = copy.deepcopy(frame)
    doc["records"] = [copy.deepcopy(record)]
    try:
        results.validate(doc)
    except results.ResultsError:
        return False
    return True


# ----- loading: only the documented errors -----
@BOUNDED
@given(content=st.one_of(st.binary(max_size=300), documents.map(lambda d: json.dumps(d).encode()),
                         st.sampled_from([b"NaN", b"[Infinity]", b"{\"schema\": -Infinity}", b"[" * 5000,
                                          b"1" * 5000])))
def test_loaders_raise_only_their_documented_errors(content):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "results.json")
        with open(path, "wb") as f:
            f.write(content)
        try:
            data = gbench.load(path)
            assert isinstance(data["benchmarks"], list) and isinstance(data["context"], dict)
            gbench.group_runs(data)
        except gbench.BenchmarkJsonError as e:
            assert "\n" not in str(e)
        with pytest.raises(results.ResultsError) as e:
            results.load(path)
        assert "\n" not in str(e.value)
