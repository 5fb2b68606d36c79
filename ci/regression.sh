#!/usr/bin/env bash
# The regression gate: run the quick profile on the existing build and compare it with the committed baseline of
# this machine class (results/baselines/<class>.json; the class is a slug of the CPU model and core counts).
#   ci/regression.sh [--build-dir DIR] [--out DIR] [--baselines DIR] [--repetitions N] [--refresh]
#                    [-- further `harness run` flags, e.g. --model openmp --no-report]
# Exit: the compare's (0 no regression, 1 a record slower beyond the threshold or ok -> failed, 2 bad input);
# 0 with a message when this class has no baseline. --refresh copies the new run to the baseline (then commit it;
# see results/baselines/README.md). The run is results/ci/regression/ (results.json, figures, report.html,
# compare.md/.json/.html); $GITHUB_STEP_SUMMARY, when set, gets the compare table.
set -euo pipefail
cd "$(dirname "$0")/.."

die_usage() { echo "ci/regression.sh: $1" >&2; exit 2; }
build_dir=build
out=results/ci
baselines=results/baselines
# 5 passes, not the quick profile's 3: with 3 vs 3 samples no Mann-Whitney test can reach p < 0.05 (the
# smallest p is 0.1), with 5 vs 5 it can (0.008).
repetitions=5
refresh=0
run_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) [ $# -ge 2 ] || die_usage "--build-dir needs a value"; build_dir=$2; shift ;;
    --build-dir=*) build_dir=${1#*=} ;;
    --out) [ $# -ge 2 ] || die_usage "--out needs a value"; out=$2; shift ;;
    --out=*) out=${1#*=} ;;
    --baselines) [ $# -ge 2 ] || die_usage "--baselines needs a value"; baselines=$2; shift ;;
    --baselines=*) baselines=${1#*=} ;;
    --repetitions) [ $# -ge 2 ] || die_usage "--repetitions needs a value"; repetitions=$2; shift ;;
    --repetitions=*) repetitions=${1#*=} ;;
    --refresh) refresh=1 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    --) shift; run_args+=("$@"); break ;;
    *) die_usage "unknown argument '$1' (see --help)" ;;
  esac
  shift
done
[ -n "$out" ] || die_usage "empty --out"
[ -n "$baselines" ] || die_usage "empty --baselines"
[ -d "$build_dir/bin" ] || die_usage "no build in $build_dir (run the test command or ./run_all.sh first)"
python=$(./parbench --which-python) || exit 2

run_dir=$out/regression
rm -rf "$run_dir"  # one run per job: a stale run must never be compared
status=0
./parbench run --profile quick --repetitions "$repetitions" --build-dir "$build_dir" --out "$out" \
  --run-id regression ${run_args[@]+"${run_args[@]}"} || status=$?
if [ ! -f "$run_dir/results.json" ]; then
  echo "ci/regression.sh: the run wrote no results.json (exit $status)" >&2
  exit $(( status ? status : 2 ))
fi

class=$("$python" -c 'import json, sys
from harness.compare import machine_class
print(machine_class(json.load(open(sys.argv[1], encoding="utf-8"))))' "$run_dir/results.json")
baseline=$baselines/$class.json

summary() {  # appends to the CI job summary when there is one
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat >> "$GITHUB_STEP_SUMMARY"; else cat > /dev/null; fi
}

if [ "$refresh" = 1 ]; then
  mkdir -p "$baselines"
  cp "$run_dir/results.json" "$baseline"
  echo "ci/regression.sh: baseline for machine class $class refreshed: $baseline (commit it, with a line in $baselines/README.md)"
  exit 0
fi
if [ ! -f "$baseline" ]; then
  message="no baseline for machine class $class ($baseline): nothing to compare with; the run is in $run_dir. To make one: ci/regression.sh --refresh on this machine class, then commit $baseline (see $baselines/README.md)."
  echo "ci/regression.sh: $message"
  printf '## parbench regression gate\n\n%s\n' "$message" | summary
  exit 0
fi

echo "ci/regression.sh: comparing $run_dir with the baseline of machine class $class ($baseline)"
code=0
./parbench compare "$baseline" "$run_dir/results.json" --markdown "$run_dir/compare.md" \
  --json "$run_dir/compare.json" --html "$run_dir/compare.html" || code=$?
[ -f "$run_dir/compare.md" ] && summary < "$run_dir/compare.md"
exit $code
