"""A self-contained report.html for a run: what the run's own numbers show, figures embedded, every record in a
table, host and software facts, links to the files. Written to a temporary file and renamed only when complete,
figures included, so a good report is never replaced by a degraded one."""
import base64
import html
import pathlib
import sys

from . import derive, metrics
from .plot import machine as _machine
from .plot import written_whole
from .summary import (LEGEND_INTERVAL, LEGEND_NOISY, LEGEND_OVERHEAD, _fmt, case_label, fmt_interval, fmt_median,
                      fmt_speedup, ordered, status_text)

# Variant pairs compared at every worker count above 1 where both ran in the same model: (workload, variant,
# reference variant). A new workload adds its own telling pairs here.
COMPARISONS = (
    ("counters", "false_sharing", "sharded"),
    ("counters", "atomic", "sharded"),
    ("counters", "locked", "atomic"),
)


# ----- conclusions from the run's own numbers -----
def _ok(records):
    return [r for r in records if r["status"] == "ok" and r["workers"] and r["median"] is not None]


def _verdict(value, ci):
    """'above' when the interval lies above 1, 'below' under it, 'unclear' when it contains 1."""
    low, high = ci if ci else (value, value)
    return "above" if low > 1 else "below" if high < 1 else "unclear"


def _ratios(items, above, below):
    """'4.67× [3.48–5.05] (threads), 4.12× [3.47–4.78] (processes): slower in every model' from (model, ratio,
    interval) items; `above`/`below` name what a ratio above/below 1 means."""
    listed = ", ".join(f"{_fmt(value)}×" + (f" [{_fmt(ci[0])}–{_fmt(ci[1])}]" if ci and ci[0] != ci[1] else "") +
                       f" ({model})" for model, value, ci in items)
    groups = {"above": [], "below": [], "unclear": []}
    for model, value, ci in items:
        groups[_verdict(value, ci)].append(model)
    words = {"above": above, "below": below, "unclear": "no clear difference"}
    for verdict, models in groups.items():
        if len(models) == len(items):
            if len(items) == 1:
                return listed, words[verdict]
            return listed, ("no clear difference in any model" if verdict == "unclear"
                            else f"{words[verdict]} in every model")
    return listed, "; ".join(f"{words[v]} in {', '.join(m)}" for v, m in groups.items() if m)


def _compare_variants(records, workload, variant, reference, cpus):
    """At the smallest and the largest worker count above 1 within the usable CPUs: the ratio of `variant`'s time
    to `reference`'s in each model where both ran."""
    ok = [r for r in ordered(_ok(records)) if r["workload"] == workload]
    refs = {(r["model"], r["workers"], tuple(sorted(r["params"].items()))): r for r in ok if r["variant"] == reference}
    counts = sorted({r["workers"] for r in ok if r["variant"] == variant and 1 < r["workers"] <= cpus})
    lines = []
    for p in sorted({counts[0], counts[-1]} if counts else ()):
        items = []
        for r in ok:
            ref = refs.get((r["model"], r["workers"], tuple(sorted(r["params"].items()))))
            if r["variant"] != variant or r["workers"] != p or ref is None:
                continue
            if r["metric"]["direction"] == "lower":  # a ratio of times
                items.append((r["model"], r["median"] / ref["median"], derive.ratio_ci(r["samples"], ref["samples"])))
            elif r["metric"]["direction"] == "higher":  # rates: the inverse ratio is the ratio of times
                items.append((r["model"], ref["median"] / r["median"], derive.ratio_ci(ref["samples"], r["samples"])))
        if items:
            listed, verdict = _ratios(items, "slower", "faster")
            lines.append(f"{workload}, {p} workers: {variant} takes {listed} the time of {reference}: {verdict}.")
    return lines


def _scaling(records, cpus):
    """Per variant, at the largest worker count not above the usable CPUs: the speedup in each model."""
    lines = []
    ok = ordered(_ok(records))
    for workload, case in sorted({(r["workload"], case_label(r)) for r in ok}):
        mine = [r for r in ok if (r["workload"], case_label(r)) == (workload, case)
                and r["derived"].get("speedup") is not None and 1 < r["workers"] <= cpus]
        if not mine:
            continue
        p = max(r["workers"] for r in mine)
        items = [(r["model"], r["derived"]["speedup"], r["derived"].get("speedup_ci")) for r in mine
                 if r["workers"] == p]
        listed, verdict = _ratios(items, "faster than 1 worker", "slower than 1 worker")
        lines.append(f"{workload}, {p} workers against 1: {case} speedup {listed}: {verdict}.")
    return lines


def _lost_updates(records):
    found = {}
    for r in ordered(_ok(records)):
        lost = r["counters"].get("lost_fraction")
        if lost and lost.get("median") and r["workers"] > 1:
            found.setdefault((r["workload"], r["variant"], r["workers"]), []).append(
                f"{r['model']} {lost['median']:.0%}")
    return [f"{workload}: {variant} at {p} workers lost updates (median share): {', '.join(shares)}; its time is "
            f"that of a wrong result." for (workload, variant, p), shares in sorted(found.items())]


def _swept_values(doc):
    """{param: [values in the order first run]} of the env sweeps the run's invocations carried."""
    swept = {}
    for inv in doc["run"].get("invocations", []) if isinstance(doc.get("run"), dict) else []:
        for key, value in (inv.get("sweep") or {}).items():
            if value not in swept.setdefault(key, []):
                swept[key].append(value)
    return swept


def _sweep_comparisons(doc, cpus):
    """For each env-swept parameter (e.g. wait): at the largest worker count within the usable CPUs, each record
    of another value against the record that differs only in that parameter's first value. The medians are compared
    through their intervals (an overhead may be <= 0, so no ratio): different only when the intervals are
    apart."""
    lines = []
    ok = ordered(_ok(doc["records"]))
    for param, values in sorted(_swept_values(doc).items()):
        def key(r):
            return (r["workload"], r["model"], r["variant"], r["workers"],
                    tuple(sorted((k, v) for k, v in r["params"].items() if k != param)))
        mine = [r for r in ok if r["params"].get(param) in values and r["workers"] <= cpus]
        if not mine:
            continue
        top = max(r["workers"] for r in mine)
        base = {key(r): r for r in mine if r["params"][param] == values[0]}
        for r in mine:
            ref = base.get(key(r))
            if r["workers"] != top or ref is None or r is ref:
                continue
            low, high = r.get("ci") or (r["median"], r["median"])
            ref_low, ref_high = ref.get("ci") or (ref["median"], ref["median"])
            verdict = ("higher" if low > ref_high else "lower" if high < ref_low else "no clear difference") + \
                (f" ({'better' if (low > ref_high) == (r['metric']['direction'] == 'higher') else 'worse'})"
                 if (low > ref_high or high < ref_low) and r["metric"]["direction"] in ("lower", "higher") else "")
            others = "/".join(f"{k}:{v}" for k, v in r["params"].items() if k != param)
            unit = r["metric"]["unit"]
            lines.append(f"{r['workload']}, {r['model']}, {top} workers: {r['variant']}{'/' + others if others else ''}"
                         f" with {param}:{r['params'][param]} {_fmt(r['median'])} {unit} "
                         f"[{fmt_interval(r.get('ci'), r.get('ci_coverage'))}] against {param}:{values[0]} "
                         f"{_fmt(ref['median'])} {unit} [{fmt_interval(ref.get('ci'), ref.get('ci_coverage'))}] "
                         f"({r['metric']['name']}): {verdict}.")
    return lines


def conclusions(doc):
    """Plain sentences about what this run's records show on this machine, each number from the records (with
    its bootstrap interval where there are samples on both sides)."""
    records = doc["records"]
    cpus = doc["host"].get("usable_cpus") or doc["host"].get("logical_cpus") or 1
    lines = []
    for workload, variant, reference in COMPARISONS:
        lines += _compare_variants(records, workload, variant, reference, cpus)
    lines += _scaling(records, cpus)
    lines += _sweep_comparisons(doc, cpus)
    lines += _lost_updates(records)
    ok = _ok(records)
    noisy = [r for r in ok if r.get("noisy")]
    if noisy:
        lines.append(f"{len(noisy)} of {len(ok)} records are noisy (marked ~): their spread is above the "
                     f"threshold, so differences of a few percent between them mean little.")
    return lines


# ----- the page -----
def _table(records):
    head = ("workload", "case", "model", "workers", "metric", "median", "interval (coverage)", "CV",
            "speedup [95% bootstrap]", "efficiency", "vs best 1-worker [95%]", "status", "message")
    rows = []
    for r in ordered(records):
        d = r["derived"]
        cells = (r["workload"], case_label(r), r["model"], str(r["workers"] or "-"),
                 f"{r['metric']['name']} ({r['metric']['unit']}, {r['metric']['direction']} is better)",
                 fmt_median(r), fmt_interval(r.get("ci"), r.get("ci_coverage")),
                 f"{r['cv'] * 100:.1f}%" if r.get("cv") is not None else "-",
                 fmt_speedup(d.get("speedup"), d.get("speedup_ci")), _fmt(d.get("efficiency")),
                 fmt_speedup(d.get("speedup_vs_best_serial"), d.get("speedup_vs_best_serial_ci")),
                 r["status"] if r["status"] == "ok" else status_text(r, 40), r["message"])
        cls = r["status"] + (" noisy" if r.get("noisy") else "")
        rows.append(f'<tr class="{cls}">' + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return ("<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>" +
            "\n".join(rows) + "</tbody></table>")


def _value(key, value):
    if key == "caches":
        return "; ".join(f"L{c['level']} {c['type']} {c['size']}" +
                         (f" ×{c['instances']}" if c.get("instances") else "") +
                         (f" ({c['cpus_per_instance']} CPU{'s' if c['cpus_per_instance'] != 1 else ''} each)"
                          if c.get("cpus_per_instance") else "") for c in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={_value(k, v)}" for k, v in value.items() if v not in (None, "", [], {}))
    if isinstance(value, list):
        items = [_value(key, v) for v in value]
        return (" | " if any("," in item or ";" in item for item in items) else ", ").join(items)
    return str(value)


def _facts(title, mapping):
    items = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_value(k, v))}</td></tr>"
                    for k, v in mapping.items() if v not in (None, "", {}, []))
    return f"<h2>{title}</h2><table class=facts>{items}</table>"


def render(doc, figures, notes=()):
    """The page as text; figures are embedded from their files; `notes` say which figures could not be drawn."""
    images = []
    for path in figures:
        path = pathlib.Path(path)
        data = base64.b64encode(path.read_bytes()).decode()
        name = html.escape(path.name)
        images.append(f'<figure><img alt="{name}" src="data:image/png;base64,{data}">'
                      f'<figcaption><a href="{name}">{name}</a></figcaption></figure>')
    run = doc["run"]
    host = dict(doc["host"])
    software = {k: v for k, v in doc["software"].items() if k != "models"}
    for model, ctx in doc["software"].get("models", {}).items():
        software[f"{model} context"] = ctx
    raw_links = "".join(f'<li><a href="{html.escape(inv["raw_file"])}">{html.escape(inv["raw_file"])}</a></li>'
                        for inv in run["invocations"] if inv.get("raw_file"))
    found = "".join(f"<li>{html.escape(line)}</li>" for line in conclusions(doc)) or \
        "<li>No comparison possible: too few verified records.</li>"
    legend = [LEGEND_INTERVAL] + ([LEGEND_OVERHEAD] if any(metrics.is_overhead(r) for r in doc["records"]) else []) \
        + ([LEGEND_NOISY] if any(r.get("noisy") for r in doc["records"]) else [])
    skipped = "".join(f'<p class="warn">{html.escape(note)}</p>' for note in notes)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>parbench run {html.escape(run['id'])}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 1400px; }}
table {{ border-collapse: collapse; font-size: 0.85em; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }}
tr.failed td, tr.timeout td {{ background: #fdd; }} tr.skipped td {{ color: #777; }}
tr.noisy td {{ background: #fff6dd; }}
table.facts th {{ background: #f4f4f4; }} figure img {{ max-width: 100%; }} .warn {{ color: #a00; }}
</style></head><body>
<h1>parbench run {html.escape(run['id'])}</h1>
<p>Profile <b>{html.escape(run['profile'])}</b>, status <b>{html.escape(run['status'])}</b>,
started {html.escape(run['started'])}, ended {html.escape(str(run['ended']))}.
Data: <a href="results.json">results.json</a> (schema {html.escape(doc['schema'])}).</p>
<h2>What this run shows on this machine</h2>
<p>Machine: {html.escape(_machine(doc))}. Computed from this run's records; another machine can differ.</p>
<ul>{found}</ul>
<p>Every number below passed its benchmark's own verification; failed, skipped and timed-out cases carry their
message instead of a number. {html.escape('; '.join(legend))}. Efficiency is speedup / workers.</p>
<h2>Figures</h2>
{skipped}{''.join(images) or '<p>No figure: no verified record to draw.</p>'}
<h2>Records</h2>
{_table(doc['records'])}
{_facts('Host', host)}
{_facts('Software', software)}
{_facts('Environment', doc['env'])}
<h2>Raw Google Benchmark output</h2><ul>{raw_links}</ul>
</body></html>
"""


def write(doc, run_dir, figures, notes=()):
    """report.html, replaced only once complete (mode 0644 less the umask)."""
    path = pathlib.Path(run_dir) / "report.html"
    page = render(doc, figures, notes)
    with written_whole(path, "w") as f:
        f.write(page)
    return path


def build(doc, run_dir, notes=None):
    """Figures, then the page: (path, None), or (None, problem) with nothing written when matplotlib is not
    importable (a report without its figures would replace a good one). A figure that cannot be drawn is left
    out with a one-line note, on the page and appended to `notes`."""
    from . import plot
    try:
        figures, skipped = plot.figures(doc, run_dir)
    except ImportError as e:
        return None, f"matplotlib is not importable by {sys.executable} ({e}); nothing written"
    if notes is not None:
        notes.extend(skipped)
    return write(doc, run_dir, figures, skipped), None
