"""Turning one invocation's outcome (exit status, raw Google Benchmark JSON, stderr) into records.

Whatever the benchmark did — any exit status or signal, any JSON, any case names — these functions return
records and raise nothing: what cannot be trusted becomes a `failed` record whose message says why, and only data
that is really valid (finite numbers, a name that follows the case-name contract and agrees with the invocation's
worker count, no error reported) becomes `ok`. A case name that breaks the contract keeps its place as a failed
record with a safe id, `<workload>/<model>/invalid-case:<escaped name>[/workers:<n>]`, and the other cases of the
invocation are recorded as usual."""
import hashlib
import math
import signal

from . import gbench, metrics, stats

DEFAULT_METRIC = {"name": "ns_per_op", "unit": "ns", "direction": "lower"}
STDERR_CHARS = 1500  # the tail of stderr kept in a message
INVALID_VARIANT = "invalid-case"
_ID_CHARS = 200  # an escaped invalid name longer than this is shortened and made unique with a hash
_TIME_FIELDS = ("real_time", "cpu_time")
_TIME_UNITS = ("ns", "us", "ms", "s")


def _empty_statistics():
    """The statistics of a record without numbers: every key stats.summarize returns, as None."""
    return dict.fromkeys(stats.summarize([]))


def make_record(workload, model, variant, params, workers, metric, status, message, name=None, raw_file=None):
    """A record without numbers (status not ok, or before its samples are filled in). `variant` "*" with
    `workers` None stands for a whole model or invocation that produced no cases."""
    case = name or (variant + "".join(f"/{k}:{v}" for k, v in params.items()) +
                    (f"/workers:{workers}" if workers is not None else ""))
    if status != "ok" and not message:
        message = "no reason given"
    record = {
        "id": f"{workload}/{model}/{case}",
        "workload": workload, "model": model, "variant": variant, "params": params, "workers": workers,
        "case": case, "metric": metric or dict(DEFAULT_METRIC), "samples": [],
    }
    record.update(_empty_statistics())
    record.update({"noisy": False, "counters": {}, "verified": False, "status": status, "message": message,
                   "raw_file": raw_file, "derived": {}})
    return record


def _what(value):
    """What a non-number is, for a message: 'NaN', 'a string', 'null', …"""
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})"
    if isinstance(value, int):
        return "a number" if gbench.is_number(value) else "an integer too large for a double"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"a string ('{gbench.shown(value, 40)}')"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _all_finite(value):
    """True when every number in a (nested) statistics value is finite."""
    if isinstance(value, (list, tuple)):
        return all(_all_finite(v) for v in value)
    if isinstance(value, dict):
        return all(_all_finite(v) for v in value.values())
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    return gbench.is_number(value)


def finite_summary(samples):
    """stats.summarize(samples), or None when the statistics overflow or are not finite (values near the limits
    of a double: the median of 1e308 and 1e308 is Infinity)."""
    try:
        summary = stats.summarize(samples)
    except (ArithmeticError, ValueError):
        return None
    return summary if _all_finite(summary) else None


def _primary_metric(context):
    """(name, problem): the case's primary metric from the context, `real_time` when none is named."""
    name = context.get("parbench_primary_metric") if isinstance(context, dict) else None
    if name is None or name == "":
        return "real_time", None
    if not isinstance(name, str):
        return None, f"the benchmark's parbench_primary_metric is {_what(name)}, not a metric name"
    if not name.isprintable() or len(name) > 200:
        return None, f"the benchmark's parbench_primary_metric '{gbench.shown(name, 60)}' is not a metric name"
    return name, None


def case_record(inv, name, variant, params, workers, case, context):
    """The record of one case that appears in the benchmark's JSON output. `ok` only when no run reported an
    error, every repetition has the primary metric as a finite number, every counter is finite and the
    statistics are finite; otherwise `failed` (or `skipped` for an error message starting with 'skipped:')."""
    def bare(metric, status, message):
        return make_record(inv["workload"], inv["model"], variant, params, workers, metric, status, message,
                           name=name, raw_file=inv.get("raw_file"))

    runs = case.get("runs") if isinstance(case, dict) else None
    runs = [run for run in runs if isinstance(run, dict)] if isinstance(runs, list) else []
    error = case.get("error") if isinstance(case, dict) else None
    metric_name, problem = _primary_metric(context)
    if problem:
        return bare(None, "failed", problem)
    time_unit = "ns"
    if metric_name in _TIME_FIELDS and runs and not error:
        units = {repr(run.get("time_unit", "ns")) for run in runs}
        time_unit = runs[0].get("time_unit", "ns")
        if len(units) > 1 or time_unit not in _TIME_UNITS:
            return bare(None, "failed", f"{metric_name} has no single known time unit (time_unit must be one of "
                                        f"{', '.join(_TIME_UNITS)}, the same in every repetition)")
    unit, direction = metrics.describe(metric_name, time_unit)
    metric = {"name": metric_name, "unit": unit, "direction": direction}
    if error:
        error = error if isinstance(error, str) and error else "the benchmark reported an error"
        status = "skipped" if error.startswith("skipped:") else "failed"
        return bare(metric, status, error)
    if not runs:
        return bare(metric, "failed", f"metric {metric_name} missing from the output")
    samples = []
    for index, run in enumerate(runs, start=1):
        if metric_name not in run:
            return bare(metric, "failed", f"metric {metric_name} missing from repetition {index}")
        value = run[metric_name]
        if not gbench.is_number(value):
            return bare(metric, "failed", f"metric {metric_name} is {_what(value)} in repetition {index}, "
                                          f"not a finite number")
        if value <= 0 and metrics.must_be_positive(metric_name):
            return bare(metric, "failed", f"metric {metric_name} is {value!r} in repetition {index}: a time or "
                                          f"rate must be positive")
        samples.append(value)
    summary = finite_summary(samples)
    if summary is None:
        return bare(metric, "failed", f"the statistics of {metric_name} are not finite (values too large)")
    counter_samples = {}
    for index, run in enumerate(runs, start=1):
        for key, value in gbench.counters_of(run).items():
            if key == metric_name:
                continue
            if not key or not key.isprintable() or len(key) > 200:
                return bare(metric, "failed", f"counter name '{gbench.shown(key, 60)}' is empty, too long or holds "
                                              f"control or unprintable characters")
            if not gbench.is_number(value):
                return bare(metric, "failed", f"counter '{gbench.shown(key, 60)}' is {_what(value)} in repetition "
                                              f"{index}, not a finite number")
            counter_samples.setdefault(key, []).append(value)
    counters = {}
    for key, values in sorted(counter_samples.items()):
        c_summary = finite_summary(values)
        if c_summary is None:
            return bare(metric, "failed", f"the statistics of counter '{gbench.shown(key, 60)}' are not finite "
                                          f"(values too large)")
        c_unit, c_direction = metrics.describe(key)
        counters[key] = {"unit": c_unit, "direction": c_direction, "samples": values, **c_summary}
    record = bare(metric, "ok", "")
    record.update(summary)
    record["samples"] = samples
    record["counters"] = counters
    record["verified"] = True
    return record


def signal_name(number):
    """'SIGSEGV', 'SIGRTMIN+3', or 'unknown signal' for a number no signal has."""
    try:
        return signal.Signals(number).name
    except (ValueError, OverflowError, TypeError):
        pass
    low, high = getattr(signal, "SIGRTMIN", None), getattr(signal, "SIGRTMAX", None)
    if low is not None and high is not None and low < number < high:
        return f"SIGRTMIN+{number - low}"
    return "unknown signal"


def invocation_status(outcome, timeout, problem):
    """(status, why) of an invocation as a whole: timeout, killed, bad exit code, unusable JSON; (None, None) when
    the cases' own entries decide."""
    if getattr(outcome, "timed_out", False):
        return "timeout", f"timed out after {timeout} s"
    code = getattr(outcome, "returncode", None)
    if not isinstance(code, int) or isinstance(code, bool):
        return "failed", "no exit status was recorded"
    if code < 0:
        return "failed", f"killed by signal {-code} ({signal_name(-code)})"
    if code not in (0, 1):
        return "failed", f"exit code {code}"
    if problem:
        return "failed", str(problem)
    return None, None


def _with_stderr(message, stderr_tail):
    if isinstance(stderr_tail, str) and stderr_tail:
        message += f"; stderr: {stderr_tail[-STDERR_CHARS:]}"
    return message


def _skip_reason(context):
    """(reason, problem) from the context's `parbench_skipped_reason`: a benchmark that cannot run here (e.g. the
    CUDA executable without a device) says why there."""
    reason = context.get("parbench_skipped_reason") if isinstance(context, dict) else None
    if reason is None:
        return None, None
    if isinstance(reason, str) and reason.strip():
        return gbench.one_line(reason.strip()), None
    return None, f"its parbench_skipped_reason is {_what(reason)}, not a reason"


def empty_invocation_record(inv, context, stderr_tail, status=None, why=None):
    """The one record of an invocation that has no cases (its listing and its output name none), with variant "*"
    and the invocation's worker count: `status`/`why` when the invocation itself failed or timed out (see
    invocation_status); else `skipped` with the reason when the benchmark's JSON context carries
    `parbench_skipped_reason`; else `failed`, "the benchmark listed no cases"."""
    if status:
        final, message = status, why or "the invocation failed"
    else:
        reason, problem = _skip_reason(context)
        if reason:
            final, message = "skipped", reason
        else:
            final, message = "failed", "the benchmark listed no cases" + (f" ({problem})" if problem else "")
    if final != "skipped":
        message = _with_stderr(message, stderr_tail)
    workers = inv.get("workers")
    return make_record(inv["workload"], inv["model"], "*", sweep_of(inv), workers if _valid_workers(workers) else None,
                       None, final, message, raw_file=inv.get("raw_file"))


def sweep_of(inv):
    """The invocation's swept setting as case-name parameters ({"wait": "passive"}); {} for none. Part of the id
    of its records, so the records of different values never merge."""
    sweep = inv.get("sweep")
    if isinstance(sweep, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in sweep.items()):
        return dict(sweep)
    return {}


def sweep_suffix(inv):
    """'.wait-passive' for a file name, '' without a sweep."""
    return "".join(f".{k}-{v}" for k, v in sorted(sweep_of(inv).items()))


def sweep_words(inv):
    """' wait=passive' for a line of text, '' without a sweep."""
    return "".join(f" {k}={v}" for k, v in sorted(sweep_of(inv).items()))


def _valid_workers(workers):
    return isinstance(workers, int) and not isinstance(workers, bool) and 1 <= workers <= gbench.MAX_WORKERS


def invalid_case_record(inv, name, problem, raw_file=None):
    """A failed record for a case whose name cannot be trusted: id and case `invalid-case:<escaped name>`, plus
    `/workers:<n>` of the invocation, so that it can never replace the record of a valid case."""
    if isinstance(name, str):
        text = gbench.shown(name, limit=10 ** 9)
    else:
        text = f"<{type(name).__name__}>{gbench.shown(name, limit=10 ** 9)}"
    if len(text) > _ID_CHARS:
        text = text[:_ID_CHARS - 20] + "..#" + hashlib.sha256(text.encode("ascii")).hexdigest()[:16]
    workers = inv.get("workers") if _valid_workers(inv.get("workers")) else None
    case = f"{INVALID_VARIANT}:{text}" + (f"/workers:{workers}" if workers is not None else "")
    return make_record(inv["workload"], inv["model"], INVALID_VARIANT, {}, workers, None, "failed", problem,
                       name=case, raw_file=raw_file)


def _name_problem(inv, name):
    """(variant, params, workers), problem: the parsed name, or why it cannot be a record of this invocation."""
    try:
        variant, params, workers = gbench.parse_case(name)
    except gbench.BenchmarkJsonError as e:
        return None, str(e)
    expected = inv.get("workers")
    if _valid_workers(expected):
        if workers is None:
            return None, f"case name '{gbench.shown(name)}' has no workers:<n> part (the invocation ran " \
                         f"{expected} workers)"
        if workers != expected:
            return None, f"case name '{gbench.shown(name)}' says workers:{workers} but the invocation ran " \
                         f"{expected} workers"
    for key, value in sweep_of(inv).items():
        if params.get(key) != value:
            return None, f"case name '{gbench.shown(name)}' does not say {key}:{value}, the setting the " \
                         f"invocation ran with"
    return (variant, params, workers), None


def _key(name):
    try:
        hash(name)
        return name
    except TypeError:
        return ("unhashable", repr(name))


def invocation_records(inv, expected, cases, context, status, why, stderr_tail):
    """One record per case, expected (listed before the run) or found in the output; when there is none at all,
    the one record of empty_invocation_record. Ids are unique within the returned list."""
    cases = cases if isinstance(cases, dict) else {}
    names, seen = [], set()
    for name in list(expected or []) + list(cases):
        name = gbench.case_name(name) if isinstance(name, str) else name  # group_runs keys are without decorations
        if _key(name) not in seen:
            seen.add(_key(name))
            names.append(name)
    if not names:
        return [empty_invocation_record(inv, context, stderr_tail, status, why)]
    skip_reason, _ = _skip_reason(context)
    records = []
    for name in names:
        try:
            case = cases.get(name)
        except TypeError:  # an unhashable name (only from a caller, never from group_runs)
            case = None
        try:
            records.append(_one_record(inv, name, case, context, status, why, stderr_tail, skip_reason))
        except Exception as e:  # a harness bug must not end the run; the record says what happened
            records.append(invalid_case_record(
                inv, name, f"harness error while recording this case ({type(e).__name__}: "
                           f"{gbench.shown(str(e))}); please report it", raw_file=inv.get("raw_file")))
    return _unique_ids(records)


def _one_record(inv, name, case, context, status, why, stderr_tail, skip_reason):
    parsed, problem = _name_problem(inv, name)
    if isinstance(case, dict) and case.get("problem"):
        problem = str(case["problem"])
    if problem:
        if status:
            problem += f"; {why}"
        return invalid_case_record(inv, name, problem, raw_file=inv.get("raw_file"))
    variant, params, case_workers = parsed
    if not isinstance(case, dict) or (status and not case.get("runs") and not case.get("error")):
        if not status and skip_reason:
            final, message = "skipped", skip_reason
        else:
            final = status or "failed"
            message = _with_stderr(why or "case missing from the benchmark's output", stderr_tail)
        return make_record(inv["workload"], inv["model"], variant, params, case_workers, None, final, message,
                           name=name, raw_file=inv.get("raw_file"))
    return case_record(inv, name, variant, params, case_workers, case, context)


def _unique_ids(records):
    seen = set()
    for record in records:
        base_id, base_case, n = record["id"], record["case"], 1
        while record["id"] in seen:
            n += 1
            record["id"], record["case"] = f"{base_id}#{n}", f"{base_case}#{n}"
        seen.add(record["id"])
    return records
