# The sync workload's tests (its smoke tests and kernel_placement come with every benchmark target).

# The statistics of the outer repetitions, the barrier and reduction checks (a barrier that does not wait is
# seen), the spin barrier and the locked increment.
add_executable(sync_unit_tests unit/sync_kernels_test.cpp)
target_link_libraries(sync_unit_tests PRIVATE sync_kernels GTest::gtest GTest::gtest_main)
gtest_discover_tests(sync_unit_tests DISCOVERY_TIMEOUT 30)

# A barrier that does not wait cannot pass: a test-only sync model whose barrier lets every worker through at once
# must fail verification at 2 workers (exit 1), never report an overhead.
parbench_add_executable(sync_broken_barrier sync broken_barrier LIKE threads SOURCES
                        ${PROJECT_SOURCE_DIR}/benchmarks/sync/driver.cpp models/sync_broken_barrier.cpp
                        LIBRARIES sync_kernels)
set_target_properties(sync_broken_barrier PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
add_test(NAME executable_sync_broken_barrier_is_caught
         COMMAND sh -c [=["$0" --parbench_workers=2 --benchmark_min_time=0.05 >"$1" 2>&1; rc=$?; test $rc -eq 1 && grep -q 'verification failed: .*barrier phase checks failed' "$1" && ! grep -q overhead_ns= "$1" || { echo "exit $rc:"; cat "$1"; exit 1; }]=]
                 $<TARGET_FILE:sync_broken_barrier> ${CMAKE_CURRENT_BINARY_DIR}/sync_broken_barrier.out)
set_tests_properties(executable_sync_broken_barrier_is_caught PROPERTIES TIMEOUT 120)

if(TARGET sync_threads)
  # Bad workload options: one line on stderr, exit code 2.
  foreach(bad "--parbench_delay=-1" "--parbench_delay=0" "--parbench_delay=abc" "--parbench_delay=" "--parbench_delay=1000001"
              "--parbench_delay=99999999999999999999" "--parbench_delay=1e3" "--parbench_outer=19" "--parbench_outer=0"
              "--parbench_outer=x" "--parbench_outer=100001" "--parbench_outer=-20" "--parbench_size=0"
              "--parbench_dealy=5")
    string(REGEX REPLACE "[^a-z0-9]+" "_" name "${bad}")
    add_test(NAME executable_sync_rejects${name}
             COMMAND sh -c "${one_line_exit_2}" $<TARGET_FILE:sync_threads> ${bad}
                     ${CMAKE_CURRENT_BINARY_DIR}/sync_rejects${name}.err)
  endforeach()

  # The delay, the inner count and the implementation are in the case name; the options change them.
  add_test(NAME executable_sync_names_carry_delay_and_inner
           COMMAND sh -c [=[
             "$0" --parbench_workers=2 --benchmark_list_tests | grep -q '^barrier/impl:spin/delay:256/inner:256/workers:2/' &&
             "$0" --parbench_workers=2 --benchmark_list_tests | grep -q '^fork_join/delay:256/inner:64/workers:2/' &&
             "$0" --parbench_workers=1 --parbench_delay=1 --parbench_size=100 --benchmark_list_tests | grep -q '^lock/delay:1/inner:100/workers:1/' &&
             "$0" --parbench_workers=3 --parbench_verify_only --benchmark_list_tests | grep -q '^atomic/delay:256/inner:16/workers:3/']=]
                   $<TARGET_FILE:sync_threads>)

  # What a run reports: overhead_ns primary, the EPCC counters consistent, every worker taking part.
  add_test(NAME executable_sync_threads_reports_overheads
           COMMAND ${PARBENCH_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_sync_json.py ${CMAKE_CURRENT_BINARY_DIR}
                   $<TARGET_FILE:sync_threads> --parbench_workers=2 --parbench_size=64 --benchmark_min_time=0.01)
  set_tests_properties(executable_sync_threads_reports_overheads PROPERTIES TIMEOUT 300)
endif()
foreach(model processes tbb)
  if(TARGET sync_${model})
    add_test(NAME executable_sync_${model}_reports_overheads
             COMMAND ${PARBENCH_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_sync_json.py ${CMAKE_CURRENT_BINARY_DIR}
                     $<TARGET_FILE:sync_${model}> --parbench_workers=2 --parbench_size=16 --benchmark_min_time=0.01)
    set_tests_properties(executable_sync_${model}_reports_overheads PROPERTIES TIMEOUT 300)
  endif()
endforeach()

if(TARGET sync_openmp)
  # Every OpenMP case name carries the wait policy read from OMP_WAIT_POLICY (as libgomp reads it: any case,
  # blanks around it allowed); an invalid value is named invalid, never passed off as the default.
  add_test(NAME executable_sync_openmp_names_carry_the_wait_policy
           COMMAND sh -c [=[
             list() { "$0" --parbench_workers=2 --benchmark_list_tests 2>/dev/null; }
             every() { n=$(list | wc -l); test "$n" -ge 8 && test "$(list | grep -c "/wait:$1/workers:2/")" -eq "$n"; }
             (unset OMP_WAIT_POLICY; every default) &&
             OMP_WAIT_POLICY=PASSIVE every passive && OMP_WAIT_POLICY=' active ' every active &&
             OMP_WAIT_POLICY=bogus every invalid && OMP_WAIT_POLICY= every invalid &&
             (unset OMP_WAIT_POLICY; list | grep -q '^for/delay:256/inner:256/wait:default/workers:2/') &&
             (unset OMP_WAIT_POLICY; list | grep -q '^single/delay:256/inner:256/wait:default/workers:2/')]=]
                   $<TARGET_FILE:sync_openmp>)
  add_test(NAME executable_sync_openmp_reports_overheads
           COMMAND ${PARBENCH_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_sync_json.py ${CMAKE_CURRENT_BINARY_DIR}
                   $<TARGET_FILE:sync_openmp> --parbench_workers=2 --parbench_size=16 --benchmark_min_time=0.01)
  set_tests_properties(executable_sync_openmp_reports_overheads PROPERTIES TIMEOUT 300
                       ENVIRONMENT "OMP_WAIT_POLICY=passive")
endif()

if(TARGET sync_mpi)
  add_test(NAME executable_sync_mpi_reports_overheads
           COMMAND ${PARBENCH_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_sync_json.py ${CMAKE_CURRENT_BINARY_DIR}
                   ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} 2 $<TARGET_FILE:sync_mpi> --parbench_size=16
                   --benchmark_min_time=0.01)
  set_tests_properties(executable_sync_mpi_reports_overheads PROPERTIES ENVIRONMENT "${mpi_env}" TIMEOUT 300)
endif()

if(TARGET sync_cuda)
  # Without a device: no case in the JSON, the reason in the context, exit 0.
  add_test(NAME executable_sync_cuda_without_device_reports_why
           COMMAND ${PARBENCH_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/check_skipped_json.py $<TARGET_FILE:sync_cuda>
                   ${CMAKE_CURRENT_BINARY_DIR})
endif()
