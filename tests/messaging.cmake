# The messaging workload's own tests (included at the end of tests/CMakeLists.txt). The smoke tests of every
# messaging executable (workers 1,2,3; MPI -np 1,2,3: all but 2 are skipped with the reason, which passes) and
# kernel_placement (the checksum kernel) are declared there.

add_executable(messaging_unit_tests unit/messaging_test.cpp)
target_link_libraries(messaging_unit_tests PRIVATE messaging_kernels GTest::gtest GTest::gtest_main)
gtest_discover_tests(messaging_unit_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 120)

# Bad input: exit code 2 exactly and one line on stderr, for every CPU model.
foreach(model threads processes tbb)
  if(TARGET messaging_${model})
    foreach(bad "--parbench_transports=nosuch" "--parbench_transports=" "--parbench_bytes=0" "--parbench_bytes=12"
                "--parbench_bytes=67108872" "--parbench_bytes=abc" "--parbench_bytes=8,8" "--parbench_window=0"
                "--parbench_window=1025" "--parbench_window=x" "--parbench_sizes=8")
      string(REGEX REPLACE "[^a-z0-9]+" "_" name "${bad}")
      add_test(NAME messaging_${model}_rejects${name}
               COMMAND sh -c "${one_line_exit_2}" $<TARGET_FILE:messaging_${model}> ${bad}
                       ${CMAKE_CURRENT_BINARY_DIR}/messaging_${model}_rejects${name}.err)
    endforeach()
  endif()
endforeach()
if(TARGET messaging_mpi)
  add_test(NAME messaging_mpi_rejects_unknown_transport
           COMMAND sh -c [=["$0" -np 2 "$1" --parbench_transports=pipe 2>"$2" >/dev/null; rc=$?; test $rc -eq 2 && test "$(grep -c "unknown value 'pipe' for --parbench_transports" "$2")" -ge 1 || { echo "exit $rc:"; cat "$2"; exit 1; }]=]
                   ${MPIEXEC_EXECUTABLE} $<TARGET_FILE:messaging_mpi> ${CMAKE_CURRENT_BINARY_DIR}/messaging_mpi_rejects.err)
  set_tests_properties(messaging_mpi_rejects_unknown_transport PROPERTIES ENVIRONMENT "${mpi_env}" TIMEOUT 60)
endif()

if(TARGET messaging_threads)
  # Names carry the mode, the message size, the window (bandwidth) and the messages per round, workers last; the
  # options change them; other worker counts than 2 are skipped with the reason.
  add_test(NAME messaging_names_carry_the_shape
           COMMAND sh -c [=[
             "$0" --benchmark_list_tests | grep -q '^spsc_ring/mode:latency/bytes:8/size:2048/workers:2/' &&
             "$0" --benchmark_list_tests | grep -q '^condvar_queue/mode:bandwidth/bytes:1048576/window:64/size:64/workers:2/' &&
             "$0" --parbench_bytes=4194304 --benchmark_list_tests | grep -q '^condvar_queue/mode:latency/bytes:4194304/size:8/workers:2/' &&
             test "$("$0" --benchmark_list_tests | wc -l)" -eq 12 &&
             "$0" --parbench_window=16 --parbench_bytes=4096 --benchmark_list_tests | grep -q '^spsc_ring/mode:bandwidth/bytes:4096/window:16/size:1024/workers:2/' &&
             "$0" --parbench_window=100 --parbench_bytes=1048576 --benchmark_list_tests | grep -q '^spsc_ring/mode:bandwidth/bytes:1048576/window:100/size:100/workers:2/' &&
             "$0" --parbench_size=1000 --parbench_transports=spsc_ring --parbench_bytes=8 --benchmark_list_tests | grep -q '^spsc_ring/mode:bandwidth/bytes:8/window:64/size:1024/workers:2/' &&
             "$0" --parbench_verify_only --parbench_workers=3 --parbench_bytes=8 --parbench_transports=spsc_ring 2>&1 |
               grep -q "skipped: ping-pong runs between exactly 2 workers"]=]
                   $<TARGET_FILE:messaging_threads>)
endif()

# Transports broken on purpose (tests/models/messaging_broken.cpp) fail verification, exit 1, in both modes.
parbench_add_executable(messaging_broken messaging broken LIKE threads SOURCES
                        ${PROJECT_SOURCE_DIR}/benchmarks/messaging/driver.cpp models/messaging_broken.cpp
                        LIBRARIES messaging_kernels)
set_target_properties(messaging_broken PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
foreach(fault drops_last_byte flips_a_bit reorders repeats)
  foreach(mode latency bandwidth)
    if(fault STREQUAL "reorders" AND mode STREQUAL "latency")
      continue()  # one message in flight: nothing to reorder (the fault only delays it)
    endif()
    add_test(NAME messaging_broken_${fault}_${mode}_is_caught
             COMMAND sh -c [=["$0" --parbench_transports="$1" --benchmark_filter="mode:$2" --parbench_bytes=8,4096 --parbench_verify_only >"$3" 2>&1; rc=$?; test $rc -eq 1 && test "$(grep -c 'verification failed' "$3")" -eq 2 || { echo "exit $rc:"; cat "$3"; exit 1; }]=]
                     $<TARGET_FILE:messaging_broken> ${fault} ${mode} ${CMAKE_CURRENT_BINARY_DIR}/messaging_broken_${fault}_${mode}.out)
    set_tests_properties(messaging_broken_${fault}_${mode}_is_caught PROPERTIES TIMEOUT 60)
  endforeach()
endforeach()
# The reorders fault in latency mode delays, never reorders: it must pass (the check does not fail good runs).
add_test(NAME messaging_broken_reorders_latency_delays_only
         COMMAND $<TARGET_FILE:messaging_broken> --parbench_transports=reorders --benchmark_filter=mode:latency
                 --parbench_bytes=8,4096 --parbench_verify_only)
set_tests_properties(messaging_broken_reorders_latency_delays_only PROPERTIES TIMEOUT 60)

# A side killed mid-round (SIGKILL), or the parent killed: the case fails (no hang), nothing survives and
# nothing named is left (tests/models/messaging_kill_side.sh).
if(TARGET messaging_processes)
  add_test(NAME messaging_processes_killed_side_leaves_nothing
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/models/messaging_kill_side.sh $<TARGET_FILE:messaging_processes>
                   ${CMAKE_CURRENT_BINARY_DIR}/messaging_kill_side)
  set_tests_properties(messaging_processes_killed_side_leaves_nothing PROPERTIES TIMEOUT 180)
endif()
