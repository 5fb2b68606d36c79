// The one timing loop every case uses: untimed prepare, timed round, untimed verification.
// Manual time is used so verification between rounds stays out of the measurement, and so MPI ranks take the
// slowest rank's time and thereby make identical iteration decisions.
#pragma once
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>

#include "parbench/team.hpp"

namespace parbench {

// Thrown while setting a case up when it cannot run here (no device, too few ranks); reported as skipped.
struct SkipCase : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A verification result: empty when the check passed, else what was wrong.
using Check = std::optional<std::string>;

// Marks the case failed (message prefixed "verification failed: " or "failed: ") and counts it for main's exit code.
void fail_case(benchmark::State& state, const std::string& message);
// Marks the case skipped ("skipped: " + reason); the harness records status skipped.
void skip_case(benchmark::State& state, const std::string& reason);
// Number of cases that failed in this process.
int failed_cases();

struct RoundTotals {
  double seconds = 0;       // sum of timed round durations
  std::int64_t rounds = 0;  // verified rounds
  bool ok = true;
};

template <class Prepare, class Round, class Verify>
RoundTotals run_rounds(benchmark::State& state, Prepare&& prepare, Round&& round, Verify&& verify) {
  RoundTotals totals;
  for (auto _ : state) {
    std::string error;
    double seconds = 0;
    try {
      prepare();
      team().barrier();
      const auto start = std::chrono::steady_clock::now();
      round();
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (Check problem = verify()) error = "verification failed: " + *problem;
    } catch (const std::exception& e) {
      error = std::string("failed: ") + e.what();
    }
    seconds = team().max(seconds);
    if (!team().all(error.empty())) {
      fail_case(state, error.empty() ? "failed: check failed on another rank" : error);
      totals.ok = false;
      break;
    }
    state.SetIterationTime(seconds);
    totals.seconds += seconds;
    ++totals.rounds;
  }
  return totals;
}

// Sets ns_per_op, items_per_second and ops (per round) from verified rounds of `ops_per_round` operations.
void report_throughput(benchmark::State& state, const RoundTotals& totals, double ops_per_round);

// The share of `total` items that worker `index` of `parts` takes (the first total % parts take one more).
constexpr std::uint64_t share_of(std::uint64_t total, int parts, int index) {
  const auto p = static_cast<std::uint64_t>(parts);
  const auto i = static_cast<std::uint64_t>(index);
  return total / p + (i < total % p ? 1 : 0);
}

Check expect_equal(const char* what, std::uint64_t expected, std::uint64_t actual);

}  // namespace parbench
