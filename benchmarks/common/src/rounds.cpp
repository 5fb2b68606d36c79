#include "parbench/rounds.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>

#include "parbench/cpu_clock.hpp"
#include "parbench/team.hpp"

namespace parbench {
namespace {
std::atomic<int> g_failed_cases{0};
Team g_single_process;
Team* g_team = &g_single_process;

struct Outcome {
  double seconds = 0;  // the slowest rank's
  int participants = kNotTracked;
  std::string error;   // empty: every check passed
};

std::string round_name(std::int64_t round) {
  return round == 0 ? "the warm-up round" : "round " + std::to_string(round);
}

Check rate_problem(const Rounds& r, double seconds) {
  double hz = measured_cpu_clock().hz;
  if (!r.cpu_ops || hz <= 0 || r.ops_per_round <= 0) return std::nullopt;
  auto cycles_per_op = [&] { return seconds * hz * r.workers / r.ops_per_round; };
  if (cycles_per_op() >= kMinCyclesPerOp) return std::nullopt;
  hz = std::max(hz, cpu_hz_now());  // the clock may have risen since it was first measured
  if (cycles_per_op() >= kMinCyclesPerOp) return std::nullopt;
  char text[200];
  std::snprintf(text, sizeof text,
                "physically impossible rate: %.3g ns/op with %d workers at %.2f GHz (%.3g cycles per op per worker, "
                "the least possible is %.1f)",
                seconds * 1e9 / r.ops_per_round, r.workers, hz / 1e9, cycles_per_op(), kMinCyclesPerOp);
  return std::string(text);
}

// One round and its checks. Every rank runs the same collective calls (barrier, max, all) in the same order.
Outcome one_round(const Rounds& r, std::int64_t round) {
  Outcome o;
  Check verified;
  try {
    if (r.prepare) r.prepare();
    team().barrier();
    const auto start = std::chrono::steady_clock::now();
    r.run();
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (r.participants) o.participants = r.participants();
    verified = r.verify();
  } catch (const std::exception& e) {
    o.error = std::string("failed: ") + e.what();
  }
  o.seconds = team().max(o.seconds);
  if (!o.error.empty()) return o;
  if (o.participants != kNotTracked && o.participants < r.workers)
    o.error = "failed: only " + std::to_string(o.participants) + " of " + std::to_string(r.workers) +
              " workers took part in " + round_name(round);
  else if (verified)
    o.error = "verification failed: " + *verified + " (" + round_name(round) + ")";
  else if (Check impossible = rate_problem(r, o.seconds))
    o.error = "failed: " + *impossible + " (" + round_name(round) + ")";
  return o;
}

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

RoundTotals run_rounds(benchmark::State& state, const Rounds& rounds) {
  RoundTotals totals;
  auto passed = [&](const Outcome& o) {
    if (!team().all(o.error.empty())) {
      fail_case(state, o.error.empty() ? "failed: check failed on another rank" : o.error);
      totals.ok = false;
      return false;
    }
    if (o.participants != kNotTracked)
      totals.participation_min = totals.participation_min == kNotTracked
                                     ? o.participants
                                     : std::min(totals.participation_min, o.participants);
    return true;
  };
  if (!passed(one_round(rounds, 0))) return totals;
  for (auto _ : state) {
    const Outcome o = one_round(rounds, totals.rounds + 1);
    if (!passed(o)) break;
    state.SetIterationTime(o.seconds);
    totals.seconds += o.seconds;
    ++totals.rounds;
  }
  return totals;
}

void report_throughput(benchmark::State& state, const RoundTotals& totals, double ops_per_round) {
  if (!totals.ok || totals.rounds == 0 || totals.seconds <= 0) return;
  const double ops = ops_per_round * static_cast<double>(totals.rounds);
  state.counters["ns_per_op"] = totals.seconds * 1e9 / ops;
  state.counters["items_per_second"] = ops / totals.seconds;
  state.counters["ops"] = ops_per_round;
  if (totals.participation_min != kNotTracked) state.counters["participation_min"] = totals.participation_min;
}

Check expect_equal(const char* what, std::uint64_t expected, std::uint64_t actual) {
  if (expected == actual) return std::nullopt;
  return std::string(what) + " is " + std::to_string(actual) + ", expected " + std::to_string(expected);
}

}  // namespace parbench
