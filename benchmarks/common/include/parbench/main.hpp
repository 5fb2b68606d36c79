// The body of every parbench executable's main, shared by the plain and the MPI entry points.
#pragma once
#include <benchmark/benchmark.h>

namespace parbench {

// Parses options, registers the workload's cases, runs them. `display` replaces the console reporter (a silent
// one on MPI ranks other than 0); null keeps Google Benchmark's own. Returns the exit code: 0, 1 when a case
// failed its checks, 2 on bad input. `team_workers` > 0 fixes the worker count (MPI world size); a different
// --parbench_workers is then bad input.
struct Identity {
  const char* workload;           // e.g. "counters"
  const char* model;              // e.g. "openmp"
  const char* benchmark_version;  // Google Benchmark's version, from CMake
};
int run_main(int argc, char** argv, const Identity& identity, benchmark::BenchmarkReporter* display,
             int team_workers);

// The identity baked in by CMake for this executable (compile definitions on its main).
#if defined(PARBENCH_WORKLOAD) && defined(PARBENCH_MODEL) && defined(PARBENCH_BENCHMARK_VERSION)
inline constexpr Identity kThisExecutable{PARBENCH_WORKLOAD, PARBENCH_MODEL, PARBENCH_BENCHMARK_VERSION};
#endif

}  // namespace parbench
