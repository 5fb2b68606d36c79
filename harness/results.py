"""Loading, validating and atomically writing results.json.

Strict JSON both ways: `load` refuses NaN and ±Infinity, `validate` refuses them (and anything that is not a JSON
value) in memory, and `write_atomic` never writes a file that its own `validate` would refuse: records that would
not validate are first replaced by failed records that do (`sanitize`), and anything else that is wrong raises
ResultsError before the file is touched."""
import json
import math
import os
import pathlib
import tempfile

from . import SCHEMA_VERSION

SCHEMA_PATH = pathlib.Path(__file__).resolve().parent.parent / "results" / "schema" / "results.schema.json"
FILE_MODE = 0o644  # results.json is read by collaborators on shared filesystems; the umask still applies


class ResultsError(ValueError):
    """A results.json that is missing, unreadable or does not match the schema; the message is one line."""


def _schema():
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        return json.load(f)


def _validator(schema=None):
    import jsonschema  # Debian: python3-jsonschema
    return jsonschema.Draft202012Validator(schema or _schema())


def _record_validator(schema):
    """A validator for one record: the schema's `$defs/record` with the schema's `$defs` around it."""
    return _validator({"$schema": schema.get("$schema"), "$defs": schema["$defs"], "$ref": "#/$defs/record"})


def _one_line(text, limit=300):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


def not_json(value):
    """(path, why) of the first value that strict JSON cannot hold — NaN, ±Infinity, an integer beyond a double,
    a non-string object key, a type that is not a JSON type — or None when there is none."""
    stack = [((), value)]
    while stack:
        path, v = stack.pop()
        if isinstance(v, bool) or v is None or isinstance(v, str):
            continue
        if isinstance(v, float):
            if not math.isfinite(v):
                return path, f"{'NaN' if math.isnan(v) else 'Infinity'} is not valid JSON"
            continue
        if isinstance(v, int):
            try:
                float(v)
            except OverflowError:  # beyond a double: JSON readers cannot hold it
                return path, "an integer too large for JSON readers"
            continue
        if isinstance(v, dict):
            for k, item in v.items():
                if not isinstance(k, str):
                    return path, f"object key {k!r} is not a string"
                stack.append((path + (k,), item))
            continue
        if isinstance(v, (list, tuple)):
            stack.extend((path + (i,), item) for i, item in enumerate(v))
            continue
        return path, f"a {type(v).__name__} is not a JSON value"
    return None


def _where(path):
    return "/".join(str(p) for p in path) or "(top)"


def validate(doc):
    """Raises ResultsError naming the first problem (with its JSON path)."""
    if not isinstance(doc, dict):
        raise ResultsError("top level is not a JSON object")
    if doc.get("schema") != SCHEMA_VERSION:
        raise ResultsError(f"schema is {_one_line(repr(doc.get('schema')), 80)}, expected {SCHEMA_VERSION!r}")
    bad = not_json(doc)
    if bad:
        raise ResultsError(f"{_where(bad[0])}: {bad[1]}")
    import jsonschema
    errors = list(_validator().iter_errors(doc))
    if errors:
        first = jsonschema.exceptions.best_match(errors)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ResultsError(f"{_where(first.absolute_path)}: {_one_line(first.message)}{more}")
    ids = [r["id"] for r in doc["records"]]
    if len(ids) != len(set(ids)):
        seen = set()
        dup = next(i for i in ids if i in seen or seen.add(i))
        raise ResultsError(f"records: duplicate record id {_one_line(repr(dup), 200)}")


# Safe values for the fields of a replacement record, by field; anything else that does not validate is dropped.
def _fallbacks(index):
    return {"id": None, "workload": "unknown", "model": "unknown", "variant": "invalid-record", "params": {},
            "workers": None, "case": f"invalid-record-{index}", "metric": None, "raw_file": None, "derived": {},
            "counters": {}, "noisy": False}


def _replacement(record, index, problem, validator):
    """A failed record that validates, keeping what it can of `record` (id, names, worker count, raw file)."""
    from .records import make_record  # records does not import results
    original = record if isinstance(record, dict) else {}
    fields = {k: original.get(k) for k in ("workload", "model", "variant", "params", "workers", "metric",
                                             "raw_file")}
    case = original.get("case") if isinstance(original.get("case"), str) and original.get("case") \
        else f"invalid-record-{index}"
    message = f"this record did not validate ({_one_line(problem, 200)}) and was replaced by a failed record"
    candidate = make_record(fields["workload"], fields["model"], fields["variant"], fields["params"],
                            fields["workers"], fields["metric"], "failed", message, name=case,
                            raw_file=fields["raw_file"])
    if isinstance(original.get("id"), str) and original.get("id"):
        candidate["id"] = original["id"]
    fallbacks = _fallbacks(index)
    for _ in range(len(candidate) + 3):
        errors = list(validator.iter_errors(candidate))
        bad = not_json(candidate)
        if not errors and not bad:
            return candidate
        fields_wrong = {e.absolute_path[0] for e in errors if e.absolute_path}
        if bad and bad[0]:
            fields_wrong.add(bad[0][0])
        for e in errors:
            if e.validator == "required":
                for key in validator.schema.get("$defs", {}).get("record", {}).get("required", []):
                    candidate.setdefault(key, fallbacks.get(key))
            elif e.validator == "additionalProperties":
                allowed = validator.schema["$defs"]["record"].get("properties", {})
                for key in [k for k in candidate if k not in allowed]:
                    del candidate[key]
        for key in fields_wrong:
            if key in fallbacks:
                candidate[key] = fallbacks[key]
        if candidate.get("metric") is None:
            candidate["metric"] = {"name": "ns_per_op", "unit": "ns", "direction": "lower"}
        if not isinstance(candidate.get("id"), str) or not candidate.get("id"):
            candidate["id"] = f"{candidate['workload']}/{candidate['model']}/{candidate['case']}"
    raise ResultsError(f"records/{index}: cannot be replaced by a valid failed record ({_one_line(problem, 200)})")


def sanitize(doc):
    """Makes every record of `doc` valid, in place, and returns one line per record it changed.

    - a `derived` figure that is not a finite number (a speedup over a zero median) becomes null;
    - a record that does not validate against the record schema, or holds NaN, ±Infinity or a non-JSON value,
      is replaced by a failed record (same id, names and worker count where those are valid) whose message says
      what was wrong;
    - a record whose id an earlier record already has is replaced by a failed record with id `<id>#<n>`.
    Problems outside `records` are left for `validate` to report."""
    if not isinstance(doc, dict) or not isinstance(doc.get("records"), list):
        return []
    schema = _schema()
    validator = _record_validator(schema)
    import jsonschema
    changes, seen = [], set()
    for index, record in enumerate(doc["records"]):
        if isinstance(record, dict) and isinstance(record.get("derived"), dict):
            for key, value in record["derived"].items():
                if not_json(value):
                    record["derived"][key] = None
        problem = None
        bad = not_json(record)
        if bad:
            problem = f"{_where(bad[0])}: {bad[1]}"
        else:
            errors = list(validator.iter_errors(record))
            if errors:
                first = jsonschema.exceptions.best_match(errors)
                problem = f"{_where(first.absolute_path)}: {first.message}"
        if problem is None and record["id"] in seen:
            problem = f"duplicate record id {_one_line(record['id'], 200)}"
        if problem is not None:
            replacement = _replacement(record, index, problem, validator)
            base, n = replacement["id"], 1
            while replacement["id"] in seen:
                n += 1
                replacement["id"] = f"{base}#{n}"
            doc["records"][index] = replacement
            changes.append(f"records/{index}: {_one_line(problem, 200)}")
            record = replacement
        seen.add(record["id"])
    return changes


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def load(path):
    """Reads and validates a results.json; raises ResultsError with one line on any problem."""
    path = pathlib.Path(path)
    if path.is_dir():
        path = path / "results.json"
    if path.exists() and not path.is_file():  # a FIFO or a device: opening it could block or never end
        raise ResultsError(f"{path}: not a regular file")
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f, parse_constant=_reject_constant)
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ResultsError(f"{path}: not valid JSON ({_one_line(e)})") from None
    except RecursionError:
        raise ResultsError(f"{path}: not valid JSON (nested too deeply)") from None
    except ValueError as e:  # NaN/Infinity, or an integer with more digits than Python converts
        raise ResultsError(f"{path}: not valid JSON ({_one_line(e, 120)})") from None
    except OSError as e:
        raise ResultsError(f"{path}: {e.strerror}") from None
    try:
        validate(doc)
    except ResultsError as e:
        raise ResultsError(f"{path}: {e}") from None
    return doc


def _umask():
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path, doc):
    """Writes results.json so that a reader (or a crash) sees either the old file or the new one, never half,
    and never an invalid one: `sanitize(doc)` first (in place: the caller's document then matches the file),
    then `validate(doc)`, which raises ResultsError before anything is written; then strict JSON (no NaN or
    Infinity) to a temporary file of mode 0644 (less the umask), fsync, rename over `path`, fsync the folder."""
    path = pathlib.Path(path)
    sanitize(doc)
    validate(doc)
    text = json.dumps(doc, indent=1, sort_keys=False, allow_nan=False) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=".results.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(folder)
    except OSError:
        pass
    finally:
        os.close(folder)
