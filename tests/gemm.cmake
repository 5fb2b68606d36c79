# The shared GEMM kernel (benchmarks/common/include/parbench/gemm/) against a naive triple loop, once per
# micro-kernel: the one this build selects, the portable fallback forced, and on a -march=native build the AVX2
# kernel forced as well (skipped at run time on a CPU without AVX2+FMA). Each is its own copy of the library.
function(parbench_add_gemm_test name library)
  add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/unit/gemm_test.cpp)
  target_link_libraries(${name} PRIVATE ${library} GTest::gtest GTest::gtest_main Threads::Threads)
  target_compile_definitions(${name} PRIVATE ${ARGN})
  gtest_discover_tests(${name} TEST_PREFIX ${name}. DISCOVERY_TIMEOUT 30)
endfunction()

parbench_add_gemm_test(gemm_unit_tests parbench_gemm)

parbench_add_gemm_library(parbench_gemm_portable DEFINITIONS PARBENCH_GEMM_FORCE_PORTABLE)
parbench_add_gemm_test(gemm_portable_unit_tests parbench_gemm_portable PARBENCH_GEMM_EXPECTED_KERNEL="portable")

if(NOT PARBENCH_PORTABLE AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  # -march=native plus -mno-avx512f: the native flags without any AVX-512 subset, AVX2 and FMA kept.
  parbench_add_gemm_library(parbench_gemm_avx2 OPTIONS -mavx2 -mfma -mno-avx512f)
  parbench_add_gemm_test(gemm_avx2_unit_tests parbench_gemm_avx2 PARBENCH_GEMM_EXPECTED_KERNEL="avx2"
                         PARBENCH_GEMM_NEEDS_AVX2)
endif()

# gemm_probe (a manual measuring tool) still refuses bad options with one line and exit 2, before measuring.
foreach(bad "--reps=0" "--sizes=256,x" "--sizes=" "--precision=fp16" "--kc=0" "--kc=+5" "--clock=tsc" "--bogus")
  string(REGEX REPLACE "[^a-z0-9]+" "_" name "${bad}")
  add_test(NAME gemm_probe_rejects${name}
           COMMAND sh -c "${one_line_exit_2}" $<TARGET_FILE:gemm_probe> ${bad}
                   ${CMAKE_CURRENT_BINARY_DIR}/gemm_probe_rejects${name}.err)
endforeach()
