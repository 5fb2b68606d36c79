#include "parbench/rounds.hpp"

#include <atomic>

namespace parbench {
namespace {
std::atomic<int> g_failed_cases{0};
Team g_single_process;
Team* g_team = &g_single_process;
}  // namespace

Team& team() { return *g_team; }
void set_team(Team& t) { g_team = &t; }

void fail_case(benchmark::State& state, const std::string& message) {
  ++g_failed_cases;
  state.SkipWithError(message.c_str());
}

void skip_case(benchmark::State& state, const std::string& reason) {
  const std::string message = "skipped: " + reason;
  state.SkipWithError(message.c_str());
}

int failed_cases() { return g_failed_cases.load(); }

void report_throughput(benchmark::State& state, const RoundTotals& totals, double ops_per_round) {
  if (!totals.ok || totals.rounds == 0 || totals.seconds <= 0) return;
  const double ops = ops_per_round * static_cast<double>(totals.rounds);
  state.counters["ns_per_op"] = totals.seconds * 1e9 / ops;
  state.counters["items_per_second"] = ops / totals.seconds;
  state.counters["ops"] = ops_per_round;
}

Check expect_equal(const char* what, std::uint64_t expected, std::uint64_t actual) {
  if (expected == actual) return std::nullopt;
  return std::string(what) + " is " + std::to_string(actual) + ", expected " + std::to_string(expected);
}

}  // namespace parbench
