"""The terminal summary printed at the end of a run (also `python3 -m harness summary RUN`)."""
from . import MODELS


def _fmt(value, digits=3):
    if value is None:
        return "-"
    if abs(value) >= 1e6 or (abs(value) < 1e-2 and value != 0):
        return f"{value:.{digits}g}"
    return f"{value:.{digits}g}" if abs(value) < 100 else f"{value:.0f}"


def table(doc):
    rows = [("workload", "variant", "model", "workers", "median", "unit", "speedup", "status")]
    order = {m: i for i, m in enumerate(MODELS)}
    records = sorted(doc["records"], key=lambda r: (r["workload"], r["variant"], order.get(r["model"], 99),
                                                    r["workers"] or 0))
    for r in records:
        status = r["status"]
        if status != "ok":
            status = r["message"][:70] if r["message"].startswith(status) else f"{status}: {r['message'][:60]}"
        rows.append((r["workload"], r["variant"], r["model"], str(r["workers"] or "-"), _fmt(r["median"]),
                     r["metric"]["unit"], _fmt(r["derived"].get("speedup")), status))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [row[i].ljust(widths[i]) if i < 3 else row[i].rjust(widths[i]) for i in range(len(widths))]
        lines.append("  ".join(cells) + "  " + row[-1])
    return "\n".join(lines)


def text(doc, run_dir):
    counts = {}
    for r in doc["records"]:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    tally = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    return (f"{table(doc)}\n\nrun {doc['run']['id']} ({doc['run']['status']}): {tally}\n"
            f"results: {run_dir / 'results.json'}\nreport:  {run_dir / 'report.html'}\nraw:     {run_dir / 'raw'}")
