"""Planning a run: profiles, worker sweeps, option checks, the invocation list, and the run document (new or
resumed)."""
import datetime
import os
import pathlib
import re
import subprocess
import sys

from . import SCHEMA_VERSION, discover, hostinfo, policy, results
from .records import make_record

PROFILES = {
    # repetitions: samples per case; min_time: Google Benchmark's minimum seconds per sample;
    # timeout: seconds per executable invocation.
    "quick": {"repetitions": 3, "min_time": 0.05, "timeout": 300, "sweep": "ends", "oversubscribe": False},
    "default": {"repetitions": 5, "min_time": 0.2, "timeout": 900, "sweep": "powers", "oversubscribe": False},
    "full": {"repetitions": 10, "min_time": 0.5, "timeout": 1800, "sweep": "powers", "oversubscribe": True},
}
MAX_WORKERS = 4096


class UsageError(ValueError):
    """Bad input to the run verb; the message is one line."""


def now():
    return datetime.datetime.now(datetime.timezone.utc).astimezone().isoformat(timespec="seconds")


def parse_workers(text):
    values = []
    for item in text.split(","):
        item = item.strip()
        if not item.isdigit() or not 1 <= int(item) <= MAX_WORKERS:
            raise UsageError(f"bad worker count {item!r} in {text!r} (want integers 1..{MAX_WORKERS}, "
                             f"comma-separated)")
        values.append(int(item))
    return sorted(set(values))


def worker_sweep(cpus, sweep, oversubscribe):
    """'ends': 1 and the CPU count; 'powers': 1, 2, 4, ... below the CPU count, and the CPU count.
    Oversubscription adds twice the CPU count."""
    if sweep == "ends":
        counts = {1, cpus}
    else:
        counts, p = {cpus}, 1
        while p < cpus:
            counts.add(p)
            p *= 2
    if oversubscribe:
        counts.add(2 * cpus)
    return sorted(counts)


def _parse_list(text, known=None, what="value"):
    items = [i.strip() for i in text.split(",") if i.strip()]
    if not items:
        raise UsageError(f"empty {what} list")
    if known is not None:
        for item in items:
            if item not in known:
                raise UsageError(f"unknown {what} {item!r} (known: {', '.join(known)})")
    return items


def _git(repo):
    try:
        sha = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10).stdout.strip() or None
        status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=10)
        dirty = bool(status.stdout.strip()) if status.returncode == 0 and sha else None
    except (OSError, subprocess.SubprocessError):
        sha, dirty = None, None
    return {"sha": sha, "dirty": dirty}


def _new_run_id(out_dir, profile):
    base = datetime.datetime.now().strftime("%Y%m%d-%H%M%S") + f"-{profile}"
    run_id, n = base, 2
    while (out_dir / run_id).exists():
        run_id, n = f"{base}-{n}", n + 1
    return run_id


def plan(benchmarks, config, cpus, build_manifest):
    invocations, skipped_records = [], []
    workers = config["workers"]
    for bench in benchmarks:
        counts = [None] if policy.of(bench.model, build_manifest)["own_workers"] else workers
        for w in counts:
            invocations.append({"executable": bench.name, "workload": bench.workload, "model": bench.model,
                                "workers": w, "status": "pending"})
    workloads = sorted({b.workload for b in benchmarks})
    for model, reason in sorted((build_manifest.get("skipped_models") or {}).items()):
        if config.get("models") and model not in config["models"]:
            continue
        for workload in workloads:
            skipped_records.append(make_record(workload, model, "*", {}, None, None, "skipped",
                                               f"skipped: model not built: {reason}"))
    return invocations, skipped_records


def start(args, argv):
    """Creates the run folder and document, or reopens one to resume. Returns (doc, run_dir, build_dir,
    benchmarks)."""
    out_dir = pathlib.Path(args.out)
    if args.resume:
        chosen = [flag for flag, value in (("--profile", args.profile != "default"), ("--workers", args.workers),
                                           ("--model", args.model), ("--workload", args.workload),
                                           ("--variant", args.variant), ("--size", args.size),
                                           ("--run-id", args.run_id), ("--repetitions", args.repetitions),
                                           ("--min-time", args.min_time), ("--timeout", args.timeout))
                  if value]
        if chosen:
            raise UsageError(f"--resume continues a run with its own settings; drop {', '.join(chosen)}")
        run_dir = pathlib.Path(args.resume)
        if not (run_dir / "results.json").exists():
            run_dir = out_dir / args.resume
        doc = results.load(run_dir / "results.json")  # ResultsError -> exit 2
        config = doc["run"]["config"]
        build_dir = pathlib.Path(config["build_dir"])
        benchmarks = discover.find(build_dir)
        doc["run"]["status"] = "running"
        doc["run"]["ended"] = None
        doc["run"].setdefault("resumed", []).append(now())
        return doc, run_dir, build_dir, benchmarks

    if args.profile not in PROFILES:
        raise UsageError(f"unknown profile {args.profile!r} (known: {', '.join(PROFILES)})")
    profile = dict(PROFILES[args.profile])
    build_dir = pathlib.Path(args.build_dir).resolve()
    build_manifest = discover.manifest(build_dir)
    benchmarks = discover.find(build_dir)
    models = _parse_list(args.model, known=list(discover.MODELS), what="model") if args.model else None
    workloads = _parse_list(args.workload, what="workload") if args.workload else None
    variants = _parse_list(args.variant, what="variant") if args.variant else None
    if variants:
        for v in variants:
            if not v.replace("_", "").isalnum():
                raise UsageError(f"bad variant name {v!r}")
    if workloads:
        unknown = sorted(set(workloads) - {b.workload for b in benchmarks})
        if unknown:
            raise UsageError(f"no built workload {unknown[0]!r} (built: "
                             f"{', '.join(sorted({b.workload for b in benchmarks}))})")
    selected = [b for b in benchmarks if (not models or b.model in models) and (not workloads or b.workload in workloads)]
    if not selected:
        raise UsageError("no built benchmark matches the --workload/--model filters")
    cpus = len(os.sched_getaffinity(0))
    oversubscribe = args.oversubscribe or profile["oversubscribe"]
    workers = parse_workers(args.workers) if args.workers else worker_sweep(cpus, profile["sweep"], oversubscribe)
    for key in ("repetitions", "min_time", "timeout"):
        value = getattr(args, key)
        if value is not None:
            if value <= 0:
                raise UsageError(f"--{key.replace('_', '-')} must be positive")
            profile[key] = value
    if args.size is not None and not re.fullmatch(r"[1-9][0-9]*[kMG]?", args.size):
        raise UsageError(f"bad size {args.size!r} (want a positive integer, optional k/M/G suffix)")
    config = {"profile": args.profile, "size": args.size, "repetitions": int(profile["repetitions"]), "min_time": profile["min_time"],
              "timeout": profile["timeout"], "workers": workers, "oversubscribe": oversubscribe, "bind": args.bind,
              "models": models, "workloads": workloads, "variants": variants, "build_dir": str(build_dir),
              "mpiexec": build_manifest.get("mpiexec") or None}

    out_dir.mkdir(parents=True, exist_ok=True)
    run_id = args.run_id or _new_run_id(out_dir, args.profile)
    run_dir = out_dir / run_id
    if run_dir.exists():
        raise UsageError(f"run folder {run_dir} already exists (choose another --run-id, or --resume it)")
    (run_dir / "raw").mkdir(parents=True)
    invocations, skipped_records = plan(selected, config, cpus, build_manifest)
    doc = {
        "schema": SCHEMA_VERSION,
        "run": {"id": run_id, "started": now(), "ended": None, "status": "running", "profile": args.profile,
                "command": [sys.executable, "-m", "harness"] + list(argv), "git": _git(pathlib.Path.cwd()),
                "config": config, "invocations": invocations},
        "host": hostinfo.host(),
        "software": hostinfo.software(build_manifest),
        "env": hostinfo.env(),
        "records": skipped_records,
    }
    return doc, run_dir, build_dir, selected

