# The parallel models: each is declared once, below, with what it needs and how the harness launches it. A model
# whose dependency is missing is skipped with one clear line; the reason goes into parbench_build.json so the
# harness records it as skipped. Adding a model = its declaration here + one <model>.cpp per workload.
include_guard(GLOBAL)
include(CheckLanguage)

set(PARBENCH_ENABLED_MODELS "")
set(PARBENCH_SKIPPED_MODELS "")

# parbench_declare_model(<model> FOUND <bool> [REASON <why it is skipped>]
#                        [LIBRARIES <link targets>…] [PROPERTIES <target property> <value>…]
#                        [MAIN plain|mpi] [LAUNCHER direct|mpi] [BIND_ENV <VAR=value>…] [OWN_WORKERS]
#                        [ENV_SWEEP <param> <VAR> <value>=<setting>…])
#   MAIN      the entry point: plain (main.cpp) or mpi (main_mpi.cpp: ranks in lockstep, rank 0 reports)
#   LAUNCHER  how the harness starts it: direct, or mpi (mpirun -np <workers>)
#   BIND_ENV  the environment that pins its workers when the harness pins (--bind cores)
#   OWN_WORKERS  the executable picks its own worker counts (GPU threads); the harness does not sweep them
#   ENV_SWEEP  a runtime setting the harness sweeps: each executable of the model whose listed case names carry
#              <param> runs once per <value>, with <VAR>=<setting> (an empty setting: <VAR> unset); the
#              executable reads <VAR> at start-up and names the value in its cases (<param>:<value>)
function(parbench_declare_model model)
  cmake_parse_arguments(ARG "OWN_WORKERS" "FOUND;REASON;MAIN;LAUNCHER" "LIBRARIES;PROPERTIES;BIND_ENV;ENV_SWEEP"
                        ${ARGN})
  list(LENGTH ARG_ENV_SWEEP sweep_items)
  if(sweep_items GREATER 0 AND sweep_items LESS 3)
    message(FATAL_ERROR "parbench_declare_model(${model}): ENV_SWEEP needs <param> <VAR> <value>=<setting>…")
  endif()
  if(NOT ARG_MAIN)
    set(ARG_MAIN plain)
  endif()
  if(NOT ARG_LAUNCHER)
    set(ARG_LAUNCHER direct)
  endif()
  foreach(key MAIN LAUNCHER LIBRARIES PROPERTIES BIND_ENV OWN_WORKERS ENV_SWEEP)
    set_property(GLOBAL PROPERTY PARBENCH_MODEL_${model}_${key} "${ARG_${key}}")
  endforeach()
  if(ARG_FOUND)
    set(PARBENCH_ENABLED_MODELS ${PARBENCH_ENABLED_MODELS} ${model} PARENT_SCOPE)
  else()
    message(NOTICE "parbench: skipping model '${model}': ${ARG_REASON}")
    set(PARBENCH_SKIPPED_MODELS ${PARBENCH_SKIPPED_MODELS} ${model} PARENT_SCOPE)
    set_property(GLOBAL PROPERTY PARBENCH_MODEL_${model}_REASON "${ARG_REASON}")
  endif()
endfunction()

# Google Benchmark drives everything: without it nothing builds.
find_package(benchmark REQUIRED)
find_package(Threads REQUIRED)
# hwloc picks one CPU per physical core for pinning; without it pinning falls back to the OS order.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(HWLOC QUIET IMPORTED_TARGET hwloc)
endif()

parbench_declare_model(threads FOUND TRUE BIND_ENV PARBENCH_PIN=cores)
parbench_declare_model(processes FOUND TRUE BIND_ENV PARBENCH_PIN=cores)

find_package(TBB CONFIG QUIET)
parbench_declare_model(tbb FOUND "${TBB_FOUND}" REASON "oneTBB not found (Debian: libtbb-dev)"
                       LIBRARIES TBB::tbb parbench_tbb BIND_ENV PARBENCH_PIN=cores)

find_package(OpenMP QUIET COMPONENTS CXX)
# What the OpenMP runtime offers beyond its headers, as compile definitions of every openmp target: GCC 12's omp.h
# declares omp_init_lock_with_hint (OpenMP 4.5) but libgomp does not export it, so only a link check can tell.
add_library(parbench_openmp_features INTERFACE)
if(OpenMP_CXX_FOUND)
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_LIBRARIES OpenMP::OpenMP_CXX)
  set(CMAKE_REQUIRED_QUIET ON)
  check_cxx_source_compiles([=[
    #include <omp.h>
    int main() { omp_lock_t l; omp_init_lock_with_hint(&l, omp_sync_hint_contended); omp_destroy_lock(&l); }
  ]=] PARBENCH_OMP_LOCK_HINTS)
  unset(CMAKE_REQUIRED_LIBRARIES)
  unset(CMAKE_REQUIRED_QUIET)
  target_compile_definitions(parbench_openmp_features INTERFACE
                             PARBENCH_OMP_LOCK_HINTS=$<IF:$<BOOL:${PARBENCH_OMP_LOCK_HINTS}>,1,0>)
endif()
# OMP_WAIT_POLICY decides how idle libgomp threads wait (unset: spin a while, then sleep; passive: sleep at once),
# which is most of a synchronisation construct's cost: executables whose cases carry wait:<policy> run under both.
parbench_declare_model(openmp FOUND "${OpenMP_CXX_FOUND}" REASON "OpenMP not found for ${CMAKE_CXX_COMPILER_ID}"
                       LIBRARIES OpenMP::OpenMP_CXX parbench_openmp_features
                       BIND_ENV OMP_PROC_BIND=close OMP_PLACES=cores
                       ENV_SWEEP wait OMP_WAIT_POLICY default= passive=passive)

find_package(MPI QUIET COMPONENTS CXX)
if(MPI_CXX_FOUND AND NOT MPIEXEC_EXECUTABLE)
  set(MPI_CXX_FOUND FALSE)
endif()
# mpirun binds ranks itself (the harness passes its binding options).
parbench_declare_model(mpi FOUND "${MPI_CXX_FOUND}" REASON "MPI not found (Debian: libopenmpi-dev openmpi-bin)"
                       LIBRARIES MPI::MPI_CXX MAIN mpi LAUNCHER mpi)

# Later workloads (matrix, mnist) need these; found now so the build manifest records them.
set(BLA_VENDOR OpenBLAS)
find_package(BLAS QUIET)
# OpenBLAS as the reference a user would pick instead of the models (matrix's `openblas` model, and the matrix
# workload's verification): its BLAS library and its cblas.h (Debian keeps it under openblas-pthread/).
set(PARBENCH_OPENBLAS_OK FALSE)
set(PARBENCH_OPENBLAS_REASON "OpenBLAS not found (Debian: libopenblas-dev)")
if(BLAS_FOUND)
  find_path(PARBENCH_CBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas-pthread openblas openblas-openmp
            PATHS /usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
  if(PARBENCH_CBLAS_INCLUDE_DIR)
    set(PARBENCH_OPENBLAS_OK TRUE)
    add_library(parbench_openblas INTERFACE)
    target_include_directories(parbench_openblas INTERFACE ${PARBENCH_CBLAS_INCLUDE_DIR})
    target_link_libraries(parbench_openblas INTERFACE ${BLAS_LIBRARIES})
    target_compile_definitions(parbench_openblas INTERFACE PARBENCH_HAVE_OPENBLAS)
  else()
    set(PARBENCH_OPENBLAS_REASON "OpenBLAS found but not its cblas.h")
  endif()
endif()
parbench_declare_model(openblas FOUND "${PARBENCH_OPENBLAS_OK}" REASON "${PARBENCH_OPENBLAS_REASON}"
                       LIBRARIES parbench_openblas)
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
# cuBLAS, the GPU reference of matrix's cuda executable (gemm_cublas), linked only where a workload asks for it
# (parbench_add_workload's CUDA_LIBRARIES), so that no other executable loads it.
if(PARBENCH_CUDA_OK)
  find_package(CUDAToolkit QUIET)
  if(TARGET CUDA::cublas)
    add_library(parbench_cublas INTERFACE)
    target_link_libraries(parbench_cublas INTERFACE CUDA::cublas)
    target_compile_definitions(parbench_cublas INTERFACE PARBENCH_HAVE_CUBLAS)
  endif()
endif()
# Self-contained for GPU machines without Debian's packages: static CUDA runtime, libraries found via RPATH.
parbench_declare_model(cuda FOUND "${PARBENCH_CUDA_OK}" REASON "${PARBENCH_CUDA_REASON}" OWN_WORKERS
                       PROPERTIES CUDA_RUNTIME_LIBRARY Static BUILD_RPATH_USE_ORIGIN ON)

# Function and loop alignment for sources holding kernels: where a hot loop starts decides whether it runs at
# one or two cycles per iteration, so every copy of a kernel gets the same placement (tests/check_kernel_placement.py).
set(PARBENCH_KERNEL_FLAGS -falign-functions=64 -falign-loops=64)
function(parbench_align_kernels target)
  target_compile_options(${target} PRIVATE "$<$<COMPILE_LANGUAGE:CXX>:${PARBENCH_KERNEL_FLAGS}>")
endfunction()

# parbench_add_executable(<target> <workload> <model> SOURCES … [LIBRARIES …] [LIKE <declared model>]):
# an executable built as the declared model's benchmarks are (main, libraries, properties); LIKE lets a test
# build its own model the way a declared one is built.
function(parbench_add_executable target workload model)
  cmake_parse_arguments(ARG "" "LIKE" "SOURCES;LIBRARIES" ${ARGN})
  set(declared ${model})
  if(ARG_LIKE)
    set(declared ${ARG_LIKE})
  endif()
  foreach(key MAIN LIBRARIES PROPERTIES)
    get_property(${key} GLOBAL PROPERTY PARBENCH_MODEL_${declared}_${key})
  endforeach()
  if(MAIN STREQUAL "mpi")
    set(main ${PROJECT_SOURCE_DIR}/benchmarks/common/src/main_mpi.cpp)
  else()
    set(main ${PROJECT_SOURCE_DIR}/benchmarks/common/src/main.cpp)
  endif()
  add_executable(${target} ${ARG_SOURCES} ${main})
  target_link_libraries(${target} PRIVATE parbench_common ${ARG_LIBRARIES} ${LIBRARIES})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/benchmarks)
  target_compile_definitions(${target} PRIVATE PARBENCH_WORKLOAD="${workload}" PARBENCH_MODEL="${model}"
                             PARBENCH_BENCHMARK_VERSION="${benchmark_VERSION}")
  parbench_align_kernels(${target})
  if(PROPERTIES)
    set_target_properties(${target} PROPERTIES ${PROPERTIES})
  endif()
endfunction()

# parbench_add_benchmark(<workload> <model> SOURCES … [LIBRARIES …]): build/bin/<workload>_<model>, which the
# harness discovers by that name. Does nothing when the model is skipped.
function(parbench_add_benchmark workload model)
  if(NOT model IN_LIST PARBENCH_ENABLED_MODELS)
    return()
  endif()
  parbench_add_executable(${workload}_${model} ${workload} ${model} ${ARGN})
  set_property(GLOBAL APPEND PROPERTY PARBENCH_BENCHMARK_TARGETS ${workload}_${model})
endfunction()

# parbench_add_workload(<workload>): in benchmarks/<workload>/, the library <workload>_kernels from kernels.cpp
# (each variant's loop, written once, with deterministic placement) and one executable <workload>_<model> per
# enabled model that has a source there (<model>.cpp or <model>.cu), built from driver.cpp and that source.
# parbench_add_workload(<workload> LIBRARIES <targets>… CUDA_LIBRARIES <targets>…): the kernels library (and so every
# executable) also links LIBRARIES, the cuda executable alone CUDA_LIBRARIES; a name that is not a target in this
# build (an optional library not found) is skipped.
function(parbench_add_workload workload)
  cmake_parse_arguments(ARG "" "" "LIBRARIES;CUDA_LIBRARIES" ${ARGN})
  add_library(${workload}_kernels STATIC kernels.cpp)
  target_include_directories(${workload}_kernels PUBLIC ${PROJECT_SOURCE_DIR}/benchmarks)
  target_link_libraries(${workload}_kernels PUBLIC parbench_common)
  # LIBRARIES: what the kernels (and so every executable of the workload) link; a name that is no target here
  # (an optional library this build did not find) is left out.
  foreach(library IN LISTS ARG_LIBRARIES)
    if(TARGET ${library})
      target_link_libraries(${workload}_kernels PUBLIC ${library})
    endif()
  endforeach()
  parbench_align_kernels(${workload}_kernels)
  foreach(model IN LISTS PARBENCH_ENABLED_MODELS)
    foreach(source ${model}.cpp ${model}.cu)
      if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${source})
        parbench_add_benchmark(${workload} ${model} SOURCES driver.cpp ${source} LIBRARIES ${workload}_kernels)
      endif()
    endforeach()
  endforeach()
  # CUDA_LIBRARIES: linked by the cuda executable only (e.g. cuBLAS); names that are no target here are skipped.
  if(TARGET ${workload}_cuda)
    foreach(library IN LISTS ARG_CUDA_LIBRARIES)
      if(TARGET ${library})
        target_link_libraries(${workload}_cuda PRIVATE ${library})
      endif()
    endforeach()
  endif()
endfunction()

# What -march=native chose on this machine ("" for a portable build), for the manifest.
function(parbench_resolved_march out)
  set(resolved "")
  if(NOT PARBENCH_PORTABLE)
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -march=native -Q --help=target
                    OUTPUT_VARIABLE help ERROR_QUIET RESULT_VARIABLE rc)
    if(rc EQUAL 0 AND help MATCHES "\n[ \t]*-march=[ \t]*([^ \t\n]+)")
      set(resolved ${CMAKE_MATCH_1})
    endif()
  endif()
  set(${out} "${resolved}" PARENT_SCOPE)
endfunction()

# {"VAR": "value", …} from a list of VAR=value.
function(parbench_json_env out)
  set(pairs "")
  foreach(assignment IN LISTS ARGN)
    string(FIND "${assignment}" "=" at)
    string(SUBSTRING "${assignment}" 0 ${at} name)
    math(EXPR at "${at} + 1")
    string(SUBSTRING "${assignment}" ${at} -1 value)
    list(APPEND pairs "\"${name}\": \"${value}\"")
  endforeach()
  list(JOIN pairs ", " pairs)
  set(${out} "{${pairs}}" PARENT_SCOPE)
endfunction()

# {"param": …, "variable": …, "values": {"<value>": "<setting>" or null (unset), …}} from ENV_SWEEP's arguments;
# null without a sweep.
function(parbench_json_env_sweep out)
  if(NOT ARGN)
    set(${out} "null" PARENT_SCOPE)
    return()
  endif()
  list(POP_FRONT ARGN param variable)
  set(values "")
  foreach(assignment IN LISTS ARGN)
    string(FIND "${assignment}" "=" at)
    if(at LESS 1)
      message(FATAL_ERROR "parbench: ENV_SWEEP value '${assignment}' is not <value>=<setting>")
    endif()
    string(SUBSTRING "${assignment}" 0 ${at} value)
    math(EXPR at "${at} + 1")
    string(SUBSTRING "${assignment}" ${at} -1 setting)
    if(setting STREQUAL "")
      list(APPEND values "\"${value}\": null")
    else()
      list(APPEND values "\"${value}\": \"${setting}\"")
    endif()
  endforeach()
  list(JOIN values ", " values)
  set(${out} "{\"param\": \"${param}\", \"variable\": \"${variable}\", \"values\": {${values}}}" PARENT_SCOPE)
endfunction()

# Writes what was built, what was skipped and why, how each model is launched and the versions found, for
# results.json's "software" and for the harness's launch policy.
function(parbench_write_build_manifest path)
  get_property(targets GLOBAL PROPERTY PARBENCH_BENCHMARK_TARGETS)
  set(skipped "")
  foreach(model IN LISTS PARBENCH_SKIPPED_MODELS)
    get_property(reason GLOBAL PROPERTY PARBENCH_MODEL_${model}_REASON)
    string(REPLACE "\"" "'" reason "${reason}")
    list(APPEND skipped "\"${model}\": \"${reason}\"")
  endforeach()
  list(JOIN skipped ", " skipped_json)
  set(models "")
  foreach(model IN LISTS PARBENCH_ENABLED_MODELS)
    foreach(key LAUNCHER BIND_ENV OWN_WORKERS ENV_SWEEP)
      get_property(${key} GLOBAL PROPERTY PARBENCH_MODEL_${model}_${key})
    endforeach()
    parbench_json_env(bind_env ${BIND_ENV})
    parbench_json_env_sweep(env_sweep ${ENV_SWEEP})
    if(OWN_WORKERS)
      set(own true)
    else()
      set(own false)
    endif()
    list(APPEND models "\"${model}\": {\"launcher\": \"${LAUNCHER}\", \"bind_env\": ${bind_env}, \"own_workers\": ${own}, \"env_sweep\": ${env_sweep}}")
  endforeach()
  list(JOIN models ",\n    " models_json)
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
  list(JOIN PARBENCH_KERNEL_FLAGS " " kernel_flags)
  string(APPEND flags " ${kernel_flags}")
  string(STRIP "${flags}" flags)
  parbench_resolved_march(march)
  file(WRITE ${path} "{
  \"parbench_version\": \"${PROJECT_VERSION}\",
  \"build_type\": \"${CMAKE_BUILD_TYPE}\",
  \"portable\": \"${PARBENCH_PORTABLE}\",
  \"compiler\": \"${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}\",
  \"cxx_flags\": \"${flags}\",
  \"march_resolved\": \"${march}\",
  \"benchmark_version\": \"${benchmark_VERSION}\",
  \"tbb_version\": \"${TBB_VERSION}\",
  \"openmp_version\": \"${OpenMP_CXX_VERSION}\",
  \"mpi_version\": \"${MPI_CXX_VERSION}\",
  \"mpiexec\": \"${MPIEXEC_EXECUTABLE}\",
  \"hwloc_version\": \"${HWLOC_VERSION}\",
  \"blas_found\": \"${BLAS_FOUND}\",
  \"torch_version\": \"${Torch_VERSION}\",
  \"cuda_compiler\": \"${CMAKE_CUDA_COMPILER_ID} ${CMAKE_CUDA_COMPILER_VERSION}\",
  \"cuda_architectures\": \"${CMAKE_CUDA_ARCHITECTURES}\",
  \"enabled_models\": \"${PARBENCH_ENABLED_MODELS}\",
  \"skipped_models\": {${skipped_json}},
  \"models\": {
    ${models_json}
  },
  \"benchmarks\": [${target_json}]
}
")
endfunction()
