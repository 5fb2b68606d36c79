"""compare BASE NEW: the regression gate between two runs.

Both files are results.json (schema parbench-results/2) or both are raw Google Benchmark JSON files; records are
matched by id (results.json) or by case name (raw files). Each record present and ok on both sides gets a verdict:

  faster / slower  the median moved by at least `threshold` (relative, in the metric's good/bad direction) and the
                   change is significant: Mann-Whitney U (two-sided) p < alpha when the sample sizes let the test
                   reach alpha at all; otherwise (e.g. 3 vs 3 samples, whose smallest exact p is 0.1) the samples of
                   the two sides must not overlap at all (every new sample beyond every base sample)
  same             the median moved by less than `threshold`, and neither side's interval of the median is wider
                   than `threshold` (else a change of that size could hide in the spread: noisy)
  noisy            too few samples (below `min_samples` on either side), or a change beyond the threshold that
                   the test cannot tell from the spread

Other outcomes: `failed` (ok in BASE, failed or timed out in NEW: a regression), `fixed` (the reverse),
`not ok` (neither side ok), `skipped`, `only in base` / `only in new`, and `incomparable` (different units or
metrics). Exit status: 1 for any `slower` or `failed`, 0 otherwise, 2 for bad input (one line on stderr)."""
import html
import json
import math
import pathlib

from . import gbench, metrics, results, stats

DEFAULT_THRESHOLD = 0.05
DEFAULT_ALPHA = 0.05
DEFAULT_MIN_SAMPLES = 3
# Context fields whose difference says the two runs may not be comparable at all (printed loudly).
_HOST_IDENTITY = ("hostname", "cpu_model", "logical_cpus", "usable_cpus", "cores", "sockets")
# Host fields that describe the moment, not the machine: never reported as a context difference.
_HOST_TRANSIENT = {"load_average_start", "load_average_end", "frequency_mhz", "frequency_mhz_measured",
                   "frequency_mhz_samples"}
# Raw Google Benchmark context fields that describe the moment (date, load) rather than the machine.
_RAW_TRANSIENT = {"date", "load_avg", "executable", "mhz_per_cpu"}
REGRESSIONS = ("slower", "failed")


class CompareError(ValueError):
    """Bad input: the one line printed before exit code 2."""


# ---------------------------------------------------------------------------------------------------- loading
def _read_json(path):
    path = pathlib.Path(path)
    if path.is_dir():
        path = path / "results.json"
    if not path.exists():
        raise CompareError(f"{path}: no such file")
    if not path.is_file():
        raise CompareError(f"{path}: not a regular file")
    try:
        with open(path, encoding="utf-8") as f:
            return path, json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CompareError(f"{path}: not valid JSON ({' '.join(str(e).split())})") from None
    except RecursionError:
        raise CompareError(f"{path}: not valid JSON (nested too deeply)") from None
    except ValueError as e:
        raise CompareError(f"{path}: not valid JSON ({e})") from None
    except OSError as e:
        raise CompareError(f"{path}: {e.strerror or e}") from None


def kind_of(doc):
    """'results' (a parbench results.json of any schema version), 'raw' (Google Benchmark output) or None."""
    if isinstance(doc, dict) and isinstance(doc.get("schema"), str) and doc["schema"].startswith("parbench-results"):
        return "results"
    if isinstance(doc, dict) and isinstance(doc.get("benchmarks"), list) and isinstance(doc.get("context"), dict):
        return "raw"
    return None


def load(path):
    """(kind, side): side = {'path', 'records': {id: record}, 'context': {...}}; a record is {'id', 'status',
    'samples', 'median', 'ci', 'unit', 'direction', 'metric', 'message'}. Raises CompareError (one line)."""
    path, doc = _read_json(path)
    kind = kind_of(doc)
    if kind is None:
        raise CompareError(f"{path}: neither a parbench results.json nor Google Benchmark JSON output")
    if kind == "results":
        try:
            results.validate(doc)  # refuses another schema version: its fields may mean something else
        except results.ResultsError as e:
            raise CompareError(f"{path}: incompatible or invalid results.json ({e})") from None
        return kind, _from_results(path, doc)
    return kind, _from_raw(path, doc)


def _from_results(path, doc):
    records = {}
    for r in doc["records"]:
        metric = r.get("metric") or {}
        records[r["id"]] = {"id": r["id"], "status": r["status"], "samples": list(r.get("samples") or []),
                            "median": r.get("median"), "ci": r.get("ci"), "ci_coverage": r.get("ci_coverage"),
                            "metric": metric.get("name"), "unit": metric.get("unit"),
                            "direction": metric.get("direction"), "message": r.get("message", ""),
                            "counters": r.get("counters") or {}}
    context = {"host": doc.get("host") or {}, "software": doc.get("software") or {},
               "run": {k: (doc.get("run") or {}).get("config", {}).get(k)
                       for k in ("profile", "repetitions", "min_time", "warmup", "bind", "size")}}
    return {"path": str(path), "records": records, "context": context, "git": (doc.get("run") or {}).get("git")}


def _from_raw(path, doc):
    """Records of a raw Google Benchmark file: one per case name (decorations removed), the primary metric the
    benchmark names in its context (`parbench_primary_metric`), else real_time; repetitions are the samples."""
    context = doc["context"]
    wanted = context.get("parbench_primary_metric")
    metric_name = wanted if isinstance(wanted, str) and wanted else "real_time"
    try:
        cases = gbench.group_runs(doc)
    except gbench.BenchmarkJsonError as e:
        raise CompareError(f"{path}: {e}") from None
    records = {}
    for name, case in cases.items():
        record = {"id": name, "status": "ok", "samples": [], "median": None, "ci": None, "ci_coverage": None,
                  "metric": metric_name, "unit": None, "direction": None, "message": "", "counters": {}}
        records[name] = record
        if case.get("problem"):
            record.update(status="failed", message=case["problem"])
            continue
        if case.get("error"):
            record.update(status="skipped" if case["error"].startswith("skipped:") else "failed",
                          message=case["error"])
            continue
        values = [run.get(metric_name) for run in case["runs"]]
        if not values or not all(gbench.is_number(v) for v in values):
            record.update(status="failed", message=f"metric {metric_name} missing or not a finite number")
            continue
        units = {run.get("time_unit", "ns") for run in case["runs"]}
        time_unit = units.pop() if len(units) == 1 else None
        if metric_name in ("real_time", "cpu_time") and time_unit is None:
            record.update(status="failed", message="repetitions report different time units")
            continue
        unit, direction = metrics.describe(metric_name, time_unit or "ns")
        record.update(samples=values, unit=unit, direction=direction, **{
            k: v for k, v in stats.summarize(values).items() if k in ("median", "ci")})
        record["ci_coverage"] = stats.interval(values)[1]
    host = {k: v for k, v in context.items() if not k.startswith("parbench_") or k == "parbench_skipped_reason"}
    software = {k: v for k, v in context.items() if k.startswith("parbench_") and k != "parbench_skipped_reason"}
    return {"path": str(path), "records": records, "context": {"host": host, "software": software, "run": {}},
            "git": None}


# ---------------------------------------------------------------------------------------------------- statistics
def smallest_p(n1, n2):
    """The smallest two-sided p the exact Mann-Whitney U test can give for samples of n1 and n2 without ties:
    both tails of the most extreme arrangement, 2 / C(n1 + n2, n1)."""
    return min(1.0, 2.0 / math.comb(n1 + n2, n1))


def mann_whitney_p(base, new):
    """Two-sided Mann-Whitney U p-value (scipy): exact for small samples without ties, else the normal
    approximation with tie correction. None when every value is equal (no ranking to test)."""
    from scipy.stats import mannwhitneyu
    if len(set(base) | set(new)) == 1:
        return None
    return float(mannwhitneyu(base, new, alternative="two-sided", method="auto").pvalue)


def _relative(value, reference):
    if reference == 0:
        return None
    return (value - reference) / abs(reference)


def _spread(record):
    """Half-width of the record's interval of the median relative to the median (None without one)."""
    ci, median = record.get("ci"), record.get("median")
    if not ci or median in (None, 0):
        return None
    return (ci[1] - ci[0]) / 2 / abs(median)


def judge(base, new, threshold=DEFAULT_THRESHOLD, alpha=DEFAULT_ALPHA, min_samples=DEFAULT_MIN_SAMPLES,
          few_samples="separation"):
    """The comparison of one record present on both sides: {'verdict', 'change', 'p', 'basis', 'why'}.
    `change` is the relative change of the median (NEW - BASE) / |BASE|, signed as measured; `basis` says how a
    faster/slower verdict was decided: 'mann-whitney' or 'separation'."""
    out = {"verdict": None, "change": None, "p": None, "basis": None, "why": ""}
    b_ok, n_ok = base["status"] == "ok", new["status"] == "ok"
    if not b_ok or not n_ok:
        if b_ok and new["status"] in ("failed", "timeout"):
            out.update(verdict="failed", why=f"ok in base, {new['status']} in new: {new['message']}")
        elif n_ok and base["status"] in ("failed", "timeout"):
            out.update(verdict="fixed", why=f"{base['status']} in base, ok in new")
        elif "skipped" in (base["status"], new["status"]):
            out.update(verdict="skipped", why=f"base {base['status']}, new {new['status']}")
        else:
            out.update(verdict="not ok", why=f"base {base['status']}, new {new['status']}")
        return out
    if (base["metric"], base["unit"]) != (new["metric"], new["unit"]):
        out.update(verdict="incomparable", why=f"metric {base['metric']} [{base['unit']}] in base, "
                                               f"{new['metric']} [{new['unit']}] in new")
        return out
    direction = base["direction"]
    if direction not in ("lower", "higher"):
        out.update(verdict="incomparable", why=f"metric {base['metric']} has no better direction")
        return out
    change = _relative(new["median"], base["median"])
    out["change"] = change
    if change is None:
        out.update(verdict="incomparable", why="base median is 0: no relative change")
        return out
    xs, ys = base["samples"], new["samples"]
    if min(len(xs), len(ys)) < min_samples:
        out.update(verdict="noisy", why=f"too few samples ({len(xs)} vs {len(ys)}; at least {min_samples} each)")
        return out
    out["p"] = mann_whitney_p(xs, ys)
    worse = change > 0 if direction == "lower" else change < 0
    if abs(change) < threshold:
        wide = [side for side, r in (("base", base), ("new", new))
                if _spread(r) is not None and _spread(r) > threshold]
        if wide:
            out.update(verdict="noisy", why=f"{' and '.join(wide)} interval of the median wider than "
                                            f"±{threshold:.0%}: a change of that size could hide in it")
        else:
            out.update(verdict="same", why=f"median moved {change:+.1%}, within ±{threshold:.0%}")
        return out
    if smallest_p(len(xs), len(ys)) < alpha:
        significant = out["p"] is not None and out["p"] < alpha
        out["basis"] = "mann-whitney"
        if not significant:
            out.update(verdict="noisy", basis=None,
                       why=f"median moved {change:+.1%} but Mann-Whitney p = {_p_text(out['p'])} is not below "
                           f"{alpha:g}")
            return out
    elif few_samples == "noisy":
        out.update(verdict="noisy", why=f"median moved {change:+.1%}, but with {len(xs)} vs {len(ys)} samples "
                                        f"Mann-Whitney cannot reach p < {alpha:g} (smallest p "
                                        f"{smallest_p(len(xs), len(ys)):.3g}; --few-samples noisy)")
        return out
    else:
        separated = max(ys) < min(xs) or min(ys) > max(xs)
        out["basis"] = "separation"
        if not separated:
            out.update(verdict="noisy", basis=None,
                       why=f"median moved {change:+.1%}; with {len(xs)} vs {len(ys)} samples Mann-Whitney cannot "
                           f"reach p < {alpha:g} (smallest p {smallest_p(len(xs), len(ys)):.3g}) and the samples "
                           f"overlap")
            return out
    out.update(verdict="slower" if worse else "faster",
               why=f"median moved {change:+.1%} ({'worse' if worse else 'better'}; {direction} is better); " + (
                   f"Mann-Whitney p = {_p_text(out['p'])} < {alpha:g}" if out["basis"] == "mann-whitney" else
                   f"no sample overlaps the other side (Mann-Whitney cannot reach p < {alpha:g} with "
                   f"{len(xs)} vs {len(ys)} samples)"))
    return out


def _p_text(p):
    return "n/a" if p is None else f"{p:.3g}"


# ---------------------------------------------------------------------------------------------------- comparing
def context_differences(base, new):
    """[(section, key, base value, new value)] for the host/software/run facts that differ."""
    diffs = []
    for section in ("host", "software", "run"):
        b, n = base["context"].get(section) or {}, new["context"].get(section) or {}
        for key in sorted(set(b) | set(n)):
            if key in _HOST_TRANSIENT or key in _RAW_TRANSIENT:
                continue
            if json.dumps(b.get(key), sort_keys=True) != json.dumps(n.get(key), sort_keys=True):
                diffs.append((section, key, b.get(key), n.get(key)))
    return diffs


def hosts_differ(kind, base, new):
    keys = _HOST_IDENTITY if kind == "results" else ("host_name", "num_cpus")
    b, n = base["context"]["host"], new["context"]["host"]
    return [k for k in keys if k in b or k in n if json.dumps(b.get(k)) != json.dumps(n.get(k))]


def compare(base_path, new_path, threshold=DEFAULT_THRESHOLD, alpha=DEFAULT_ALPHA, min_samples=DEFAULT_MIN_SAMPLES,
            few_samples="separation"):
    """The comparison as a JSON-ready dict (see docs/compare.md); raises CompareError on bad input."""
    if not 0 < threshold < 10:
        raise CompareError(f"--threshold {threshold!r}: must be a relative change above 0 (e.g. 0.05)")
    if not 0 < alpha < 1:
        raise CompareError(f"--alpha {alpha!r}: must be between 0 and 1")
    if few_samples not in ("separation", "noisy"):
        raise CompareError(f"--few-samples {few_samples!r}: separation or noisy")
    if min_samples < 1:
        raise CompareError(f"--min-samples {min_samples!r}: must be at least 1")
    base_kind, base = load(base_path)
    new_kind, new = load(new_path)
    if base_kind != new_kind:
        raise CompareError(f"cannot compare a {_kind_name(base_kind)} ({base['path']}) with a "
                           f"{_kind_name(new_kind)} ({new['path']})")
    rows = []
    for rid in sorted(set(base["records"]) | set(new["records"])):
        b, n = base["records"].get(rid), new["records"].get(rid)
        row = {"id": rid, "base": _side(b), "new": _side(n)}
        if b is None or n is None:
            row.update(verdict="only in new" if b is None else "only in base", change=None, p=None, basis=None,
                       why=f"no record {'in base' if b is None else 'in new'}")
        else:
            row.update(judge(b, n, threshold, alpha, min_samples, few_samples))
        rows.append(row)
    counts = {}
    for row in rows:
        counts[row["verdict"]] = counts.get(row["verdict"], 0) + 1
    regressions = [row["id"] for row in rows if row["verdict"] in REGRESSIONS]
    return {
        "kind": base_kind, "base": base["path"], "new": new["path"],
        "settings": {"threshold": threshold, "alpha": alpha, "min_samples": min_samples,
                     "test": "Mann-Whitney U, two-sided (scipy.stats.mannwhitneyu)",
                     "few_samples": few_samples},
        "hosts_differ": hosts_differ(base_kind, base, new),
        "context_differences": [{"section": s, "key": k, "base": bv, "new": nv}
                                for s, k, bv, nv in context_differences(base, new)],
        "git": {"base": base["git"], "new": new["git"]},
        "counts": counts, "regressions": regressions, "rows": rows,
        "exit_status": 1 if regressions else 0,
    }


def _kind_name(kind):
    return "parbench results.json" if kind == "results" else "raw Google Benchmark JSON file"


def _side(record):
    if record is None:
        return None
    return {k: record[k] for k in ("status", "median", "ci", "unit", "direction", "metric", "samples", "message")}


# ---------------------------------------------------------------------------------------------------- output
VERDICT_ORDER = ("failed", "slower", "noisy", "incomparable", "only in base", "only in new", "faster", "fixed",
                 "same", "skipped", "not ok")


def _num(value):
    if value is None:
        return "—"
    return f"{value:.4g}"


def _value(side):
    if side is None:
        return "—"
    if side["status"] != "ok":
        return side["status"]
    return f"{_num(side['median'])} {side['unit'] or ''}".strip() + f" (n={len(side['samples'])})"


def _change(row):
    return "—" if row["change"] is None else f"{row['change']:+.1%}"


def _sorted_rows(report):
    order = {v: i for i, v in enumerate(VERDICT_ORDER)}
    return sorted(report["rows"], key=lambda r: (order.get(r["verdict"], 99), r["id"]))


def _md_cell(text):
    """Markdown table cell: no line breaks, pipes escaped, HTML escaped (GitHub renders inline HTML)."""
    return html.escape(" ".join(str(text).split())).replace("|", "\\|")


def machine_warning(report):
    """The loud line about the machines, or None: a different CPU model or core/CPU count is a different machine;
    a different host name alone is another host of the same kind (e.g. another CI runner of the same class)."""
    differ = report["hosts_differ"]
    if not differ:
        return None
    if set(differ) <= {"hostname", "host_name"}:
        return ("WARNING: the two runs come from different hosts of the same kind (same CPU model and counts): "
                "expect host-to-host variation.")
    return (f"WARNING: the two runs come from different machines ({', '.join(differ)} differ): changes may be "
            f"the machine, not the code.")


def context_lines(report):
    lines = []
    if machine_warning(report):
        lines.append(f"**{machine_warning(report)}**")
    for d in report["context_differences"]:
        lines.append(f"- {d['section']}.{d['key']}: {_short(d['base'])} → {_short(d['new'])}")
    return lines


def _short(value, limit=120):
    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[:limit] + "…"


def markdown(report):
    s = report["settings"]
    counts = ", ".join(f"{report['counts'][v]} {v}" for v in VERDICT_ORDER if v in report["counts"])
    out = ["## parbench compare", "",
           f"Base `{_md_cell(report['base'])}` → new `{_md_cell(report['new'])}`: {counts or 'no records'}.", "",
           f"Thresholds: a change of the median of at least {s['threshold']:.0%} that is significant — two-sided "
           f"Mann–Whitney U p < {s['alpha']:g}; where the sample sizes cannot reach that p (3 vs 3: smallest "
           f"p 0.1) " + ("no overlap between the two sides' samples decides" if s["few_samples"] == "separation"
                         else "the record is noisy") +
           f"; fewer than {s['min_samples']} samples on a side is noisy.", ""]
    ctx = context_lines(report)
    if ctx:
        out += ["### Context differences", ""] + [_md_cell(line).replace("\\|", "|") if line.startswith("**")
                                                   else "- " + _md_cell(line[2:]) for line in ctx] + [""]
    out += ["| verdict | record | base | new | change | p | why |", "|---|---|---|---|---|---|---|"]
    for row in _sorted_rows(report):
        verdict = f"**{row['verdict']}**" if row["verdict"] in REGRESSIONS else row["verdict"]
        out.append(f"| {verdict} | {_md_cell(row['id'])} | {_md_cell(_value(row['base']))} | "
                   f"{_md_cell(_value(row['new']))} | {_change(row)} | {_p_text(row['p'])} | {_md_cell(row['why'])} |")
    regressions = len(report["regressions"])
    verdict = f"REGRESSION: {regressions} record(s) slower or failed" if regressions else "no regression"
    out += ["", f"Result: {verdict} (exit {report['exit_status']})."]
    return "\n".join(out) + "\n"


def html_page(report):
    e = html.escape
    counts = ", ".join(f"{report['counts'][v]} {v}" for v in VERDICT_ORDER if v in report["counts"])
    rows = "\n".join(
        f"<tr class=\"{e(row['verdict'].replace(' ', '-'))}\"><td>{e(row['verdict'])}</td><td>{e(row['id'])}</td>"
        f"<td>{e(_value(row['base']))}</td><td>{e(_value(row['new']))}</td><td>{e(_change(row))}</td>"
        f"<td>{e(_p_text(row['p']))}</td><td>{e(row['why'])}</td></tr>" for row in _sorted_rows(report))
    warning = f"<p class=\"warn\">{e(machine_warning(report))}</p>" if machine_warning(report) else ""
    diffs = "".join(f"<li>{e(d['section'])}.{e(d['key'])}: {e(_short(d['base']))} → {e(_short(d['new']))}</li>"
                    for d in report["context_differences"])
    s = report["settings"]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>parbench compare</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;
padding:2px 6px;text-align:left}}.warn{{color:#b00;font-weight:bold;font-size:1.2em}}
tr.slower,tr.failed{{background:#fdd}}tr.faster,tr.fixed{{background:#dfd}}tr.noisy{{background:#ffd}}</style></head><body>
<h1>parbench compare</h1>
<p>Base <code>{e(report['base'])}</code> → new <code>{e(report['new'])}</code>: {e(counts or 'no records')}.</p>
<p>Threshold {s['threshold']:.0%} change of the median; two-sided Mann–Whitney U p &lt; {s['alpha']:g}; where the
sample sizes cannot reach that p: {'no overlap of the samples decides' if s['few_samples'] == 'separation'
else 'noisy'}; fewer than {s['min_samples']} samples: noisy.</p>
{warning}{'<h2>Context differences</h2><ul>' + diffs + '</ul>' if diffs else ''}
<table><thead><tr><th>verdict</th><th>record</th><th>base</th><th>new</th><th>change</th><th>p</th><th>why</th></tr>
</thead><tbody>
{rows}
</tbody></table>
<p>Result: {'regression' if report['regressions'] else 'no regression'} (exit {report['exit_status']}).</p>
</body></html>
"""


def finite(value):
    """`value` with every NaN or infinity (a raw file's context may hold them) replaced by None: strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def _write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main(args):
    """The `compare` verb: markdown on stdout, --json/--html/--markdown files; exit 0, 1 (regression) or 2."""
    import sys
    try:
        report = compare(args.base, args.new, args.threshold, args.alpha, args.min_samples, args.few_samples)
    except CompareError as e:
        print(f"harness compare: {e}", file=sys.stderr)
        return 2
    text = markdown(report)
    try:
        if args.json:
            _write(args.json, json.dumps(finite(report), indent=1, allow_nan=False) + "\n")
        if args.html:
            _write(args.html, html_page(report))
        if args.markdown:
            _write(args.markdown, text)
    except OSError as e:
        print(f"harness compare: cannot write {e.filename}: {e.strerror}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return report["exit_status"]


def machine_class(doc):
    """The baseline class of a run's machine: a slug of the CPU's name, vendor family/model, and its core and
    logical CPU counts, e.g. 'intel-xeon-processor-f6-m143-2c-2t'. Runs of one class are comparable; the
    stepping, microcode, host name and memory are left out so that identical cloud runners share a baseline."""
    import re
    host = doc.get("host") or {}
    cpu = host.get("cpu") or {}
    name = re.sub(r"\((r|tm|c)\)", "", str(cpu.get("name") or host.get("cpu_model") or "unknown-cpu").lower())
    parts = [name, f"f{cpu.get('family')}-m{cpu.get('model')}" if cpu.get("family") is not None else "",
             f"{host.get('cores')}c", f"{host.get('logical_cpus')}t"]
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join(parts)).strip("-")
    return slug[:120] or "unknown"
