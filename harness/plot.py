"""Figures for a run, chosen from the data, never from a workload's name (docs/design.md: nothing in harness/ names a
workload). For each workload:

- `<workload>_scaling.png`: throughput (items_per_second) against workers, one panel per variant, one line per
  model (and per parameter set where a variant ran with several), with the ideal-scaling line from the best
  single-worker result;
- `<workload>_by_model.png`: where two or more variants did the same work (the same parameters), their throughput
  against workers, one panel per model, one line per variant: the variants compared within each model;
- `<workload>_overhead.png`: for records whose primary metric is an overhead (metrics.MAY_BE_NONPOSITIVE), one bar
  per construct (variant and the parameters that differ) and model, one panel per worker count, on a symmetric
  log axis, overheads at or below 0 hatched as below the measurement's resolution;
- `<workload>_fairness.png`: for records with the `fairness` counter, Jain's index per case and model at the largest
  worker count, beside each worker's smallest and largest share of a round.

Every figure names the machine and what its error bars are. A figure that cannot be drawn is skipped with a
one-line note; the others are still written. Needs matplotlib (Debian: python3-matplotlib)."""
import contextlib
import math
import os
import pathlib
import secrets
import textwrap

from . import MODELS as MODEL_ORDER
from . import metrics

FILE_MODE = 0o644
# Below this many ns the overhead axis is linear (a log axis cannot show 0 or a negative overhead).
OVERHEAD_LINEAR_NS = 1.0


@contextlib.contextmanager
def written_whole(path, mode="wb"):
    """A file object whose content appears at `path` only once complete: it is written to a temporary file beside
    `path`, created with mode 0644 less the umask (as open() makes files; mkstemp's would be 0600), and renamed
    over `path`. On any error the temporary file goes and `path` is untouched."""
    path = pathlib.Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def machine(doc):
    """'Test CPU, 2 cores × 1 thread(s), 2 usable CPUs, measured 3600 MHz'."""
    host = doc["host"]
    parts = [host.get("cpu_model") or "unknown CPU"]
    if host.get("cores"):
        parts.append(f"{host['cores']} cores × {host.get('threads_per_core') or 1} thread(s)")
    parts.append(f"{host.get('usable_cpus') or host.get('logical_cpus')} usable CPUs")
    if host.get("frequency_mhz_measured"):
        parts.append(f"measured {host['frequency_mhz_measured']} MHz")
    return ", ".join(parts)


# ----- choosing what to draw -----
def _ok(records):
    return [r for r in records if r["status"] == "ok" and r["workers"] and r["median"] is not None]


def _model_rank(model):
    return MODEL_ORDER.index(model) if model in MODEL_ORDER else len(MODEL_ORDER)


def _params(record, keys=None):
    """The record's parameters (those in `keys` when given) as 'k:v/k:v'."""
    return "/".join(f"{k}:{v}" for k, v in record["params"].items() if keys is None or k in keys)


def _varying(records):
    """Parameter names whose values differ among `records` (a parameter some records lack counts as differing)."""
    keys = {k for r in records for k in r["params"]}
    return [k for k in sorted(keys) if len({r["params"].get(k) for r in records}) > 1]


def _common(records):
    """'k:v, …' of the parameters every record shares with the same value, for a caption."""
    keys = sorted(set.intersection(*(set(r["params"]) for r in records))) if records else []
    return ", ".join(f"{k}:{records[0]['params'][k]}" for k in keys
                     if len({r["params"][k] for r in records}) == 1)


def _counter(record, name):
    """(median, low, high) of a counter, or None."""
    counter = record["counters"].get(name)
    if not counter or counter.get("median") is None:
        return None
    low, high = counter.get("ci") or (counter["median"], counter["median"])
    return counter["median"], low, high


def _rate(record):
    return _counter(record, "items_per_second")


def _coverage_text(coverages):
    """'error bars: …, coverage ≥ 94%' from the lowest coverage among what is drawn."""
    coverages = [c for c in coverages if c]
    if not coverages:
        return "no error bars (one sample per point)"
    return (f"error bars: order-statistic interval of the median over the passes, coverage ≥ "
            f"{math.floor(min(coverages) * 100)}%")


def _counter_coverage(records, name):
    return _coverage_text([r["counters"][name].get("ci_coverage") for r in records if name in r["counters"]])


def _left_out(doc, workload):
    """'; not drawn: 1 failed, 2 skipped (see the records table)' for the workload's records without numbers."""
    counts = {}
    for r in doc["records"]:
        if r["workload"] == workload and r["status"] != "ok":
            counts[r["status"]] = counts.get(r["status"], 0) + 1
    if not counts:
        return ""
    return "; not drawn: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + " (see the records table)"


def _title(fig, doc, workload, what, note):
    """The figure's title: what, the run, the machine, and the note (error bars, what is left out), wrapped to the
    figure's width."""
    width = max(60, int(fig.get_figwidth() * 11))
    text = "\n".join(textwrap.wrap(f"{workload}: {what} — run {doc['run']['id']}; {machine(doc)}", width) +
                     textwrap.wrap(note, width))
    fig.suptitle(text, fontsize="medium")


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _save(plt, fig, path):
    try:
        fig.tight_layout()
        with written_whole(path) as f:
            fig.savefig(f, dpi=110, format="png")
    finally:
        plt.close(fig)
    return path


def _grid(plt, count, width=5.2, height=4.0, columns=3):
    columns = max(1, min(columns, count))
    rows = math.ceil(count / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(width * columns, height * rows + 1.0), squeeze=False)
    for ax in list(axes.flat)[count:]:
        ax.set_visible(False)
    return fig, list(axes.flat)


def _rate_line(ax, records, label):
    points = sorted((r["workers"], _rate(r)) for r in records)
    xs = [p[0] for p in points]
    ys = [p[1][0] for p in points]
    errors = [[max(0, p[1][0] - p[1][1]) for p in points], [max(0, p[1][2] - p[1][0]) for p in points]]
    ax.errorbar(xs, ys, yerr=errors, marker="o", capsize=3, label=label)


def _rate_axes(ax, workers, title):
    ax.set_title(title, fontsize="medium")
    ax.set_xlabel("workers")
    ax.set_ylabel("throughput (operations per second, log)")
    ax.set_yscale("log")
    ax.set_xticks(workers)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")


# ----- the figures: each returns the path written, or None when the run has nothing for it -----
def scaling(doc, workload, run_dir):
    """Throughput against workers, one panel per variant, one line per model and parameter set."""
    records = [r for r in _ok(doc["records"]) if r["workload"] == workload and r["model"] != "cuda" and _rate(r)]
    if not records:
        return None
    plt = _pyplot()
    variants = sorted({r["variant"] for r in records})
    fig, axes = _grid(plt, len(variants))
    for ax, variant in zip(axes, variants):
        mine = [r for r in records if r["variant"] == variant]
        keys = _varying(mine)
        lines = {}
        for r in mine:
            lines.setdefault((_model_rank(r["model"]), r["model"], _params(r, keys)), []).append(r)
        for (_, model, params), line in sorted(lines.items()):
            _rate_line(ax, line, f"{model} {params}".strip())
        workers = sorted({r["workers"] for r in mine})
        serial = [_rate(r)[0] for r in mine if r["workers"] == 1]
        if serial and not keys:  # one parameter set: the ideal line has one meaning
            best = max(serial)
            ax.plot(workers, [best * w for w in workers], linestyle="--", color="gray",
                    label="ideal (best 1-worker × p)")
        common = _common(mine)
        _rate_axes(ax, workers, f"{variant}" + (f" ({common})" if common else ""))
    _title(fig, doc, workload, "throughput against workers, one line per model",
           _counter_coverage(records, "items_per_second") + _left_out(doc, workload))
    return _save(plt, fig, pathlib.Path(run_dir) / f"{workload}_scaling.png")


def by_model(doc, workload, run_dir):
    """Where two or more variants did the same work (identical parameters): their throughput against workers, one
    panel per model and parameter set, one line per variant."""
    records = [r for r in _ok(doc["records"]) if r["workload"] == workload and r["model"] != "cuda" and _rate(r)]
    same_work = {}
    for r in records:
        same_work.setdefault(_params(r), []).append(r)
    panels = []
    for params, mine in sorted(same_work.items()):
        if len({r["variant"] for r in mine}) < 2:
            continue
        for model in sorted({r["model"] for r in mine}, key=_model_rank):
            panels.append((model, params, [r for r in mine if r["model"] == model]))
    if not panels:
        return None
    plt = _pyplot()
    fig, axes = _grid(plt, len(panels))
    for ax, (model, params, mine) in zip(axes, panels):
        for variant in sorted({r["variant"] for r in mine}):
            _rate_line(ax, [r for r in mine if r["variant"] == variant], variant)
        _rate_axes(ax, sorted({r["workers"] for r in mine}), f"{model}" + (f" ({params})" if params else ""))
    drawn = [r for _, _, mine in panels for r in mine]
    _title(fig, doc, workload, "throughput of the variants that do the same work, one panel per model",
           _counter_coverage(drawn, "items_per_second") + _left_out(doc, workload))
    return _save(plt, fig, pathlib.Path(run_dir) / f"{workload}_by_model.png")


def overhead(doc, workload, run_dir):
    """One horizontal bar per construct and model, one panel per worker count; a symmetric log axis, linear within
    ±OVERHEAD_LINEAR_NS, so that overheads at or below 0 are drawn where they are, hatched."""
    records = [r for r in _ok(doc["records"]) if r["workload"] == workload and metrics.is_overhead(r)]
    if not records:
        return None
    plt = _pyplot()
    keys = _varying(records)
    constructs = sorted({(r["variant"], _params(r, keys)) for r in records})
    models = sorted({r["model"] for r in records}, key=_model_rank)
    colours = {m: plt.get_cmap("tab10")(i % 10) for i, m in enumerate(models)}
    worker_counts = sorted({r["workers"] for r in records})
    height = max(3.0, 0.28 * len(constructs) * max(1, len(models)) + 1.5)
    fig, axes = _grid(plt, len(worker_counts), width=6.5, height=height, columns=min(3, len(worker_counts)))
    unit = records[0]["metric"]["unit"] or "ns"
    band = 0.8 / len(models)
    below = 0
    for ax, p in zip(axes, worker_counts):
        mine = {(r["variant"], _params(r, keys), r["model"]): r for r in records if r["workers"] == p}
        for m_index, model in enumerate(models):
            ys, values, errors, hatches = [], [], [[], []], []
            for c_index, construct in enumerate(constructs):
                r = mine.get((*construct, model))
                if r is None:
                    continue
                low, high = r.get("ci") or (r["median"], r["median"])
                ys.append(c_index + (m_index - (len(models) - 1) / 2) * band)
                values.append(r["median"])
                errors[0].append(max(0.0, r["median"] - low))
                errors[1].append(max(0.0, high - r["median"]))
                hatches.append("//" if r["median"] <= 0 else "")
                below += r["median"] <= 0
            if not ys:
                continue
            bars = ax.barh(ys, values, height=band, xerr=errors, capsize=2, color=colours[model], label=model,
                           edgecolor="black", linewidth=0.4)
            for bar, hatch, value in zip(bars, hatches, values):
                bar.set_hatch(hatch)
                if value <= 0:  # a zero-width bar is invisible: say where it is
                    ax.annotate("≤0", (0, bar.get_y() + bar.get_height() / 2), xytext=(3, 0),
                                textcoords="offset points", va="center", fontsize="x-small")
        ax.set_xscale("symlog", linthresh=OVERHEAD_LINEAR_NS)
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_yticks(range(len(constructs)))
        ax.set_yticklabels([f"{v} {params}".strip() for v, params in constructs], fontsize="small")
        ax.invert_yaxis()
        ax.set_xlabel(f"overhead per construct ({unit}, symmetric log: linear within ±{OVERHEAD_LINEAR_NS:g} {unit})")
        ax.set_title(f"{p} worker{'s' if p != 1 else ''}", fontsize="medium")
        ax.grid(True, axis="x", which="both", alpha=0.3)
        ax.legend(fontsize="small")
    common = _common(records)
    note = ("bars: median overhead over the passes; " + _coverage_text([r.get("ci_coverage") for r in records]) +
            (f"; hatched: {below} median(s) at or below 0, i.e. below what the measurement resolves" if below else "")
            + (f"; all cases: {common}" if common else "") + _left_out(doc, workload))
    _title(fig, doc, workload, "overhead of each construct by model, lower is better", note)
    return _save(plt, fig, pathlib.Path(run_dir) / f"{workload}_overhead.png")


def fairness(doc, workload, run_dir):
    """Jain's index per case and model at the largest worker count with such records (above 1 where there is
    one), beside the smallest and largest share of a round any worker took."""
    records = [r for r in _ok(doc["records"]) if r["workload"] == workload and _counter(r, "fairness")]
    if not records:
        return None
    plt = _pyplot()
    p = max(r["workers"] for r in records)
    records = [r for r in records if r["workers"] == p]
    keys = _varying(records)
    cases = sorted({(r["variant"], _params(r, keys)) for r in records})
    models = sorted({r["model"] for r in records}, key=_model_rank)
    colours = {m: plt.get_cmap("tab10")(i % 10) for i, m in enumerate(models)}
    by_key = {(r["variant"], _params(r, keys), r["model"]): r for r in records}
    fig, (left, right) = plt.subplots(1, 2, figsize=(max(10.0, 1.2 * len(cases) * len(models) + 4), 5.5),
                                      squeeze=True)
    band = 0.8 / len(models)
    for m_index, model in enumerate(models):
        xs, index, err, lows, highs, share_xs = [], [], [[], []], [], [], []
        for c_index, case in enumerate(cases):
            r = by_key.get((*case, model))
            if r is None:
                continue
            x = c_index + (m_index - (len(models) - 1) / 2) * band
            value, low, high = _counter(r, "fairness")
            xs.append(x)
            index.append(value)
            err[0].append(max(0.0, value - low))
            err[1].append(max(0.0, high - value))
            smallest, largest = _counter(r, "min_share"), _counter(r, "max_share")
            if smallest and largest:
                share_xs.append(x)
                lows.append(smallest[0])
                highs.append(largest[0])
        left.bar(xs, index, width=band, yerr=err, capsize=2, color=colours[model], label=model)
        if share_xs:
            right.vlines(share_xs, lows, highs, color=colours[model], linewidth=3, label=model)
            right.scatter(share_xs, lows, color=colours[model], marker="v", zorder=3)
            right.scatter(share_xs, highs, color=colours[model], marker="^", zorder=3)
    labels = [f"{v} {params}".strip() for v, params in cases]
    for ax in (left, right):
        ax.set_xticks(range(len(cases)))
        ax.set_xticklabels(labels, rotation=30, ha="right", fontsize="small")
        ax.grid(True, axis="y", alpha=0.3)
    left.axhline(1.0, color="gray", linestyle="--", linewidth=0.8, label="1: equal shares")
    left.axhline(1.0 / p, color="gray", linestyle=":", linewidth=0.8, label=f"1/{p}: one worker took all")
    left.set_ylim(0, 1.08)
    left.set_ylabel("Jain's fairness index (Σx)²/(n·Σx²), 1 = equal")
    left.set_title(f"fairness at {p} worker{'s' if p != 1 else ''}", fontsize="medium")
    left.legend(fontsize="small")
    right.axhline(1.0 / p, color="gray", linestyle="--", linewidth=0.8, label=f"equal share 1/{p}")
    right.set_ylim(0, 1.02)
    right.set_ylabel("share of a round's operations (fraction)")
    right.set_title("smallest (▼) and largest (▲) share any worker took", fontsize="medium")
    right.legend(fontsize="small")
    note = ("fairness: median over the passes, " + _counter_coverage(records, "fairness") +
            "; shares: medians of min_share and max_share" +
            ("; with 1 worker every case is trivially fair" if p == 1 else "") + _left_out(doc, workload))
    _title(fig, doc, workload, "fairness by case and model", note)
    return _save(plt, fig, pathlib.Path(run_dir) / f"{workload}_fairness.png")


KINDS = (("scaling", scaling), ("by_model", by_model), ("overhead", overhead), ("fairness", fairness))


def figures(doc, run_dir):
    """Writes every figure the run's records call for into run_dir. Returns (paths written, notes): one line per
    figure that could not be drawn, which is skipped while the others are written. ImportError when matplotlib
    is missing (nothing written)."""
    _pyplot()
    written, notes = [], []
    for workload in sorted({r["workload"] for r in doc["records"]}):
        for kind, draw in KINDS:
            try:
                path = draw(doc, workload, run_dir)
            except ImportError:
                raise
            except Exception as e:  # noqa: BLE001 - a figure must never stop the run or the report
                text = " ".join(str(e).split())[:200]
                notes.append(f"figure {workload}_{kind}.png not drawn ({type(e).__name__}: {text})")
                continue
            if path is not None:
                written.append(path)
    return written, notes


def scaling_figures(doc, run_dir):
    """The figures' paths (older callers); notes are dropped."""
    return figures(doc, run_dir)[0]
