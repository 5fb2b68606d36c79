# The classics workload's own tests (the smoke runs and kernel placement of its executables are automatic).

add_executable(classics_unit_tests unit/classics_kernels_test.cpp)
target_link_libraries(classics_unit_tests PRIVATE classics_kernels GTest::gtest GTest::gtest_main)
gtest_discover_tests(classics_unit_tests DISCOVERY_TIMEOUT 30)

# A test-only model with broken methods (tests/models/classics_broken.cpp); each must fail, never give a number.
parbench_add_executable(classics_broken classics broken LIKE threads SOURCES
                        ${PROJECT_SOURCE_DIR}/benchmarks/classics/driver.cpp models/classics_broken.cpp
                        LIBRARIES classics_kernels)
set_target_properties(classics_broken PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
# Runs the broken executable on one method and requires exit code 1 and the expected failure in its output.
set(classics_fails [=["$0" "--benchmark_filter=$1" $3 >"$2" 2>&1; rc=$?; test $rc -eq 1 && grep -Eq "$4" "$2" || { echo "exit $rc:"; cat "$2"; exit 1; }]=])
foreach(spec
    "naive_philosophers_deadlock@philosophers/method:naive/@--parbench_workers=2,3 --parbench_verify_only --parbench_watchdog_ms=300@deadlock detected"
    "duplicated_item@producer_consumer/method:duplicating/@--parbench_workers=2,3 --parbench_verify_only@verification failed: .*(out of order|checksum)"
    "dropped_item@producer_consumer/method:dropping/@--parbench_workers=2 --parbench_verify_only --parbench_watchdog_ms=300@deadlock detected"
    "unlocked_bank@bank/method:unlocked/@--parbench_workers=2 --parbench_accounts=2 --parbench_size=4M --benchmark_min_time=0.5@verification failed: total balance")
  string(REPLACE "@" ";" parts "${spec}")
  list(GET parts 0 name)
  list(GET parts 1 filter)
  list(GET parts 2 flags)
  list(GET parts 3 expected)
  add_test(NAME classics_${name}_is_caught
           COMMAND sh -c "${classics_fails}" $<TARGET_FILE:classics_broken> ${filter}
                   ${CMAKE_CURRENT_BINARY_DIR}/classics_${name}.out "${flags}" "${expected}")
  set_tests_properties(classics_${name}_is_caught PROPERTIES TIMEOUT 60)
endforeach()

if(TARGET classics_threads)
  # Cases that cannot run say why, and the run still passes: one worker cannot hand over, spsc_ring takes 1+1.
  add_test(NAME classics_skips_say_why
           COMMAND sh -c [=[
             out=$("$0" --parbench_workers=1,3 --parbench_verify_only --benchmark_filter='producer_consumer/method:spsc_ring' 2>&1) &&
             echo "$out" | grep -q 'workers:1/.*skipped: producer_consumer needs a producer and a consumer' &&
             echo "$out" | grep -q 'workers:3/.*skipped: spsc_ring takes exactly one producer and one consumer' || { echo "$out"; exit 1; }]=]
                   $<TARGET_FILE:classics_threads>)

  # Bad values of the workload's options: exit code 2 and one line on stderr.
  foreach(bad "--parbench_buffer=0" "--parbench_buffer=-1" "--parbench_buffer=abc" "--parbench_buffer=2000"
              "--parbench_buffer=5,5" "--parbench_buffer=5," "--parbench_accounts=1" "--parbench_accounts=-3"
              "--parbench_accounts=99999999999999999999" "--parbench_accounts=x" "--parbench_watchdog_ms=0"
              "--parbench_watchdog_ms=1e3" "--parbench_watchdog_ms=")
    string(REGEX REPLACE "[^a-z0-9]+" "_" name "${bad}")
    add_test(NAME classics_rejects${name}
             COMMAND sh -c "${one_line_exit_2}" $<TARGET_FILE:classics_threads> ${bad}
                     ${CMAKE_CURRENT_BINARY_DIR}/classics_rejects${name}.err)
  endforeach()

  # The line names the flag as it was typed.
  add_test(NAME classics_bad_value_names_its_flag
           COMMAND sh -c [=[
             "$0" --parbench_buffer=0 2>&1 | grep -q "bad value '0' for --parbench_buffer (" &&
             "$0" --parbench_accounts=x 2>&1 | grep -q "bad value 'x' for --parbench_accounts (" &&
             "$0" --parbench_watchdog_ms=5 2>&1 | grep -q "bad value '5' for --parbench_watchdog_ms ("]=]
                   $<TARGET_FILE:classics_threads>)

  # Case names carry the method and every parameter; the options change them.
  add_test(NAME classics_names_carry_the_parameters
           COMMAND sh -c [=[
             "$0" --parbench_workers=2 --benchmark_list_tests | grep -q '^producer_consumer/method:semaphores/buffer:5/size:20000/workers:2/' &&
             "$0" --parbench_workers=2 --benchmark_list_tests | grep -q '^philosophers/method:waiter/size:20000/workers:2/' &&
             "$0" --parbench_workers=3 --parbench_accounts=8 --benchmark_list_tests | grep -q '^bank/method:atomic/accounts:8/size:1048576/workers:3/' &&
             "$0" --parbench_workers=2 --parbench_buffer=7 --benchmark_list_tests | grep -q '^producer_consumer/method:condvar/buffer:7/size:20000/workers:2/' &&
             ! "$0" --parbench_workers=2 --benchmark_list_tests | grep -q 'naive']=]
                   $<TARGET_FILE:classics_threads>)
endif()

if(TARGET classics_processes)
  # A pipe's capacity is whole pages: a buffer that is not a multiple of 512 items is skipped with the reason.
  add_test(NAME classics_pipe_buffer_not_whole_pages_is_skipped
           COMMAND sh -c [=[
             out=$("$0" --parbench_workers=2 --parbench_verify_only --parbench_buffer=64,1024 --benchmark_filter='method:pipe' 2>&1) &&
             echo "$out" | grep -q 'buffer:64/.*skipped: a pipe holds whole pages' &&
             echo "$out" | grep 'buffer:1024/' | grep -q 'items_per_second' || { echo "$out"; exit 1; }]=]
                   $<TARGET_FILE:classics_processes>)
endif()
