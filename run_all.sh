#!/usr/bin/env bash
# The main job: install what is missing, build, run a profile, write results.json, figures and report.html.
#   ./run_all.sh [--profile quick|default|full] [--out DIR] [--build-dir DIR] [--skip-install] [--portable]
#                [-- any further `harness run` flags, e.g. --model openmp,tbb --workers 1,2]
# Resume an interrupted run:  ./run_all.sh --resume results/<run-id> [--build-dir DIR]   (or its run id; no other
#   run options; DIR, default build, must be the build the run was made with)
set -euo pipefail
cd "$(dirname "$0")"

usage() {
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2
}
die_usage() { echo "run_all.sh: $1" >&2; exit 2; }

profile=default
profile_set=0
out=results
build_dir=build
skip_install=${PARBENCH_SKIP_INSTALL:-0}
portable=OFF
resume=""
harness_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) [ $# -ge 2 ] || die_usage "--profile needs a value"; profile=$2; profile_set=1; shift ;;
    --profile=*) profile=${1#*=}; profile_set=1 ;;
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
[ -n "$out" ] || die_usage "empty --out"
[ -n "$build_dir" ] || die_usage "empty --build-dir"

if [ -n "$resume" ]; then
  # A resumed run keeps its own settings: refuse the ones that would be ignored, before anything is built.
  [ ${#harness_args[@]} -eq 0 ] || die_usage "--resume continues a run with its own settings; drop '${harness_args[*]}'"
  [ "$profile_set" = 0 ] || die_usage "--resume continues a run with its own settings; drop --profile"
  [ "$portable" = OFF ] || die_usage "--resume continues a run with its own settings; drop --portable"
  if [ -f "$resume" ] && [ "$(basename "$resume")" = results.json ]; then
    resume=$(dirname "$resume")
  elif [ ! -f "$resume/results.json" ]; then
    case "$resume" in
      */*) die_usage "no run to resume at $resume (no results.json there)" ;;
      *) [ -f "$out/$resume/results.json" ] || die_usage "no run to resume: no run folder $resume here and no run id $resume under $out/"
         resume=$out/$resume ;;
    esac
  fi
fi

PARBENCH_SKIP_INSTALL=$skip_install ci/install_deps.sh
# The entry point picks a Python with matplotlib, jsonschema and numpy (PARBENCH_PYTHON overrides it).
python=$(./parbench --which-python) || exit 2
# A resumed run is built in --build-dir (default build) like any other, never in a folder that results.json names
# (a file is data: a Makefile in a folder it names must not be run); the harness then refuses a run made with
# another build, naming the --build-dir to use.

jobs=$(nproc 2>/dev/null || echo 2)
if [ -n "$resume" ] && [ -f "$build_dir/CMakeCache.txt" ]; then
  # Keep the run's build settings (portable or not): only bring its build up to date.
  echo "run_all.sh: building in $build_dir/ ..."
else
  echo "run_all.sh: configuring and building in $build_dir/ ..."
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DPARBENCH_PORTABLE="$portable" --log-level=NOTICE >/dev/null
fi
cmake --build "$build_dir" -j "$jobs" >/dev/null

if [ -n "$resume" ]; then
  exec ./parbench run --resume "$resume" --out "$out" --build-dir "$build_dir"
fi
exec ./parbench run --profile "$profile" --build-dir "$build_dir" --out "$out" ${harness_args[@]+"${harness_args[@]}"}
