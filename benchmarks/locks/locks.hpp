// The locks workload. Throughput mode: `workers` workers together make a fixed number of lock acquisitions per
// round, taking them from a shared budget so that a lock that favours one worker shows in the per-worker counts
// (fairness); reader-writer locks run a read-mostly mix. Latency mode: one worker, uncontended acquire+release.
// Each acquisition runs the same critical section (kernels.hpp). A model file implements Model with its own idiom
// and its own lock types, calling the shared kernels; the driver (driver.cpp) times, verifies and reports for
// every model alike. The lock algorithms live in benchmarks/common/include/parbench/locks/.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "parbench/cli.hpp"
#include "parbench/padded.hpp"

namespace parbench::locks {

enum class Mode {
  throughput,  // many workers, a shared budget of acquisitions per round: ns per acquisition, fairness
  latency,     // one worker, nobody else near the lock: ns per uncontended acquire + release
};

// The shape of one acquisition, in iterations of the calibrated empty loop (kernels.hpp, spin_iterations).
struct Work {
  std::uint64_t critical_section = 0;  // inside the lock, after the guarded increment
  std::uint64_t gap = 0;               // after the release, before the next acquisition
};

// What a case does: the mode, the acquisition's shape, and for a reader-writer lock the read share (percent of
// acquisitions taken shared).
struct Shape {
  Mode mode = Mode::throughput;
  Work work;
  unsigned read_percent = 0;
  int workers = 1;  // set by the driver for each case: the start line waits for this many
};

// An algorithm a model offers: its name (the case's variant); whether it is a reader-writer lock, run under the
// read-mostly mix; and the most workers it can serve.
struct Algorithm {
  std::string name;
  bool read_mix = false;
  int max_workers = kMaxCpuWorkers;
};

// Acquisitions are taken from the budget in chunks of this many: a contended atomic per acquisition would add a
// second bouncing line to every acquisition, and a chunk is still small against a round (2^20 by default).
inline constexpr std::uint64_t kBudgetChunk = 64;

// The round's shared state, on the heap (threads, tbb, openmp) or in the shared segment (processes).
struct Arena {
  alignas(kDestructiveRange) std::atomic<std::uint64_t> counter{0};  // guarded: incremented only under the lock
  // The read mix's second guarded word: a writer increments `counter` and then, after its critical section, this
  // one; a reader holding the lock shared must find them equal (no half-done write visible).
  alignas(kDestructiveRange) std::atomic<std::uint64_t> second{0};
  alignas(kDestructiveRange) std::atomic<int> owner{-1};           // the writer inside the lock; -1: none
  alignas(kDestructiveRange) std::atomic<std::int64_t> budget{0};  // acquisitions not yet taken this round
  // The start line: workers that have arrived this round. Nobody takes from the budget before every worker is
  // there, or the first one woken would spend a small round alone (wake-up skew read as lock unfairness, and a
  // broken lock never contended).
  alignas(kDestructiveRange) std::atomic<int> arrived{0};
  struct Tally {
    std::uint64_t acquisitions = 0;  // this worker's, this round
    std::uint64_t writes = 0;        // of which exclusive (all of them outside the read mix)
    std::uint64_t violations = 0;    // times this worker saw another holder inside the lock
    std::uint64_t torn_reads = 0;    // read-mix reads that saw a half-done write
  };
  Padded<Tally> tallies[kMaxCpuWorkers]{};

  void reset() {
    counter.store(0);
    second.store(0);
    owner.store(-1);
    budget.store(0);
    arrived.store(0);
    for (auto& t : tallies) t.value = Tally{};
  }
};

// What a round did, for verification and fairness (untimed).
struct RoundResult {
  std::uint64_t counter = 0;                // the guarded counter at the end of the round
  std::uint64_t second = 0;                 // the read mix's second guarded word (equal to counter)
  std::uint64_t violations = 0;             // owner-check violations, all workers together
  std::uint64_t torn_reads = 0;             // reads that saw a half-done write, all workers together
  std::vector<std::uint64_t> acquisitions;  // per worker
  std::vector<std::uint64_t> writes;        // per worker: exclusive acquisitions

  static RoundResult of(const Arena& arena, int workers) {
    RoundResult r;
    r.counter = arena.counter.load(std::memory_order_relaxed);
    r.second = arena.second.load(std::memory_order_relaxed);
    for (int w = 0; w < workers; ++w) {
      const Arena::Tally& t = arena.tallies[w].value;
      r.acquisitions.push_back(t.acquisitions);
      r.writes.push_back(t.writes);
      r.violations += t.violations;
      r.torn_reads += t.torn_reads;
    }
    return r;
  }
};

// What is timed is the same in every model: workers exist before the round (made once per case), the round sets
// the budget and wakes them, they acquire until the budget is spent, and the round ends when all are done.
class Model {
 public:
  virtual ~Model() = default;
  // Untimed: zero the counters, the owner slot and the tallies before a round.
  virtual void reset() = 0;
  // Timed: the workers make `acquisitions` acquisitions in total (the shape given when the model was made).
  virtual void run_round(std::uint64_t acquisitions) = 0;
  // Untimed: how many workers took part in the last round (kNotTracked where the model cannot tell).
  virtual int participants() = 0;
  // Untimed: the last round's counters, violations and per-worker acquisitions.
  virtual RoundResult result() = 0;
};

struct ModelInfo {
  std::vector<Algorithm> algorithms;
  // Overridden by --parbench_size. 2^18: ~8 ms at an uncontended 30 ns, and still ~0.3 s when a queue lock
  // collapses to ~1 us per acquisition (more workers than free cores), so a case stays near its min time.
  std::uint64_t round_acquisitions = 1u << 18;
  std::vector<int> default_workers;             // empty: the main's default (1 and the core count)
  int max_workers = kMaxCpuWorkers;
  bool cpu_workers = true;
  // Workers take acquisitions from one shared budget (fairness is measured); false: each worker makes a fixed
  // share (MPI), so the per-worker counts say nothing about fairness and are not reported as such.
  bool shared_budget = true;
  std::string unavailable;
  std::vector<std::pair<std::string, std::string>> context;
  // Builds the model for one case of algorithm `name`; may throw parbench::SkipCase.
  std::function<std::unique_ptr<Model>(const std::string& name, int workers, const Shape&)> make;
};

// Defined by each model file.
ModelInfo model_info();

}  // namespace parbench::locks
