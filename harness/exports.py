"""Exports of a run's ok records for the trackers people already use.

- github-action-benchmark (tool `customSmallerIsBetter` or `customBiggerIsBetter`): a JSON list of
  {"name", "unit", "value", "range", "extra"}; `value` a number, the others strings (range and extra optional in
  the action; we always fill them). One file per direction, because the action takes one direction per file:
  customSmallerIsBetter holds the records whose primary metric is lower-is-better, customBiggerIsBetter the others.
- Bencher Metric Format (BMF): {"<benchmark name>": {"<measure>": {"value", "lower_value", "upper_value"}}}, the
  measure being the primary metric's name (plus every counter with a better direction as a further measure).

Only `ok` records are exported: a failed or skipped record has no number, and a tracker must not see one."""
import json

FORMATS = ("customSmallerIsBetter", "customBiggerIsBetter", "bmf")
_DIRECTION = {"customSmallerIsBetter": "lower", "customBiggerIsBetter": "higher"}


def _ok(doc):
    return [r for r in doc["records"] if r["status"] == "ok"]


def _interval_text(record):
    lo, hi = record["ci"]
    return f"[{lo:.6g}, {hi:.6g}] covers the median with {record['ci_coverage']:.2%}"


def github_action_benchmark(doc, tool):
    """The entries for github-action-benchmark's `tool` (customSmallerIsBetter or customBiggerIsBetter). `range`
    is "± h", h the larger distance from the median to an end of its interval (the action shows range as text);
    the exact interval and its coverage are in `extra`."""
    direction = _DIRECTION[tool]
    entries = []
    for r in _ok(doc):
        if r["metric"]["direction"] != direction:
            continue
        lo, hi = r["ci"]
        half = max(r["median"] - lo, hi - r["median"])
        entries.append({
            "name": r["id"], "unit": r["metric"]["unit"] or r["metric"]["name"], "value": r["median"],
            "range": f"± {half:.6g}",
            "extra": f"{r['metric']['name']}: median of {len(r['samples'])} samples; interval "
                     f"{_interval_text(r)}; workers {r['workers']}",
        })
    return entries


def bmf(doc):
    """Bencher Metric Format: benchmark = record id; measures = the primary metric and every counter whose
    direction is known, each {value: median, lower_value, upper_value: the interval of the median}."""
    out = {}
    for r in _ok(doc):
        measures = {r["metric"]["name"]: _bmf_metric(r)}
        for name, c in sorted((r.get("counters") or {}).items()):
            if c.get("direction") in ("lower", "higher") and c.get("median") is not None and c.get("ci"):
                measures.setdefault(name, _bmf_metric(c))
        out[r["id"]] = measures
    return out


def _bmf_metric(stat):
    lo, hi = stat["ci"]
    return {"value": stat["median"], "lower_value": lo, "upper_value": hi}


def export(doc, fmt):
    if fmt == "bmf":
        return bmf(doc)
    return github_action_benchmark(doc, fmt)


def dumps(data):
    return json.dumps(data, indent=1, allow_nan=False) + "\n"


def main(args, doc):
    """The `export` verb: the chosen format on stdout or in --output FILE."""
    import sys
    text = dumps(export(doc, args.format))
    if not args.output:
        sys.stdout.write(text)
        return 0
    try:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        print(f"harness export: cannot write {args.output}: {e.strerror}", file=sys.stderr)
        return 2
    print(f"{args.output}: {len(json.loads(text))} benchmark(s) in {args.format}")
    return 0
