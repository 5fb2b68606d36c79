# Finds what each parallel model needs. A model whose dependency is missing is skipped with one clear line;
# the reason goes into parbench_build.json so the harness records it as skipped.
include_guard(GLOBAL)
include(CheckLanguage)

set(PARBENCH_MODELS threads processes tbb openmp mpi cuda)
set(PARBENCH_ENABLED_MODELS "")
set(PARBENCH_SKIPPED_MODELS "")

function(parbench_model_status model ok reason)
  if(ok)
    set(PARBENCH_ENABLED_MODELS ${PARBENCH_ENABLED_MODELS} ${model} PARENT_SCOPE)
  else()
    message(NOTICE "parbench: skipping model '${model}': ${reason}")
    set(PARBENCH_SKIPPED_MODELS ${PARBENCH_SKIPPED_MODELS} ${model} PARENT_SCOPE)
    set(PARBENCH_SKIP_REASON_${model} "${reason}" CACHE INTERNAL "")
  endif()
endfunction()

# Google Benchmark drives everything: without it nothing builds.
find_package(benchmark REQUIRED)
find_package(Threads REQUIRED)

parbench_model_status(threads TRUE "")
parbench_model_status(processes TRUE "")

find_package(TBB CONFIG QUIET)
parbench_model_status(tbb "${TBB_FOUND}" "oneTBB not found (Debian: libtbb-dev)")

find_package(OpenMP QUIET COMPONENTS CXX)
parbench_model_status(openmp "${OpenMP_CXX_FOUND}" "OpenMP not found for ${CMAKE_CXX_COMPILER_ID}")

find_package(MPI QUIET COMPONENTS CXX)
if(MPI_CXX_FOUND AND NOT MPIEXEC_EXECUTABLE)
  set(MPI_CXX_FOUND FALSE)
endif()
parbench_model_status(mpi "${MPI_CXX_FOUND}" "MPI not found (Debian: libopenmpi-dev openmpi-bin)")

# Later workloads (matrix, mnist) need these; found now so the build manifest records them.
set(BLA_VENDOR OpenBLAS)
find_package(BLAS QUIET)
find_package(Torch QUIET)

set(PARBENCH_CUDA_OK FALSE)
set(PARBENCH_CUDA_REASON "disabled by PARBENCH_WITH_CUDA=OFF")
if(PARBENCH_WITH_CUDA)
  if(NOT CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX} AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 90)  # Hopper (H100/H200); override for other GPUs
    endif()
    enable_language(CUDA)
    set(CMAKE_CUDA_STANDARD 17)  # CMake 3.25 cannot ask nvcc 13 for C++20
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    set(PARBENCH_CUDA_OK TRUE)
  else()
    set(PARBENCH_CUDA_REASON "no CUDA compiler (nvcc) found")
  endif()
endif()
parbench_model_status(cuda "${PARBENCH_CUDA_OK}" "${PARBENCH_CUDA_REASON}")

# parbench_add_benchmark(<workload> <model> SOURCES ...): the executable <workload>_<model> with the workload's
# driver sources, the common library and the right main. Does nothing when the model is skipped.
function(parbench_add_benchmark workload model)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT model IN_LIST PARBENCH_ENABLED_MODELS)
    return()
  endif()
  set(target ${workload}_${model})
  if(model STREQUAL "mpi")
    set(main ${PROJECT_SOURCE_DIR}/benchmarks/common/src/main_mpi.cpp)
  else()
    set(main ${PROJECT_SOURCE_DIR}/benchmarks/common/src/main.cpp)
  endif()
  add_executable(${target} ${ARG_SOURCES} ${main})
  target_link_libraries(${target} PRIVATE parbench_common ${ARG_LIBRARIES})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/benchmarks)
  target_compile_definitions(${target} PRIVATE PARBENCH_WORKLOAD="${workload}" PARBENCH_MODEL="${model}"
                             PARBENCH_BENCHMARK_VERSION="${benchmark_VERSION}")
  if(model STREQUAL "mpi")
    target_link_libraries(${target} PRIVATE MPI::MPI_CXX)
  elseif(model STREQUAL "tbb")
    target_link_libraries(${target} PRIVATE TBB::tbb)
  elseif(model STREQUAL "openmp")
    target_link_libraries(${target} PRIVATE OpenMP::OpenMP_CXX)
  elseif(model STREQUAL "cuda")
    # Self-contained for GPU machines without Debian's packages: static CUDA runtime, libs found via RPATH.
    set_target_properties(${target} PROPERTIES CUDA_RUNTIME_LIBRARY Static BUILD_RPATH_USE_ORIGIN ON)
  endif()
  set_property(GLOBAL APPEND PROPERTY PARBENCH_BENCHMARK_TARGETS ${target})
endfunction()

# Writes what was built, what was skipped and why, and the versions found, for results.json's "software".
function(parbench_write_build_manifest path)
  get_property(targets GLOBAL PROPERTY PARBENCH_BENCHMARK_TARGETS)
  set(skipped "")
  foreach(model IN LISTS PARBENCH_SKIPPED_MODELS)
    string(REPLACE "\"" "'" reason "${PARBENCH_SKIP_REASON_${model}}")
    list(APPEND skipped "\"${model}\": \"${reason}\"")
  endforeach()
  list(JOIN skipped ", " skipped_json)
  set(target_json "")
  foreach(t IN LISTS targets)
    list(APPEND target_json "\"${t}\"")
  endforeach()
  list(JOIN target_json ", " target_json)
  string(TOUPPER "${CMAKE_BUILD_TYPE}" build_upper)
  set(flags "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${build_upper}}")
  if(NOT PARBENCH_PORTABLE)
    string(APPEND flags " -march=native")
  endif()
  string(STRIP "${flags}" flags)
  file(WRITE ${path} "{
  \"parbench_version\": \"${PROJECT_VERSION}\",
  \"build_type\": \"${CMAKE_BUILD_TYPE}\",
  \"portable\": \"${PARBENCH_PORTABLE}\",
  \"compiler\": \"${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}\",
  \"cxx_flags\": \"${flags}\",
  \"benchmark_version\": \"${benchmark_VERSION}\",
  \"tbb_version\": \"${TBB_VERSION}\",
  \"openmp_version\": \"${OpenMP_CXX_VERSION}\",
  \"mpi_version\": \"${MPI_CXX_VERSION}\",
  \"mpiexec\": \"${MPIEXEC_EXECUTABLE}\",
  \"blas_found\": \"${BLAS_FOUND}\",
  \"torch_version\": \"${Torch_VERSION}\",
  \"cuda_compiler\": \"${CMAKE_CUDA_COMPILER_ID} ${CMAKE_CUDA_COMPILER_VERSION}\",
  \"cuda_architectures\": \"${CMAKE_CUDA_ARCHITECTURES}\",
  \"enabled_models\": \"${PARBENCH_ENABLED_MODELS}\",
  \"skipped_models\": {${skipped_json}},
  \"benchmarks\": [${target_json}]
}
")
endfunction()
