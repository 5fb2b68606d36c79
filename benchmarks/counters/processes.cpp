// counters with processes: workers forked once per case, counters in shared memory, a process-shared robust
// mutex for `locked`; the parent starts each round and waits for it.
#include <mutex>

#include "counters/counters.hpp"
#include "parbench/fork_pool.hpp"
#include "parbench/pshared.hpp"
#include "parbench/rounds.hpp"
#include "parbench/shm.hpp"

namespace parbench::counters {
namespace {

struct SharedState {
  Cells cells;
  SharedMutex mutex;
  std::uint64_t round_increments = 0;  // written by the parent before each round
};

class ProcessesCounters final : public Model {
 public:
  ProcessesCounters(Variant v, int workers)
      : variant_(v), workers_(workers), pool_(workers, [this](int w) { count(w); }) {}

  void reset() override { state_->cells.reset(); }
  std::uint64_t total() override { return state_->cells.total(variant_, workers_); }

  void run_round(std::uint64_t increments) override {
    state_->round_increments = increments;
    pool_.run_round();
  }

 private:
  // Runs in a child process.
  void count(int worker) {
    Cells& c = state_->cells;
    const std::uint64_t n = share_of(state_->round_increments, workers_, worker);
    switch (variant_) {
      case Variant::racy:
        for (std::uint64_t i = 0; i < n; ++i) unsynchronized_increment(c.shared);
        break;
      case Variant::atomic:
        for (std::uint64_t i = 0; i < n; ++i) c.shared.fetch_add(1, std::memory_order_relaxed);
        break;
      case Variant::locked:
        for (std::uint64_t i = 0; i < n; ++i) {
          std::lock_guard<SharedMutex> hold(state_->mutex);
          ++c.guarded;
        }
        break;
      case Variant::sharded:
      case Variant::false_sharing: {
        auto& mine = c.own(variant_, worker);
        for (std::uint64_t i = 0; i < n; ++i) unsynchronized_increment(mine);
        break;
      }
    }
  }

  Variant variant_;
  int workers_;
  Shared<SharedState> state_;  // made before the pool forks, so every child maps it
  ForkPool pool_;
};

}  // namespace

ModelInfo model_info() {
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "atomics in shared memory must be lock-free");
  ModelInfo info;
  info.variants = kAllVariants;
  info.make = [](Variant v, int workers) { return std::make_unique<ProcessesCounters>(v, workers); };
  return info;
}

}  // namespace parbench::counters
