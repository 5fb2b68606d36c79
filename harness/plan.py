"""Planning a run: profiles, option checks, the worker sweep, the cases each executable lists, the passes and their
order, and the run document (new or resumed). Nothing here writes a file: the run folder is created (or, for
--resume, rewritten) only by `open_run`, after every check has passed.

Sampling: a run makes R passes (R = repetitions); each pass runs every (executable, worker count) once, as a fresh
process with one Google Benchmark repetition after a warm-up, in an order shuffled per pass with a recorded seed,
so that a slow minute of the host falls on every model alike. A record's samples are its values from the passes in
order (see merge.py)."""
import datetime
import fcntl
import math
import os
import pathlib
import random
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile

from . import SCHEMA_VERSION, discover, gbench, hostinfo, launch, merge, policy, records, results
from .records import make_record

PROFILES = {
    # repetitions: samples per case = passes over every executable; min_time: Google Benchmark's minimum seconds
    # per sample; warmup: seconds of warm-up before each case in each pass; timeout: seconds per invocation.
    "quick": {"repetitions": 3, "min_time": 0.05, "warmup": 0.02, "timeout": 300, "sweep": "ends",
              "oversubscribe": False},
    "default": {"repetitions": 5, "min_time": 0.2, "warmup": 0.1, "timeout": 900, "sweep": "powers",
                "oversubscribe": False},
    "full": {"repetitions": 10, "min_time": 0.5, "warmup": 0.2, "timeout": 1800, "sweep": "powers",
             "oversubscribe": True},
}
MAX_WORKERS = 4096
# (lowest, highest, lowest allowed itself) of every numeric option; repetitions is an integer.
LIMITS = {"repetitions": (1, 1000, True), "min_time": (0.0, 3600.0, False), "warmup": (0.0, 3600.0, True),
          "timeout": (0.0, 86400.0, False)}
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# --size as the executables read it (benchmarks/common/src/cli.cpp, parse_size): decimal digits, an optional
# k (10^3), M (10^6) or G (10^9) suffix, and a value from 1 to MAX_SIZE once scaled.
SIZE = re.compile(r"^([0-9]+)([kMG]?)$")
SIZE_SCALE = {"": 1, "k": 10 ** 3, "M": 10 ** 6, "G": 10 ** 9}
MAX_SIZE = 10 ** 12
VARIANT = re.compile(r"^[A-Za-z0-9_]{1,100}$")
NAME = re.compile(r"^[a-z][a-z0-9]{0,99}$")            # a model or a workload (discover.py's naming contract)
EXECUTABLE = re.compile(r"^[a-z][a-z0-9]{0,99}_[a-z][a-z0-9]{0,99}$")  # <workload>_<model>
# The keys of run.config, exactly as _prepare_new writes them: --resume refuses a file with any other.
CONFIG_KEYS = ("profile", "size", "repetitions", "min_time", "warmup", "timeout", "workers", "oversubscribe", "bind",
               "models", "workloads", "variants", "build_dir", "mpiexec", "sampling", "seed")
LIST_TIMEOUT = 300           # seconds at most for listing one executable's cases
MIN_FREE_BYTES = 1 << 20     # an --out with less free space than this is refused as full


class UsageError(ValueError):
    """Bad input to the run verb, or a run that cannot start here; the message is one line."""


def now():
    return datetime.datetime.now(datetime.timezone.utc).astimezone().isoformat(timespec="seconds")


# ----- options -----
def check_size(text):
    """True when the executables take `text` as --parbench_size (the same rule as their parse_size)."""
    match = SIZE.match(text) if isinstance(text, str) and text.isascii() else None
    return bool(match) and 1 <= int(match.group(1)) * SIZE_SCALE[match.group(2)] <= MAX_SIZE


def max_workers(rule):
    """The most workers an executable of this model policy takes."""
    return min(rule.get("max_workers") or MAX_WORKERS, MAX_WORKERS)


def parse_workers(text):
    values = []
    for item in text.split(","):
        item = item.strip()
        if not item.isdigit() or not item.isascii() or not 1 <= int(item) <= MAX_WORKERS:
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


def check_number(key, value):
    """The value of a numeric option, or UsageError: finite, within LIMITS, an integer for repetitions."""
    low, high, low_ok = LIMITS[key]
    flag = "--" + key.replace("_", "-")
    if key == "repetitions":
        if isinstance(value, bool) or not isinstance(value, int):
            raise UsageError(f"{flag} must be an integer from {low} to {high}, not {value!r}")
    elif isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise UsageError(f"{flag} must be a finite number of seconds, not {value!r}")
    if not (low <= value if low_ok else low < value) or value > high:
        bound = f"from {low:g}" if low_ok else f"above {low:g}"
        raise UsageError(f"{flag} must be {bound} up to {high:g}, not {value:g}")
    return value + 0 if value == 0 else value  # -0.0 is 0 (never "-0 s" in a message or the file)


def _parse_list(text, known=None, what="value", pattern=None):
    items = [i.strip() for i in text.split(",") if i.strip()]
    if not items:
        raise UsageError(f"empty {what} list")
    for item in items:
        if pattern is not None and not pattern.match(item):
            raise UsageError(f"bad {what} name {item!r}")
    if known is not None:
        for item in items:
            if item not in known:
                raise UsageError(f"unknown {what} {item!r} (known: {', '.join(known)})")
    return list(dict.fromkeys(items))


def check_run_id(run_id):
    if not RUN_ID.match(run_id or "") or run_id in (".", ".."):
        raise UsageError(f"bad run id {run_id!r} (want a letter or digit, then up to 99 letters, digits, '.', '_' "
                         f"or '-')")
    return run_id


def check_config(config):
    """A resumed file's run.config must be what this harness writes; UsageError naming the first problem."""
    def bad(key, want):
        return UsageError(f"cannot resume: run.config.{key} is {_shown(config.get(key, 'missing'))}, not {want} "
                          f"(the file was edited or written by another harness)")
    if not isinstance(config, dict):
        raise UsageError("cannot resume: run.config is not an object")
    for key in CONFIG_KEYS:
        if key not in config:
            raise UsageError(f"cannot resume: run.config.{key} is missing (the file was edited or written by an "
                             f"older harness)")
    extra = sorted(str(k) for k in config if k not in CONFIG_KEYS)
    if extra:
        raise UsageError(f"cannot resume: run.config has a key the harness does not write ({_shown(extra[0])}; "
                         f"the file was edited or written by another harness)")
    for key in LIMITS:
        try:
            check_number(key, config[key])
        except UsageError as e:
            raise UsageError(f"cannot resume: run.config.{key}: {e}") from None
    workers = config.get("workers")
    if not isinstance(workers, list) or not workers or any(
            isinstance(w, bool) or not isinstance(w, int) or not 1 <= w <= MAX_WORKERS for w in workers):
        raise bad("workers", f"a list of worker counts 1..{MAX_WORKERS}")
    if config.get("bind") not in ("cores", "none"):
        raise bad("bind", "'cores' or 'none'")
    if not isinstance(config.get("oversubscribe"), bool):
        raise bad("oversubscribe", "true or false")
    build_dir = config.get("build_dir")
    if not isinstance(build_dir, str) or not build_dir or "\0" in build_dir or not os.path.isabs(build_dir) or \
            str(pathlib.Path(build_dir).resolve()) != build_dir:
        raise bad("build_dir", "an absolute, canonical folder path")
    if config.get("mpiexec") is not None and not isinstance(config["mpiexec"], str):
        raise bad("mpiexec", "a path or null")
    if config.get("size") is not None and not check_size(config["size"]):
        raise bad("size", "null or a size from 1 to 10^12 like 30M")
    for key, pattern in (("models", NAME), ("workloads", NAME), ("variants", VARIANT)):
        names = config.get(key)
        if names is not None and (not isinstance(names, list) or not names or not all(
                isinstance(v, str) and pattern.match(v) for v in names)):
            raise bad(key, f"null or a list of {key[:-1]} names")
    if config.get("profile") not in PROFILES:
        raise bad("profile", " or ".join(PROFILES))
    if config.get("sampling") != "passes":
        raise bad("sampling", "'passes'")
    if isinstance(config.get("seed"), bool) or not isinstance(config.get("seed"), int):
        raise bad("seed", "an integer")


def _shown(text, limit=80):
    """`text` for a one-line message: repr, cut."""
    text = repr(text)
    return text if len(text) <= limit else text[:limit] + "..."


def check_pending(invocations, config, by_name, manifest):
    """Every pending invocation of a resumed file must be one this harness could have planned from its config;
    UsageError naming the first that is not."""
    for inv in invocations:
        if not isinstance(inv, dict) or inv.get("status") != "pending":
            continue
        passes = inv.get("pass")
        if isinstance(passes, bool) or not isinstance(passes, int) or not isinstance(inv.get("cases"), list) or \
                not all(isinstance(c, str) for c in inv["cases"]):
            raise UsageError("cannot resume: a pending invocation has no pass number or case list (the file was "
                             "edited or written by an older harness)")
        if not 1 <= passes <= config["repetitions"]:
            raise UsageError(f"cannot resume: a pending invocation is pass {passes} of a run of "
                             f"{config['repetitions']} passes (the file was edited)")
        name = inv.get("executable")
        if not isinstance(name, str) or not EXECUTABLE.match(name):
            raise UsageError(f"cannot resume: a pending invocation names the executable {_shown(name)}, not "
                             f"<workload>_<model> (the file was edited)")
        bench = by_name.get(name)
        model = bench.model if bench is not None else name.split("_", 1)[1]
        if inv.get("model") != model or inv.get("workload") != name.split("_", 1)[0]:
            raise UsageError(f"cannot resume: the pending invocation of {name} says workload "
                             f"{_shown(inv.get('workload'))}, model {_shown(inv.get('model'))} (the file "
                             f"was edited)")
        rule = policy.of(model, manifest)
        sweep = inv.get("sweep")
        if sweep is not None:
            declared = policy.env_sweep(rule, model)
            if not isinstance(sweep, dict) or declared is None or list(sweep) != [declared["param"]] or \
                    not isinstance(sweep[declared["param"]], str) or sweep[declared["param"]] not in declared["values"]:
                raise UsageError(f"cannot resume: a pending invocation of {name} sweeps {_shown(sweep)}, which this "
                                 f"build does not declare for {model} (the file was edited, or the build changed)")
        workers = inv.get("workers")
        if rule["own_workers"]:
            if workers is not None:
                raise UsageError(f"cannot resume: a pending invocation of {name} has workers="
                                 f"{_shown(workers)}, but {model} picks its own worker counts (null)")
            continue
        if isinstance(workers, bool) or not isinstance(workers, int) or workers not in config["workers"]:
            raise UsageError(f"cannot resume: a pending invocation of {name} has workers={_shown(workers)}, "
                             f"not one of run.config.workers {config['workers']} (the file was edited)")
        if workers > max_workers(rule):
            raise UsageError(f"cannot resume: a pending invocation of {name} has workers={workers}, but {model} "
                             f"takes at most {max_workers(rule)} (the file was edited)")


def exists(path, what):
    """path.exists(), or UsageError when the path cannot even be looked at (a folder the user may not enter)."""
    try:
        return path.exists()
    except OSError as e:
        raise UsageError(f"{what}: cannot look at {path} ({e.strerror})") from None


def _check_out(out_dir):
    """--out must be (or be creatable as) a writable folder with room in it; UsageError otherwise."""
    what = f"--out {out_dir}"
    if exists(out_dir, what) and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir} is not a folder")
    existing = out_dir
    while not exists(existing, what):
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing != out_dir and not existing.is_dir():
        raise UsageError(f"--out {out_dir}: {existing} is not a folder")
    _check_writable(existing, what)


def _check_writable(folder, what):
    try:
        info = os.statvfs(folder)
    except OSError as e:
        raise UsageError(f"{what}: cannot use {folder} ({e.strerror})") from None
    if info.f_flag & os.ST_RDONLY:
        raise UsageError(f"{what}: {folder} is on a read-only file system")
    if info.f_blocks == 0:  # proc, sysfs and the like: no room for files at all
        raise UsageError(f"{what}: {folder} is not on a file system that stores files (proc, sysfs or the like)")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{what}: {folder} is not writable")
    if info.f_bavail * info.f_frsize < MIN_FREE_BYTES:
        raise UsageError(f"{what}: the file system of {folder} is full")


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
    while exists(out_dir / run_id, f"--out {out_dir}"):
        run_id, n = f"{base}-{n}", n + 1
    return run_id


def lock_run_folder(run_dir):
    """An exclusive flock on the run folder, held until the process ends; UsageError when another harness holds
    it. Returns the descriptor."""
    try:
        fd = os.open(run_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as e:
        raise UsageError(f"cannot open run folder {run_dir} ({e.strerror})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise UsageError(f"run folder {run_dir} is in use by another harness (one run or resume at a time)") \
            from None
    except OSError as e:
        os.close(fd)
        raise UsageError(f"cannot lock run folder {run_dir} ({e.strerror})") from None
    return fd


# ----- the plan -----
class Plan:
    """What a run will do; prepare() makes it without writing anything."""

    def __init__(self):
        self.doc = None
        self.run_dir = None
        self.out_dir = None
        self.build_dir = None
        self.manifest = {}
        self.benchmarks = []
        self.cpus = len(os.sched_getaffinity(0))
        self.resume = False
        self.lock = None
        self.created = []    # folders open_run made (outermost first): the only ones discard may remove
        self.groups = []     # for --list: (invocation-like dict, cases, record or None)

    @property
    def settings(self):
        """What policy.command needs: from the run's config, with the launcher of this installation."""
        config = self.doc["run"]["config"]
        return {"size": config.get("size"), "bind": config["bind"], "mpiexec": self.manifest.get("mpiexec") or None}

    def pending(self):
        return [inv for inv in self.doc["run"]["invocations"] if inv["status"] == "pending"]


def prepare(args, argv):
    """Checks everything and plans the run; writes nothing. UsageError, discover.BuildError or
    results.ResultsError (one line each) for anything that would stop it."""
    for flag, value in (("--out", args.out), ("--build-dir", args.build_dir), ("--resume", args.resume)):
        if value is not None and not value.strip():
            raise UsageError(f"empty {flag}")
        if value is not None and "\0" in value:
            raise UsageError(f"bad {flag} (a NUL character)")
    return _prepare_resume(args) if args.resume else _prepare_new(args, argv)


def build_folder(args):
    """The build folder in use: --build-dir, default ./build, resolved."""
    return pathlib.Path(args.build_dir or "build").resolve()


def resume_hint(run_dir, build_dir):
    """The options that resume `run_dir` (as a shell would take them): --build-dir only when it is not the
    default, ./build."""
    hint = f"--resume {shlex.quote(str(run_dir))}"
    try:
        default = pathlib.Path(build_dir).resolve() == pathlib.Path("build").resolve()
    except OSError:  # no current folder any more: say it in full
        default = False
    if not default:
        hint += f" --build-dir {shlex.quote(str(build_dir))}"
    return hint


def _prepare_new(args, argv):
    plan = Plan()
    if args.profile not in PROFILES:
        raise UsageError(f"unknown profile {args.profile!r} (known: {', '.join(PROFILES)})")
    profile = dict(PROFILES[args.profile])
    for key in LIMITS:
        value = getattr(args, key, None)
        if value is not None:
            profile[key] = check_number(key, value)
    if args.size is not None and not check_size(args.size):
        raise UsageError(f"bad size {args.size!r} (want an integer from 1 to 10^12, optional k/M/G suffix: k 10^3, "
                         f"M 10^6, G 10^9)")
    if args.run_id is not None:
        check_run_id(args.run_id)
    plan.out_dir = pathlib.Path(args.out)
    if not args.list:
        _check_out(plan.out_dir)

    build_dir = build_folder(args)
    manifest = discover.manifest(build_dir)
    benchmarks = discover.find(build_dir, manifest)
    known_models = list(dict.fromkeys(list(discover.models(manifest)) +
                                      sorted((manifest.get("skipped_models") or {}).keys())))
    models = _parse_list(args.model, known=known_models, what="model", pattern=NAME) \
        if args.model is not None else None
    workloads = _parse_list(args.workload, what="workload", pattern=NAME) if args.workload is not None else None
    variants = _parse_list(args.variant, what="variant", pattern=VARIANT) if args.variant is not None else None
    if workloads:
        unknown = sorted(set(workloads) - {b.workload for b in benchmarks})
        if unknown:
            raise UsageError(f"no built workload {unknown[0]!r} (built: "
                             f"{', '.join(sorted({b.workload for b in benchmarks}))})")
    selected = [b for b in benchmarks
                if (not models or b.model in models) and (not workloads or b.workload in workloads)]
    skipped_models = {m: why for m, why in sorted((manifest.get("skipped_models") or {}).items())
                      if not models or m in models}
    if not selected and not skipped_models:
        raise UsageError("no built benchmark matches the --workload/--model filters (built: "
                         f"{', '.join(b.name for b in benchmarks)})")
    oversubscribe = args.oversubscribe or profile["oversubscribe"]
    workers = parse_workers(args.workers) if args.workers is not None else \
        worker_sweep(plan.cpus, profile["sweep"], oversubscribe)
    for bench in selected:
        rule = policy.of(bench.model, manifest)
        if not rule["own_workers"] and max(workers) > max_workers(rule):
            raise UsageError(f"{max(workers)} workers: {bench.name} takes at most {max_workers(rule)} "
                             f"({bench.model} workers are {'ranks' if rule['launcher'] == 'mpi' else 'workers'}); "
                             f"choose --workers up to {max_workers(rule)} or leave out --model {bench.model}")
    config = {"profile": args.profile, "size": args.size, "repetitions": int(profile["repetitions"]),
              "min_time": profile["min_time"], "warmup": profile["warmup"], "timeout": profile["timeout"],
              "workers": workers, "oversubscribe": oversubscribe, "bind": args.bind or "cores",
              "models": models, "workloads": workloads, "variants": variants, "build_dir": str(build_dir),
              "mpiexec": manifest.get("mpiexec") or None, "sampling": "passes",
              "seed": random.SystemRandom().randrange(1 << 31)}
    plan.build_dir, plan.manifest, plan.benchmarks = build_dir, manifest, selected
    plan.doc = {"run": {"config": config}}  # enough for plan.settings while listing

    groups = _list_groups(plan, selected, config)
    _check_selection(groups, variants, skipped_models)
    invocations, group_records = _invocations(groups, config)
    skipped_records = []
    workload_names = sorted({b.workload for b in selected} or {b.workload for b in benchmarks})
    for model, reason in skipped_models.items():
        for workload in workload_names:
            skipped_records.append(make_record(workload, model, "*", {}, None, None, "skipped",
                                               f"skipped: model not built: {reason}"))
    run_id = args.run_id or _new_run_id(plan.out_dir, args.profile)
    plan.run_dir = plan.out_dir / run_id
    if not args.list and exists(plan.run_dir, f"--out {plan.out_dir}"):
        raise UsageError(f"run folder {plan.run_dir} already exists (choose another --run-id, or --resume it)")
    plan.doc = {
        "schema": SCHEMA_VERSION,
        "run": {"id": run_id, "started": now(), "ended": None, "status": "running", "profile": args.profile,
                "command": [sys.executable, "-m", "harness"] + list(argv), "git": _git(pathlib.Path.cwd()),
                "config": config, "invocations": invocations},
        "host": hostinfo.host(),
        "software": hostinfo.software(manifest, build_dir),
        "env": hostinfo.env(),
        "records": skipped_records + group_records,
    }
    plan.groups = groups
    return plan


def _list_groups(plan, selected, config):
    """One group per (executable, worker count): its listed cases (filtered by --variant), or the record of why it
    cannot run (listing failed, lists nothing, skipped). Lists each executable once per worker count."""
    groups = []
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="parbench-list-"))
    try:
        for bench in selected:
            rule = policy.of(bench.model, plan.manifest)
            sweep = policy.env_sweep(rule, bench.model)
            for w in ([None] if rule["own_workers"] else config["workers"]):
                group = _list_one(plan, bench, rule, w, config, scratch)
                if policy.sweep_params(group["all_cases"], sweep):
                    # The executable names the swept setting in its cases: one group per value, each listed
                    # under that value's environment, so its case names are exactly those it will run.
                    groups += [_list_one(plan, bench, rule, w, config, scratch, sweep, value)
                               for value in sweep["values"]]
                else:
                    groups.append(group)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return groups


def _list_one(plan, bench, rule, workers, config, scratch, sweep=None, value=None):
    """The group of (bench, workers), and of one value of the model's env sweep when `sweep` is given."""
    inv = {"executable": bench.name, "workload": bench.workload, "model": bench.model, "workers": workers}
    env = policy.environment(rule, config["bind"], plan.manifest)
    if sweep is not None:
        inv["sweep"] = {sweep["param"]: value}
        env = policy.apply_sweep(env, sweep, value)
    out, err = scratch / "list.out", scratch / "list.err"
    command = policy.command(bench, rule, plan.settings, workers, plan.cpus, ["--benchmark_list_tests=true"])
    outcome = launch.run(command, env, out, err, min(config["timeout"], LIST_TIMEOUT))
    stderr_tail = launch.tail(err)
    group = {"inv": inv, "all_cases": [], "cases": [], "record": None, "listing": command}
    if outcome.timed_out or outcome.returncode != 0:
        status, why = records.invocation_status(outcome, min(config["timeout"], LIST_TIMEOUT), None)
        status, why = status or "failed", why or f"exit code {outcome.returncode}"
        group["record"] = records.empty_invocation_record(inv, {}, stderr_tail, status,
                                                          f"listing its cases failed: {why}")
        return group
    names = []
    for line in out.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.strip():
            try:
                names.append(gbench.case_name(line.strip()))
            except gbench.BenchmarkJsonError:
                names.append(line.strip())
    names = list(dict.fromkeys(names))
    group["all_cases"] = names
    if not names:
        group["record"] = records.empty_invocation_record(inv, _skip_context(plan, bench, rule, workers, config,
                                                                             scratch, stderr_tail, env),
                                                          stderr_tail)
        return group
    if sweep is not None:
        wrong = [n for n in names if policy.sweep_params([n], sweep) != {value}]
        if wrong:  # two values' records would share an id and mix their samples
            setting = sweep["values"][value]
            group["record"] = records.empty_invocation_record(
                inv, {}, "", "failed", f"listing its cases with {sweep['variable']}"
                f"{'=' + setting if setting is not None else ' unset'}: case {gbench.shown(wrong[0])} does not "
                f"carry {sweep['param']}:{value}, so its records could not be told apart from another value's")
            group["all_cases"] = []
            return group
    variants = config.get("variants")
    group["cases"] = [n for n in names if not variants or n.split("/", 1)[0] in variants]
    return group


_SKIP_TEXT = re.compile(r"(skipped:.*|no CUDA device.*)", re.I)


def _skip_context(plan, bench, rule, workers, config, scratch, stderr_tail, env):
    """For an executable that lists no cases: a context whose parbench_skipped_reason says why it cannot run here,
    from its stderr or from the JSON context of one plain run (with the listing's environment `env`); {} when it
    gives no reason."""
    match = _SKIP_TEXT.search(stderr_tail or "")
    if not match:
        out, err = scratch / "probe.json", scratch / "probe.err"
        command = policy.command(bench, rule, plan.settings, workers, plan.cpus,
                                 [f"--benchmark_out={out}", "--benchmark_out_format=json"])
        launch.run(command, env, scratch / "probe.out", err, min(config["timeout"], LIST_TIMEOUT))
        try:
            context = gbench.load(out)["context"]
            if context.get("parbench_skipped_reason") is not None:
                return context
        except gbench.BenchmarkJsonError:
            pass
        match = _SKIP_TEXT.search(launch.tail(err))
    if not match:
        return {}
    reason = match.group(1).strip()
    return {"parbench_skipped_reason": reason if reason.lower().startswith("skipped:") else f"skipped: {reason}"}


def _check_selection(groups, variants, skipped_models):
    """An empty selection is an error naming what exists."""
    listed = [n for g in groups for n in g["all_cases"]]
    existing = sorted({n.split("/", 1)[0] for n in listed})
    if variants and listed:
        for v in variants:
            if v not in existing:
                raise UsageError(f"--variant {v} matches no case of the selected benchmarks (variants: "
                                 f"{', '.join(existing)})")
    if not any(g["cases"] or g["record"] for g in groups) and not skipped_models:
        raise UsageError("nothing to run: the selected benchmarks list no cases"
                         + (f" (variants: {', '.join(existing)})" if existing else ""))


def _invocations(groups, config):
    """The run's invocations in the order they will run: for groups that cannot run, one entry (pass null) with
    why; then `repetitions` passes over the runnable groups, each in an order shuffled with config.seed."""
    invocations, group_records = [], []
    runnable = []
    for g in groups:
        if g["record"] is not None:
            rec = g["record"]
            invocations.append({**g["inv"], "pass": None, "status": "skipped" if rec["status"] == "skipped"
                                else ("timeout" if rec["status"] == "timeout" else "failed"),
                                "message": rec["message"], "cases": [], "command": g["listing"]})
            group_records.append(rec)
        elif g["cases"]:
            runnable.append(g)
    rng = random.Random(config["seed"])
    for k in range(1, config["repetitions"] + 1):
        order = list(runnable)
        rng.shuffle(order)
        for g in order:
            invocations.append({**g["inv"], "pass": k, "status": "pending", "cases": list(g["cases"])})
    return invocations, group_records


def describe(plan):
    """The --list text: what would run, in which order, with which cases."""
    config = plan.doc["run"]["config"]
    invs = plan.doc["run"]["invocations"]
    runs = [i for i in invs if i.get("pass") is not None]
    lines = []
    if plan.resume:
        pending = [i for i in runs if i["status"] == "pending"]
        lines.append(f"resume {plan.doc['run']['id']}: {len(pending)} of {len(runs)} invocations pending")
        runs = pending
    else:
        groups = len({merge.group_key(i) for i in runs})
        lines.append(f"planned: {groups} executable x worker count groups, {config['repetitions']} passes "
                     f"({len(runs)} invocations), {config['min_time']:g} s per sample after {config['warmup']:g} s "
                     f"warm-up, order seed {config['seed']}")
    seen = set()
    for inv in runs:
        key = merge.group_key(inv)
        if key in seen:
            continue
        seen.add(key)
        lines.append(f"  {_label(inv)}: {', '.join(inv['cases'])}")
    for inv in invs:
        if inv.get("pass") is None and not plan.resume:
            why = inv.get("message", "")[:300]
            lines.append(f"  {_label(inv)}: {why if why.startswith(inv['status']) else inv['status'] + ': ' + why}")
    for r in plan.doc["records"]:
        if r["variant"] == "*" and r["workers"] is None and r["message"].startswith("skipped: model not built"):
            lines.append(f"  {r['workload']}_{r['model']}: {r['message']}")
    if runs:
        lines.append("order: " + ", ".join(
            f"{i['executable']}.w{i['workers'] if i['workers'] is not None else 'default'}"
            f"{records.sweep_suffix(i)}.p{i['pass']}"
            for i in runs))
    return "\n".join(lines)


def _label(inv):
    """'sync_openmp workers=2 wait=passive'."""
    w = inv["workers"] if inv["workers"] is not None else "default"
    return f"{inv['executable']} workers={w}{records.sweep_words(inv)}"


# ----- resume -----
def _locate(args):
    """The run folder named by --resume (a folder, its results.json, or a run id under --out)."""
    given = pathlib.Path(args.resume)
    try:
        if given.is_file() and given.name == "results.json":
            return given.parent
        if given.is_dir():
            return given
        if RUN_ID.match(args.resume) and (pathlib.Path(args.out) / args.resume).is_dir():
            return pathlib.Path(args.out) / args.resume
    except OSError as e:
        raise UsageError(f"cannot resume {args.resume}: {e.strerror}"
                         + (f" ({e.filename})" if e.filename else "")) from None
    raise UsageError(f"no run to resume at {args.resume} (no such run folder, and no run id {args.resume} under "
                     f"{args.out}/)")


def _prepare_resume(args):
    chosen = [flag for flag, value in (("--profile", args.profile != "default"), ("--workers", args.workers),
                                       ("--model", args.model), ("--workload", args.workload),
                                       ("--variant", args.variant), ("--size", args.size),
                                       ("--run-id", args.run_id), ("--repetitions", args.repetitions),
                                       ("--min-time", args.min_time), ("--warmup", args.warmup),
                                       ("--timeout", args.timeout))
              if value is not None and value is not False]
    if chosen:
        raise UsageError(f"--resume continues a run with its own settings; drop {', '.join(chosen)}")
    plan = Plan()
    plan.resume = True
    plan.run_dir = _locate(args)
    plan.out_dir = plan.run_dir.parent
    plan.lock = lock_run_folder(plan.run_dir)
    try:
        doc = results.load(plan.run_dir / "results.json")  # ResultsError -> exit 2
        config = doc["run"]["config"]
        check_config(config)
        here = socket.gethostname()
        if doc["host"].get("hostname") != here:
            raise UsageError(f"cannot resume on {here}: the run started on {doc['host'].get('hostname')!r}, and its "
                             f"records must all come from one host")
        if not (plan.run_dir / "raw").is_dir():
            raise UsageError(f"cannot resume: {plan.run_dir / 'raw'} is missing (the raw output of the finished "
                             f"invocations belongs to the run)")
        build_dir = build_folder(args)
        if str(build_dir) != config["build_dir"]:  # both absolute and canonical (check_config)
            raise UsageError(f"the run was made with the build in {config['build_dir']}, not {build_dir}; resume it "
                             f"with --build-dir {shlex.quote(config['build_dir'])}")
        if args.bind is not None and args.bind != config["bind"]:
            raise UsageError(f"the run binds with --bind {config['bind']}; drop --bind {args.bind}")
        if args.oversubscribe and not config["oversubscribe"]:
            raise UsageError("the run was planned without --oversubscribe; drop --oversubscribe")
        manifest = discover.manifest(build_dir)
        if (manifest.get("mpiexec") or None) != config.get("mpiexec"):
            raise UsageError(f"this installation's MPI launcher ({manifest.get('mpiexec') or 'none'}) is not the "
                             f"run's ({config.get('mpiexec') or 'none'}); start a new run")
        for key in ("compiler", "cxx_flags", "build_type", "benchmark_version"):
            if key in doc["software"] and (manifest.get(key) or None) != (doc["software"][key] or None):
                raise UsageError(f"the build in {build_dir} changed since the run started ({key} "
                                 f"{doc['software'][key]!r}, now {manifest.get(key)!r}); start a new run")
        benchmarks = discover.find(build_dir, manifest)
        check_pending(doc["run"]["invocations"], config, {b.name: b for b in benchmarks}, manifest)
        _check_writable(plan.run_dir, f"cannot resume {plan.run_dir}")
    except BaseException:
        os.close(plan.lock)
        plan.lock = None
        raise
    plan.doc, plan.build_dir, plan.manifest, plan.benchmarks = doc, build_dir, manifest, benchmarks
    return plan


def open_run(plan):
    """The first writes: a new run's folder (and its lock), or a resumed run marked running. OSError or
    UsageError leave nothing behind but what existed before."""
    if plan.resume:
        plan.doc["run"]["status"] = "running"
        plan.doc["run"]["ended"] = None
        plan.doc["run"].setdefault("resumed", []).append(now())
        return
    plan.created = []
    try:
        _make_out(plan.out_dir, plan.created)
        try:
            plan.run_dir.mkdir()
        except FileExistsError:  # another harness took this run id since planning
            raise UsageError(f"run folder {plan.run_dir} already exists (choose another --run-id, or --resume it)") \
                from None
        plan.created.append(plan.run_dir)
        plan.lock = lock_run_folder(plan.run_dir)
        (plan.run_dir / "raw").mkdir()
    except BaseException:
        discard(plan)
        raise


def _make_out(out_dir, created):
    """Creates --out and its missing parents, noting in `created` those this process made; a folder that another
    process makes meanwhile is used as it is (two harnesses may start in one new --out)."""
    missing = []
    folder = out_dir
    while not folder.is_dir():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:
            if not folder.is_dir():
                raise UsageError(f"--out {out_dir}: {folder} is not a folder") from None
            continue
        created.append(folder)


def discard(plan):
    """Removes what open_run created for a new run (after it or the first save failed): the run folder, and the
    --out folders it made while they are empty. Never anything this process did not create: another harness may
    have made the same run folder, or be writing a run of its own in the same --out."""
    created, plan.created = plan.created, []
    if plan.resume:
        return
    for path in reversed(created):
        if path == plan.run_dir:
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                path.rmdir()
            except OSError:
                pass
