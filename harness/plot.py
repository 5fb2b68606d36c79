"""Figures for a run: for each workload and variant, throughput against workers, one line per model, with the
ideal-scaling line from the best single-worker result. Needs matplotlib (Debian: python3-matplotlib)."""
import contextlib
import math
import os
import pathlib
import secrets

from . import MODELS as MODEL_ORDER


def _rate(record):
    """(median, low, high) of items_per_second, or None."""
    counter = record["counters"].get("items_per_second")
    if not counter or counter["median"] is None:
        return None
    low, high = counter.get("ci") or (counter["median"], counter["median"])
    return counter["median"], low, high


def _coverage_label(records):
    """'error bars: interval of the median, coverage >= 94%' from the lowest coverage among the plotted counters."""
    coverages = [r["counters"]["items_per_second"].get("ci_coverage") for r in records]
    coverages = [c for c in coverages if c]
    if not coverages:
        return "no error bars (one sample per point)"
    return f"error bars: order-statistic interval of the median, coverage ≥ {math.floor(min(coverages) * 100)}%"


FILE_MODE = 0o644


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


def scaling_figures(doc, run_dir):
    """Writes <workload>_scaling.png into run_dir; returns the paths written."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    by_workload = {}
    for r in doc["records"]:
        if r["status"] == "ok" and r["workers"] and r["model"] not in ("cuda",) and _rate(r):
            by_workload.setdefault(r["workload"], {}).setdefault(r["variant"], []).append(r)
    for workload, variants in sorted(by_workload.items()):
        names = sorted(variants)
        columns = min(3, len(names))
        rows = math.ceil(len(names) / columns)
        fig, axes = plt.subplots(rows, columns, figsize=(5.2 * columns, 4.0 * rows), squeeze=False)
        for ax, variant in zip(axes.flat, names):
            records = variants[variant]
            models = sorted({r["model"] for r in records}, key=lambda m: MODEL_ORDER.index(m)
                            if m in MODEL_ORDER else 99)
            for model in models:
                points = sorted((r["workers"], _rate(r)) for r in records if r["model"] == model)
                xs = [p[0] for p in points]
                ys = [p[1][0] for p in points]
                errors = [[max(0, p[1][0] - p[1][1]) for p in points], [max(0, p[1][2] - p[1][0]) for p in points]]
                ax.errorbar(xs, ys, yerr=errors, marker="o", capsize=3, label=model)
            serial = [_rate(r)[0] for r in records if r["workers"] == 1]
            all_workers = sorted({r["workers"] for r in records})
            if serial:
                best = max(serial)
                ax.plot(all_workers, [best * w for w in all_workers], linestyle="--", color="gray",
                        label="ideal (best 1-worker × p)")
            ax.set_title(f"{workload}: {variant}")
            ax.set_xlabel("workers")
            ax.set_ylabel("operations per second")
            ax.set_yscale("log")
            ax.set_xticks(all_workers)
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize="small")
        for ax in list(axes.flat)[len(names):]:
            ax.set_visible(False)
        plotted = [r for records in variants.values() for r in records]
        fig.suptitle(f"{workload} — run {doc['run']['id']} on {doc['host']['cpu_model']}\n"
                     f"({doc['host']['logical_cpus']} CPUs); {_coverage_label(plotted)}")
        fig.tight_layout()
        path = pathlib.Path(run_dir) / f"{workload}_scaling.png"
        try:
            with written_whole(path) as f:
                fig.savefig(f, dpi=110, format="png")
        finally:
            plt.close(fig)
        written.append(path)
    return written


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


def _model_key(model):
    return MODEL_ORDER.index(model) if model in MODEL_ORDER else len(MODEL_ORDER)


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


def _save(fig, path):
    import matplotlib.pyplot as plt
    try:
        with written_whole(path) as f:
            fig.savefig(f, dpi=110, format="png")
    finally:
        plt.close(fig)
    return path


def _title(doc, what, records):
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
                 for m in sorted({r["model"] for r in mine if r["model"] not in references}, key=_model_key)]
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
    fig.suptitle(_title(doc, f"{workload}: GFLOP/s against {size}", mine), fontsize="medium")
    fig.tight_layout()
    return _save(fig, pathlib.Path(run_dir) / f"{workload}_flops.png"), None


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
    for model, variant in sorted({(r["model"], r["variant"]) for r in mine}, key=lambda k: (_model_key(k[0]), k[1])):
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
    fig.suptitle(_title(doc, f"{workload}: speedup and efficiency at the largest {size}", mine), fontsize="medium")
    fig.tight_layout()
    return _save(fig, pathlib.Path(run_dir) / f"{workload}_flops_scaling.png"), None


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
                                 key=lambda k: (k[1], _model_key(k[0]))):
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
    fig.suptitle(_title(doc, f"{workload}: roofline", []).split("\n")[0], fontsize="medium")
    fig.tight_layout()
    return _save(fig, pathlib.Path(run_dir) / f"{workload}_roofline.png"), None


def _bandwidth_bars(doc, run_dir, workload, bandwidth, plt):
    variants = sorted({r["variant"] for r in bandwidth})
    models = sorted({r["model"] for r in bandwidth}, key=_model_key)
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
    fig.suptitle(_title(doc, f"{workload}: memory bandwidth per kernel and model", bandwidth), fontsize="medium")
    fig.tight_layout()
    return _save(fig, pathlib.Path(run_dir) / f"{workload}_bandwidth.png")
