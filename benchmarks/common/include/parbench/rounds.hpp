// The one timing loop every case uses: untimed prepare, timed round, untimed checks.
// Manual time is used so the checks between rounds stay out of the measurement, and so MPI ranks take the
// slowest rank's time and thereby make identical iteration decisions.
#pragma once
#include <benchmark/benchmark.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "parbench/participation.hpp"

namespace parbench {

// Thrown while setting a case up when it cannot run here (too few ranks); reported as skipped.
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

// Builds a case's model with `make()`: a SkipCase skips the case, any other exception fails it ("failed: setting
// up: …"); null in both cases, and the caller returns.
template <class Make>
auto make_model(benchmark::State& state, Make&& make) -> decltype(make()) {
  try {
    return make();
  } catch (const SkipCase& e) {
    skip_case(state, e.what());
  } catch (const std::exception& e) {
    fail_case(state, std::string("failed: setting up: ") + e.what());
  }
  return nullptr;
}

// Fewest cycles per operation per worker a CPU case may take: an operation is at least one dependent memory
// update, one cycle at the very least. A faster round means the work was not done (a folded loop, a no-op lock).
inline constexpr double kMinCyclesPerOp = 0.9;

// What one case does per round. Every round, the warm-up included, is checked in this order: every worker took
// part, the result verifies, the rate is physically possible.
struct Rounds {
  int workers = 1;
  double ops_per_round = 0;
  bool cpu_ops = false;               // each op costs a CPU worker >= 1 cycle: check the rate (kMinCyclesPerOp)
  std::function<void()> prepare;      // untimed, before each round (optional)
  std::function<void()> run;          // timed: the round up to its end barrier, the combine step included
  std::function<int()> participants;  // untimed: workers that took part in the round just run (optional)
  std::function<Check()> verify;      // untimed
};

struct RoundTotals {
  double seconds = 0;                   // sum of timed round durations
  std::int64_t rounds = 0;              // verified timed rounds
  bool ok = true;
  int participation_min = kNotTracked;  // fewest workers seen in any round
};

// Runs one untimed warm-up round (first touch, lazily started runtime threads), then a timed round per
// benchmark iteration. The first failed check fails the case and ends it.
RoundTotals run_rounds(benchmark::State& state, const Rounds& rounds);

// Sets ns_per_op, items_per_second, ops (per round) and participation_min from verified rounds.
void report_throughput(benchmark::State& state, const RoundTotals& totals, double ops_per_round);

// The share of `total` items that worker `index` of `parts` takes (the first total % parts take one more).
constexpr std::uint64_t share_of(std::uint64_t total, int parts, int index) {
  const auto p = static_cast<std::uint64_t>(parts);
  const auto i = static_cast<std::uint64_t>(index);
  return total / p + (i < total % p ? 1 : 0);
}

Check expect_equal(const char* what, std::uint64_t expected, std::uint64_t actual);

}  // namespace parbench
