# The locks workload's own tests (included at the end of tests/CMakeLists.txt). The smoke tests of every locks
# executable, locks_unit_tests, executable_broken_tas_is_caught and kernel_placement are declared there.

# Bad input to a locks executable: exit code 2 exactly and one line on stderr (the one_line_exit_2 script above).
if(TARGET locks_threads)
  foreach(bad "--parbench_locks=nosuch" "--parbench_locks=tas,tas" "--parbench_locks=" "--parbench_locks=robust_mutex"
              "--parbench_cs=-1" "--parbench_cs=1000001" "--parbench_cs=abc" "--parbench_cs=99999999999999999999"
              "--parbench_cs=0,0" "--parbench_gap=-5" "--parbench_gap=2000000" "--parbench_gap=1e3"
              "--parbench_read=101" "--parbench_read=x" "--parbench_workers=257")
    string(REGEX REPLACE "[^a-z0-9]+" "_" name "${bad}")
    add_test(NAME locks_threads_rejects${name}
             COMMAND sh -c "${one_line_exit_2}" $<TARGET_FILE:locks_threads> ${bad}
                     ${CMAKE_CURRENT_BINARY_DIR}/locks_threads_rejects${name}.err)
  endforeach()

  # Case names carry the mode and every parameter of the work (cs, gap, the read share, the size), workers last;
  # the flags change them; latency cases are skipped, with the reason, at more than one worker.
  add_test(NAME locks_names_carry_the_shape
           COMMAND sh -c [=[
             "$0" --parbench_workers=2 --benchmark_list_tests | grep -q '^tas/mode:throughput/cs:0/gap:0/size:262144/workers:2/' &&
             "$0" --parbench_workers=2 --parbench_cs=0,100 --benchmark_list_tests | grep -q '^tas/mode:throughput/cs:100/gap:0/size:262144/workers:2/' &&
             "$0" --parbench_workers=1 --benchmark_list_tests | grep -q '^shared_mutex/mode:throughput/cs:0/gap:0/read:90/size:262144/workers:1/' &&
             "$0" --parbench_workers=1 --benchmark_list_tests | grep -q '^clh/mode:latency/size:262144/workers:1/' &&
             "$0" --parbench_workers=3 --parbench_cs=5 --parbench_gap=7 --parbench_read=50 --parbench_locks=shared_mutex --benchmark_list_tests |
               grep -q '^shared_mutex/mode:throughput/cs:5/gap:7/read:50/size:262144/workers:3/' &&
             test "$("$0" --parbench_workers=1 --parbench_locks=ticket,clh --benchmark_list_tests | wc -l)" -eq 4 &&
             test "$("$0" --parbench_workers=1 --parbench_locks=ticket,clh --parbench_cs=0,100 --parbench_gap=0,50 --benchmark_list_tests | wc -l)" -eq 10 &&
             "$0" --parbench_verify_only --parbench_workers=2 --parbench_locks=tas --benchmark_filter=latency 2>&1 |
               grep -q "skipped: latency mode measures an uncontended lock: 1 worker only"]=]
                   $<TARGET_FILE:locks_threads>)
endif()

if(TARGET locks_processes)
  foreach(bad "--parbench_locks=std_mutex" "--parbench_cs=1000001" "--parbench_workers=257")
    string(REGEX REPLACE "[^a-z0-9]+" "_" name "${bad}")
    add_test(NAME locks_processes_rejects${name}
             COMMAND sh -c "${one_line_exit_2}" $<TARGET_FILE:locks_processes> ${bad}
                     ${CMAKE_CURRENT_BINARY_DIR}/locks_processes_rejects${name}.err)
  endforeach()
  # Contended rounds across processes (the smoke test's small rounds are often taken by one worker): the futex
  # lock's shared futex word must wake sleepers in other processes (a lost wake hangs, and the timeout fails it),
  # and the queue locks' nodes in the segment must hand over between processes.
  add_test(NAME locks_processes_contended
           COMMAND $<TARGET_FILE:locks_processes> --parbench_locks=futex,semaphore,mcs,clh --parbench_workers=2,3
                   --parbench_cs=100 --parbench_size=64k --benchmark_min_time=0.01 --benchmark_filter=throughput)
  set_tests_properties(locks_processes_contended PROPERTIES TIMEOUT 120)
endif()

if(TARGET locks_tbb)
  add_test(NAME locks_tbb_rejects_unknown_lock
           COMMAND sh -c "${one_line_exit_2}" $<TARGET_FILE:locks_tbb> --parbench_locks=tas
                   ${CMAKE_CURRENT_BINARY_DIR}/locks_tbb_rejects_unknown_lock.err)
endif()

if(TARGET locks_openmp)
  add_test(NAME locks_openmp_rejects_unknown_lock
           COMMAND sh -c "${one_line_exit_2}" $<TARGET_FILE:locks_openmp> --parbench_locks=omp_nest_lock
                   ${CMAKE_CURRENT_BINARY_DIR}/locks_openmp_rejects_unknown_lock.err)
  # The lock-hint variant exists exactly when the configure-time link check found omp_init_lock_with_hint, and
  # the JSON context says which.
  if(PARBENCH_OMP_LOCK_HINTS)
    set(hint_expect "omp_lock_hint_contended/")
    set(hint_context "omp_init_lock_with_hint exported")
  else()
    set(hint_expect "^$")
    set(hint_context "omp_lock_hint_contended not built")
  endif()
  add_test(NAME locks_openmp_lock_hints_match_the_runtime
           COMMAND sh -c [=[
             "$0" --parbench_workers=1 --benchmark_list_tests | grep -c '^omp_lock_hint_contended/' | grep -q "$([ "$1" = '^$' ] && echo '^0$' || echo '^[1-9]')" &&
             "$0" --parbench_verify_only --parbench_workers=1 --parbench_locks=omp_lock --benchmark_filter=latency 2>&1 | grep -q "openmp_lock_hints: $2"]=]
                   $<TARGET_FILE:locks_openmp> "${hint_expect}" "${hint_context}")
endif()

if(TARGET locks_mpi)
  add_test(NAME locks_mpi_rejects_unknown_lock
           COMMAND sh -c [=["$0" -np 1 "$1" --parbench_locks=mcs 2>"$2" >/dev/null; rc=$?; test $rc -eq 2 && test "$(grep -c "unknown value 'mcs' for --parbench_locks" "$2")" -eq 1 || { echo "exit $rc:"; cat "$2"; exit 1; }]=]
                   ${MPIEXEC_EXECUTABLE} $<TARGET_FILE:locks_mpi> ${CMAKE_CURRENT_BINARY_DIR}/locks_mpi_rejects.err)
  set_tests_properties(locks_mpi_rejects_unknown_lock PROPERTIES ENVIRONMENT "${mpi_env}" TIMEOUT 60)
endif()
