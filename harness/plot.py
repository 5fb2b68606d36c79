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
    """(median, low, high) of items_per_second: a counter, or the record's own figures where it is the primary
    metric (the harness keeps a primary metric in median/ci, not among the counters)."""
    if (record.get("metric") or {}).get("name") == "items_per_second" and record.get("median") is not None:
        low, high = record.get("ci") or (record["median"], record["median"])
        return record["median"], low, high
    return _counter(record, "items_per_second")


def _coverage_text(coverages):
    """'error bars: …, coverage ≥ 94%' from the lowest coverage among what is drawn."""
    coverages = [c for c in coverages if c]
    if not coverages:
        return "no error bars (one sample per point)"
    return (f"error bars: order-statistic interval of the median over the passes, coverage ≥ "
            f"{math.floor(min(coverages) * 100)}%")


def _counter_coverage(records, name):
    """The coverage text of counter `name` (or of the record's primary metric, where that is `name`)."""
    return _coverage_text([r["counters"][name].get("ci_coverage") if name in r["counters"] else r.get("ci_coverage")
                           for r in records
                           if name in r["counters"] or (r.get("metric") or {}).get("name") == name])


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


def _identity_keys(records):
    """The varying parameters that tell one construct from another: the named ones (impl:spin, wait:passive).
    Numeric ones (a repetition count, a delay) are amounts of work that a model may choose differently for the same
    construct; they name a row only where leaving them out would put two records of one model in one bar."""
    keys = _varying(records)
    named = [k for k in keys if not all(str(r["params"].get(k, "")).isdigit() for r in records)]
    seen = {(r["variant"], _params(r, named), r["model"], r["workers"]) for r in records}
    return named if len(seen) == len(records) else keys


def overhead(doc, workload, run_dir):
    """One horizontal bar per construct and model, one panel per worker count; a symmetric log axis, linear within
    ±OVERHEAD_LINEAR_NS, so that overheads at or below 0 are drawn where they are, hatched."""
    records = [r for r in _ok(doc["records"]) if r["workload"] == workload and metrics.is_overhead(r)]
    if not records:
        return None
    plt = _pyplot()
    keys = _identity_keys(records)
    constructs = sorted({(r["variant"], _params(r, keys)) for r in records})
    models = sorted({r["model"] for r in records}, key=_model_rank)
    colours = {m: plt.get_cmap("tab10")(i % 10) for i, m in enumerate(models)}
    worker_counts = sorted({r["workers"] for r in records})
    # One row per (construct, model) that has a record at some worker count, grouped by construct: a construct
    # only one model has (openmp's `single`) takes one row, not one per model.
    rows, centres, starts = {}, [], []
    for construct in constructs:
        present = sorted({r["model"] for r in records if (r["variant"], _params(r, keys)) == construct},
                         key=_model_rank)
        first = len(rows)
        starts.append(first)
        for model in present:
            rows[(*construct, model)] = len(rows)
        centres.append((first + len(rows) - 1) / 2)
    height = max(3.0, 0.22 * len(rows) + 2.0)
    fig, axes = _grid(plt, len(worker_counts), width=6.5, height=height, columns=min(3, len(worker_counts)))
    unit = records[0]["metric"]["unit"] or "ns"
    below = 0
    for ax, p in zip(axes, worker_counts):
        mine = {(r["variant"], _params(r, keys), r["model"]): r for r in records if r["workers"] == p}
        for model in models:
            ys, values, errors, hatches = [], [], [[], []], []
            for key, row in rows.items():
                r = mine.get(key) if key[2] == model else None
                if r is None:
                    continue
                low, high = r.get("ci") or (r["median"], r["median"])
                ys.append(row)
                values.append(r["median"])
                errors[0].append(max(0.0, r["median"] - low))
                errors[1].append(max(0.0, high - r["median"]))
                hatches.append("//" if r["median"] <= 0 else "")
                below += r["median"] <= 0
            if not ys:
                continue
            bars = ax.barh(ys, values, height=0.8, xerr=errors, capsize=2, color=colours[model], label=model,
                           edgecolor="black", linewidth=0.4)
            for bar, hatch, value in zip(bars, hatches, values):
                bar.set_hatch(hatch)
                if value <= 0:  # a zero-width bar is invisible: say where it is
                    ax.annotate("≤0", (0, bar.get_y() + bar.get_height() / 2), xytext=(3, 0),
                                textcoords="offset points", va="center", fontsize="x-small")
        for start in starts[1:]:  # a thin line between constructs
            ax.axhline(start - 0.5, color="gray", linewidth=0.3)
        ax.set_xscale("symlog", linthresh=OVERHEAD_LINEAR_NS)
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_yticks(centres)
        ax.set_yticklabels([f"{v} {params}".strip() for v, params in constructs], fontsize="small")
        ax.set_ylim(len(rows) - 0.5, -0.5)
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
    # One row per (case, model) that has a record, grouped by case: most cases exist in one or two models only.
    rows = [(case, model) for case in cases for model in models if (*case, model) in by_key]
    height = max(3.5, 0.24 * len(rows) + 2.2)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13.0, height), squeeze=True, sharey=True)
    drawn = set()
    for y, (case, model) in enumerate(rows):
        r = by_key[(*case, model)]
        value, low, high = _counter(r, "fairness")
        label = model if model not in drawn else None
        drawn.add(model)
        left.barh([y], [value], height=0.8, xerr=[[max(0.0, value - low)], [max(0.0, high - value)]], capsize=2,
                  color=colours[model], label=label, edgecolor="black", linewidth=0.4)
        smallest, largest = _counter(r, "min_share"), _counter(r, "max_share")
        if smallest and largest:
            right.hlines([y], [smallest[0]], [largest[0]], color=colours[model], linewidth=3, label=label)
            right.scatter([smallest[0]], [y], color=colours[model], marker="<", zorder=3)
            right.scatter([largest[0]], [y], color=colours[model], marker=">", zorder=3)
    centres, starts, y = [], [], 0
    for case in cases:
        count = sum(1 for c, _ in rows if c == case)
        if count:
            starts.append(y)
            centres.append(y + (count - 1) / 2)
            y += count
    labels = [f"{v} {params}".strip() for v, params in cases if any(c == (v, params) for c, _ in rows)]
    left.set_yticks(centres)
    left.set_yticklabels(labels, fontsize="small")
    left.set_ylim(len(rows) - 0.5, -0.5)
    for ax in (left, right):
        ax.grid(True, axis="x", alpha=0.3)
        for start in starts[1:]:
            ax.axhline(start - 0.5, color="gray", linewidth=0.3)
    left.axvline(1.0, color="gray", linestyle="--", linewidth=0.8, label="1: equal shares")
    left.axvline(1.0 / p, color="gray", linestyle=":", linewidth=0.8, label=f"1/{p}: one worker took all")
    left.set_xlim(0, 1.08)
    left.set_xlabel("Jain's fairness index (Σx)²/(n·Σx²), 1 = equal")
    left.set_title(f"fairness at {p} worker{'s' if p != 1 else ''}", fontsize="medium")
    left.legend(fontsize="small", loc="lower left")
    right.axvline(1.0 / p, color="gray", linestyle="--", linewidth=0.8, label=f"equal share 1/{p}")
    right.set_xlim(0, 1.02)
    right.set_xlabel("share of a round's operations (fraction)")
    right.set_title("smallest (◀) and largest (▶) share any worker took", fontsize="medium")
    right.legend(fontsize="small", loc="lower right")
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
    try:
        limit_paths, limit_notes = limit_figures(doc, run_dir)
    except ImportError:
        raise
    except Exception as e:  # noqa: BLE001 - as above: the other figures stand
        limit_paths, limit_notes = [], [f"figures against the machine's limits not drawn ({type(e).__name__}: "
                                        f"{' '.join(str(e).split())[:200]})"]
    return written + limit_paths, notes + limit_notes


def scaling_figures(doc, run_dir):
    """The figures' paths (older callers); notes are dropped."""
    return figures(doc, run_dir)[0]


# ----- figures against the machine's limits: FLOP rates and memory bandwidth (derive.limits) -----
# Arithmetic intensity (FP64 flops per byte of compulsory memory traffic) of the variants the roofline places, as a
# function of the case's parameters. Square FP64 GEMM: 2n³ flops over A and B read once and C written once,
# 3·8n² bytes → n/12; the naive loop does the same work on the same data (its lower point is the lesson); STREAM
# triad a[i] = b[i] + s·c[i]: 2 flops per 24 bytes. The one place the harness knows variants' arithmetic; a variant
# not listed is left off the roofline (its executable could publish its own intensity instead: see results/README).
INTENSITY = {
    "gemm": lambda params: int(params["n"]) / 12.0,
    "gemm_naive": lambda params: int(params["n"]) / 12.0,
    "triad": lambda params: 2.0 / 24.0,
}
# The variant whose best bandwidth (over models and workers) is the roofline's memory roof.
ROOF_BANDWIDTH_VARIANT = "triad"


def _point(record):
    """(median, lower error, upper error) of a record's primary metric."""
    low, high = record.get("ci") or (record["median"], record["median"])
    return record["median"], max(0.0, record["median"] - low), max(0.0, high - record["median"])


def _record_coverage_label(records):
    coverages = [r.get("ci_coverage") for r in records if r.get("ci")]
    if not coverages or not all(coverages):
        return "no error bars where one sample per point"
    return f"error bars: order-statistic interval of the median, coverage ≥ {math.floor(min(coverages) * 100)}%"


def _size_param(records):
    """The one numeric parameter whose values differ between `records` (a FLOP-rate case's size), or None."""
    keys = set.intersection(*(set(r["params"]) for r in records)) if records else set()
    varying = [k for k in sorted(keys) if len({r["params"][k] for r in records}) > 1
               and all(r["params"][k].isdigit() for r in records)]
    if len(varying) == 1:
        return varying[0]
    numeric = [k for k in sorted(keys) if all(r["params"][k].isdigit() for r in records)]
    return numeric[0] if len(numeric) == 1 else None


def _save_limit(fig, path):
    import matplotlib.pyplot as plt
    try:
        with written_whole(path) as f:
            fig.savefig(f, dpi=110, format="png")
    finally:
        plt.close(fig)
    return path


def _limit_title(doc, what, records):
    return (f"{what} — run {doc['run']['id']} on {doc['host'].get('cpu_model') or 'unknown CPU'} "
            f"({doc['host'].get('logical_cpus')} CPUs)\n{_record_coverage_label(records)}")


def limit_figures(doc, run_dir, references=None):
    """Figures for FLOP-rate and bandwidth records (metrics.FLOP_RATE, metrics.BANDWIDTH), per workload:
    <workload>_flops.png (GFLOP/s against the size parameter per model at the largest worker count, the reference
    models' lines and the measured peak line), <workload>_flops_scaling.png (speedup and efficiency at the largest
    size that has them), <workload>_roofline.png, <workload>_bandwidth.png (bars per variant and model at 1 and at the largest
    worker count). Returns (paths written, notes): a figure that cannot be drawn from the run's records is left
    out with a note saying why."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from . import derive, metrics

    if references is None:  # the run's own: every model some record was set against (percent_of_<model>)
        named = {k[len("percent_of_"):] for r in doc["records"] for k in (r.get("derived") or {})
                 if k.startswith("percent_of_") and not k.endswith("_reason")}
        references = list(metrics.REFERENCE_MODELS) + sorted(named & {r["model"] for r in doc["records"]})
    references = tuple(dict.fromkeys(references))
    written, notes = [], []
    ok = [r for r in doc["records"] if r["status"] == "ok" and r["workers"] and r.get("median")]
    workloads = sorted({r["workload"] for r in ok if r["metric"]["name"] in (metrics.FLOP_RATE, metrics.BANDWIDTH)})
    for workload in workloads:
        flops = [r for r in ok if r["workload"] == workload and r["metric"]["name"] == metrics.FLOP_RATE]
        bandwidth = [r for r in ok if r["workload"] == workload and r["metric"]["name"] == metrics.BANDWIDTH]
        size = _size_param(flops) if flops else None
        if flops and size is None:
            notes.append(f"{workload}: no GFLOP/s figures: the GFLOP/s records have no single numeric size "
                         f"parameter")
        elif flops:
            path, note = _flops_vs_size(doc, run_dir, workload, flops, size, references, plt)
            written += [path] if path else []
            notes += [note] if note else []
            path, note = _flops_scaling(doc, run_dir, workload, flops, size, references, plt)
            written += [path] if path else []
            notes += [note] if note else []
        path, note = _roofline(doc, run_dir, workload, flops, bandwidth, plt, derive)
        written += [path] if path else []
        notes += [note] if note else []
        if bandwidth:
            written.append(_bandwidth_bars(doc, run_dir, workload, bandwidth, plt))
        else:
            notes.append(f"{workload}: no bandwidth figure: no ok {metrics.BANDWIDTH} records")
    return written, notes


def _flops_vs_size(doc, run_dir, workload, flops, size, references, plt):
    from . import derive
    workers = max(r["workers"] for r in flops)
    mine = [r for r in flops if r["workers"] == workers]
    variants = sorted({r["variant"] for r in mine if r["model"] not in references}) or \
        sorted({r["variant"] for r in mine})
    fig, axes = plt.subplots(1, len(variants), figsize=(5.6 * len(variants), 4.2), squeeze=False)
    for ax, variant in zip(axes.flat, variants):
        lines = [(m, [r for r in mine if r["model"] == m and r["variant"] == variant])
                 for m in sorted({r["model"] for r in mine if r["model"] not in references}, key=_model_rank)]
        for ref in references:  # the reference at the same workers, whatever its variant is called
            ref_records = [r for r in mine if r["model"] == ref]
            if ref_records:
                lines.append((ref, ref_records))
        for model, records in lines:
            if not records:
                continue
            records = sorted(records, key=lambda r: int(r["params"][size]))
            points = [_point(r) for r in records]
            ax.errorbar([int(r["params"][size]) for r in records], [p[0] for p in points],
                        yerr=[[p[1] for p in points], [p[2] for p in points]], marker="o", capsize=3,
                        label=model + (" (reference)" if model in references else ""),
                        linestyle="--" if model in references else "-", linewidth=2.5 if model in references else 1.5)
        peak, why = derive.peak_for(workers, doc.get("software"))
        if peak:
            ax.axhline(peak, color="black", linestyle=":", label=f"measured FP64 peak at {workers} workers")
        ax.set_title(f"{workload}: {variant}, {workers} workers" + ("" if peak else "\n(no peak line: " + why + ")"),
                     fontsize="medium")
        ax.set_xlabel(size)
        ax.set_xscale("log", base=2)
        ax.set_ylabel("GFLOP/s (higher is better)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle(_limit_title(doc, f"{workload}: GFLOP/s against {size}", mine), fontsize="medium")
    fig.tight_layout()
    return _save_limit(fig, pathlib.Path(run_dir) / f"{workload}_flops.png"), None


def _flops_scaling(doc, run_dir, workload, flops, size, references, plt):
    # The largest size with a speedup at two worker counts or more (a size whose many-worker case failed or was
    # skipped would show nothing).
    with_speedup = [r for r in flops if r["derived"].get("speedup") is not None]
    sizes = sorted({int(r["params"][size]) for r in with_speedup
                    if len({q["workers"] for q in with_speedup if q["params"][size] == r["params"][size]}) > 1})
    if not sizes:
        return None, (f"{workload}: no speedup figure: no {size} has GFLOP/s records at two worker counts or more "
                      f"with a 1-worker base")
    largest = sizes[-1]
    mine = [r for r in with_speedup if int(r["params"][size]) == largest]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11.5, 4.2))
    all_workers = sorted({r["workers"] for r in mine})
    for model, variant in sorted({(r["model"], r["variant"]) for r in mine}, key=lambda k: (_model_rank(k[0]), k[1])):
        records = sorted((r for r in mine if (r["model"], r["variant"]) == (model, variant)), key=lambda r: r["workers"])
        xs = [r["workers"] for r in records]
        speedups = [r["derived"]["speedup"] for r in records]
        ci = [r["derived"].get("speedup_ci") or [s, s] for r, s in zip(records, speedups)]
        label = f"{model} {variant}"
        left.errorbar(xs, speedups, yerr=[[max(0, s - c[0]) for s, c in zip(speedups, ci)],
                                          [max(0, c[1] - s) for s, c in zip(speedups, ci)]],
                      marker="o", capsize=3, label=label, linestyle="--" if model in references else "-")
        right.plot(xs, [r["derived"]["efficiency"] for r in records], marker="o", label=label,
                   linestyle="--" if model in references else "-")
    left.plot(all_workers, all_workers, color="gray", linestyle=":", label="ideal")
    right.axhline(1.0, color="gray", linestyle=":", label="ideal")
    for ax, what in ((left, "speedup T(1)/T(p), 95% bootstrap bars"), (right, "efficiency speedup/p")):
        ax.set_xlabel("workers")
        ax.set_xticks(all_workers)
        ax.set_ylabel(what)
        ax.set_title(f"{workload}, {size}={largest}", fontsize="medium")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle(_limit_title(doc, f"{workload}: speedup and efficiency at the largest {size}", mine), fontsize="medium")
    fig.tight_layout()
    return _save_limit(fig, pathlib.Path(run_dir) / f"{workload}_flops_scaling.png"), None


def _roofline(doc, run_dir, workload, flops, bandwidth, plt, derive):
    one, everything = derive.machine_peak(doc.get("software"))
    peak = everything or one
    roof_records = [r for r in bandwidth if r["variant"] == ROOF_BANDWIDTH_VARIANT]
    if not peak or not roof_records:
        missing = "measured FP64 peak in any executable's context" if not peak else \
            f"ok {ROOF_BANDWIDTH_VARIANT} bandwidth record"
        return None, f"{workload}: no roofline: the run has no {missing}"
    roof = max(roof_records, key=lambda r: r["median"])
    bw = roof["median"]
    points = []  # (label, intensity, GFLOP/s)
    # One point per model and variant: its case at the largest size, then the most workers.
    for model, variant in sorted({(r["model"], r["variant"]) for r in flops if r["variant"] in INTENSITY},
                                 key=lambda k: (k[1], _model_rank(k[0]))):
        records = [r for r in flops if (r["model"], r["variant"]) == (model, variant) and "n" in r["params"]]
        if records:
            best = max(records, key=lambda r: (int(r["params"]["n"]), r["workers"], r["median"]))
            points.append((f"{model} {variant} (n={best['params']['n']}, {best['workers']} workers)",
                           INTENSITY[variant](best["params"]), best["median"]))
    for variant in sorted({r["variant"] for r in bandwidth if r["variant"] in INTENSITY}):
        best = max((r for r in bandwidth if r["variant"] == variant), key=lambda r: r["median"])
        intensity = INTENSITY[variant](best["params"])
        points.append((f"{best['model']} {variant} ({best['workers']} workers)", intensity, best["median"] * intensity))
    if not points:
        return None, f"{workload}: no roofline: no record of a variant with a known arithmetic intensity"
    intensities = [p[1] for p in points] + [peak / bw]
    xs = [min(intensities) / 4 * 2 ** (k / 8) for k in range(0, 8 * int(math.log2(max(intensities) * 16 /
                                                                                   min(intensities)) + 1) + 1)]
    fig, ax = plt.subplots(figsize=(7.5, 5.0))
    ax.plot(xs, [min(peak, bw * x) for x in xs], color="black",
            label=f"roofs: {ROOF_BANDWIDTH_VARIANT} {bw:.3g} GB/s ({roof['model']}, {roof['workers']} workers), "
                  f"peak {peak:.3g} GFLOP/s ({'all cores' if everything else '1 core'}, measured)")
    for label, intensity, rate in points:
        ax.plot([intensity], [rate], marker="o", linestyle="none", label=f"{label}: {rate:.3g} GFLOP/s")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (FP64 flops per byte of compulsory traffic)")
    ax.set_ylabel("GFLOP/s")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="x-small", loc="lower right")
    ax.set_title(f"{workload}: roofline (GEMM n/12 flops/byte, triad 2/24)", fontsize="medium")
    fig.suptitle(_limit_title(doc, f"{workload}: roofline", []).split("\n")[0], fontsize="medium")
    fig.tight_layout()
    return _save_limit(fig, pathlib.Path(run_dir) / f"{workload}_roofline.png"), None


def _bandwidth_bars(doc, run_dir, workload, bandwidth, plt):
    variants = sorted({r["variant"] for r in bandwidth})
    models = sorted({r["model"] for r in bandwidth}, key=_model_rank)
    counts = sorted({1, max(r["workers"] for r in bandwidth)} & {r["workers"] for r in bandwidth})
    fig, axes = plt.subplots(1, len(counts), figsize=(6.5 * len(counts), 4.2), squeeze=False)
    width = 0.8 / max(1, len(models))
    for ax, workers in zip(axes.flat, counts):
        for k, model in enumerate(models):
            found = {}
            for r in bandwidth:  # the largest size of each variant: the one past the caches
                if r["model"] == model and r["workers"] == workers:
                    key = r["variant"]
                    size = max((int(v) for v in r["params"].values() if v.isdigit()), default=0)
                    if key not in found or size > found[key][0]:
                        found[key] = (size, r)
            xs = [i + (k - (len(models) - 1) / 2) * width for i, v in enumerate(variants) if v in found]
            points = [_point(found[v][1]) for v in variants if v in found]
            if points:
                ax.bar(xs, [p[0] for p in points], width=width, label=model,
                       yerr=[[p[1] for p in points], [p[2] for p in points]], capsize=2)
        ax.set_xticks(range(len(variants)))
        ax.set_xticklabels(variants)
        ax.set_ylabel("GB/s (10^9 bytes/s, higher is better)")
        ax.set_title(f"{workload}: bandwidth at {workers} worker{'s' if workers != 1 else ''}", fontsize="medium")
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle(_limit_title(doc, f"{workload}: memory bandwidth per kernel and model", bandwidth), fontsize="medium")
    fig.tight_layout()
    return _save_limit(fig, pathlib.Path(run_dir) / f"{workload}_bandwidth.png")
