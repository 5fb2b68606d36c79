"""Finding benchmark executables by the naming contract <workload>_<model> in the build tree."""
import json
import os
import pathlib
import re

from . import MODELS

_NAME = re.compile(r"^([a-z][a-z0-9]*)_(" + "|".join(MODELS) + r")$")


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
            return json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, json.JSONDecodeError) as e:
        raise BuildError(f"{path}: unreadable build manifest ({e}); rebuild") from None


def find(build_dir):
    directory = bin_dir(build_dir)
    if not directory.is_dir():
        raise BuildError(f"no build at {directory} (build first: ./run_all.sh, or cmake -S . -B build && "
                         f"cmake --build build)")
    found = []
    for path in sorted(directory.iterdir()):
        match = _NAME.match(path.name)
        if match and path.is_file() and os.access(path, os.X_OK):
            found.append(Benchmark(path, match.group(1), match.group(2)))
    if not found:
        raise BuildError(f"no benchmark executables (<workload>_<model>) in {directory}")
    return found
