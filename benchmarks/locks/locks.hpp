// The locks workload: `workers` workers together make a fixed number of lock acquisitions per round (throughput
// mode), taking them from a shared budget so that a lock that favours one worker shows in the per-worker counts
// (fairness). Each acquisition runs the same critical section (kernels.hpp). A model file implements Model with
// its own idiom and its own lock types, calling the shared kernel; the driver (driver.cpp) times, verifies and
// reports for every model alike. The lock algorithms live in benchmarks/common/include/parbench/locks/.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parbench/cli.hpp"
#include "parbench/padded.hpp"

namespace parbench::locks {

enum class Algorithm {
  std_mutex,     // std::mutex
  pthread_spin,  // pthread_spinlock_t
  tas,           // test-and-set
  ttas_backoff,  // test-and-test-and-set, exponential backoff with a cap
  ticket,        // ticket lock (FIFO)
  mcs,           // MCS queue lock (FIFO, local spinning)
  futex,         // three-state mutex that sleeps (C++20 atomic wait/notify)
};

std::string_view name_of(Algorithm a);

inline const std::vector<Algorithm> kAllAlgorithms = {Algorithm::std_mutex, Algorithm::pthread_spin, Algorithm::tas,
                                                      Algorithm::ttas_backoff, Algorithm::ticket, Algorithm::mcs,
                                                      Algorithm::futex};

// The shape of one acquisition, in iterations of the calibrated empty loop (kernels.hpp, spin_iterations).
struct Work {
  std::uint64_t critical_section = 0;  // inside the lock, after the guarded increment
  std::uint64_t gap = 0;               // after the release, before the next acquisition
};

// Acquisitions are taken from the budget in chunks of this many: a contended atomic per acquisition would add a
// second bouncing line to every acquisition, and a chunk is still small against a round (2^20 by default).
inline constexpr std::uint64_t kBudgetChunk = 64;

// The round's shared state, on the heap (threads) or, for a later processes model, in shared memory.
struct Arena {
  alignas(kDestructiveRange) std::atomic<std::uint64_t> counter{0};  // guarded: incremented only under the lock
  alignas(kDestructiveRange) std::atomic<int> owner{-1};             // the worker inside the lock; -1: none
  alignas(kDestructiveRange) std::atomic<std::int64_t> budget{0};    // acquisitions not yet taken this round
  struct Tally {
    std::uint64_t acquisitions = 0;  // this worker's, this round
    std::uint64_t violations = 0;    // times this worker saw another holder inside the lock
  };
  Padded<Tally> tallies[kMaxCpuWorkers]{};

  void reset() {
    counter.store(0);
    owner.store(-1);
    budget.store(0);
    for (auto& t : tallies) t.value = Tally{};
  }
};

// What a round did, for verification and fairness (untimed).
struct RoundResult {
  std::uint64_t counter = 0;                // the guarded counter at the end of the round
  std::uint64_t violations = 0;             // owner-check violations, all workers together
  std::vector<std::uint64_t> acquisitions;  // per worker

  static RoundResult of(const Arena& arena, int workers) {
    RoundResult r;
    r.counter = arena.counter.load(std::memory_order_relaxed);
    for (int w = 0; w < workers; ++w) {
      r.acquisitions.push_back(arena.tallies[w].value.acquisitions);
      r.violations += arena.tallies[w].value.violations;
    }
    return r;
  }
};

// What is timed is the same in every model: workers exist before the round (made once per case), the round sets
// the budget and wakes them, they acquire until the budget is spent, and the round ends when all are done.
class Model {
 public:
  virtual ~Model() = default;
  // Untimed: zero the counter, the owner slot and the tallies before a round.
  virtual void reset() = 0;
  // Timed: the workers make `acquisitions` acquisitions in total, each taking them from the shared budget.
  virtual void run_round(std::uint64_t acquisitions) = 0;
  // Untimed: how many workers took part in the last round (kNotTracked where the model cannot tell).
  virtual int participants() = 0;
  // Untimed: the last round's counter, violations and per-worker acquisitions.
  virtual RoundResult result() = 0;
};

struct ModelInfo {
  std::vector<Algorithm> algorithms;
  std::uint64_t round_acquisitions = 1u << 20;  // overridden by --parbench_size
  std::vector<int> default_workers;             // empty: the main's default (1 and the core count)
  int max_workers = kMaxCpuWorkers;
  bool cpu_workers = true;
  std::string unavailable;
  std::vector<std::pair<std::string, std::string>> context;
  // Builds the model for one case; may throw parbench::SkipCase.
  std::function<std::unique_ptr<Model>(Algorithm, int workers, Work)> make;
};

// Defined by each model file.
ModelInfo model_info();

}  // namespace parbench::locks
