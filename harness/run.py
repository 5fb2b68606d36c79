"""The run verb's loop: run every pending invocation, turn its output into records, save after each one.
Planning (options, sweeps, the run document) is in plan.py, launch policy per model in policy.py, the conversion
of output into records in records.py."""
import os

from . import derive, discover, gbench, hostinfo, launch, plan, policy, records, results
# The planning API, re-exported for the run verb and older callers.
from .plan import PROFILES, UsageError, now, parse_workers, worker_sweep  # noqa: F401
from .records import make_record


class Runner:
    def __init__(self, doc, run_dir, build_dir, benchmarks, log=print):
        self.doc = doc
        self.run_dir = run_dir
        self.build_dir = build_dir
        self.by_name = {b.name: b for b in benchmarks}
        self.config = doc["run"]["config"]
        self.log = log
        self.cpus = doc["host"]["usable_cpus"] if doc["host"].get("usable_cpus") else os.cpu_count()

        self.manifest = discover.manifest(build_dir)

    # ----- commands -----
    def _policy(self, model):
        return policy.of(model, self.manifest)

    def _env(self, model):
        return policy.environment(self._policy(model), self.config)

    def _command(self, bench, workers, extra):
        return policy.command(bench, self._policy(bench.model), self.config, workers, self.cpus, extra)

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
            return [make_record(inv["workload"], inv["model"], "*", {}, workers, None, "failed",
                                 f"executable {inv['executable']} is no longer in the build")]
        try:
            expected = self._list_cases(bench, workers, stem)
        except RuntimeError as e:
            inv["status"] = "failed"
            return [make_record(inv["workload"], inv["model"], "*", {}, workers, None, "failed", str(e))]
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
        status, why = records.invocation_status(outcome, self.config["timeout"], problem)
        inv["status"] = {"timeout": "timeout", "failed": "failed"}.get(status, "done")
        if data is not None:
            self._note_context(bench.model, data["context"])
        return records.invocation_records(inv, expected, cases, data["context"] if data else {}, status, why,
                                          stderr_tail)

    def _note_context(self, model, context):
        standard = {"date", "host_name", "executable", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled", "caches",
                    "load_avg", "library_build_type", "json_schema_version"}
        custom = {k: str(v) for k, v in context.items() if k not in standard and not k.startswith("parbench_")}
        self.doc["software"]["models"].setdefault(model, {}).update(custom)
        if context.get("library_build_type"):
            self.doc["software"]["benchmark_library_build_type"] = context["library_build_type"]
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



def finish(runner, status):
    doc = runner.doc
    doc["run"]["status"] = status
    doc["run"]["ended"] = now()
    doc["host"]["load_average_end"] = hostinfo.load_average()
    runner.save()



def start(args, argv):
    """Creates the run folder and document, or reopens one to resume. Returns (runner, doc)."""
    doc, run_dir, build_dir, benchmarks = plan.start(args, argv)
    return Runner(doc, run_dir, build_dir, benchmarks), doc
