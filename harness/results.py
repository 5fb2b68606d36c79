"""Loading, validating and atomically writing results.json."""
import json
import os
import pathlib
import tempfile

from . import SCHEMA_VERSION

SCHEMA_PATH = pathlib.Path(__file__).resolve().parent.parent / "results" / "schema" / "results.schema.json"


class ResultsError(ValueError):
    """A results.json that is missing, unreadable or does not match the schema; the message is one line."""


def _validator():
    import jsonschema  # Debian: python3-jsonschema
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema = json.load(f)
    return jsonschema.Draft202012Validator(schema)


def validate(doc):
    """Raises ResultsError naming the first problem (with its JSON path)."""
    if not isinstance(doc, dict):
        raise ResultsError("top level is not a JSON object")
    if doc.get("schema") != SCHEMA_VERSION:
        raise ResultsError(f"schema is {doc.get('schema')!r}, expected {SCHEMA_VERSION!r}")
    import jsonschema
    errors = list(_validator().iter_errors(doc))
    if errors:
        first = jsonschema.exceptions.best_match(errors)
        where = "/".join(str(p) for p in first.absolute_path) or "(top)"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ResultsError(f"{where}: {first.message}{more}")
    ids = [r["id"] for r in doc["records"]]
    if len(ids) != len(set(ids)):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ResultsError(f"records: duplicate record id {dup!r}")


def load(path):
    """Reads and validates a results.json; raises ResultsError with one line on any problem."""
    path = pathlib.Path(path)
    if path.is_dir():
        path = path / "results.json"
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ResultsError(f"{path}: not valid JSON ({e})") from None
    except OSError as e:
        raise ResultsError(f"{path}: {e.strerror}") from None
    try:
        validate(doc)
    except ResultsError as e:
        raise ResultsError(f"{path}: {e}") from None
    return doc


def write_atomic(path, doc):
    """Writes JSON so that a reader (or a crash) sees either the old file or the new one, never half."""
    path = pathlib.Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".results.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1, sort_keys=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
