#!/usr/bin/env bash
# The main job: install what is missing, build, run a profile, write results.json, figures and report.html.
#   ./run_all.sh [--profile quick|default|full] [--out DIR] [--build-dir DIR] [--skip-install] [--portable]
#                [-- any further `harness run` flags, e.g. --model openmp,tbb --workers 1,2]
# Resume an interrupted run:  ./run_all.sh --resume results/<run-id>
set -euo pipefail
cd "$(dirname "$0")"

usage() {
  sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//' >&2
}
die_usage() { echo "run_all.sh: $1" >&2; exit 2; }

profile=default
out=results
build_dir=build
skip_install=${PARBENCH_SKIP_INSTALL:-0}
portable=OFF
resume=""
harness_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) [ $# -ge 2 ] || die_usage "--profile needs a value"; profile=$2; shift ;;
    --profile=*) profile=${1#*=} ;;
    --out) [ $# -ge 2 ] || die_usage "--out needs a value"; out=$2; shift ;;
    --out=*) out=${1#*=} ;;
    --build-dir) [ $# -ge 2 ] || die_usage "--build-dir needs a value"; build_dir=$2; shift ;;
    --build-dir=*) build_dir=${1#*=} ;;
    --resume) [ $# -ge 2 ] || die_usage "--resume needs a run folder or id"; resume=$2; shift ;;
    --resume=*) resume=${1#*=} ;;
    --skip-install) skip_install=1 ;;
    --portable) portable=ON ;;
    -h|--help) usage; exit 0 ;;
    --) shift; harness_args+=("$@"); break ;;
    *) die_usage "unknown argument '$1' (see --help)" ;;
  esac
  shift
done
case "$profile" in quick|default|full) ;; *) die_usage "unknown profile '$profile' (quick, default, full)" ;; esac

# Debian's matplotlib/numpy/jsonschema belong to Debian's python3, not to a pyenv one first on PATH.
python=${PARBENCH_PYTHON:-/usr/bin/python3}

PARBENCH_SKIP_INSTALL=$skip_install ci/install_deps.sh
[ -x "$python" ] || { echo "run_all.sh: no Python at $python (set PARBENCH_PYTHON)" >&2; exit 2; }

jobs=$(nproc 2>/dev/null || echo 2)
echo "run_all.sh: configuring and building in $build_dir/ ..."
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DPARBENCH_PORTABLE="$portable" --log-level=NOTICE >/dev/null
cmake --build "$build_dir" -j "$jobs" >/dev/null

if [ -n "$resume" ]; then
  exec "$python" -m harness run --resume "$resume" --out "$out"
fi
exec "$python" -m harness run --profile "$profile" --build-dir "$build_dir" --out "$out" "${harness_args[@]}"
