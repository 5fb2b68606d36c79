"""Reading Google Benchmark's JSON output and case names.

Whatever a benchmark wrote, these functions either return data or raise BenchmarkJsonError with a one-line
message; nothing else escapes them. `load` refuses a file that cannot be Google Benchmark output at all;
`group_runs` never refuses a single bad entry but reports it as a case with a `problem`, so that the other cases
of the same file still become records."""
import json
import math
import os
import re
import stat

# Decorations Google Benchmark appends to a registered name; the case-name contract excludes them.
_DECORATION = re.compile(r"^(manual_time|real_time|process_time|iterations:\d+|repeats:\d+|threads:\d+|"
                         r"min_time:[0-9.]+s?|min_warmup_time:[0-9.]+s?)$")
# Fields of a run entry that are not user counters.
_NOT_COUNTERS = {
    "name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions",
    "repetition_index", "threads", "iterations", "real_time", "cpu_time", "time_unit", "aggregate_name",
    "aggregate_unit", "error_occurred", "error_message", "label",
}
# The largest benchmark JSON file read; Google Benchmark's output for a case is a few kB per repetition.
MAX_JSON_BYTES = 64 * 1024 * 1024
# The largest worker count accepted in a case name: every JSON reader holds it exactly (2**53).
MAX_WORKERS = 2 ** 53
# The longest case name accepted (longer ones are reported, shortened, as invalid cases).
MAX_NAME_CHARS = 500
_DIGITS = re.compile(r"[0-9]+")


class BenchmarkJsonError(ValueError):
    """The file is not Google Benchmark JSON output, or a case name breaks the contract; one-line message."""


def shown(value, limit=120):
    """A one-line, printable, ASCII rendering of any value from a benchmark's output, shortened to `limit`."""
    if isinstance(value, str):
        text = value.encode("unicode_escape", "backslashreplace").decode("ascii")
    else:
        try:
            text = json.dumps(value)
        except (TypeError, ValueError, RecursionError):
            text = f"<{type(value).__name__}>"
        text = text.encode("unicode_escape", "backslashreplace").decode("ascii")
    return text if len(text) <= limit else text[:limit] + "..."


def one_line(text, limit=2000):
    """A benchmark's own text (an error message, a skip reason) as one printable line: control characters, line
    breaks and lone surrogates escaped, at most `limit` characters."""
    text = "".join(c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii")
                   for c in str(text))
    return text if len(text) <= limit else text[:limit] + "..."


def case_name(name):
    """'atomic/workers:2/manual_time' -> 'atomic/workers:2'. Non-strings raise BenchmarkJsonError."""
    if not isinstance(name, str):
        raise BenchmarkJsonError(f"case name {shown(name)} is a {_json_type(name)}, not a string")
    return "/".join(part for part in name.split("/") if not _DECORATION.match(part))


def parse_case(name):
    """'atomic/size:64/workers:2' -> ('atomic', {'size': '64'}, 2). Workers is None when absent.

    The contract is `<variant>/<param>:<value>/…/workers:<n>`: a non-empty variant without ':', parameters with a
    non-empty key and value each named once, workers an integer from 1 to MAX_WORKERS, printable characters only.
    Anything else raises BenchmarkJsonError naming the problem."""
    stripped = case_name(name)
    where = f"case name '{shown(name)}'"
    if not stripped:
        raise BenchmarkJsonError(f"{where} is empty")
    if len(stripped) > MAX_NAME_CHARS:
        raise BenchmarkJsonError(f"{where} is longer than {MAX_NAME_CHARS} characters")
    if not stripped.isprintable():
        raise BenchmarkJsonError(f"{where} contains control or unprintable characters")
    parts = stripped.split("/")
    variant, params, workers = parts[0], {}, None
    if not variant:
        raise BenchmarkJsonError(f"{where} has an empty variant")
    if ":" in variant or variant == "*":
        raise BenchmarkJsonError(f"{where} does not start with a variant (first part '{shown(variant)}')")
    for part in parts:
        if any(piece != piece.strip() for piece in part.split(":")):
            raise BenchmarkJsonError(f"{where} has a part with leading or trailing white space ('{shown(part)}')")
    for part in parts[1:]:
        key, sep, value = part.partition(":")
        if not sep:
            raise BenchmarkJsonError(f"{where} has a part without ':' ('{shown(part)}')")
        if not key or not value:
            raise BenchmarkJsonError(f"{where} has a part with an empty key or value ('{shown(part)}')")
        if key == "workers":
            if workers is not None:
                raise BenchmarkJsonError(f"{where} names workers twice")
            if not _DIGITS.fullmatch(value) or value.startswith("0") or not 1 <= int(value) <= MAX_WORKERS:
                raise BenchmarkJsonError(f"{where} has a bad worker count ('{shown(value)}'; "
                                         f"an integer from 1 to 2**53 without leading zeros)")
            workers = int(value)
        else:
            if key in params:
                raise BenchmarkJsonError(f"{where} names parameter '{shown(key)}' twice")
            params[key] = value
    return variant, params, workers


def _json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def load(path):
    """Parses a Google Benchmark JSON file; raises BenchmarkJsonError on anything unusable: missing, not a regular
    file, over MAX_JSON_BYTES, not UTF-8, not JSON, nested too deeply, or without a `context` object and a
    `benchmarks` list. NaN and ±Infinity are accepted here (Google Benchmark writes them for such counters); the
    record builder turns them into failed records."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise BenchmarkJsonError("the benchmark JSON output is not a regular file")
        if info.st_size > MAX_JSON_BYTES:
            raise BenchmarkJsonError(f"the benchmark JSON output is {info.st_size} bytes, over the "
                                     f"{MAX_JSON_BYTES // (1024 * 1024)} MiB limit")
        with open(path, "rb") as f:
            text = f.read(MAX_JSON_BYTES + 1).decode("utf-8")
        if len(text) > MAX_JSON_BYTES:  # grew while being read
            raise BenchmarkJsonError(f"the benchmark JSON output is over the {MAX_JSON_BYTES // (1024 * 1024)} "
                                     f"MiB limit")
        data = json.loads(text)
    except FileNotFoundError:
        raise BenchmarkJsonError("no JSON output was written") from None
    except UnicodeDecodeError:
        raise BenchmarkJsonError("unreadable benchmark JSON (not UTF-8)") from None
    except json.JSONDecodeError as e:
        raise BenchmarkJsonError(f"unreadable benchmark JSON ({e})") from None
    except RecursionError:
        raise BenchmarkJsonError("unreadable benchmark JSON (nested too deeply)") from None
    except MemoryError:
        raise BenchmarkJsonError("unreadable benchmark JSON (out of memory while parsing)") from None
    except ValueError as e:  # e.g. an integer with more digits than Python converts
        raise BenchmarkJsonError(f"unreadable benchmark JSON ({shown(str(e))})") from None
    except OSError as e:
        raise BenchmarkJsonError(f"cannot read the benchmark JSON output ({e.strerror or e})") from None
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list) \
            or not isinstance(data.get("context"), dict):
        raise BenchmarkJsonError("JSON is not Google Benchmark output (no context/benchmarks)")
    return data


def group_runs(data):
    """Per case name: {'runs': [run entries of run_type iteration], 'error': message or None, 'problem': message
    or None}.

    An entry that is not an object or has no string name becomes a case of its own, keyed `entry:<i>`, with
    a `problem`; an entry with `error_occurred` sets the case's `error` (a non-empty line, see one_line). Raises
    BenchmarkJsonError only when `data` itself is not a dict with a `benchmarks` list."""
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise BenchmarkJsonError("JSON is not Google Benchmark output (no benchmarks list)")
    cases = {}
    for index, entry in enumerate(data["benchmarks"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            # ':' in the first part: never a valid case name, so no valid case merges into this one.
            key, where = f"entry:{index}", f"benchmarks[{index}]"
            if not isinstance(entry, dict):
                problem = f"{where} is a {_json_type(entry)}, not a JSON object"
            elif "name" not in entry:
                problem = f"{where} has no name"
            else:
                problem = f"{where} has a name that is a {_json_type(entry['name'])} ({shown(entry['name'])}), " \
                          f"not a string"
            cases[key] = {"runs": [], "error": None, "problem": problem}
            continue
        if entry.get("run_type", "iteration") != "iteration":
            continue  # aggregates are recomputed from the samples
        run_name = entry.get("run_name")
        name = case_name(run_name if isinstance(run_name, str) else entry["name"])
        case = cases.setdefault(name, {"runs": [], "error": None, "problem": None})
        if entry.get("error_occurred"):
            message = entry.get("error_message")
            if not isinstance(message, str) or not message.strip():
                message = "the benchmark reported an error without a message" if message in (None, "") \
                    else f"the benchmark reported an error ({shown(message)})"
            case["error"] = one_line(message)
        else:
            case["runs"].append(entry)
    return cases


def is_number(value):
    """True for an int or float that is not a bool and is finite (and fits a double)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond a double's range
        return False


def counters_of(entry):
    """User counters of one run entry (they sit at the top level of the entry): every numeric field that is not
    one of Google Benchmark's own. Booleans, strings, lists, objects and null are not counters. NaN and ±Infinity
    are kept (they are numbers Google Benchmark writes) for the record builder to refuse."""
    return {k: v for k, v in entry.items()
            if k not in _NOT_COUNTERS and isinstance(v, (int, float)) and not isinstance(v, bool)}
