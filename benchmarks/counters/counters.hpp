// The counters workload: `workers` workers together make a fixed number of increments per round (strong
// scaling), in one of five ways. A model file implements Model with its own idiom, calling the shared kernels
// (kernels.hpp) for the work itself; the driver (driver.cpp) times, verifies and reports for every model alike.
#pragma once
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

namespace parbench::counters {

enum class Variant {
  racy,           // plain load+store on one shared counter: loses updates, reported as lost_updates
  atomic,         // one atomic read-modify-write per increment on one shared counter
  locked,         // a lock around a load+store increment of one shared counter
  sharded,        // one counter per worker, padded apart, combined at the end of the round
  false_sharing,  // one counter per worker, packed into the same cache line
};

std::string_view name_of(Variant v);

// What is timed is the same in every model: workers exist before the round (made once per case), the round
// wakes them, they count, the per-worker counts are combined into the total, and the round ends when all
// workers are done (a barrier or its equivalent).
class Model {
 public:
  virtual ~Model() = default;
  // Untimed: zero every counter before a round.
  virtual void reset() = 0;
  // Timed: the workers make `increments` increments in total, split evenly, and the per-worker counts are
  // combined into the total.
  virtual void run_round(std::uint64_t increments) = 0;
  // Untimed: how many workers took part in the last round (kNotTracked where the model cannot tell).
  virtual int participants() = 0;
  // Untimed: the total the last round combined (the same on every rank).
  virtual std::uint64_t total() = 0;
};

struct ModelInfo {
  std::vector<Variant> variants;
  // Increments per round for a variant (overridden by --parbench_size). Rounds of the cheap variants are larger
  // so that waking and joining the workers stays a small part of a round.
  std::function<std::uint64_t(Variant)> round_increments = [](Variant v) -> std::uint64_t {
    return v == Variant::atomic || v == Variant::locked ? 1u << 20 : 1u << 24;
  };
  std::vector<int> default_workers;               // empty: the main's default (1 and the core count)
  int max_workers = kMaxCpuWorkers;
  bool cpu_workers = true;                        // workers are CPU threads or processes (rate check applies)
  std::string unavailable;                        // non-empty: no case can run here, and why
  std::vector<std::pair<std::string, std::string>> context;  // library versions, device name, pinning
  // Builds the model for one case; may throw parbench::SkipCase.
  std::function<std::unique_ptr<Model>(Variant, int workers)> make;
};

// Defined by each model file.
ModelInfo model_info();

// Counter memory for CPU models, placed on the heap or (processes) in shared memory. Shared and per-worker
// cells sit on separate destructive-interference ranges, except `packed`, whose slots share lines on purpose.
struct Cells {
  alignas(kDestructiveRange) std::atomic<std::uint64_t> shared{0};   // racy, atomic
  alignas(kDestructiveRange) std::atomic<std::uint64_t> guarded{0};  // locked: only touched under the lock
  alignas(kDestructiveRange) std::atomic<std::uint64_t> packed[kMaxCpuWorkers]{};  // false_sharing
  Padded<std::atomic<std::uint64_t>> shards[kMaxCpuWorkers]{};                      // sharded

  void reset() {
    shared.store(0);
    guarded.store(0);
    for (auto& p : packed) p.store(0);
    for (auto& s : shards) s.value.store(0);
  }
  std::atomic<std::uint64_t>& own(Variant v, int worker) {
    return v == Variant::sharded ? shards[worker].value : packed[worker];
  }
  // The combine step: the variant's total (sharded and false_sharing sum the per-worker cells).
  std::uint64_t total(Variant v, int workers) const {
    switch (v) {
      case Variant::racy:
      case Variant::atomic: return shared.load(std::memory_order_relaxed);
      case Variant::locked: return guarded.load(std::memory_order_relaxed);
      case Variant::sharded:
      case Variant::false_sharing: {
        std::uint64_t sum = 0;
        for (int w = 0; w < workers; ++w)
          sum += (v == Variant::sharded ? shards[w].value : packed[w]).load(std::memory_order_relaxed);
        return sum;
      }
    }
    return 0;
  }
};

inline const std::vector<Variant> kAllVariants = {Variant::racy, Variant::atomic, Variant::locked,
                                                   Variant::sharded, Variant::false_sharing};

}  // namespace parbench::counters
