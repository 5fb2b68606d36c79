"""Figures derived from records: speedup with its bootstrap interval, efficiency, Karp-Flatt serial fraction, and
the `noisy` flag. `apply` runs on every save of results.json."""
import functools

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


def apply(records):
    """Fills record['derived'] and record['noisy'] for every record: speedups within its model against 1 worker,
    and against the best 1-worker median of any model for the same workload, variant and parameters, each with a
    bootstrap interval over both records' samples."""
    def key(r):
        return (r["workload"], r["variant"], tuple(sorted(r["params"].items())))

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
        r["derived"] = derived
        r["noisy"] = is_noisy(r)
