"""Merging one pass's records into the run's records.

A run makes `repetitions` passes; each pass runs every (executable, worker count) once with one Google Benchmark
repetition. A record's samples are its values from the passes, in pass order, and its statistics are recomputed
over all of them (counters alike). A case that fails, times out or is missing in any pass is that failure from
then on ("pass k of R: …"), never ok with fewer samples. While passes are outstanding (a run in progress, or
interrupted), an ok record holds the samples so far and its message says "incomplete: k of R samples"; --resume
runs the remaining passes and clears it."""
from . import stats
from .records import finite_summary, sweep_of, sweep_words

INCOMPLETE = "incomplete: {done} of {total} samples so far (passes outstanding; --resume finishes an interrupted run)"


def group_key(inv):
    """The passes of one (executable, worker count, swept setting) run the same cases."""
    return (inv["executable"], inv["workers"], tuple(sorted(sweep_of(inv).items())))


def _failed(record, message):
    """`record` as a failed record without numbers (the schema's rule for any status but ok)."""
    out = dict(record)
    out.update(dict.fromkeys(stats.summarize([])))
    out.update({"samples": [], "counters": {}, "verified": False, "status": "failed", "message": message,
                "noisy": False})
    return out


def _combine(old, new):
    """Two ok records of the same case: samples and counter samples concatenated, statistics recomputed."""
    merged = dict(old)
    samples = list(old["samples"]) + list(new["samples"])
    summary = finite_summary(samples)
    if summary is None:
        return _failed(old, f"the statistics of {old['metric']['name']} over the passes are not finite")
    merged.update(summary)
    merged["samples"] = samples
    counters = {}
    for key in list(old.get("counters", {})) + [k for k in new.get("counters", {}) if k not in old.get("counters", {})]:
        a, b = old.get("counters", {}).get(key), new.get("counters", {}).get(key)
        if a is None or b is None:
            counters[key] = dict(a or b)
            continue
        counter = dict(a)
        counter["samples"] = list(a["samples"]) + list(b["samples"])
        c_summary = finite_summary(counter["samples"])
        if c_summary is None:
            return _failed(old, f"the statistics of counter {key} over the passes are not finite")
        counter.update(c_summary)
        counters[key] = counter
    merged["counters"] = counters
    return merged


def apply_pass(doc, inv, new_records):
    """Merges the records of pass inv['pass'] (already marked finished in `inv`) into doc['records'], records in
    inv['records'] which ids it contributed to, and, when every record of its group has stopped being ok, marks
    the group's remaining passes skipped. Mutates `doc`."""
    total = doc["run"]["config"]["repetitions"]
    k = inv["pass"]
    records = doc["records"]
    index = {r["id"]: i for i, r in enumerate(records)}
    inv["records"] = [r["id"] for r in new_records]
    for new in new_records:
        i = index.get(new["id"])
        old = records[i] if i is not None else None
        if new["status"] in ("failed", "timeout") and total > 1:
            new = dict(new, message=f"pass {k} of {total}: {new['message']}")
        if old is None:
            merged = new
        elif old["status"] != "ok":
            merged = old  # the first failure stands
        elif new["status"] != "ok":
            merged = new
        else:
            merged = _combine(old, new)
        if i is None:
            index[new["id"]] = len(records)
            records.append(merged)
        else:
            records[i] = merged

    group = [g for g in doc["run"]["invocations"]
             if g.get("pass") is not None and group_key(g) == group_key(inv)]
    finished = [g for g in group if g["status"] != "pending"]
    complete = len(finished) == len(group)
    contributions = {}
    for g in finished:
        for rid in g.get("records") or []:
            contributions[rid] = contributions.get(rid, 0) + 1
    for rid, count in contributions.items():
        i = index.get(rid)
        if i is None or records[i]["status"] != "ok":
            continue
        if complete and count < total:
            records[i] = _failed(records[i], f"the case appeared in only {count} of {total} passes")
        elif complete:
            records[i]["message"] = ""
        else:
            records[i]["message"] = INCOMPLETE.format(done=count, total=total)
    alive = any(records[index[rid]]["status"] == "ok" for rid in contributions if rid in index)
    if not alive and not complete:
        for g in group:
            if g["status"] == "pending":
                g["status"] = "skipped"
                g["message"] = f"not run: after pass {k} no case of {inv['executable']} with these workers" \
                               f"{' and' + sweep_words(inv) if sweep_of(inv) else ''} could still be ok"
