"""Turning one invocation's outcome (exit status, raw Google Benchmark JSON, stderr) into records."""
import signal

from . import gbench, metrics, stats


def make_record(workload, model, variant, params, workers, metric, status, message, name=None, raw_file=None):
    """A record without numbers (status not ok, or before its samples are filled in). `variant` "*" with
    `workers` None stands for a whole model or invocation that produced no cases."""
    case = name or (variant + "".join(f"/{k}:{v}" for k, v in params.items()) +
                    (f"/workers:{workers}" if workers is not None else ""))
    return {
        "id": f"{workload}/{model}/{case}",
        "workload": workload, "model": model, "variant": variant, "params": params, "workers": workers,
        "case": case, "metric": metric or {"name": "ns_per_op", "unit": "ns", "direction": "lower"},
        "samples": [], "median": None, "ci95": None, "cv": None, "counters": {},
        "verified": False, "status": status, "message": message, "raw_file": raw_file, "derived": {},
    }



def case_record(inv, name, variant, params, workers, case, context):
    """The record of one case that appears in the benchmark's JSON output."""
    def bare(metric, status, message):
        return make_record(inv["workload"], inv["model"], variant, params, workers, metric, status, message,
                           name=name, raw_file=inv.get("raw_file"))

    metric_name = context.get("parbench_primary_metric") or "real_time"
    time_unit = case["runs"][0].get("time_unit", "ns") if case["runs"] else "ns"
    unit, direction = metrics.describe(metric_name, time_unit)
    metric = {"name": metric_name, "unit": unit, "direction": direction}
    if case["error"]:
        status = "skipped" if case["error"].startswith("skipped:") else "failed"
        return bare(metric, status, case["error"])
    samples = [run.get(metric_name) for run in case["runs"]]
    if not samples or any(not isinstance(s, (int, float)) for s in samples):
        return bare(metric, "failed", f"metric {metric_name} missing from the output")
    record = bare(metric, "ok", "")
    record.update(stats.summarize(samples))
    record["samples"] = samples
    record["verified"] = True
    counter_samples = {}
    for run in case["runs"]:
        for key, value in gbench.counters_of(run).items():
            if key != metric_name:
                counter_samples.setdefault(key, []).append(value)
    for key, values in sorted(counter_samples.items()):
        c_unit, c_direction = metrics.describe(key)
        record["counters"][key] = {"unit": c_unit, "direction": c_direction, "samples": values,
                                   "median": stats.median(values), "ci95": stats.median_ci95(values)}
    return record


def invocation_status(outcome, timeout, problem):
    """(status, why) of an invocation as a whole: timeout, killed, bad exit code, unusable JSON; (None, None) when
    the cases' own entries decide."""
    if outcome.timed_out:
        return "timeout", f"timed out after {timeout} s"
    if outcome.returncode < 0:
        try:
            name = signal.Signals(-outcome.returncode).name
        except ValueError:
            name = "unknown signal"
        return "failed", f"killed by signal {-outcome.returncode} ({name})"
    if outcome.returncode not in (0, 1):
        return "failed", f"exit code {outcome.returncode}"
    if problem:
        return "failed", problem
    return None, None


def invocation_records(inv, expected, cases, context, status, why, stderr_tail):
    """One record per case, expected (listed before the run) or found in the output."""
    records = []
    for name in expected + [n for n in cases if n not in expected]:
        variant, params, case_workers = gbench.parse_case(name)
        case = cases.get(name)
        if case is None or (status and not case["runs"] and not case["error"]):
            message = why or "case missing from the benchmark's output"
            if stderr_tail:
                message += f"; stderr: {stderr_tail[-1500:]}"
            records.append(make_record(inv["workload"], inv["model"], variant, params, case_workers, None,
                                       status or "failed", message, name=name, raw_file=inv.get("raw_file")))
            continue
        records.append(case_record(inv, name, variant, params, case_workers, case, context))
    return records
