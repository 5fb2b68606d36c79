"""Figures derived from records: speedup with its bootstrap interval, efficiency, Karp-Flatt serial fraction, and
the `noisy` flag. `apply` runs on every save of results.json."""
import functools
import math

from . import metrics

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20240521  # fixed: the same samples always give the same interval
# A record is noisy when its samples spread more than this: coefficient of variation above NOISY_CV, or the
# interval of the median wider than NOISY_HALF_WIDTH of the median on either side of its centre.
NOISY_CV = 0.05
NOISY_HALF_WIDTH = 0.05


def _speedup(base, value, direction):
    if base is None or value is None or base <= 0 or value <= 0:
        return None
    return base / value if direction == "lower" else value / base


def karp_flatt(speedup, workers):
    """Experimentally determined serial fraction e = (1/S - 1/p) / (1 - 1/p), for p > 1."""
    if speedup is None or workers is None or workers <= 1 or speedup <= 0:
        return None
    return (1 / speedup - 1 / workers) / (1 - 1 / workers)


def ratio_ci(numerator, denominator, resamples=BOOTSTRAP_RESAMPLES, seed=BOOTSTRAP_SEED):
    """Percentile bootstrap 95% interval [lo, hi] of median(numerator) / median(denominator), resampling both
    sides independently; None when either side has fewer than 2 samples or a resampled median is not positive.
    Remembered per samples: results.json is re-derived on every save, mostly from the same samples."""
    if len(numerator) < 2 or len(denominator) < 2:
        return None
    found = _ratio_ci(tuple(numerator), tuple(denominator), resamples, seed)
    return list(found) if found else None


@functools.lru_cache(maxsize=1 << 16)
def _ratio_ci(numerator, denominator, resamples, seed):
    import numpy as np  # Debian: python3-numpy
    rng = np.random.default_rng(seed)
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    top = np.median(num[rng.integers(0, len(num), size=(resamples, len(num)))], axis=1)
    bottom = np.median(den[rng.integers(0, len(den), size=(resamples, len(den)))], axis=1)
    if np.any(bottom <= 0) or np.any(top <= 0):
        return None
    low, high = np.percentile(top / bottom, [2.5, 97.5])
    return float(low), float(high)


def speedup_ci(base, record):
    """Bootstrap interval of the speedup of `record` against the record `base` (both with samples); [1, 1] when
    they are the same record: a measurement against itself has no spread."""
    if base is None:
        return None
    if base is record or (base.get("id") is not None and base.get("id") == record.get("id")):
        return [1.0, 1.0]
    mine, theirs = record.get("samples") or [], base.get("samples") or []
    return ratio_ci(theirs, mine) if record["metric"]["direction"] == "lower" else ratio_ci(mine, theirs)


def is_noisy(record):
    """True for an ok record whose CV or interval half-width exceeds the documented thresholds."""
    if record["status"] != "ok" or not record.get("median"):
        return False
    cv = record.get("cv")
    if cv is not None and cv > NOISY_CV:
        return True
    ci = record.get("ci")
    return bool(ci) and (ci[1] - ci[0]) / 2 > NOISY_HALF_WIDTH * abs(record["median"])


def reference_models(build_manifest=None):
    """The reference models: metrics.REFERENCE_MODELS and any model the build manifest declares with
    "reference": true (read defensively: anything but true is false)."""
    declared = (build_manifest or {}).get("models") if isinstance(build_manifest, dict) else None
    extra = [m for m, p in declared.items() if isinstance(p, dict) and p.get("reference") is True] \
        if isinstance(declared, dict) else []
    return tuple(dict.fromkeys(list(metrics.REFERENCE_MODELS) + sorted(extra)))


def _positive(text):
    """A context value (a string) as a positive finite float, or None."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) and value > 0 else None


def machine_peak(software):
    """(per-core, all-core) measured FP64 peak in GFLOP/s: the highest figures any executable of the run put in
    its context (they all measure the same host; the highest is the most it was shown to do); None where none."""
    contexts = ((software or {}).get("models") or {}).values() if isinstance(software, dict) else ()
    found = {}
    for ctx in contexts:
        if isinstance(ctx, dict):
            for key in (metrics.PEAK_1CORE, metrics.PEAK_ALL):
                value = _positive(ctx.get(key))
                if value is not None:
                    found[key] = max(found.get(key, 0.0), value)
    return found.get(metrics.PEAK_1CORE), found.get(metrics.PEAK_ALL)


def peak_for(workers, software):
    """(GFLOP/s, reason when None) the machine can do with `workers` workers: the measured per-core peak ×
    workers, capped by the measured all-core peak (more workers than cores add no FMA units)."""
    one, everything = machine_peak(software)
    if one is None:
        return None, f"no measured per-core FP64 peak ({metrics.PEAK_1CORE}) in any executable's context"
    peak = one * workers
    return (min(peak, everything) if everything is not None else peak), None


def _percent(value, base):
    return 100.0 * value / base if value is not None and base else None


def limits(records, software=None, references=None):
    """Per record (keyed by id(record)), the fields that set a record against the machine's limits and the reference models:
    - FLOP_RATE records: `percent_of_<reference>` against the reference model's ok record of the same workload,
      metric, parameters and workers (its record of the same variant, or its only variant there), with
      `percent_of_<reference>_reason` when there is none; `percent_of_peak` against peak_for(workers), with
      `peak_gflops` (the figure used) or `percent_of_peak_reason`.
    - BANDWIDTH records: `percent_of_best_bandwidth` against the best median of the same workload, variant and
      parameters over every model and worker count of the run, with `best_bandwidth` (the figure used).
    Records of other metrics, and records that are not ok, get none of these."""
    references = tuple(references if references is not None else metrics.REFERENCE_MODELS)
    ok = [r for r in records if r["status"] == "ok" and r["workers"] and r.get("median")]
    params = lambda r: tuple(sorted(r["params"].items()))
    by_reference = {}   # (reference, workload, metric, params, workers) -> {variant: record}
    best_bandwidth = {}
    for r in ok:
        name = r["metric"]["name"]
        if r["model"] in references:
            by_reference.setdefault((r["model"], r["workload"], name, params(r), r["workers"]), {})[r["variant"]] = r
        if name == metrics.BANDWIDTH:
            key = (r["workload"], r["variant"], params(r))
            best_bandwidth[key] = max(best_bandwidth.get(key, 0.0), r["median"])
    found = {}
    for r in ok:
        name, fields = r["metric"]["name"], {}
        if name == metrics.FLOP_RATE:
            for ref in references:
                field = f"percent_of_{ref}"
                candidates = by_reference.get((ref, r["workload"], name, params(r), r["workers"]), {})
                base = candidates.get(r["variant"]) or \
                    (next(iter(candidates.values())) if len(candidates) == 1 else None)
                fields[field] = _percent(r["median"], base and base["median"])
                fields[f"{field}_reason"] = None if base else (
                    f"the {ref} model has no ok record with these parameters at {r['workers']} workers"
                    if not candidates else f"the {ref} model has several variants here and none is {r['variant']}")
            peak, why = peak_for(r["workers"], software)
            fields.update({"percent_of_peak": _percent(r["median"], peak), "peak_gflops": peak,
                           "percent_of_peak_reason": why})
        elif name == metrics.BANDWIDTH:
            best = best_bandwidth.get((r["workload"], r["variant"], params(r)))
            fields.update({"percent_of_best_bandwidth": _percent(r["median"], best), "best_bandwidth": best})
        if fields:
            found[id(r)] = fields
    return found


def apply(records, software=None, references=None):
    """Fills record['derived'] and record['noisy'] for every record: speedups within its model against 1 worker,
    and against the best 1-worker median of any model for the same workload, variant and parameters, each with a
    bootstrap interval over both records' samples; plus the fields of `limits` (software: results.json's
    software section, whose per-model contexts hold the measured peak; references: reference_models())."""
    def key(r):
        return (r["workload"], r["variant"], tuple(sorted(r["params"].items())))

    against_limits = limits(records, software, references)
    serial = {}       # (key, model) -> the 1-worker record
    best_serial = {}  # key -> the best 1-worker record over models
    for r in records:
        if r["status"] != "ok" or r["workers"] != 1:
            continue
        serial[(key(r), r["model"])] = r
        best = best_serial.get(key(r))
        better = (best is None or (r["median"] < best["median"] if r["metric"]["direction"] == "lower"
                                   else r["median"] > best["median"]))
        if better:
            best_serial[key(r)] = r
    for r in records:
        derived = {"speedup": None, "speedup_ci": None, "efficiency": None, "karp_flatt": None,
                   "speedup_vs_best_serial": None, "speedup_vs_best_serial_ci": None}
        # An overhead (metrics.MAY_BE_NONPOSITIVE) is the cost of one construct, not the time of a fixed amount of
        # work shared by the workers: T(1)/T(p) of it is no speedup, and it may be <= 0.
        if r["status"] == "ok" and r["workers"] and r["metric"]["direction"] in ("lower", "higher") and \
                metrics.must_be_positive(r["metric"]["name"]):
            direction = r["metric"]["direction"]
            base = serial.get((key(r), r["model"]))
            best = best_serial.get(key(r))
            s = _speedup(base and base["median"], r["median"], direction)
            derived["speedup"] = s
            derived["speedup_ci"] = speedup_ci(base, r) if s is not None else None
            derived["efficiency"] = s / r["workers"] if s is not None else None
            derived["karp_flatt"] = karp_flatt(s, r["workers"])
            vs_best = _speedup(best and best["median"], r["median"], direction)
            derived["speedup_vs_best_serial"] = vs_best
            derived["speedup_vs_best_serial_ci"] = speedup_ci(best, r) if vs_best is not None else None
        derived.update(against_limits.get(id(r), {}))
        r["derived"] = derived
        r["noisy"] = is_noisy(r)
