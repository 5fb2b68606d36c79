// A workload declares its cases here; main turns them into Google Benchmark cases named
// "<variant>/<param>:<value>/…/workers:<n>" (the case-name contract), one per variant and worker count.
#pragma once
#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "parbench/cli.hpp"

namespace parbench {

struct CaseContext {
  int workers = 1;
  bool verify_only = false;
  std::uint64_t size = 0;  // --parbench_size; 0: the workload's default

  // The work per round: --parbench_size when given, else the workload's default; verify-only rounds are capped
  // at `verify_cap` (small, but large enough per worker for races and double holders to show).
  std::uint64_t round_size(std::uint64_t default_size, std::uint64_t verify_cap = kVerifyRoundSize) const {
    const std::uint64_t chosen = size != 0 ? size : default_size;
    return verify_only && chosen > verify_cap ? verify_cap : chosen;
  }
  static constexpr std::uint64_t kVerifyRoundSize = 1u << 16;
};

using CaseBody = std::function<void(benchmark::State&, const CaseContext&)>;
// The parameters that tell one case's work from another's (e.g. {"size", "16777216"}), in name order.
using Params = std::vector<std::pair<std::string, std::string>>;
using CaseParams = std::function<Params(const CaseContext&)>;

class Registry {
 public:
  // A variant; `params` names the work a case does, so that cases doing different work never share a name.
  // `primary_metric` is the counter that ranks this variant's results when it is not the executable's default
  // (set_primary_metric): e.g. GEMM's "gflops" beside STREAM's "gb_per_s" in one executable. The same variant may
  // be added several times (one per parameter value); its primary metric must then be the same each time.
  void add(std::string variant, CaseBody body, CaseParams params = {}, std::string primary_metric = {}) {
    variants_.push_back({std::move(variant), std::move(body), std::move(params), std::move(primary_metric)});
  }
  // Worker counts used when neither the command line nor the team (MPI) decides.
  void set_default_workers(std::vector<int> workers) { default_workers_ = std::move(workers); }
  // The most workers the model can take.
  void set_max_workers(int n) { max_workers_ = n; }
  int max_workers() const { return max_workers_; }
  // Key/value facts about the model (library versions, device) for the JSON context.
  void add_context(std::string key, std::string value) { context_.emplace_back(std::move(key), std::move(value)); }
  // The counter that ranks results (e.g. "ns_per_op"); the harness reads it from the context.
  void set_primary_metric(std::string name) { primary_metric_ = std::move(name); }
  // Declares the workload's own option --parbench_<name> and returns its value: the command line's, else
  // `default_value`. Call it while registering; the workload parses the value itself (cli.hpp's parse_* throw
  // UsageError, which main turns into one line and exit code 2). A --parbench_ flag no workload declared is bad input.
  std::string option(const std::string& name, const std::string& default_value, const std::string& help) {
    declared_.push_back({name, help, default_value});
    return value_of(declared_.back());
  }
  struct DeclaredOption {
    std::string name, help, default_value;
  };
  // The value an option takes in this run: the command line's, else its default.
  const std::string& value_of(const DeclaredOption& option) const {
    for (const auto& [flag, value] : given_)
      if (flag == option.name) return value;
    return option.default_value;
  }
  const std::vector<DeclaredOption>& declared_options() const { return declared_; }
  // main: the --parbench_<name>=<value> flags of the command line that are not common ones.
  void set_given_options(std::vector<std::pair<std::string, std::string>> given) { given_ = std::move(given); }
  const std::vector<std::pair<std::string, std::string>>& given_options() const { return given_; }
  // The common --parbench_size (0: not given), set by main before the workload registers, for a workload that must
  // refuse a size that cannot fit (bad input, exit code 2) before any case allocates.
  void set_size(std::uint64_t size) { size_ = size; }
  std::uint64_t size() const { return size_; }
  // --parbench_verify_only, set by main before the workload registers (a workload whose parameter list differs in
  // verify-only runs, e.g. small matrices, registers that list).
  void set_verify_only(bool verify_only) { verify_only_ = verify_only; }
  bool verify_only() const { return verify_only_; }
  // "variant=metric,…" for the variants added with their own primary metric, each once, in order of addition
  // (the JSON context's parbench_primary_metric_by_variant); empty when none was.
  std::string primary_metric_by_variant() const {
    std::string text;
    std::vector<std::string> seen;
    for (const auto& v : variants_) {
      if (v.primary_metric.empty()) continue;
      bool listed = false;
      for (const auto& name : seen) listed = listed || name == v.name;
      if (listed) continue;
      seen.push_back(v.name);
      text += (text.empty() ? "" : ",") + v.name + "=" + v.primary_metric;
    }
    return text;
  }
  // Nothing can run here (e.g. no CUDA device): main registers no case and records the reason in the context.
  void set_unavailable(std::string reason) { unavailable_ = std::move(reason); }

  struct Variant {
    std::string name;
    CaseBody body;
    CaseParams params;
    std::string primary_metric;  // empty: the executable's default
  };
  const std::vector<Variant>& variants() const { return variants_; }
  const std::vector<int>& default_workers() const { return default_workers_; }
  const std::vector<std::pair<std::string, std::string>>& context() const { return context_; }
  const std::string& primary_metric() const { return primary_metric_; }
  const std::string& unavailable() const { return unavailable_; }

 private:
  std::vector<Variant> variants_;
  std::vector<int> default_workers_;
  std::vector<std::pair<std::string, std::string>> context_;
  std::string primary_metric_ = "ns_per_op";
  std::string unavailable_;
  std::vector<DeclaredOption> declared_;
  std::vector<std::pair<std::string, std::string>> given_;
  int max_workers_ = kMaxCpuWorkers;
  std::uint64_t size_ = 0;
  bool verify_only_ = false;
};

// The registered name of a case: "<variant>/<param>:<value>/…/workers:<n>".
std::string case_name(const Registry::Variant& variant, const CaseContext& context);

}  // namespace parbench

// Defined once per workload (its driver); declares the model's variants.
void parbench_register(parbench::Registry& registry);
