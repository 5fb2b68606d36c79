"""The terminal summary printed at the end of a run (also `harness summary RUN`), and the number formats the
report shares with it."""
import re

from . import MODELS, derive, metrics

NOISY_MARK = "~"
LEGEND_INTERVAL = ("interval: order statistics around the median, with their exact coverage in brackets (below 95% "
                   "when a record has fewer than 6 samples); speedup: T(1)/T(p) within the model, with its "
                   "bootstrap 95% interval")
LEGEND_OVERHEAD = ("overhead_ns: what one construct costs beyond the same work without it, in ns (median over the "
                   "passes, with its interval), lower is better; no speedup is derived from it; a value at or below "
                   "0 means the overhead is below what the measurement resolves")
LEGEND_NOISY = (f"{NOISY_MARK} noisy: CV above {derive.NOISY_CV:.0%} or interval half-width above "
                f"{derive.NOISY_HALF_WIDTH:.0%} of the median; read such numbers with care")


def _fmt(value, digits=3):
    if value is None:
        return "-"
    if abs(value) >= 1e6 or (abs(value) < 1e-2 and value != 0):
        return f"{value:.{digits}g}"
    return f"{value:.{digits}g}" if abs(value) < 100 else f"{value:.0f}"


def fmt_coverage(coverage):
    """0.9375 -> '94%'; 0.999 -> '99.9%' (never rounded up to 100%)."""
    if coverage is None:
        return "-"
    percent = coverage * 100
    return f"{percent:.0f}%" if round(percent) < 100 else f"{int(percent * 10) / 10:g}%"


def fmt_interval(ci, coverage=None):
    """'19.4–20.1 (94%)'; '-' without an interval or for a single sample (coverage 0)."""
    if not ci or coverage == 0:
        return "-"
    text = f"{_fmt(ci[0])}–{_fmt(ci[1])}"
    return f"{text} ({fmt_coverage(coverage)})" if coverage is not None else text


def fmt_speedup(value, ci):
    """'1.52 [1.40–1.61]'."""
    if value is None:
        return "-"
    if not ci or ci[0] == ci[1] == value:  # no samples to resample, or the 1-worker record against itself
        return _fmt(value)
    return f"{_fmt(value)} [{_fmt(ci[0])}–{_fmt(ci[1])}]"


def case_label(record):
    """The case without its worker count: 'barrier/impl:spin/wait:passive' (the variant alone without params)."""
    return record["variant"] + "".join(f"/{k}:{v}" for k, v in record.get("params", {}).items())


def fmt_median(record):
    mark = NOISY_MARK if record.get("noisy") else ""
    return _fmt(record["median"]) + mark


def shorten(text, width):
    """One line of at most `width` characters, cut at a word boundary with an ellipsis."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= width:
        return text
    cut = text[:width - 1]
    space = cut.rfind(" ")
    if space >= width // 2:  # a very long word (a path) is cut where it must be
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def status_text(record, width=70):
    status, message = record["status"], record["message"]
    if status == "ok":
        return status
    return shorten(message if message.startswith(status) else f"{status}: {message}", width)


def ordered(records):
    order = {m: i for i, m in enumerate(MODELS)}
    return sorted(records, key=lambda r: (r["workload"], r["variant"], order.get(r["model"], len(order)),
                                          case_label(r), r["workers"] or 0))


def table(doc):
    """One row per record: its case, the primary metric's median, interval and unit (an overhead in ns, as
    measured, never turned into a rate), the speedup where one is defined, the status."""
    rows = [("workload", "case", "model", "workers", "median", "interval", "unit", "speedup", "status")]
    for r in ordered(doc["records"]):
        d = r["derived"]
        unit = r["metric"]["unit"]
        if metrics.is_overhead(r):
            unit = f"{unit} overhead"
        rows.append((r["workload"], case_label(r), r["model"], str(r["workers"] or "-"), fmt_median(r),
                     fmt_interval(r.get("ci"), r.get("ci_coverage")), unit,
                     fmt_speedup(d.get("speedup"), d.get("speedup_ci")), status_text(r)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [row[i].ljust(widths[i]) if i < 3 or i == 6 else row[i].rjust(widths[i]) for i in range(len(widths))]
        lines.append("  ".join(cells) + "  " + row[-1])
    return "\n".join(lines)


def legend(doc):
    lines = [LEGEND_INTERVAL]
    if any(metrics.is_overhead(r) for r in doc["records"]):
        lines.append(LEGEND_OVERHEAD)
    if any(r.get("noisy") for r in doc["records"]):
        lines.append(LEGEND_NOISY)
    return lines


def text(doc, run_dir, report=None):
    """The summary. `report`: whether to name report.html (None: when the file exists)."""
    from .report import conclusions
    counts = {}
    for r in doc["records"]:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    tally = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    if report is None:
        report = (run_dir / "report.html").exists()
    found = conclusions(doc)
    lines = [table(doc), *legend(doc), ""]
    if found:
        lines += ["on this machine:", *(f"  {line}" for line in found), ""]
    lines += [f"run {doc['run']['id']} ({doc['run']['status']}): {tally}", f"results: {run_dir / 'results.json'}"]
    if report:
        lines.append(f"report:  {run_dir / 'report.html'}")
    lines.append(f"raw:     {run_dir / 'raw'}")
    return "\n".join(lines)
