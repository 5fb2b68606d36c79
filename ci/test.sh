#!/usr/bin/env bash
# The test command: install what is missing, build, run every test (unit, smoke, harness, faults, end to end).
#   ci/test.sh [--build-dir DIR]     (PARBENCH_SKIP_INSTALL=1 skips the package install)
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) [ $# -ge 2 ] || { echo "ci/test.sh: --build-dir needs a value" >&2; exit 2; }; build_dir=$2; shift ;;
    *) echo "ci/test.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

ci/install_deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DPARBENCH_BUILD_TESTS=ON --log-level=NOTICE
cmake --build "$build_dir" -j "$jobs"
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
