// Registers, times and verifies the counters cases for whichever model this executable is built with.
#include <algorithm>
#include <exception>

#include "counters/counters.hpp"
#include "parbench/registry.hpp"
#include "parbench/rounds.hpp"

namespace parbench::counters {

std::string_view name_of(Variant v) {
  switch (v) {
    case Variant::racy: return "racy";
    case Variant::atomic: return "atomic";
    case Variant::locked: return "locked";
    case Variant::sharded: return "sharded";
    case Variant::false_sharing: return "false_sharing";
  }
  return "unknown";
}

namespace {

// Increments per round of a case; the case name carries it (size:<n>).
std::uint64_t increments_of(const CaseContext& ctx, const ModelInfo& info, Variant variant) {
  return ctx.round_size(info.round_increments(variant));
}

// The racy counter is checked for what must still hold: it never over-counts, never ends at zero, and with a
// single worker it loses nothing.
Check check_racy(std::uint64_t increments, std::uint64_t counted, int workers) {
  if (counted > increments)
    return "racy counter over-counted: " + std::to_string(counted) + " > " + std::to_string(increments);
  if (counted == 0) return "racy counter is zero after " + std::to_string(increments) + " increments";
  if (workers == 1) return expect_equal("single-worker racy counter", increments, counted);
  return std::nullopt;
}

void run_case(benchmark::State& state, const CaseContext& ctx, const ModelInfo& info, Variant variant) {
  const std::uint64_t increments = increments_of(ctx, info, variant);

  const std::unique_ptr<Model> model = make_model(state, [&] { return info.make(variant, ctx.workers); });
  if (!model) return;

  double lost = 0;
  std::int64_t racy_rounds = 0;
  Rounds rounds;
  rounds.workers = ctx.workers;
  rounds.ops_per_round = static_cast<double>(increments);
  rounds.cpu_ops = info.cpu_workers;
  rounds.prepare = [&] { model->reset(); };
  rounds.run = [&] { model->run_round(increments); };
  rounds.participants = [&] { return model->participants(); };
  rounds.verify = [&]() -> Check {
    const std::uint64_t counted = model->total();
    if (variant != Variant::racy) return expect_equal("counter total", increments, counted);
    if (Check problem = check_racy(increments, counted, ctx.workers)) return problem;
    lost += static_cast<double>(increments - counted);
    ++racy_rounds;
    return std::nullopt;
  };
  const RoundTotals totals = run_rounds(state, rounds);
  report_throughput(state, totals, static_cast<double>(increments));
  if (variant == Variant::racy && totals.ok && racy_rounds > 0) {
    const double lost_per_round = lost / static_cast<double>(racy_rounds);
    state.counters["lost_updates"] = lost_per_round;
    state.counters["lost_fraction"] = lost_per_round / static_cast<double>(increments);
  }
}

}  // namespace
}  // namespace parbench::counters

void parbench_register(parbench::Registry& registry) {
  using namespace parbench::counters;
  auto info = std::make_shared<ModelInfo>(model_info());
  for (Variant v : info->variants)
    registry.add(
        std::string(name_of(v)),
        [info, v](benchmark::State& state, const parbench::CaseContext& ctx) { run_case(state, ctx, *info, v); },
        [info, v](const parbench::CaseContext& ctx) -> parbench::Params {
          return {{"size", std::to_string(increments_of(ctx, *info, v))}};
        });
  registry.set_default_workers(info->default_workers);
  registry.set_max_workers(info->max_workers);
  registry.set_primary_metric("ns_per_op");
  registry.set_unavailable(info->unavailable);
  for (const auto& [key, value] : info->context) registry.add_context(key, value);
}
