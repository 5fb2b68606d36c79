#!/usr/bin/env bash
# A model whose dependency is missing is skipped at configure time with one clear line, never a failed build,
# and the build manifest says why (the harness records it as skipped).
#   tests/configure_skips_missing_models.sh SOURCE_DIR WORK_DIR
set -euo pipefail
source_dir=$1
build=$2/skip-build
rm -rf "$build"
log=$(cmake -S "$source_dir" -B "$build" -DCMAKE_DISABLE_FIND_PACKAGE_TBB=ON -DCMAKE_DISABLE_FIND_PACKAGE_MPI=ON \
        -DPARBENCH_WITH_CUDA=OFF -DPARBENCH_BUILD_TESTS=OFF 2>&1 >/dev/null)
for model in tbb mpi cuda; do
  lines=$(grep -c "parbench: skipping model '$model'" <<<"$log" || true)
  [ "$lines" = 1 ] || { echo "expected one skip line for $model, got $lines:"; echo "$log"; exit 1; }
done
grep -q '"tbb": "oneTBB not found' "$build/parbench_build.json" || { cat "$build/parbench_build.json"; exit 1; }
cmake --build "$build" -j 2 >/dev/null
for exe in counters_threads counters_processes counters_openmp; do
  [ -x "$build/bin/$exe" ] || { echo "$exe was not built"; exit 1; }
done
for exe in counters_tbb counters_mpi counters_cuda; do
  [ ! -e "$build/bin/$exe" ] || { echo "$exe was built although its model was skipped"; exit 1; }
done
rm -rf "$build"
echo "skipped models: tbb mpi cuda; built: threads processes openmp"
