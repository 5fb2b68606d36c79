"""Figures derived from records: speedup, efficiency, Karp-Flatt serial fraction."""


def _speedup(base, value, direction):
    if base is None or value is None or base <= 0 or value <= 0:
        return None
    return base / value if direction == "lower" else value / base


def karp_flatt(speedup, workers):
    """Experimentally determined serial fraction e = (1/S - 1/p) / (1 - 1/p), for p > 1."""
    if speedup is None or workers is None or workers <= 1 or speedup <= 0:
        return None
    return (1 / speedup - 1 / workers) / (1 - 1 / workers)


def apply(records):
    """Fills record['derived'] for every record: within its model against 1 worker, and against the best
    1-worker time of any model for the same workload, variant and parameters."""
    def key(r):
        return (r["workload"], r["variant"], tuple(sorted(r["params"].items())))

    serial = {}       # (key, model) -> median at 1 worker
    best_serial = {}  # key -> best median at 1 worker over models
    for r in records:
        if r["status"] != "ok" or r["workers"] != 1:
            continue
        serial[(key(r), r["model"])] = r["median"]
        best = best_serial.get(key(r))
        better = (best is None or (r["median"] < best if r["metric"]["direction"] == "lower" else r["median"] > best))
        if better:
            best_serial[key(r)] = r["median"]
    for r in records:
        derived = {"speedup": None, "efficiency": None, "karp_flatt": None, "speedup_vs_best_serial": None}
        if r["status"] == "ok" and r["workers"] and r["metric"]["direction"] in ("lower", "higher"):
            direction = r["metric"]["direction"]
            s = _speedup(serial.get((key(r), r["model"])), r["median"], direction)
            derived["speedup"] = s
            derived["efficiency"] = s / r["workers"] if s is not None else None
            derived["karp_flatt"] = karp_flatt(s, r["workers"])
            derived["speedup_vs_best_serial"] = _speedup(best_serial.get(key(r)), r["median"], direction)
        r["derived"] = derived
