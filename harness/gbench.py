"""Reading Google Benchmark's JSON output and case names."""
import json
import re

# Decorations Google Benchmark appends to a registered name; the case-name contract excludes them.
_DECORATION = re.compile(r"^(manual_time|real_time|process_time|iterations:\d+|repeats:\d+|threads:\d+|"
                         r"min_time:[0-9.]+s?|min_warmup_time:[0-9.]+s?)$")
# Fields of a run entry that are not user counters.
_NOT_COUNTERS = {
    "name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions",
    "repetition_index", "threads", "iterations", "real_time", "cpu_time", "time_unit", "aggregate_name",
    "aggregate_unit", "error_occurred", "error_message", "label",
}


class BenchmarkJsonError(ValueError):
    """The file is not Google Benchmark JSON output."""


def case_name(name):
    """'atomic/workers:2/manual_time' -> 'atomic/workers:2'."""
    return "/".join(part for part in name.split("/") if not _DECORATION.match(part))


def parse_case(name):
    """'atomic/size:64/workers:2' -> ('atomic', {'size': '64'}, 2). Workers is None when absent."""
    parts = case_name(name).split("/")
    variant, params, workers = parts[0], {}, None
    for part in parts[1:]:
        key, sep, value = part.partition(":")
        if not sep:
            raise BenchmarkJsonError(f"case name {name!r} has a part without ':' ({part!r})")
        if key == "workers":
            if not value.isdigit():
                raise BenchmarkJsonError(f"case name {name!r} has a bad worker count")
            workers = int(value)
        else:
            params[key] = value
    return variant, params, workers


def load(path):
    """Parses a Google Benchmark JSON file; raises BenchmarkJsonError on anything unusable."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise BenchmarkJsonError("no JSON output was written") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BenchmarkJsonError(f"unreadable benchmark JSON ({e})") from None
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list) \
            or not isinstance(data.get("context"), dict):
        raise BenchmarkJsonError("JSON is not Google Benchmark output (no context/benchmarks)")
    return data


def group_runs(data):
    """Per case name: {'samples': [run entries of run_type iteration], 'error': message or None}."""
    cases = {}
    for entry in data["benchmarks"]:
        if not isinstance(entry, dict) or "name" not in entry:
            raise BenchmarkJsonError("benchmark entry without a name")
        if entry.get("run_type", "iteration") != "iteration":
            continue  # aggregates are recomputed from the samples
        name = case_name(entry.get("run_name", entry["name"]))
        case = cases.setdefault(name, {"runs": [], "error": None})
        if entry.get("error_occurred"):
            case["error"] = str(entry.get("error_message", "error"))
        else:
            case["runs"].append(entry)
    return cases


def counters_of(entry):
    """User counters of one run entry (they sit at the top level of the entry)."""
    return {k: v for k, v in entry.items() if k not in _NOT_COUNTERS and isinstance(v, (int, float))}
