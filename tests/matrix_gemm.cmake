# The matrix workload's GEMM part (included at the end of tests/CMakeLists.txt). The smoke tests of every matrix
# executable (verify-only at workers 1,2,3, n 67 and 130; MPI at np 1,2,3; matrix_openblas too) are declared there.

# The grid and blocks of C, the kernels on blocks and row blocks against exact dot products, the inputs, the
# OpenBLAS reference, the FMA loop's flop count.
add_executable(matrix_gemm_unit_tests unit/matrix_gemm_partition_test.cpp)
target_link_libraries(matrix_gemm_unit_tests PRIVATE matrix_kernels GTest::gtest GTest::gtest_main)
gtest_discover_tests(matrix_gemm_unit_tests TEST_PREFIX matrix_gemm. DISCOVERY_TIMEOUT 30)

# Bad --parbench_n: 0, negative, garbage, a repeated size, above the largest n (2^20), and one whose matrices do
# not fit in MemAvailable (n = 10^6: 40 TB): exit code 2 and one line, before any case allocates.
foreach(target matrix_threads matrix_openmp matrix_openblas)
  if(TARGET ${target})
    foreach(bad "--parbench_n=0" "--parbench_n=-5" "--parbench_n=abc" "--parbench_n=256,256" "--parbench_n=1048577"
                "--parbench_n=1000000" "--parbench_n=")
      string(REGEX REPLACE "[^a-z0-9]+" "_" name "${bad}")
      add_test(NAME ${target}_gemm_rejects${name}
               COMMAND sh -c "${one_line_exit_2}" $<TARGET_FILE:${target}> ${bad}
                       ${CMAKE_CURRENT_BINARY_DIR}/${target}_gemm_rejects${name}.err)
    endforeach()
  endif()
endforeach()
if(TARGET matrix_threads)
  # The too-large message names the cause; case names carry n, workers last; gemm_naive stops at 512 by default
  # and runs what --parbench_n asks; the context carries the per-variant primary metric and the peak figures.
  add_test(NAME matrix_gemm_names_and_context
           COMMAND sh -c [=[
             "$0" --parbench_n=1000000 2>&1 >/dev/null | grep -q 'more than the .* MiB available (MemAvailable)' &&
             list=$("$0" --parbench_workers=1,2 --benchmark_list_tests) &&
             test "$(echo "$list" | grep -c '^gemm/n:')" -eq 8 &&
             test "$(echo "$list" | grep -c '^gemm_naive/n:')" -eq 4 &&
             echo "$list" | grep -q '^gemm/n:2048/workers:2/' &&
             ! echo "$list" | grep -q '^gemm_naive/n:1024/' &&
             "$0" --parbench_n=100,2048 --parbench_workers=3 --benchmark_list_tests | grep -q '^gemm_naive/n:2048/workers:3/' &&
             "$0" --parbench_verify_only --parbench_workers=1 --benchmark_list_tests | grep -q '^gemm/n:67/workers:1/' &&
             ctx=$("$0" --parbench_verify_only --parbench_workers=1 --benchmark_filter=gemm/n:67 2>&1 >/dev/null) &&
             echo "$ctx" | grep -q '^parbench_primary_metric: gb_per_s$' &&
             echo "$ctx" | grep -q '^parbench_primary_metric_by_variant: copy=gb_per_s,scale=gb_per_s,add=gb_per_s,triad=gb_per_s,dot=gb_per_s,gemm=gflops,gemm_naive=gflops$' &&
             echo "$ctx" | grep -Eq '^peak_gflops_fp64_measured_1core: [0-9]+\.[0-9]+$' &&
             echo "$ctx" | grep -Eq '^peak_gflops_fp64_measured_all: [0-9]+\.[0-9]+$' &&
             echo "$ctx" | grep -Eq '^peak_gflops_fp64_nominal_1core: ([0-9]+\.[0-9]+|unknown)$' &&
             echo "$ctx" | grep -q '^peak_method: measured: ' &&
             echo "$ctx" | grep -q '^gemm_kernel: ']=]
                   $<TARGET_FILE:matrix_threads>)
  # Rounds of real size (smoke runs are verify-only): an odd n over 3 workers, both variants, gflops reported.
  add_test(NAME matrix_gemm_full_rounds
           COMMAND sh -c [=["$0" --parbench_n=301 --parbench_workers=3 --benchmark_min_time=0.01 --benchmark_filter=gemm 2>&1 | grep -c 'gflops=' | grep -qx 2]=]
                   $<TARGET_FILE:matrix_threads>)
endif()
if(TARGET matrix_openblas)
  # The reference model: GEMM only, ranked by gflops.
  add_test(NAME matrix_openblas_cases
           COMMAND sh -c [=[
             test "$("$0" --parbench_workers=1,2 --benchmark_list_tests | grep -vc '^gemm/n:')" -eq 0 &&
             "$0" --parbench_verify_only --parbench_workers=1 2>&1 >/dev/null | grep -q '^parbench_primary_metric: gflops$']=]
                   $<TARGET_FILE:matrix_openblas>)
endif()
if(TARGET matrix_mpi)
  add_test(NAME matrix_gemm_mpi_rejects_too_large
           COMMAND sh -c [=["$0" -np 2 "$1" --parbench_n=1000000 2>"$2" >/dev/null; rc=$?; test $rc -eq 2 && test "$(grep -c 'MemAvailable' "$2")" -eq 1 || { echo "exit $rc:"; cat "$2"; exit 1; }]=]
                   ${MPIEXEC_EXECUTABLE} $<TARGET_FILE:matrix_mpi> ${CMAKE_CURRENT_BINARY_DIR}/matrix_gemm_mpi_rejects.err)
  set_tests_properties(matrix_gemm_mpi_rejects_too_large PROPERTIES ENVIRONMENT "${mpi_env}" TIMEOUT 60)
  # Row blocks of real size across 3 ranks (uneven rows), both variants.
  add_test(NAME matrix_gemm_mpi_full_rounds
           COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} 3 $<TARGET_FILE:matrix_mpi> --parbench_n=301
                   --benchmark_min_time=0.01 --benchmark_filter=gemm)
  set_tests_properties(matrix_gemm_mpi_full_rounds PROPERTIES ENVIRONMENT "${mpi_env}" TIMEOUT 120)
endif()

# A product with one element changed, and one computed in the warm-up round only, cannot pass: exit 1 with
# "verification failed" (tests/models/matrix_gemm_broken.cpp), for both variants.
foreach(mode ONE_ELEMENT LAZY)
  string(TOLOWER ${mode} lower)
  parbench_add_executable(matrix_gemm_broken_${lower} matrix gemm_broken_${lower} LIKE threads SOURCES
                          ${PROJECT_SOURCE_DIR}/benchmarks/matrix/driver.cpp models/matrix_gemm_broken.cpp
                          LIBRARIES matrix_kernels)
  target_compile_definitions(matrix_gemm_broken_${lower} PRIVATE MATRIX_GEMM_BROKEN_${mode})
  set_target_properties(matrix_gemm_broken_${lower} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  foreach(variant gemm gemm_naive)
    add_test(NAME matrix_gemm_broken_${lower}_${variant}_is_caught
             COMMAND sh -c [=["$0" --parbench_workers=2 --parbench_n=130 --benchmark_min_time=0.01 --benchmark_filter="^$2/" >"$1" 2>&1; rc=$?; test $rc -eq 1 && grep -q 'verification failed' "$1" || { echo "exit $rc:"; cat "$1"; exit 1; }]=]
                     $<TARGET_FILE:matrix_gemm_broken_${lower}> ${CMAKE_CURRENT_BINARY_DIR}/matrix_gemm_broken_${lower}_${variant}.out
                     ${variant})
    set_tests_properties(matrix_gemm_broken_${lower}_${variant}_is_caught PROPERTIES TIMEOUT 120)
  endforeach()
endforeach()

# The verification path of a build without OpenBLAS (exact dot products of sampled entries instead of the full
# reference): the kernels library rebuilt without it, a correct model (threads) that must pass, and the lazy
# model that must fail.
add_library(matrix_kernels_without_openblas STATIC ${PROJECT_SOURCE_DIR}/benchmarks/matrix/kernels.cpp)
target_include_directories(matrix_kernels_without_openblas PUBLIC ${PROJECT_SOURCE_DIR}/benchmarks)
target_link_libraries(matrix_kernels_without_openblas PUBLIC parbench_common parbench_gemm)
parbench_align_kernels(matrix_kernels_without_openblas)
parbench_add_executable(matrix_threads_sampled_check matrix threads_sampled_check LIKE threads SOURCES
                        ${PROJECT_SOURCE_DIR}/benchmarks/matrix/driver.cpp ${PROJECT_SOURCE_DIR}/benchmarks/matrix/threads.cpp
                        LIBRARIES matrix_kernels_without_openblas)
parbench_add_executable(matrix_gemm_broken_lazy_sampled_check matrix gemm_broken_lazy_sampled_check LIKE threads
                        SOURCES ${PROJECT_SOURCE_DIR}/benchmarks/matrix/driver.cpp models/matrix_gemm_broken.cpp
                        LIBRARIES matrix_kernels_without_openblas)
target_compile_definitions(matrix_gemm_broken_lazy_sampled_check PRIVATE MATRIX_GEMM_BROKEN_LAZY)
foreach(target matrix_threads_sampled_check matrix_gemm_broken_lazy_sampled_check)
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
endforeach()
add_test(NAME matrix_gemm_sampled_check_passes_a_correct_product
         COMMAND sh -c [=["$0" --parbench_workers=1,3 --parbench_n=130,301 --benchmark_min_time=0.01 --benchmark_filter=gemm >"$1" 2>&1 && grep -q '^matrix_gemm_reference: exact dot products' "$1" && test "$(grep -c 'gflops=' "$1")" -eq 8 || { cat "$1"; exit 1; }]=]
                 $<TARGET_FILE:matrix_threads_sampled_check> ${CMAKE_CURRENT_BINARY_DIR}/matrix_gemm_sampled_check.out)
add_test(NAME matrix_gemm_sampled_check_catches_a_lazy_product
         COMMAND sh -c [=["$0" --parbench_workers=2 --parbench_n=130 --benchmark_min_time=0.01 --benchmark_filter=^gemm/ >"$1" 2>&1; rc=$?; test $rc -eq 1 && grep -q 'verification failed' "$1" || { echo "exit $rc:"; cat "$1"; exit 1; }]=]
                 $<TARGET_FILE:matrix_gemm_broken_lazy_sampled_check> ${CMAKE_CURRENT_BINARY_DIR}/matrix_gemm_sampled_lazy.out)
