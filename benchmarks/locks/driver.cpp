// Registers, times and verifies the locks cases for whichever model this executable is built with.
#include <algorithm>
#include <cstdio>
#include <exception>

#include "locks/kernels.hpp"
#include "locks/locks.hpp"
#include "parbench/fairness.hpp"
#include "parbench/registry.hpp"
#include "parbench/rounds.hpp"

namespace parbench::locks {
namespace {

// Largest cs or gap: 10^6 iterations (~0.4 ms) per acquisition already makes a default round take minutes.
constexpr std::uint64_t kMaxIterations = 1'000'000;
// Verify-only rounds: enough acquisitions per worker for a double holder or a lost update to show, few enough
// that the FIFO locks at 3 workers on 2 cores (a preempted waiter stalls the queue) finish the smoke test quickly.
constexpr std::uint64_t kVerifyAcquisitions = 1u << 14;

std::uint64_t acquisitions_of(const CaseContext& ctx, const ModelInfo& info) {
  return ctx.round_size(info.round_acquisitions, kVerifyAcquisitions);
}

std::uint64_t sum(const std::vector<std::uint64_t>& v) {
  std::uint64_t s = 0;
  for (std::uint64_t x : v) s += x;
  return s;
}

// The lock excluded: nobody saw a second holder, the workers together took exactly the round's budget, and the
// guarded counter made every exclusive acquisition. Under the read mix also: no reader saw a half-done write, the
// second guarded word agrees, and each worker's reads and writes are the mix the case name says.
Check check_round(const RoundResult& r, std::uint64_t acquisitions, const Shape& shape, bool read_mix) {
  if (r.violations != 0)
    return "owner check: " + std::to_string(r.violations) + " times a worker found another inside the lock";
  if (Check problem = expect_equal("acquisitions taken", acquisitions, sum(r.acquisitions))) return problem;
  const std::uint64_t writes = sum(r.writes);
  if (!read_mix || shape.mode == Mode::latency) {
    if (Check problem = expect_equal("exclusive acquisitions", acquisitions, writes)) return problem;
    return expect_equal("guarded counter", acquisitions, r.counter);
  }
  if (r.torn_reads != 0)
    return "read mix: " + std::to_string(r.torn_reads) + " reads under the shared lock saw a half-done write";
  for (std::size_t w = 0; w < r.acquisitions.size(); ++w)
    if (Check problem = expect_equal("worker's writes in the read mix",
                                     writes_in(r.acquisitions[w], static_cast<int>(w), shape.read_percent),
                                     r.writes[w]))
      return problem;
  if (Check problem = expect_equal("guarded counter", writes, r.counter)) return problem;
  return expect_equal("second guarded word", writes, r.second);
}

void run_case(benchmark::State& state, const CaseContext& ctx, const ModelInfo& info, const Algorithm& algorithm,
              const Shape& shape) {
  if (shape.mode == Mode::latency && ctx.workers != 1) {
    skip_case(state, "latency mode measures an uncontended lock: 1 worker only");
    return;
  }
  const std::uint64_t acquisitions = acquisitions_of(ctx, info);
  if (shape.mode == Mode::throughput && acquisitions < kBudgetChunk * static_cast<std::uint64_t>(ctx.workers)) {
    skip_case(state, "a round of " + std::to_string(acquisitions) + " acquisitions cannot give each of " +
                         std::to_string(ctx.workers) + " workers a chunk of " + std::to_string(kBudgetChunk) +
                         " (set --parbench_size to at least " + std::to_string(kBudgetChunk * ctx.workers) + ")");
    return;
  }
  Shape with_team = shape;
  with_team.workers = ctx.workers;
  const std::unique_ptr<Model> model =
      make_model(state, [&] { return info.make(algorithm.name, ctx.workers, with_team); });
  if (!model) return;

  // Fairness of each timed round (the warm-up round, the first verified, is left out).
  const bool fairness_measured = info.shared_budget && shape.mode == Mode::throughput;
  bool warm_up = true;
  double jain_sum = 0, min_share = 1, max_share = 0;
  std::int64_t fairness_rounds = 0;
  Rounds rounds;
  rounds.workers = ctx.workers;
  rounds.ops_per_round = static_cast<double>(acquisitions);
  rounds.cpu_ops = info.cpu_workers;
  rounds.prepare = [&] { model->reset(); };
  rounds.run = [&] { model->run_round(acquisitions); };
  rounds.participants = [&] { return model->participants(); };
  rounds.verify = [&]() -> Check {
    const RoundResult r = model->result();
    if (Check problem = check_round(r, acquisitions, shape, algorithm.read_mix)) return problem;
    if (warm_up) {
      warm_up = false;
      return std::nullopt;
    }
    const Shares s = shares(r.acquisitions);
    jain_sum += jain_index(r.acquisitions);
    min_share = std::min(min_share, s.min);
    max_share = std::max(max_share, s.max);
    ++fairness_rounds;
    return std::nullopt;
  };
  const RoundTotals totals = run_rounds(state, rounds);
  report_throughput(state, totals, static_cast<double>(acquisitions));
  if (totals.ok && fairness_measured && fairness_rounds > 0) {
    state.counters["fairness"] = jain_sum / static_cast<double>(fairness_rounds);  // mean of the rounds' indices
    state.counters["min_share"] = min_share;  // smallest worker's fraction of a round, over all rounds
    state.counters["max_share"] = max_share;  // largest worker's fraction of a round, over all rounds
  }
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ",") + n;
  return s;
}

}  // namespace
}  // namespace parbench::locks

void parbench_register(parbench::Registry& registry) {
  using namespace parbench;
  using namespace parbench::locks;
  auto info = std::make_shared<ModelInfo>(model_info());

  std::vector<std::string> known;
  for (const Algorithm& a : info->algorithms) known.push_back(a.name);
  const auto chosen = parse_name_list(
      "locks", registry.option("locks", joined(known), "lock algorithms to run (default: all of this model's)"),
      known);
  const auto cs_list = parse_integer_list(
      "cs", registry.option("cs", "0", "critical-section lengths, calibrated loop iterations (0..10^6)"),
      0, kMaxIterations);
  const auto gap_list = parse_integer_list(
      "gap", registry.option("gap", "0", "work between acquisitions, calibrated loop iterations (0..10^6)"),
      0, kMaxIterations);
  const auto read_list = parse_integer_list(
      "read", registry.option("read", "90", "read share of reader-writer locks, percent (0..100)"), 0, 100);

  int max_workers = info->max_workers;
  for (const Algorithm& a : info->algorithms) {
    if (std::find(chosen.begin(), chosen.end(), a.name) == chosen.end()) continue;
    max_workers = std::min(max_workers, a.max_workers);
    auto size_param = [info](const CaseContext& ctx) { return std::to_string(acquisitions_of(ctx, *info)); };
    auto add = [&](const Shape& shape, Params fixed) {
      registry.add(
          a.name,
          [info, a, shape](benchmark::State& state, const CaseContext& ctx) { run_case(state, ctx, *info, a, shape); },
          [fixed, size_param](const CaseContext& ctx) {
            Params p = fixed;
            p.emplace_back("size", size_param(ctx));
            return p;
          });
    };
    for (std::uint64_t read : a.read_mix ? read_list : std::vector<std::uint64_t>{0})
      for (std::uint64_t cs : cs_list)
        for (std::uint64_t gap : gap_list) {
          Params fixed = {{"mode", "throughput"}, {"cs", std::to_string(cs)}, {"gap", std::to_string(gap)}};
          if (a.read_mix) fixed.emplace_back("read", std::to_string(read));
          add(Shape{Mode::throughput, Work{cs, gap}, static_cast<unsigned>(read)}, fixed);
        }
    add(Shape{Mode::latency, Work{}, 0}, {{"mode", "latency"}});
  }
  registry.set_default_workers(info->default_workers);
  registry.set_max_workers(max_workers);
  registry.set_primary_metric("ns_per_op");
  registry.set_unavailable(info->unavailable);
  registry.add_context("locks_algorithms", joined(known));
  registry.add_context("locks_max_workers", std::to_string(max_workers));
  registry.add_context("locks_budget", info->shared_budget ? "shared (fairness measured)"
                                                           : "fixed per-worker shares (fairness not measured)");
  for (const auto& [key, value] : info->context) registry.add_context(key, value);
  char ns[32];
  std::snprintf(ns, sizeof ns, "%.3f", measure_ns_per_iteration());
  registry.add_context("locks_work_loop_ns_per_iteration", ns);
}
