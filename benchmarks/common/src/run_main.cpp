#include <cstdio>
#include <string>
#include <thread>

#include "parbench/cli.hpp"
#include "parbench/main.hpp"
#include "parbench/registry.hpp"
#include "parbench/rounds.hpp"


namespace parbench {
namespace {

// Rounds per case in verify-only mode: enough to catch state carried wrongly from one round to the next.
constexpr benchmark::IterationCount kVerifyRounds = 3;

std::string join(const std::vector<int>& values) {
  std::string out;
  for (int v : values) out += (out.empty() ? "" : ",") + std::to_string(v);
  return out;
}

}  // namespace

int run_main(int argc, char** argv, const Identity& identity, benchmark::BenchmarkReporter* display,
             int team_workers) {
  Options options;
  try {
    options = take_options(argc, argv);
  } catch (const UsageError& e) {
    if (team().rank() == 0) std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 2;
  }
  // glibc drops the lock prefix from its mutexes while a process has never had a second thread. A 1-worker case
  // may create none, which would flatter its lock costs against every multi-worker case; one short-lived thread
  // makes the process count as multi-threaded for good. It is joined, so forks still start single-threaded.
  std::thread([] {}).join();

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  Registry registry;
  parbench_register(registry);

  std::vector<int> workers = options.workers;
  if (team_workers > 0) {
    workers = {team_workers};  // the launcher decided (mpirun -np)
  } else if (workers.empty()) {
    workers = registry.default_workers();
    if (workers.empty()) {
      const int cores = static_cast<int>(std::thread::hardware_concurrency());
      workers = {1};
      if (cores > 1) workers.push_back(cores);
    }
  }

  for (int n : workers) {
    if (n > registry.max_workers()) {
      if (team().rank() == 0)
        std::fprintf(stderr, "%s: %d workers is more than this model takes (%d)\n", argv[0], n,
                     registry.max_workers());
      return 2;
    }
  }

  benchmark::AddCustomContext("parbench_workload", identity.workload);
  benchmark::AddCustomContext("parbench_model", identity.model);
  benchmark::AddCustomContext("parbench_primary_metric", registry.primary_metric());
  benchmark::AddCustomContext("parbench_benchmark_version", identity.benchmark_version);
  benchmark::AddCustomContext("parbench_workers", join(workers));
  benchmark::AddCustomContext("parbench_verify_only", options.verify_only ? "true" : "false");
  for (const auto& [key, value] : registry.context()) benchmark::AddCustomContext(key, value);

  for (const auto& variant : registry.variants()) {
    for (int n : workers) {
      const CaseContext context{n, options.verify_only, options.size};
      const std::string name = variant.name + "/workers:" + std::to_string(n);
      auto* bench = benchmark::RegisterBenchmark(
          name.c_str(), [body = variant.body, context](benchmark::State& state) { body(state, context); });
      bench->UseManualTime()->Unit(benchmark::kMillisecond);
      if (options.verify_only) bench->Iterations(kVerifyRounds);
    }
  }

  if (display != nullptr) benchmark::RunSpecifiedBenchmarks(display);
  else benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return failed_cases() > 0 ? 1 : 0;
}

}  // namespace parbench
