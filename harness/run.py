"""The run verb: plan (plan.py), then run every pending invocation, merge its records (merge.py) and save, one
invocation at a time.

Guarantees (docs/design.md, Harness):
- an invocation is marked finished only together with its records, in one atomic write; SIGINT, SIGTERM and
  SIGHUP wait while a finished invocation is applied and saved, and the document in memory is replaced only after
  the write succeeded, so an interrupt or an error never leaves an invocation done without its records;
- one writer per run folder (flock), and nothing is written before every check passed;
- bad input is one line and exit 2; an interrupt is exit 130 after the session of the running benchmark is
  killed and what finished is saved; an environment failure (disk full, say) or an unexpected error is one line
  and exit 1, after saving what finished where the disk still allows it."""
import copy
import os
import sys

from . import derive, discover, gbench, hostinfo, launch, merge, plan, policy, records, results
# The planning API, re-exported for the run verb and older callers.
from .plan import PROFILES, UsageError, now, parse_workers, worker_sweep  # noqa: F401

EXIT_USAGE = 2
EXIT_ENVIRONMENT = 1
EXIT_INTERRUPTED = 130
_CONTEXT_STANDARD = {"date", "host_name", "executable", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled", "caches",
                     "load_avg", "library_build_type", "json_schema_version"}


def _say(*args, file=None, **kwargs):
    """print() that never stops the run: a closed terminal or pipe (SIGHUP, a reader gone) just loses the line."""
    try:
        print(*args, file=file or sys.stdout, flush=True, **kwargs)
    except (OSError, ValueError):
        pass


def _err(text):
    _say(text, file=sys.stderr)


class Runner:
    def __init__(self, the_plan, log=_say):
        self.plan = the_plan
        self.doc = the_plan.doc
        self.run_dir = the_plan.run_dir
        self.build_dir = the_plan.build_dir
        self.manifest = the_plan.manifest
        self.by_name = {b.name: b for b in the_plan.benchmarks}
        self.config = self.doc["run"]["config"]
        self.settings = the_plan.settings
        self.cpus = the_plan.cpus
        self.log = log

    # ----- commands -----
    def _policy(self, model):
        return policy.of(model, self.manifest)

    def _min_time_flag(self):
        seconds = self.config["min_time"]
        version = self.doc["software"].get("benchmark_version") or "1.7.1"
        major_minor = tuple(int(x) for x in str(version).split(".")[:2] if x.isdigit())
        # Google Benchmark 1.8 reads "<seconds>s"; 1.7 reads a plain number.
        return f"--benchmark_min_time={seconds}s" if major_minor >= (1, 8) else f"--benchmark_min_time={seconds}"

    def _flags(self, raw):
        flags = [f"--benchmark_out={raw}", "--benchmark_out_format=json", "--benchmark_repetitions=1",
                 self._min_time_flag(), f"--benchmark_min_warmup_time={self.config['warmup']}"]
        if self.config.get("variants"):
            flags.append("--benchmark_filter=^(" + "|".join(self.config["variants"]) + ")/")
        return flags

    # ----- one invocation: runs it, changes nothing in the document -----
    def run_invocation(self, inv):
        """Runs one pending invocation. Returns (update for the invocation, its records, the benchmark's JSON
        context or None); the document is not touched, so an interrupt here leaves the invocation pending."""
        bench = self.by_name.get(inv["executable"])
        workers = inv["workers"]
        sweep = records.sweep_of(inv)
        stem = inv["executable"] + (f".w{workers}" if workers is not None else ".default") + \
            records.sweep_suffix(inv) + f".p{inv['pass']}"
        raw = self.run_dir / "raw" / f"{stem}.json"
        stderr_path = self.run_dir / "raw" / f"{stem}.stderr"
        stdout_path = self.run_dir / "raw" / f"{stem}.stdout"
        rel = lambda p: str(p.relative_to(self.run_dir))
        update = {"raw_file": None, "stderr_file": None, "stdout_file": None, "returncode": None, "seconds": None,
                  "started": now()}
        if bench is None:
            why = f"executable {inv['executable']} is no longer in the build"
            update.update({"status": "failed", "message": why})
            return update, records.invocation_records(inv, inv["cases"], {}, {}, "failed", why, ""), None
        rule = self._policy(bench.model)
        command = policy.command(bench, rule, self.settings, workers, self.cpus, self._flags(raw))
        env = policy.environment(rule, self.config["bind"], self.manifest)
        declared = policy.env_sweep(rule, bench.model) if sweep else None
        for key, value in sweep.items():  # the setting comes from this installation's declaration, never the file
            if declared is None or declared["param"] != key or value not in declared["values"]:
                why = f"this build does not declare {key}:{value} for {bench.model} (its env_sweep)"
                update.update({"status": "failed", "message": why})
                return update, records.invocation_records(inv, inv["cases"], {}, {}, "failed", why, ""), None
            env = policy.apply_sweep(env, declared, value)
        before = hostinfo.steal_and_load()
        for stale in (raw, stderr_path, stdout_path):  # a pass interrupted before may have left its files
            if stale.exists():
                stale.unlink()
        outcome = launch.run(command, env, stdout_path, stderr_path, self.config["timeout"])
        after = hostinfo.steal_and_load()
        update.update({"command": command, "env": policy.recorded_env(env, self.manifest),
                       "returncode": outcome.returncode, "seconds": round(outcome.seconds, 3),
                       "stderr_file": rel(stderr_path), "stdout_file": rel(stdout_path),
                       "raw_file": rel(raw) if raw.exists() else None, "host_before": before, "host_after": after})
        stderr_tail = launch.tail(stderr_path)
        cases, data, problem = {}, None, None
        try:
            data = gbench.load(raw)
            cases = gbench.group_runs(data)
        except gbench.BenchmarkJsonError as e:
            problem = str(e)
        status, why = records.invocation_status(outcome, self.config["timeout"], problem)
        update["status"] = {"timeout": "timeout", "failed": "failed"}.get(status, "done")
        if why:
            update["message"] = why
        view = {**inv, **update}
        context = data["context"] if data is not None else {}
        new_records = records.invocation_records(view, inv["cases"], cases, context, status, why, stderr_tail)
        return update, new_records, (context if data is not None else None)

    def _note_context(self, doc, model, context):
        custom = {k: str(v) for k, v in context.items()
                  if k not in _CONTEXT_STANDARD and not str(k).startswith("parbench_")}
        doc["software"]["models"].setdefault(model, {}).update(custom)
        if isinstance(context.get("library_build_type"), str):
            doc["software"]["benchmark_library_build_type"] = context["library_build_type"]
        hostinfo.note_measured_frequency(doc, context)

    # ----- the loop -----
    def save(self, doc=None):
        doc = self.doc if doc is None else doc
        derive.apply(doc["records"])
        results.write_atomic(self.run_dir / "results.json", doc)

    def commit(self, position, update, new_records, context):
        """Applies a finished invocation (run.invocations[position]) and its records to a copy of the document and
        saves it; the copy becomes the document only once written. Stop signals wait until then."""
        with launch.deferred():
            doc = copy.deepcopy(self.doc)
            target = doc["run"]["invocations"][position]
            target.update(update)
            merge.apply_pass(doc, target, new_records)
            if context:
                self._note_context(doc, target["model"], context)
            self.save(doc)
            self.doc = doc
        return target

    def run(self):
        runs = [inv for inv in self.doc["run"]["invocations"] if inv.get("pass") is not None]
        total = len(runs)
        width = len(str(total))
        while True:
            pending = [i for i, inv in enumerate(self.doc["run"]["invocations"]) if inv["status"] == "pending"]
            if not pending:
                return
            inv = self.doc["run"]["invocations"][pending[0]]
            n = total - len(pending) + 1
            label = f"[{n:>{width}}/{total}] pass {inv['pass']}/{self.config['repetitions']} " \
                    f"{inv['executable']:<22} " + \
                    (f"workers={inv['workers']}" if inv["workers"] is not None else "workers=default") + \
                    records.sweep_words(inv)
            self.log(f"{label} ...")
            update, new_records, context = self.run_invocation(inv)
            done = self.commit(pending[0], update, new_records, context)
            counts = {}
            for r in new_records:
                counts[r["status"]] = counts.get(r["status"], 0) + 1
            summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "no cases"
            seconds = f" in {done['seconds']:.1f} s" if done.get("seconds") else ""
            self.log(f"{label} {done['status']}: {summary}{seconds}")

    def finish(self, status):
        doc = self.doc
        with launch.deferred():
            doc["run"]["status"] = status
            doc["run"]["ended"] = now()
            doc["host"]["load_average_end"] = hostinfo.load_average()
            self.save()


def finish(runner, status):
    runner.finish(status)


def start(args, argv):
    """Plans and opens a run (for callers that drive the Runner themselves). Returns (runner, doc)."""
    the_plan = plan.prepare(args, argv)
    plan.open_run(the_plan)
    runner = Runner(the_plan)
    return runner, runner.doc


def _describe_os_error(e):
    where = f" ({e.filename})" if getattr(e, "filename", None) else ""
    return f"{e.strerror or e}{where}"


def main(args, argv):
    """The run verb. Returns (exit code, runner or None); the runner of a complete run for the report."""
    launch.install()
    held = []
    try:
        return _main(args, argv, held)
    finally:
        for the_plan in held:
            if the_plan.lock is not None:
                os.close(the_plan.lock)
                the_plan.lock = None
        launch.restore()


def _main(args, argv, held):
    try:
        the_plan = plan.prepare(args, argv)
        held.append(the_plan)
    except (plan.UsageError, discover.BuildError, results.ResultsError) as e:
        _err(f"harness run: {e}")
        return EXIT_USAGE, None
    except OSError as e:  # a folder the user may not enter, an unusable temporary folder: nothing was written
        _err(f"harness run: {_describe_os_error(e)}; nothing was written")
        return EXIT_USAGE, None
    except launch.Interrupted:
        _err("harness run: interrupted while planning; nothing was written")
        return EXIT_INTERRUPTED, None
    if args.list:
        _say(plan.describe(the_plan))
        return 0, None
    if the_plan.resume and not the_plan.pending():
        _say(f"run {the_plan.doc['run']['id']} has no pending invocation: nothing to resume "
             f"({the_plan.run_dir / 'results.json'} is unchanged)")
        return 0, None
    launch.remove_stale_scratch()

    runner = None
    try:
        plan.open_run(the_plan)
        runner = Runner(the_plan)
        runner.save()
    except (plan.UsageError, OSError) as e:
        plan.discard(the_plan)
        text = str(e) if isinstance(e, plan.UsageError) else _describe_os_error(e)
        _err(f"harness run: cannot write the run: {text}" + ("; results.json is unchanged" if the_plan.resume
                                                              else ""))
        return EXIT_USAGE, None
    except launch.Interrupted:
        plan.discard(the_plan)
        _err("harness run: interrupted before the first result; nothing was kept")
        return EXIT_INTERRUPTED, None
    try:
        for line in hostinfo.warnings(runner.config):
            _err(line if line.lower().startswith("warning") else f"warning: {line}")
    except OSError:
        pass  # a warning that cannot be worked out is not a reason to stop the run
    _say(f"run {runner.doc['run']['id']}: {len(the_plan.pending())} invocations pending "
         f"({runner.config['repetitions']} passes), writing {runner.run_dir}")
    results_file = runner.run_dir / "results.json"
    hint = plan.resume_hint(runner.run_dir, runner.build_dir)
    try:
        runner.run()
    except launch.Interrupted:
        try:
            runner.finish("interrupted")
        except Exception as e:  # noqa: BLE001 - the message below says what was kept
            _err(f"harness run: interrupted, and saving failed ({type(e).__name__}: {e}); {results_file} keeps "
                 f"what was saved before")
            return EXIT_INTERRUPTED, None
        _err(f"\ninterrupted: finished results kept in {results_file}; complete them with {hint}")
        return EXIT_INTERRUPTED, None
    except OSError as e:
        _err(f"harness run: cannot go on: {_describe_os_error(e)}; {results_file} keeps the results saved before; "
             f"{hint} completes it once that is fixed")
        _try_finish(runner)
        return EXIT_ENVIRONMENT, None
    except Exception as e:  # noqa: BLE001 - never a traceback: one line, and what finished is kept
        _err(f"harness run: internal error ({type(e).__name__}: {gbench.shown(str(e), 300)}); {results_file} keeps "
             f"the results saved before; {hint} completes it")
        _try_finish(runner)
        return EXIT_ENVIRONMENT, None
    try:
        runner.finish("complete")
    except launch.Interrupted:
        _err(f"\ninterrupted after the last invocation: the run is complete in {results_file}")
        return EXIT_INTERRUPTED, None
    except OSError as e:
        _err(f"harness run: cannot mark the run complete: {_describe_os_error(e)}; every result is in {results_file}")
        return EXIT_ENVIRONMENT, None
    return 0, runner


def _try_finish(runner):
    try:
        runner.finish("interrupted")
    except Exception:  # noqa: BLE001 - the caller has said what happened
        pass
