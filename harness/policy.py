"""How each model is launched: the launcher command, the binding environment, and whether the executable picks
its own worker counts. Declared once per model in CMake (cmake/ParbenchModels.cmake) and read from the build
manifest's "models"; the built-in table below serves builds without it (older builds, test fakes)."""
import os
import shutil

# The same facts as the CMake declarations, for a build manifest that does not carry them.
DEFAULT = {
    "threads": {"launcher": "direct", "bind_env": {"PARBENCH_PIN": "cores"}, "own_workers": False},
    "processes": {"launcher": "direct", "bind_env": {"PARBENCH_PIN": "cores"}, "own_workers": False},
    "tbb": {"launcher": "direct", "bind_env": {"PARBENCH_PIN": "cores"}, "own_workers": False},
    "openmp": {"launcher": "direct", "bind_env": {"OMP_PROC_BIND": "close", "OMP_PLACES": "cores"},
               "own_workers": False},
    "mpi": {"launcher": "mpi", "bind_env": {}, "own_workers": False},
    "cuda": {"launcher": "direct", "bind_env": {}, "own_workers": True},
}


def of(model, build_manifest=None):
    """The policy of one model: from the build manifest when it declares it, else the built-in default."""
    declared = ((build_manifest or {}).get("models") or {})
    if isinstance(declared, dict) and isinstance(declared.get(model), dict):
        return {**DEFAULT.get(model, {"launcher": "direct", "bind_env": {}, "own_workers": False}),
                **declared[model]}
    return DEFAULT.get(model, {"launcher": "direct", "bind_env": {}, "own_workers": False})


def mpi_launcher(config, workers, cpus):
    launcher = shutil.which(config.get("mpiexec") or "mpirun") or "mpirun"
    command = [launcher, "-np", str(workers)]
    if os.geteuid() == 0:
        command.append("--allow-run-as-root")
    if workers > cpus:
        command.append("--oversubscribe")
    command += ["--bind-to", "core" if config["bind"] == "cores" and workers <= cpus else "none"]
    return command


def environment(policy, config):
    """The environment of one invocation: the harness's own, plus the model's binding variables when binding."""
    env = dict(os.environ)
    if config["bind"] == "cores":
        for key, value in policy.get("bind_env", {}).items():
            env.setdefault(key, value)
    return env


def command(bench, policy, config, workers, cpus, extra):
    """The argv of one invocation of `bench` with `workers` workers and the extra Google Benchmark flags."""
    argv = [str(bench.path)]
    if workers is not None and policy["launcher"] != "mpi":
        argv.append(f"--parbench_workers={workers}")
    if config.get("size"):
        argv.append(f"--parbench_size={config['size']}")
    if config.get("variants"):
        argv.append("--benchmark_filter=^(" + "|".join(config["variants"]) + ")/")
    argv += extra
    if policy["launcher"] == "mpi":
        argv = mpi_launcher(config, workers, cpus) + argv
    return argv
