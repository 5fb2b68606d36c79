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
