// counters with processes: workers forked once per case (ForkPool), counters in shared memory, a process-shared
// robust mutex for `locked`; the parent starts each round, waits for it and combines the counts.
#include "counters/counters.hpp"
#include "counters/kernels.hpp"
#include "parbench/fork_pool.hpp"
#include "parbench/pin.hpp"
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
      : variant_(v), workers_(workers), pool_(workers, [this](int w) {
          SharedState& s = *state_;
          count_variant(variant_, s.cells, s.mutex, w, share_of(s.round_increments, workers_, w));
        }) {}

  void reset() override { state_->cells.reset(); }
  void run_round(std::uint64_t increments) override {
    state_->round_increments = increments;
    pool_.run_round();
    total_ = state_->cells.total(variant_, workers_);
  }
  int participants() override { return pool_.participants(); }
  std::uint64_t total() override { return total_; }

 private:
  Variant variant_;
  int workers_;
  std::uint64_t total_ = 0;
  Shared<SharedState> state_;  // made before the pool forks, so every child maps it
  ForkPool pool_;
};

}  // namespace

ModelInfo model_info() {
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "atomics in shared memory must be lock-free");
  ModelInfo info;
  info.variants = kAllVariants;
  info.context = pin_context();
  info.make = [](Variant v, int workers) { return std::make_unique<ProcessesCounters>(v, workers); };
  return info;
}

}  // namespace parbench::counters
