#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>

#include "parbench/cli.hpp"
#include "parbench/cpu_clock.hpp"
#include "parbench/main.hpp"
#include "parbench/registry.hpp"
#include "parbench/rounds.hpp"
#include "parbench/team.hpp"

namespace parbench {
namespace {

// Rounds per case in verify-only mode: enough to catch state carried wrongly from one round to the next.
constexpr benchmark::IterationCount kVerifyRounds = 3;

std::string join(const std::vector<int>& values) {
  std::string out;
  for (int v : values) out += (out.empty() ? "" : ",") + std::to_string(v);
  return out;
}

// Bad input: one line on stderr (from rank 0 only) and exit code 2.
int usage(const char* program, const std::string& message) {
  if (team().rank() == 0) std::fprintf(stderr, "%s: %s\n", program, message.c_str());
  return 2;
}

void print_help() {
  std::fputs(kOptionsHelp, stdout);
  benchmark::PrintDefaultHelp();
}

// Where Google Benchmark would write JSON; read before Initialize, which removes its flags from argv.
struct JsonOutputs {
  std::string file;     // --benchmark_out, when its format is JSON
  bool stdout_json = false;
};

JsonOutputs json_outputs(int argc, char** argv) {
  JsonOutputs outputs;
  std::string file, file_format = "json";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&](std::string_view flag) { return std::string(arg.substr(flag.size())); };
    if (arg.rfind("--benchmark_out=", 0) == 0) file = value("--benchmark_out=");
    if (arg.rfind("--benchmark_out_format=", 0) == 0) file_format = value("--benchmark_out_format=");
    if (arg.rfind("--benchmark_format=", 0) == 0) outputs.stdout_json = value("--benchmark_format=") == "json";
  }
  if (file_format == "json") outputs.file = file;
  return outputs;
}

// A JSON report with the context and no case: Google Benchmark writes nothing when no case is registered, and
// the reader must still learn why (parbench_skipped_reason) instead of finding a case with time 0.
void report_context_only(const JsonOutputs& outputs) {
  const benchmark::BenchmarkReporter::Context context;
  if (outputs.stdout_json) {
    benchmark::JSONReporter json;
    json.ReportContext(context);
    json.Finalize();
  }
  if (!outputs.file.empty()) {
    std::ofstream file(outputs.file);
    benchmark::JSONReporter json;
    json.SetOutputStream(&file);
    json.SetErrorStream(&std::cerr);
    json.ReportContext(context);
    json.Finalize();
  }
}

// Every --parbench_<name>=<value> flag beyond the common ones must be an option the workload declared.
void check_workload_flags(const Registry& registry) {
  for (const auto& [name, value] : registry.given_options()) {
    bool declared = false;
    for (const auto& option : registry.declared_options()) declared = declared || option.name == name;
    if (declared) continue;
    std::string known = kCommonFlags;
    for (const auto& option : registry.declared_options()) known += ", --parbench_" + option.name + "=...";
    throw UsageError("unknown flag '--parbench_" + name + "=" + value + "' (known: " + known + ")");
  }
  for (const auto& option : registry.declared_options())
    benchmark::AddCustomContext("parbench_option_" + option.name, registry.value_of(option));
}

}  // namespace

std::string case_name(const Registry::Variant& variant, const CaseContext& context) {
  std::string name = variant.name;
  if (variant.params)
    for (const auto& [key, value] : variant.params(context)) name += "/" + key + ":" + value;
  return name + "/workers:" + std::to_string(context.workers);
}

int run_main(int argc, char** argv, const Identity& identity, benchmark::BenchmarkReporter* display,
             int team_workers) {
  Options options;
  try {
    options = take_options(argc, argv);
  } catch (const UsageError& e) {
    return usage(argv[0], e.what());
  }
  // glibc drops the lock prefix from its mutexes while a process has never had a second thread. A 1-worker case
  // may create none, which would flatter its lock costs against every multi-worker case; one short-lived thread
  // makes the process count as multi-threaded for good. It is joined, so forks still start single-threaded.
  std::thread([] {}).join();

  const JsonOutputs outputs = json_outputs(argc, argv);
  benchmark::Initialize(&argc, argv, print_help);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  Registry registry;
  registry.set_given_options(options.workload_flags);
  registry.set_size(options.size);
  registry.set_verify_only(options.verify_only);
  try {
    parbench_register(registry);
    check_workload_flags(registry);
  } catch (const UsageError& e) {
    return usage(argv[0], e.what());
  }

  std::vector<int> workers = options.workers;
  if (team_workers > 0) {
    if (!workers.empty() && workers != std::vector<int>{team_workers})
      return usage(argv[0], "--parbench_workers=" + join(workers) + " differs from the MPI world size " +
                                std::to_string(team_workers) + " (set the worker count with mpirun -np)");
    workers = {team_workers};
  } else if (workers.empty()) {
    workers = registry.default_workers();
    if (workers.empty()) {
      const int cores = static_cast<int>(std::thread::hardware_concurrency());
      workers = {1};
      if (cores > 1) workers.push_back(cores);
    }
  }
  for (int n : workers)
    if (n > registry.max_workers())
      return usage(argv[0], std::to_string(n) + " workers is more than this model takes (" +
                                std::to_string(registry.max_workers()) + ")");

  const CpuClock& clock = measured_cpu_clock();
  benchmark::AddCustomContext("parbench_workload", identity.workload);
  benchmark::AddCustomContext("parbench_model", identity.model);
  benchmark::AddCustomContext("parbench_primary_metric", registry.primary_metric());
  // Variants ranked by another counter than the default, as "variant=metric,…" (the harness reads this key).
  if (const std::string by_variant = registry.primary_metric_by_variant(); !by_variant.empty())
    benchmark::AddCustomContext("parbench_primary_metric_by_variant", by_variant);
  benchmark::AddCustomContext("parbench_benchmark_version", identity.benchmark_version);
  benchmark::AddCustomContext("parbench_workers", join(workers));
  benchmark::AddCustomContext("parbench_verify_only", options.verify_only ? "true" : "false");
  benchmark::AddCustomContext("parbench_cpu_mhz_measured", std::to_string(static_cast<long>(clock.hz / 1e6 + 0.5)));
  benchmark::AddCustomContext("parbench_cpu_mhz_method", clock.method);
  for (const auto& [key, value] : registry.context()) benchmark::AddCustomContext(key, value);

  if (!registry.unavailable().empty()) {
    benchmark::AddCustomContext("parbench_skipped_reason", registry.unavailable());
    if (team().rank() == 0) {
      std::fprintf(stderr, "%s: skipped: %s\n", argv[0], registry.unavailable().c_str());
      report_context_only(outputs);
    }
    benchmark::Shutdown();
    return 0;
  }

  for (const auto& variant : registry.variants()) {
    for (int n : workers) {
      const CaseContext context{n, options.verify_only, options.size};
      const std::string name = case_name(variant, context);
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
