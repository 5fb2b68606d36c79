// counters with std::thread: a persistent, pinned ThreadTeam (the caller is worker 0) and std::mutex.
#include <mutex>

#include "counters/counters.hpp"
#include "counters/kernels.hpp"
#include "parbench/pin.hpp"
#include "parbench/rounds.hpp"
#include "parbench/thread_team.hpp"

namespace parbench::counters {
namespace {

class ThreadsCounters final : public Model {
 public:
  ThreadsCounters(Variant v, int workers)
      : variant_(v), workers_(workers), cells_(std::make_unique<Cells>()), team_(workers, [this](int w) {
          count_variant(variant_, *cells_, mutex_, w, share_of(increments_, workers_, w));
        }) {}

  void reset() override { cells_->reset(); }
  void run_round(std::uint64_t increments) override {
    increments_ = increments;
    team_.run_round();
    total_ = cells_->total(variant_, workers_);
  }
  int participants() override { return team_.participants(); }
  std::uint64_t total() override { return total_; }

 private:
  Variant variant_;
  int workers_;
  std::unique_ptr<Cells> cells_;
  std::mutex mutex_;
  std::uint64_t increments_ = 0;  // this round's, read by the workers after the team wakes them
  std::uint64_t total_ = 0;
  ThreadTeam team_;  // last: its threads use the members above
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.variants = kAllVariants;
  info.context = pin_context();
  info.make = [](Variant v, int workers) { return std::make_unique<ThreadsCounters>(v, workers); };
  return info;
}

}  // namespace parbench::counters
