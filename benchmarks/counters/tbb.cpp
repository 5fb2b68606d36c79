// counters with oneTBB: parallel_for inside a task_arena of `workers` threads; tbb::spin_mutex for `locked`,
// tbb::combinable for `sharded`, arena slot indices for `false_sharing`.
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/combinable.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/spin_mutex.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/version.h>

#include "counters/counters.hpp"
#include "parbench/rounds.hpp"

namespace parbench::counters {
namespace {

class TbbCounters final : public Model {
 public:
  TbbCounters(Variant v, int workers)
      : variant_(v),
        workers_(workers),
        // Lets the arena have more threads than cores when oversubscribing.
        parallelism_(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(workers)),
        arena_(workers),
        cells_(std::make_unique<Cells>()) {}

  void reset() override {
    cells_->reset();
    shards_.clear();
  }

  std::uint64_t total() override {
    if (variant_ == Variant::sharded)
      return shards_.combine([](const Shard& a, const Shard& b) { return Shard{a.value + b.value}; }).value;
    return cells_->total(variant_, workers_);
  }

  void run_round(std::uint64_t increments) override {
    arena_.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::uint64_t>(0, increments),
                        [&](const tbb::blocked_range<std::uint64_t>& r) { count(r.size()); });
    });
  }

 private:
  struct alignas(kDestructiveRange) Shard {
    std::uint64_t value = 0;
  };

  void count(std::uint64_t n) {
    Cells& c = *cells_;
    switch (variant_) {
      case Variant::racy:
        for (std::uint64_t i = 0; i < n; ++i) unsynchronized_increment(c.shared);
        break;
      case Variant::atomic:
        for (std::uint64_t i = 0; i < n; ++i) c.shared.fetch_add(1, std::memory_order_relaxed);
        break;
      case Variant::locked:
        for (std::uint64_t i = 0; i < n; ++i) {
          tbb::spin_mutex::scoped_lock hold(mutex_);
          ++c.guarded;
        }
        break;
      case Variant::sharded: {
        // The thread's own padded shard; a volatile store per increment, as the other models' shards take.
        volatile std::uint64_t& mine = shards_.local().value;
        for (std::uint64_t i = 0; i < n; ++i) mine = mine + 1;
        break;
      }
      case Variant::false_sharing: {
        auto& mine = c.packed[tbb::this_task_arena::current_thread_index()];
        for (std::uint64_t i = 0; i < n; ++i) unsynchronized_increment(mine);
        break;
      }
    }
  }

  Variant variant_;
  int workers_;
  tbb::global_control parallelism_;
  tbb::task_arena arena_;
  std::unique_ptr<Cells> cells_;
  tbb::combinable<Shard> shards_;
  tbb::spin_mutex mutex_;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.variants = kAllVariants;
  info.context = {{"tbb_version", TBB_VERSION_STRING}};
  info.make = [](Variant v, int workers) { return std::make_unique<TbbCounters>(v, workers); };
  return info;
}

}  // namespace parbench::counters
