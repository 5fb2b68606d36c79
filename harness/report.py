"""A self-contained report.html for a run: figures embedded, every record in a table, links to the files."""
import base64
import html
import pathlib

from . import MODELS
from .summary import _fmt


def _table(records):
    head = ("workload", "variant", "model", "workers", "metric", "median", "95% CI", "CV", "speedup",
            "efficiency", "status", "message")
    rows = []
    order = {m: i for i, m in enumerate(MODELS)}
    for r in sorted(records, key=lambda r: (r["workload"], r["variant"], order.get(r["model"], len(order)),
                                            r["workers"] or 0)):
        ci = r["ci95"]
        d = r["derived"]
        cells = (r["workload"], r["variant"], r["model"], str(r["workers"] or "-"),
                 f"{r['metric']['name']} ({r['metric']['unit']}, {r['metric']['direction']} is better)",
                 _fmt(r["median"]), f"{_fmt(ci[0])} – {_fmt(ci[1])}" if ci else "-",
                 f"{r['cv'] * 100:.1f}%" if r["cv"] is not None else "-", _fmt(d.get("speedup")),
                 _fmt(d.get("efficiency")), r["status"], r["message"])
        cls = "ok" if r["status"] == "ok" else r["status"]
        rows.append(f'<tr class="{cls}">' + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return ("<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>" +
            "\n".join(rows) + "</tbody></table>")


def _facts(title, mapping):
    items = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                    for k, v in mapping.items() if v not in (None, "", {}, []))
    return f"<h2>{title}</h2><table class=facts>{items}</table>"


def write(doc, run_dir, figures, plot_problem=None):
    run_dir = pathlib.Path(run_dir)
    images = []
    for path in figures:
        data = base64.b64encode(pathlib.Path(path).read_bytes()).decode()
        name = html.escape(path.name)
        images.append(f'<figure><img alt="{name}" src="data:image/png;base64,{data}">'
                      f'<figcaption><a href="{name}">{name}</a></figcaption></figure>')
    if plot_problem:
        images.append(f"<p class=warn>No figures: {html.escape(plot_problem)}</p>")
    run = doc["run"]
    host = {k: v for k, v in doc["host"].items() if k != "caches"}
    host["caches"] = ", ".join(f"L{c['level']} {c['type']} {c['size']}" for c in doc["host"]["caches"])
    software = {k: v for k, v in doc["software"].items() if k != "models"}
    for model, ctx in doc["software"].get("models", {}).items():
        software[f"{model} context"] = ", ".join(f"{k}={v}" for k, v in ctx.items())
    raw_links = "".join(f'<li><a href="{html.escape(inv["raw_file"])}">{html.escape(inv["raw_file"])}</a></li>'
                        for inv in run["invocations"] if inv.get("raw_file"))
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>parbench run {html.escape(run['id'])}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 1400px; }}
table {{ border-collapse: collapse; font-size: 0.85em; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }}
tr.failed td, tr.timeout td {{ background: #fdd; }} tr.skipped td {{ color: #777; }}
table.facts th {{ background: #f4f4f4; }} figure img {{ max-width: 100%; }} .warn {{ color: #a00; }}
</style></head><body>
<h1>parbench run {html.escape(run['id'])}</h1>
<p>Profile <b>{html.escape(run['profile'])}</b>, status <b>{html.escape(run['status'])}</b>,
started {html.escape(run['started'])}, ended {html.escape(str(run['ended']))}.
Data: <a href="results.json">results.json</a> (schema {html.escape(doc['schema'])}).</p>
<p>Every number below passed its benchmark's own verification; failed, skipped and timed-out cases carry their
message instead of a number. Speedup is T(1)/T(p) within a model; efficiency is speedup / workers.</p>
{''.join(images)}
<h2>Records</h2>
{_table(doc['records'])}
{_facts('Host', host)}
{_facts('Software', software)}
{_facts('Environment', doc['env'])}
<h2>Raw Google Benchmark output</h2><ul>{raw_links}</ul>
</body></html>
"""
    path = run_dir / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def build(doc, run_dir):
    """Figures, then the page. A missing matplotlib costs the figures, not the report."""
    from . import plot
    figures, problem = [], None
    try:
        figures = plot.scaling_figures(doc, run_dir)
    except ImportError as e:
        problem = f"matplotlib is not importable by {__import__('sys').executable} ({e})"
    return write(doc, run_dir, figures, problem), problem
