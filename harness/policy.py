"""How each model is launched: the launcher command, the binding environment, the most workers its executable
takes, whether the executable picks its own worker counts, and the runtime setting swept for it (env_sweep).
Declared once per model in CMake (cmake/ParbenchModels.cmake) and read from the build manifest's "models"; the
built-in table below serves builds without it (older builds, test fakes).

Programs come only from this installation: the launcher named by the build manifest of the build in use (or
mpirun on PATH), never from a results file."""
import os
import re
import shutil

from . import discover, launch

# The same facts as the CMake declarations, for a build manifest that does not carry them. max_workers: the most
# workers the executable accepts (None: the harness's own limit).
DEFAULT = {
    "threads": {"launcher": "direct", "bind_env": {"PARBENCH_PIN": "cores"}, "own_workers": False},
    "processes": {"launcher": "direct", "bind_env": {"PARBENCH_PIN": "cores"}, "own_workers": False},
    "tbb": {"launcher": "direct", "bind_env": {"PARBENCH_PIN": "cores"}, "own_workers": False},
    "openmp": {"launcher": "direct", "bind_env": {"OMP_PROC_BIND": "close", "OMP_PLACES": "cores"},
               "own_workers": False, "env_sweep": {"param": "wait", "variable": "OMP_WAIT_POLICY",
                                                   "values": {"default": None, "passive": "passive"}}},
    "mpi": {"launcher": "mpi", "bind_env": {}, "own_workers": False, "max_workers": 256},
    "cuda": {"launcher": "direct", "bind_env": {}, "own_workers": True},
}
_FALLBACK = {"launcher": "direct", "bind_env": {}, "own_workers": False}
# Variables that pin workers, whichever model reads them: removed from every child's environment with --bind none.
BIND_VARIABLES = ("PARBENCH_PIN", "OMP_PROC_BIND", "OMP_PLACES", "GOMP_CPU_AFFINITY", "KMP_AFFINITY",
                  "OMPI_MCA_hwloc_base_binding_policy")
# Keys of a child's environment recorded per invocation (besides the bind variables).
RECORDED_PREFIXES = ("OMP_", "PARBENCH_", "GOMP_", "KMP_")


def of(model, build_manifest=None):
    """The policy of one model: from the build manifest when it declares it, else the built-in default."""
    declared = ((build_manifest or {}).get("models") or {})
    base = {"max_workers": None, "env_sweep": None, **DEFAULT.get(model, _FALLBACK)}
    if isinstance(declared, dict) and isinstance(declared.get(model), dict):
        return {**base, **declared[model]}
    return base


_SWEEP_PARAM = re.compile(r"^[A-Za-z0-9_]{1,100}$")
_SWEEP_VALUE = re.compile(r"^[A-Za-z0-9_.+-]{1,100}$")  # a case-name parameter value
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,200}$")


def env_sweep(rule, model="?"):
    """The model's declared sweep, {"param", "variable", "values": {value: setting or None (unset)}}, or None
    when it declares none. discover.BuildError (one line) for a malformed declaration: the build manifest is
    this installation's, and a sweep the harness cannot apply exactly must not run half-applied."""
    sweep = rule.get("env_sweep")
    if sweep is None:
        return None
    problem = None
    if not isinstance(sweep, dict) or not isinstance(sweep.get("values"), dict) or not sweep["values"]:
        problem = "is not {param, variable, values}"
    elif not isinstance(sweep.get("param"), str) or not _SWEEP_PARAM.match(sweep["param"]) or \
            sweep["param"] == "workers":
        problem = f"has the parameter {sweep.get('param')!r}"
    elif not isinstance(sweep.get("variable"), str) or not _VARIABLE.match(sweep["variable"]):
        problem = f"has the variable {sweep.get('variable')!r}"
    else:
        for value, setting in sweep["values"].items():
            if not _SWEEP_VALUE.match(value) or not (setting is None or (isinstance(setting, str) and
                                                                         setting and "\0" not in setting)):
                problem = f"has the value {value!r}={setting!r}"
                break
    if problem:
        raise discover.BuildError(f"the build manifest's env_sweep of model {model} {problem}; rebuild")
    return sweep


def sweep_params(cases, sweep):
    """The values of the sweep's parameter in `cases` (case names): empty when no case carries it, so an
    executable whose cases do not name the setting runs once, as before."""
    if not sweep:
        return set()
    key = sweep["param"]
    found = set()
    for name in cases:
        for part in name.split("/")[1:]:
            k, sep, v = part.partition(":")
            if sep and k == key:
                found.add(v)
    return found


def apply_sweep(env, sweep, value):
    """`env` with the sweep's variable set for `value` (removed where its setting is unset)."""
    env = dict(env)
    setting = sweep["values"][value]
    if setting is None:
        env.pop(sweep["variable"], None)
    else:
        env[sweep["variable"]] = setting
    return env


def bind_variables(build_manifest=None):
    """Every variable any model's binding sets, plus the well-known ones."""
    keys = set(BIND_VARIABLES)
    declared = ((build_manifest or {}).get("models") or {})
    for model in set(DEFAULT) | (set(declared) if isinstance(declared, dict) else set()):
        keys.update((of(model, build_manifest).get("bind_env") or {}).keys())
    return sorted(keys)


def mpi_launcher(mpiexec, bind, workers, cpus):
    """`mpiexec` comes from this installation's build manifest (None: mpirun on PATH)."""
    launcher = shutil.which(mpiexec or "mpirun") or "mpirun"
    command = [launcher, "-np", str(workers)]
    if os.geteuid() == 0:
        command.append("--allow-run-as-root")
    if workers > cpus:
        command.append("--oversubscribe")
    command += ["--bind-to", "core" if bind == "cores" and workers <= cpus else "none"]
    return command


def environment(policy, bind, build_manifest=None, base=None):
    """The environment of one invocation: the harness's own; with --bind cores the model's binding variables set
    to the model's values (whatever the caller had), with --bind none every binding variable removed, so that
    what ran is what run.config.bind says."""
    env = dict(os.environ if base is None else base)
    if bind == "cores":
        env.update(policy.get("bind_env") or {})
    else:
        for key in bind_variables(build_manifest):
            env.pop(key, None)
    return env


def recorded_env(env, build_manifest=None):
    """The part of a child's environment that decides binding and threading, as recorded per invocation (a swept
    variable included; absent when unset)."""
    keys = set(bind_variables(build_manifest))
    declared = ((build_manifest or {}).get("models") or {})
    for model in set(DEFAULT) | (set(declared) if isinstance(declared, dict) else set()):
        sweep = of(model, build_manifest).get("env_sweep")
        if isinstance(sweep, dict) and isinstance(sweep.get("variable"), str):
            keys.add(sweep["variable"])
    return {k: v for k, v in sorted(env.items())
            if (k in keys or k.startswith(RECORDED_PREFIXES)) and k not in launch.SCRATCH_KEYS}


def command(bench, policy, settings, workers, cpus, extra):
    """The argv of one invocation of `bench` with `workers` workers and the extra Google Benchmark flags.
    settings: size, bind and mpiexec (this installation's launcher)."""
    argv = [str(bench.path)]
    if workers is not None and policy["launcher"] != "mpi":
        argv.append(f"--parbench_workers={workers}")
    if settings.get("size"):
        argv.append(f"--parbench_size={settings['size']}")
    argv += extra
    if policy["launcher"] == "mpi":
        # Ranks are children of the launcher, not of the harness: each gets SIGKILL if the launcher dies.
        argv = mpi_launcher(settings.get("mpiexec"), settings["bind"], workers, cpus) + \
            launch.parent_death_wrapper() + argv
    return argv
