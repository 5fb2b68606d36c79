#!/usr/bin/env bash
# The test command: install what is missing, build, run every test (unit, smoke, harness, faults, end to end).
#   ci/test.sh [--build-dir DIR] [--skip-install]     (PARBENCH_SKIP_INSTALL=1 also skips the package install)
# The harness's tests run under the Python ./parbench picks (PARBENCH_PYTHON overrides it).
set -euo pipefail
cd "$(dirname "$0")/.."

die_usage() { echo "ci/test.sh: $1" >&2; exit 2; }
build_dir=build
skip_install=${PARBENCH_SKIP_INSTALL:-0}
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) [ $# -ge 2 ] || die_usage "--build-dir needs a value"; build_dir=$2; shift ;;
    --build-dir=*) build_dir=${1#*=} ;;
    --skip-install) skip_install=1 ;;
    -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die_usage "unknown argument '$1'" ;;
  esac
  shift
done

PARBENCH_SKIP_INSTALL=$skip_install ci/install_deps.sh
python=$(./parbench --which-python) || exit 2
"$python" -c "import pytest" 2>/dev/null || { echo "ci/test.sh: $python cannot import pytest (Debian: python3-pytest)" >&2; exit 2; }
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DPARBENCH_BUILD_TESTS=ON -DPARBENCH_PYTHON="$python" \
      --log-level=NOTICE
cmake --build "$build_dir" -j "$jobs"
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
