# The matrix workload's own tests (included at the end of tests/CMakeLists.txt). The smoke tests of every matrix
# executable (verify-only at workers 1,2,3; MPI at np 1,2,3) are declared there, for every benchmark target.

# Sizing (LLC detection and its fallback, the array-size rule, the memory check), the split, the kernels.
add_executable(matrix_unit_tests unit/matrix_stream_test.cpp)
target_link_libraries(matrix_unit_tests PRIVATE matrix_kernels GTest::gtest GTest::gtest_main)
gtest_discover_tests(matrix_unit_tests DISCOVERY_TIMEOUT 30)

# Bad input: exit code 2 exactly and one line on stderr (the one_line_exit_2 script of tests/CMakeLists.txt). A
# size of 0, negative, garbage or not representable is refused by the common parser; one whose three arrays do not
# fit in MemAvailable (1000G elements = 24 TB) by the workload, before any case allocates.
foreach(target matrix_threads matrix_processes matrix_tbb matrix_openmp)
  if(TARGET ${target})
    foreach(bad "--parbench_size=0" "--parbench_size=-1" "--parbench_size=abc" "--parbench_size=1.5M"
                "--parbench_size=99999999999999999999" "--parbench_size=1000G")
      string(REGEX REPLACE "[^a-z0-9]+" "_" name "${bad}")
      add_test(NAME ${target}_rejects${name}
               COMMAND sh -c "${one_line_exit_2}" $<TARGET_FILE:${target}> ${bad}
                       ${CMAKE_CURRENT_BINARY_DIR}/${target}_rejects${name}.err)
    endforeach()
  endif()
endforeach()
if(TARGET matrix_threads)
  # The message names the cause; a size that fits runs (verify-only caps the arrays, so nothing large is made).
  add_test(NAME matrix_too_large_says_why
           COMMAND sh -c [=["$0" --parbench_size=1000G 2>&1 >/dev/null | grep -q 'more than the .* MiB of memory available (MemAvailable)' &&
                           "$0" --parbench_size=5M --parbench_verify_only --parbench_workers=2 --benchmark_filter=copy >/dev/null]=]
                   $<TARGET_FILE:matrix_threads>)

  # Case names carry the elements per array (the default from the LLC rule, verify-only's small arrays,
  # --parbench_size's), workers last; the context records the LLC and how it was found.
  add_test(NAME matrix_names_carry_the_elements
           COMMAND sh -c [=[
             "$0" --parbench_workers=2 --benchmark_list_tests | grep -Eq '^triad/elements:[1-9][0-9]*/workers:2/' &&
             test "$("$0" --parbench_workers=1,2 --benchmark_list_tests | grep -v '^gemm' | wc -l)" -eq 10 &&
             "$0" --parbench_workers=1 --parbench_verify_only --benchmark_list_tests | grep -q '^dot/elements:262144/workers:1/' &&
             "$0" --parbench_workers=3 --parbench_size=30M --benchmark_list_tests | grep -q '^scale/elements:30000000/workers:3/' &&
             "$0" --parbench_verify_only --parbench_workers=1 --benchmark_filter=copy 2>&1 | grep -Eq '^matrix_llc_bytes: [1-9]' &&
             "$0" --parbench_verify_only --parbench_workers=1 --benchmark_filter=copy 2>&1 | grep -q '^parbench_primary_metric: gb_per_s']=]
                   $<TARGET_FILE:matrix_threads>)

  # The kernels are vector loops (packed moves or packed-double arithmetic on xmm in a portable build, ymm/zmm with
# -march=native), not
  # calls (copy must not become memcpy, whose non-temporal stores would change what is measured), and use no
  # non-temporal stores.
  add_test(NAME matrix_kernels_vectorized
           COMMAND sh -c [=[
             for k in stream_copy stream_scale stream_add stream_triad stream_dot; do
               body=$(objdump -d -C --no-show-raw-insn "$0" | awk -v k="<parbench::matrix::$k(" 'index($0, k) {f=1; next} /^[0-9a-f]+ </ {f=0} f')
               echo "$body" | grep -Eq 'v?(mov[au]p[sd]|movdq[au](64)?|mulpd|addpd|vfmadd[0-9]+pd)[[:space:]].*%[xyz]mm' || { echo "$k: no packed-double loop"; exit 1; }
               echo "$body" | grep -Eq '[[:space:]](call|jmp)[[:space:]]+[0-9a-f]+ <[^>]*(memcpy|memmove|memset)' && { echo "$k: calls a mem* routine"; exit 1; }
               echo "$body" | grep -q 'movnt' && { echo "$k: non-temporal store"; exit 1; }
             done; exit 0]=]
                   $<TARGET_FILE:matrix_threads>)
endif()
if(TARGET matrix_mpi)
  add_test(NAME matrix_mpi_rejects_too_large
           COMMAND sh -c [=["$0" -np 2 "$1" --parbench_size=1000G 2>"$2" >/dev/null; rc=$?; test $rc -eq 2 && test "$(grep -c 'MemAvailable' "$2")" -eq 1 || { echo "exit $rc:"; cat "$2"; exit 1; }]=]
                   ${MPIEXEC_EXECUTABLE} $<TARGET_FILE:matrix_mpi> ${CMAKE_CURRENT_BINARY_DIR}/matrix_mpi_rejects.err)
  set_tests_properties(matrix_mpi_rejects_too_large PROPERTIES ENVIRONMENT "${mpi_env}" TIMEOUT 60)
  # Rounds of real size across ranks (smoke runs are verify-only): dot's MPI_Allreduce and every rank's part.
  add_test(NAME matrix_mpi_full_rounds
           COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} 2 $<TARGET_FILE:matrix_mpi> --parbench_size=4M
                   --benchmark_min_time=0.01 --benchmark_filter=dot|triad)
  set_tests_properties(matrix_mpi_full_rounds PROPERTIES ENVIRONMENT "${mpi_env}" TIMEOUT 120)
endif()
if(TARGET matrix_cuda)
  # Without a device: no case in the JSON, the reason in the context, exit 0.
  add_test(NAME matrix_cuda_without_device_reports_why
           COMMAND ${PARBENCH_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_skipped_json.py $<TARGET_FILE:matrix_cuda>
                   ${CMAKE_CURRENT_BINARY_DIR})
endif()

# A model that skips an element, or does the work in the warm-up round only, cannot pass: both must exit 1 with
# "verification failed" (tests/models/matrix_broken_stream.cpp).
foreach(mode SKIP_ONE LAZY)
  string(TOLOWER ${mode} lower)
  parbench_add_executable(matrix_broken_${lower} matrix broken_${lower} LIKE threads SOURCES
                          ${PROJECT_SOURCE_DIR}/benchmarks/matrix/driver.cpp models/matrix_broken_stream.cpp
                          LIBRARIES matrix_kernels)
  target_compile_definitions(matrix_broken_${lower} PRIVATE MATRIX_BROKEN_${mode})
  set_target_properties(matrix_broken_${lower} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  foreach(kernel copy scale add triad dot)
    add_test(NAME matrix_broken_${lower}_${kernel}_is_caught
             COMMAND sh -c [=["$0" --parbench_workers=2 --parbench_size=1M --benchmark_min_time=0.01 --benchmark_filter="^$2/" >"$1" 2>&1; rc=$?; test $rc -eq 1 && grep -q 'verification failed' "$1" || { echo "exit $rc:"; cat "$1"; exit 1; }]=]
                     $<TARGET_FILE:matrix_broken_${lower}> ${CMAKE_CURRENT_BINARY_DIR}/matrix_broken_${lower}_${kernel}.out
                     ${kernel})
    set_tests_properties(matrix_broken_${lower}_${kernel}_is_caught PROPERTIES TIMEOUT 120)
  endforeach()
endforeach()

# The harness runs the matrix executables and records verified gb_per_s figures with the elements as a parameter
# (small arrays through --size, so the quick profile stays short; the end-to-end test leaves matrix out).
if(TARGET matrix_threads AND TARGET matrix_processes)
  add_test(NAME matrix_harness_quick_run
           COMMAND sh -c [=[
             out="$1/matrix_harness_run" && rm -rf "$out" &&
             "$0" run --workload matrix --model threads,processes --profile quick --size 1M --variant copy,scale,add,triad,dot --build-dir "$2" --out "$out" >/dev/null &&
             "$3" -c 'import glob, json, sys
doc = json.load(open(glob.glob(sys.argv[1] + "/*/results.json")[0]))
records = doc["records"]
assert len(records) == 2 * 2 * 5, len(records)
for r in records:
    assert r["status"] == "ok" and r["verified"], (r["id"], r["message"])
    assert r["metric"]["name"] == "gb_per_s" and r["median"] > 0, r["id"]
    assert r["params"] == {"elements": "1000000"}, r["params"]
assert {r["variant"] for r in records} == {"copy", "scale", "add", "triad", "dot"}' "$out"]=]
                   ${PROJECT_SOURCE_DIR}/parbench ${CMAKE_CURRENT_BINARY_DIR} ${CMAKE_BINARY_DIR} ${PARBENCH_PYTHON})
  set_tests_properties(matrix_harness_quick_run PROPERTIES ENVIRONMENT "PARBENCH_PYTHON=${PARBENCH_PYTHON}"
                       TIMEOUT 300)
endif()
