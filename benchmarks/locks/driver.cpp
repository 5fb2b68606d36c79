// Registers, times and verifies the locks cases for whichever model this executable is built with.
#include <algorithm>
#include <cstdio>
#include <exception>

#include "locks/fairness.hpp"
#include "locks/kernels.hpp"
#include "locks/locks.hpp"
#include "parbench/registry.hpp"
#include "parbench/rounds.hpp"

namespace parbench::locks {

std::string_view name_of(Algorithm a) {
  switch (a) {
    case Algorithm::std_mutex: return "std_mutex";
    case Algorithm::pthread_spin: return "pthread_spin";
    case Algorithm::tas: return "tas";
    case Algorithm::ttas_backoff: return "ttas_backoff";
    case Algorithm::ticket: return "ticket";
    case Algorithm::mcs: return "mcs";
    case Algorithm::futex: return "futex";
  }
  return "unknown";
}

namespace {

// The default shape of an acquisition: an empty critical section and no gap (the most contended case).
constexpr Work kDefaultWork{0, 0};

std::uint64_t acquisitions_of(const CaseContext& ctx, const ModelInfo& info) {
  return ctx.round_size(info.round_acquisitions);
}

// The lock excluded: nobody saw a second holder, the guarded counter made every acquisition, and the workers
// together took exactly the round's budget.
Check check_round(const RoundResult& r, std::uint64_t acquisitions) {
  if (r.violations != 0)
    return "owner check: " + std::to_string(r.violations) + " times a worker found another inside the lock";
  std::uint64_t taken = 0;
  for (std::uint64_t a : r.acquisitions) taken += a;
  if (Check problem = expect_equal("acquisitions taken", acquisitions, taken)) return problem;
  return expect_equal("guarded counter", acquisitions, r.counter);
}

void run_case(benchmark::State& state, const CaseContext& ctx, const ModelInfo& info, Algorithm algorithm) {
  const std::uint64_t acquisitions = acquisitions_of(ctx, info);

  const std::unique_ptr<Model> model =
      make_model(state, [&] { return info.make(algorithm, ctx.workers, kDefaultWork); });
  if (!model) return;

  // Fairness of each timed round (the warm-up round, the first verified, is left out).
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
    if (Check problem = check_round(r, acquisitions)) return problem;
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
  if (totals.ok && fairness_rounds > 0) {
    state.counters["fairness"] = jain_sum / static_cast<double>(fairness_rounds);  // mean of the rounds' indices
    state.counters["min_share"] = min_share;  // smallest worker's fraction of a round, over all rounds
    state.counters["max_share"] = max_share;  // largest worker's fraction of a round, over all rounds
  }
}

}  // namespace
}  // namespace parbench::locks

void parbench_register(parbench::Registry& registry) {
  using namespace parbench::locks;
  auto info = std::make_shared<ModelInfo>(model_info());
  for (Algorithm a : info->algorithms)
    registry.add(
        std::string(name_of(a)),
        [info, a](benchmark::State& state, const parbench::CaseContext& ctx) { run_case(state, ctx, *info, a); },
        [info](const parbench::CaseContext& ctx) -> parbench::Params {
          return {{"cs", std::to_string(kDefaultWork.critical_section)},
                  {"gap", std::to_string(kDefaultWork.gap)},
                  {"size", std::to_string(acquisitions_of(ctx, *info))}};
        });
  registry.set_default_workers(info->default_workers);
  registry.set_max_workers(info->max_workers);
  registry.set_primary_metric("ns_per_op");
  registry.set_unavailable(info->unavailable);
  for (const auto& [key, value] : info->context) registry.add_context(key, value);
  char ns[32];
  std::snprintf(ns, sizeof ns, "%.3f", measure_ns_per_iteration());
  registry.add_context("locks_work_loop_ns_per_iteration", ns);
}
