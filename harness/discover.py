"""Finding benchmark executables by the naming contract <workload>_<model> in the build tree."""
import json
import os
import pathlib
import re

from . import MODELS

_MODEL_NAME = re.compile(r"^[a-z][a-z0-9]*$")


class BuildError(ValueError):
    """The build tree is missing or holds no benchmarks; the message is one line."""


class Benchmark:
    def __init__(self, path, workload, model):
        self.path = path
        self.workload = workload
        self.model = model
        self.name = path.name

    def __repr__(self):
        return f"Benchmark({self.name})"


def bin_dir(build_dir):
    return pathlib.Path(build_dir) / "bin"


def manifest(build_dir):
    """The build's parbench_build.json, or {} when absent (e.g. a directory of test fakes)."""
    path = pathlib.Path(build_dir) / "parbench_build.json"
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise BuildError(f"{path}: unreadable build manifest ({e}); rebuild") from None
    if not isinstance(data, dict):
        raise BuildError(f"{path}: the build manifest is not a JSON object; rebuild")
    return data


def models(build_manifest):
    """The models an executable name may carry: the build manifest's "models" (its keys) and "enabled_models"
    when it has either, else harness.MODELS."""
    names = []
    declared = (build_manifest or {}).get("models")
    if isinstance(declared, dict):
        names += [m for m in declared if isinstance(m, str)]
    enabled = (build_manifest or {}).get("enabled_models")
    if isinstance(enabled, str):
        enabled = enabled.split(";")
    if isinstance(enabled, list):
        names += [m for m in enabled if isinstance(m, str)]
    names = [m for m in dict.fromkeys(n.strip() for n in names) if _MODEL_NAME.match(m)]
    return tuple(names) if names else tuple(MODELS)


def find(build_dir, build_manifest=None):
    """Executables named <workload>_<model> in BUILD/bin, for the models of `build_manifest` (see models())."""
    pattern = re.compile(r"^([a-z][a-z0-9]*)_(" + "|".join(map(re.escape, models(build_manifest))) + r")$")
    directory = bin_dir(build_dir)
    if not directory.is_dir():
        raise BuildError(f"no build at {directory} (build first: ./run_all.sh, or cmake -S . -B build && "
                         f"cmake --build build)")
    found = []
    for path in sorted(directory.iterdir()):
        match = pattern.match(path.name)
        if match and path.is_file() and os.access(path, os.X_OK):
            found.append(Benchmark(path, match.group(1), match.group(2)))
    if not found:
        raise BuildError(f"no benchmark executables (<workload>_<model>) in {directory}")
    return found
