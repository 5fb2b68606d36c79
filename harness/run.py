"""The run verb: sweep every discovered benchmark over worker counts and write results/<run-id>/."""
import datetime
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys

from . import SCHEMA_VERSION, derive, discover, gbench, hostinfo, launch, metrics, results, stats

PROFILES = {
    # repetitions: samples per case; min_time: Google Benchmark's minimum seconds per sample;
    # timeout: seconds per executable invocation.
    "quick": {"repetitions": 3, "min_time": 0.05, "timeout": 300, "sweep": "ends", "oversubscribe": False},
    "default": {"repetitions": 5, "min_time": 0.2, "timeout": 900, "sweep": "powers", "oversubscribe": False},
    "full": {"repetitions": 10, "min_time": 0.5, "timeout": 1800, "sweep": "powers", "oversubscribe": True},
}
MAX_WORKERS = 4096
GPU_MODELS = ("cuda",)


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


class Runner:
    def __init__(self, doc, run_dir, build_dir, benchmarks, log=print):
        self.doc = doc
        self.run_dir = run_dir
        self.build_dir = build_dir
        self.by_name = {b.name: b for b in benchmarks}
        self.config = doc["run"]["config"]
        self.log = log
        self.cpus = doc["host"]["usable_cpus"] if doc["host"].get("usable_cpus") else os.cpu_count()

    # ----- commands -----
    def _mpi_launcher(self, workers):
        launcher = shutil.which(self.config.get("mpiexec") or "mpirun") or "mpirun"
        command = [launcher, "-np", str(workers)]
        if os.geteuid() == 0:
            command.append("--allow-run-as-root")
        if workers > self.cpus:
            command.append("--oversubscribe")
        command += ["--bind-to", "core" if self.config["bind"] == "cores" and workers <= self.cpus else "none"]
        return command

    def _env(self, model):
        env = dict(os.environ)
        if self.config["bind"] == "cores":
            if model in ("threads", "processes"):
                env["PARBENCH_PIN"] = "cores"
            elif model == "openmp":
                env.setdefault("OMP_PROC_BIND", "close")
                env.setdefault("OMP_PLACES", "cores")
        return env

    def _command(self, bench, workers, extra):
        command = [str(bench.path)]
        if workers is not None and bench.model != "mpi":
            command.append(f"--parbench_workers={workers}")
        if self.config.get("size"):
            command.append(f"--parbench_size={self.config['size']}")
        if self.config.get("variants"):
            command.append("--benchmark_filter=^(" + "|".join(self.config["variants"]) + ")/")
        command += extra
        if bench.model == "mpi":
            command = self._mpi_launcher(workers) + command
        return command

    def _min_time_flag(self):
        seconds = self.config["min_time"]
        version = self.doc["software"].get("benchmark_version") or "1.7.1"
        major_minor = tuple(int(x) for x in version.split(".")[:2] if x.isdigit())
        # Google Benchmark 1.8 reads "<seconds>s"; 1.7 reads a plain number.
        return f"--benchmark_min_time={seconds}s" if major_minor >= (1, 8) else f"--benchmark_min_time={seconds}"

    # ----- one invocation -----
    def _list_cases(self, bench, workers, stem):
        out = self.run_dir / "raw" / f"{stem}.list.txt"
        err = self.run_dir / "raw" / f"{stem}.list.stderr"
        outcome = launch.run(self._command(bench, workers, ["--benchmark_list_tests=true"]), self._env(bench.model),
                             out, err, self.config["timeout"])
        if outcome.timed_out or outcome.returncode != 0:
            why = "timed out" if outcome.timed_out else f"exit code {outcome.returncode}"
            raise RuntimeError(f"listing cases failed ({why}): {launch.tail(err) or launch.tail(out)}")
        names = list(dict.fromkeys(gbench.case_name(line.strip())
                                   for line in out.read_text(errors="replace").splitlines() if line.strip()))
        out.unlink()
        err.unlink()
        return names

    def run_invocation(self, inv):
        bench = self.by_name.get(inv["executable"])
        workers = inv["workers"]
        stem = inv["executable"] + (f".w{workers}" if workers is not None else ".default")
        raw = self.run_dir / "raw" / f"{stem}.json"
        stderr_path = self.run_dir / "raw" / f"{stem}.stderr"
        stdout_path = self.run_dir / "raw" / f"{stem}.stdout"
        rel = lambda p: str(p.relative_to(self.run_dir))
        inv.update({"raw_file": None, "stderr_file": None, "returncode": None, "seconds": None})
        if bench is None:
            inv["status"] = "failed"
            return [self._record(inv, "*", {}, workers, None, "failed",
                                 f"executable {inv['executable']} is no longer in the build")]
        try:
            expected = self._list_cases(bench, workers, stem)
        except RuntimeError as e:
            inv["status"] = "failed"
            return [self._record(inv, "*", {}, workers, None, "failed", str(e))]
        if not expected:
            inv["status"] = "skipped"
            return []
        extra = [f"--benchmark_out={raw}", "--benchmark_out_format=json",
                 f"--benchmark_repetitions={self.config['repetitions']}", self._min_time_flag()]
        command = self._command(bench, workers, extra)
        inv["command"] = command
        outcome = launch.run(command, self._env(bench.model), stdout_path, stderr_path, self.config["timeout"])
        inv.update({"returncode": outcome.returncode, "seconds": round(outcome.seconds, 3),
                    "stderr_file": rel(stderr_path), "raw_file": rel(raw) if raw.exists() else None})
        stderr_tail = launch.tail(stderr_path)

        cases, data, problem = {}, None, None
        try:
            data = gbench.load(raw)
            cases = gbench.group_runs(data)
        except gbench.BenchmarkJsonError as e:
            problem = str(e)
        if outcome.timed_out:
            status, why = "timeout", f"timed out after {self.config['timeout']} s"
        elif outcome.returncode < 0:
            status, why = "failed", f"killed by signal {-outcome.returncode} ({signal.Signals(-outcome.returncode).name})"
        elif outcome.returncode not in (0, 1):
            status, why = "failed", f"exit code {outcome.returncode}"
        elif problem:
            status, why = "failed", problem
        else:
            status, why = None, None
        inv["status"] = {"timeout": "timeout", "failed": "failed"}.get(status, "done")
        if data is not None:
            self._note_context(bench.model, data["context"])

        records = []
        for name in expected + [n for n in cases if n not in expected]:
            variant, params, case_workers = gbench.parse_case(name)
            case = cases.get(name)
            if case is None or (status and not case["runs"] and not case["error"]):
                message = why or "case missing from the benchmark's output"
                if stderr_tail:
                    message += f"; stderr: {stderr_tail[-1500:]}"
                records.append(self._record(inv, variant, params, case_workers, None, status or "failed", message,
                                            name=name))
                continue
            records.append(self._case_record(inv, name, variant, params, case_workers, case, data["context"]))
        return records

    def _note_context(self, model, context):
        standard = {"date", "host_name", "executable", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled", "caches",
                    "load_avg", "library_build_type", "json_schema_version"}
        custom = {k: str(v) for k, v in context.items() if k not in standard and not k.startswith("parbench_")}
        self.doc["software"]["models"].setdefault(model, {}).update(custom)
        if context.get("library_build_type"):
            self.doc["software"]["benchmark_library_build_type"] = context["library_build_type"]

    def _record(self, inv, variant, params, workers, metric, status, message, name=None):
        return make_record(inv["workload"], inv["model"], variant, params, workers, metric, status, message,
                           name=name, raw_file=inv.get("raw_file"))

    def _case_record(self, inv, name, variant, params, workers, case, context):
        metric_name = context.get("parbench_primary_metric") or "real_time"
        time_unit = case["runs"][0].get("time_unit", "ns") if case["runs"] else "ns"
        unit, direction = metrics.describe(metric_name, time_unit)
        metric = {"name": metric_name, "unit": unit, "direction": direction}
        if case["error"]:
            status = "skipped" if case["error"].startswith("skipped:") else "failed"
            return self._record(inv, variant, params, workers, metric, status, case["error"], name=name)
        samples = [run.get(metric_name) for run in case["runs"]]
        if not samples or any(not isinstance(s, (int, float)) for s in samples):
            return self._record(inv, variant, params, workers, metric, "failed",
                                f"metric {metric_name} missing from the output", name=name)
        record = self._record(inv, variant, params, workers, metric, "ok", "", name=name)
        record.update(stats.summarize(samples))
        record["samples"] = samples
        record["verified"] = True
        counter_samples = {}
        for run in case["runs"]:
            for key, value in gbench.counters_of(run).items():
                if key != metric_name:
                    counter_samples.setdefault(key, []).append(value)
        for key, values in sorted(counter_samples.items()):
            c_unit, c_direction = metrics.describe(key)
            record["counters"][key] = {"unit": c_unit, "direction": c_direction, "samples": values,
                                       "median": stats.median(values), "ci95": stats.median_ci95(values)}
        return record

    # ----- the loop -----
    def save(self):
        derive.apply(self.doc["records"])
        results.write_atomic(self.run_dir / "results.json", self.doc)

    def run(self):
        pending = [inv for inv in self.doc["run"]["invocations"] if inv["status"] == "pending"]
        total = len(self.doc["run"]["invocations"])
        done_before = total - len(pending)
        for n, inv in enumerate(pending, start=done_before + 1):
            label = f"[{n:>{len(str(total))}}/{total}] {inv['executable']:<22} " + \
                    (f"workers={inv['workers']}" if inv["workers"] is not None else "workers=default")
            self.log(f"{label} ...", flush=True)
            new_records = self.run_invocation(inv)
            new_ids = {r["id"] for r in new_records}
            self.doc["records"] = [r for r in self.doc["records"] if r["id"] not in new_ids] + new_records
            self.save()
            counts = {}
            for r in new_records:
                counts[r["status"]] = counts.get(r["status"], 0) + 1
            summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "no cases"
            seconds = f" in {inv['seconds']:.1f} s" if inv.get("seconds") else ""
            self.log(f"{label} {inv['status']}: {summary}{seconds}", flush=True)


def make_record(workload, model, variant, params, workers, metric, status, message, name=None, raw_file=None):
    """A record without numbers (status not ok, or before its samples are filled in). `variant` "*" with
    `workers` None stands for a whole model or invocation that produced no cases."""
    case = name or (variant + "".join(f"/{k}:{v}" for k, v in params.items()) +
                    (f"/workers:{workers}" if workers is not None else ""))
    return {
        "id": f"{workload}/{model}/{case}",
        "workload": workload, "model": model, "variant": variant, "params": params, "workers": workers,
        "case": case, "metric": metric or {"name": "ns_per_op", "unit": "ns", "direction": "lower"},
        "samples": [], "median": None, "ci95": None, "cv": None, "counters": {},
        "verified": False, "status": status, "message": message, "raw_file": raw_file, "derived": {},
    }


def plan(benchmarks, config, cpus, build_manifest):
    invocations, skipped_records = [], []
    workers = config["workers"]
    for bench in benchmarks:
        counts = [None] if bench.model in GPU_MODELS else workers
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
    """Creates the run folder and document, or reopens one to resume. Returns (runner, doc)."""
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
        return Runner(doc, run_dir, build_dir, benchmarks), doc

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
    return Runner(doc, run_dir, build_dir, selected), doc


def finish(runner, status):
    doc = runner.doc
    doc["run"]["status"] = status
    doc["run"]["ended"] = now()
    doc["host"]["load_average_end"] = hostinfo.load_average()
    runner.save()
