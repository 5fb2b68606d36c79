// Registers, times and verifies the sync cases for whichever model this executable is built with (EPCC's method:
// reference and test back to back in every outer repetition, overhead = (test - reference) / inner).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "parbench/registry.hpp"
#include "parbench/rounds.hpp"
#include "parbench/team.hpp"
#include "sync/kernels.hpp"
#include "sync/overhead_stats.hpp"
#include "sync/sync.hpp"

namespace parbench::sync {

std::string_view name_of(Construct c) {
  switch (c) {
    case Construct::fork_join: return "fork_join";
    case Construct::barrier: return "barrier";
    case Construct::critical: return "critical";
    case Construct::lock: return "lock";
    case Construct::atomic: return "atomic";
    case Construct::reduction: return "reduction";
    case Construct::for_loop: return "for";
    case Construct::single: return "single";
  }
  return "unknown";
}

namespace {

// The workload's options (--parbench_delay, --parbench_outer); the inner count is --parbench_size.
struct Settings {
  std::uint64_t delay = 0;  // iterations of the delay loop per construct instance
  std::uint64_t outer = 0;  // outer repetitions per Google Benchmark iteration
};

constexpr std::uint64_t kDefaultDelay = 256;  // about 0.1 us here, EPCC's default delay time
constexpr std::uint64_t kMaxDelay = 1'000'000;
constexpr std::uint64_t kMinOuter = 20;  // EPCC's minimum for a median and its interval
constexpr std::uint64_t kMaxOuter = 100'000;
constexpr std::uint64_t kVerifyInner = 16;  // verify-only: few instances, every one still checked

std::uint64_t inner_of(const CaseContext& ctx, const ModelInfo& info, const Variant& v) {
  return ctx.round_size(info.inner(v), kVerifyInner);
}

// Every construct instance of a test run left its mark: each worker ran every instance (fork_join, barrier,
// reduction, for), no worker saw a check fail (barrier phases, reduction sums), and the shared counters hold
// exactly what a construct that excludes would leave.
Check check_run(Construct c, const Tally& t, int workers, std::uint64_t inner) {
  if (t.wrong != 0)
    return std::to_string(t.wrong) + (c == Construct::barrier ? " barrier phase checks failed (a worker passed the "
                                                                "barrier before another reached it)"
                                                              : " reduction results were wrong");
  const auto all = static_cast<std::uint64_t>(workers) * inner;
  switch (c) {
    case Construct::critical:
    case Construct::lock: return expect_equal("guarded counter", all, t.guarded);
    case Construct::atomic: return expect_equal("atomic counter", all, t.counter);
    case Construct::single: return expect_equal("single bodies run", inner, t.guarded);
    case Construct::fork_join:
    case Construct::barrier:
    case Construct::reduction:
    case Construct::for_loop:
      for (std::size_t w = 0; w < t.done.size(); ++w)
        if (t.done[w] != inner)
          return "worker " + std::to_string(w) + " ran " + std::to_string(t.done[w]) + " of " +
                 std::to_string(inner) + " " + std::string(name_of(c)) + " instances";
      return std::nullopt;
  }
  return "unknown construct";
}

// One Google Benchmark iteration: `outer` repetitions of (reference run, test run), each timed alone (the
// slowest rank's time under MPI), every test run verified and every run's participation recorded.
struct Block {
  std::vector<double> overhead_ns, reference_ns;  // per construct instance
  int participants_min = kNotTracked;
  Check problem;
};

double timed(const std::function<void()>& run) {
  team().barrier();
  const auto start = std::chrono::steady_clock::now();
  run();
  return team().max(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count());
}

Block run_block(Model& model, Construct c, Shape shape, int workers, std::uint64_t outer) {
  Block b;
  auto participated = [&] {
    const int p = model.participants();
    if (p != kNotTracked) b.participants_min = b.participants_min == kNotTracked ? p : std::min(b.participants_min, p);
  };
  const double inner = static_cast<double>(shape.inner);
  for (std::uint64_t rep = 0; rep < outer; ++rep) {
    model.reset();
    const double reference = timed([&] { model.run_reference(shape); });
    participated();
    model.reset();
    const double test = timed([&] { model.run_test(shape); });
    participated();
    // Every rank must leave the block at the same repetition (the runs are collective): the verdict is agreed.
    const Check problem = check_run(c, model.tally(), workers, shape.inner);
    if (!team().all(!problem)) {
      b.problem = problem ? problem : "a check failed on another rank";
      return b;
    }
    b.reference_ns.push_back(reference / inner);
    b.overhead_ns.push_back((test - reference) / inner);
  }
  return b;
}

void run_case(benchmark::State& state, const CaseContext& ctx, const ModelInfo& info, const Variant& variant,
              Settings settings) {
  if (!variant.skip_reason.empty()) {
    skip_case(state, variant.skip_reason);
    return;
  }
  const Shape shape{settings.delay, inner_of(ctx, info, variant)};
  const std::unique_ptr<Model> model = make_model(state, [&] { return info.make(variant, ctx.workers); });
  if (!model) return;

  std::vector<double> overheads, references;
  bool warm_up = true;  // the first block (run_rounds' warm-up round) is checked, not counted
  Block block;
  Rounds rounds;
  rounds.workers = ctx.workers;
  // Every worker spins at least 2 * outer * inner * delay cycles per block (reference and test): a block faster
  // than that did not run its delays (run_rounds' impossible-rate check).
  rounds.ops_per_round = 2.0 * static_cast<double>(settings.outer * shape.inner * shape.delay) * ctx.workers;
  rounds.cpu_ops = info.cpu_workers;
  rounds.run = [&] { block = run_block(*model, variant.construct, shape, ctx.workers, settings.outer); };
  rounds.participants = [&] { return block.participants_min; };
  rounds.verify = [&]() -> Check {
    if (block.problem) return block.problem;
    if (warm_up) {
      warm_up = false;
      return std::nullopt;
    }
    overheads.insert(overheads.end(), block.overhead_ns.begin(), block.overhead_ns.end());
    references.insert(references.end(), block.reference_ns.begin(), block.reference_ns.end());
    return std::nullopt;
  };
  const RoundTotals totals = run_rounds(state, rounds);
  if (!totals.ok || overheads.empty()) return;
  const Summary s = summarize(overheads);
  state.counters["overhead_ns"] = s.median;
  state.counters["overhead_ci_low_ns"] = s.ci_low;
  state.counters["overhead_ci_high_ns"] = s.ci_high;
  state.counters["overhead_ci_coverage"] = s.ci_coverage;
  state.counters["outliers"] = s.outliers;
  state.counters["reference_ns"] = summarize(references).median;
  state.counters["outer_repetitions"] = static_cast<double>(s.n);  // not "repetitions": Google Benchmark's own key
  if (totals.participation_min != kNotTracked) state.counters["participation_min"] = totals.participation_min;
}

}  // namespace
}  // namespace parbench::sync

void parbench_register(parbench::Registry& registry) {
  using namespace parbench::sync;
  using parbench::parse_integer;
  const Settings settings{
      parse_integer("delay",
                    registry.option("delay", std::to_string(kDefaultDelay),
                                    "iterations of the calibrated delay loop before each construct instance "
                                    "(1.." + std::to_string(kMaxDelay) + ")"),
                    1, kMaxDelay),  // at least 1: the rate check counts delay iterations
      parse_integer("outer",
                    registry.option("outer", std::to_string(kMinOuter),
                                    "outer repetitions (reference + test) per benchmark iteration (" +
                                        std::to_string(kMinOuter) + ".." + std::to_string(kMaxOuter) + ")"),
                    kMinOuter, kMaxOuter)};
  auto info = std::make_shared<ModelInfo>(model_info());
  for (const Variant& v : info->variants)
    registry.add(
        std::string(name_of(v.construct)),
        [info, v, settings](benchmark::State& state, const parbench::CaseContext& ctx) {
          run_case(state, ctx, *info, v, settings);
        },
        [info, v, settings](const parbench::CaseContext& ctx) -> parbench::Params {
          parbench::Params params;
          if (!v.impl.empty()) params.emplace_back("impl", v.impl);
          params.emplace_back("delay", std::to_string(settings.delay));
          params.emplace_back("inner", std::to_string(inner_of(ctx, *info, v)));
          for (const auto& p : info->params) params.push_back(p);
          return params;
        });
  registry.set_default_workers(info->default_workers);
  registry.set_max_workers(info->max_workers);
  registry.set_primary_metric("overhead_ns");
  registry.set_unavailable(info->unavailable);
  for (const auto& [key, value] : info->context) registry.add_context(key, value);
  if (info->cpu_workers) {
    char ns[32];
    std::snprintf(ns, sizeof ns, "%.4f", measure_ns_per_iteration());
    registry.add_context("sync_delay_ns_per_iteration", ns);
  }
  registry.add_context("sync_method",
                       "EPCC: per outer repetition a reference run (inner delays per worker) and a test run (inner "
                       "delays each followed by the construct), back to back; overhead_ns = median over outer "
                       "repetitions of (test - reference) / inner; CI: order statistics of the median; outliers: "
                       "outside median +- 3 * 1.4826 * MAD");
}
