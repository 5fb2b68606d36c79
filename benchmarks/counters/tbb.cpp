// counters with oneTBB: a TbbTeam (arena, pinned threads, every worker taking part); tbb::spin_mutex for
// `locked`, tbb::combinable for `sharded` (each thread's own cell, combined with combine_each).
#include <oneapi/tbb/combinable.h>
#include <oneapi/tbb/spin_mutex.h>
#include <oneapi/tbb/version.h>

#include "counters/counters.hpp"
#include "counters/kernels.hpp"
#include "parbench/pin.hpp"
#include "parbench/rounds.hpp"
#include "parbench/tbb_team.hpp"

namespace parbench::counters {
namespace {

class TbbCounters final : public Model {
 public:
  TbbCounters(Variant v, int workers) : variant_(v), workers_(workers), team_(workers) {}

  // Zeroes the threads' cells instead of clearing them, so that no timed round allocates.
  void reset() override {
    cells_->reset();
    shards_.combine_each([](Shard& s) { s.value.store(0, std::memory_order_relaxed); });
  }

  void run_round(std::uint64_t increments) override {
    team_.run_round([&](int w) {
      const std::uint64_t n = share_of(increments, workers_, w);
      if (variant_ == Variant::sharded) count_owned(shards_.local().value, n);
      else count_variant(variant_, *cells_, mutex_, w, n);
    });
    total_ = variant_ == Variant::sharded ? combined_shards() : cells_->total(variant_, workers_);
  }
  int participants() override { return team_.participants(); }
  std::uint64_t total() override { return total_; }

 private:
  using Shard = Padded<std::atomic<std::uint64_t>>;

  std::uint64_t combined_shards() {
    std::uint64_t sum = 0;
    shards_.combine_each([&](const Shard& s) { sum += s.value.load(std::memory_order_relaxed); });
    return sum;
  }

  Variant variant_;
  int workers_;
  TbbTeam team_;
  std::unique_ptr<Cells> cells_ = std::make_unique<Cells>();
  tbb::combinable<Shard> shards_;
  tbb::spin_mutex mutex_;
  std::uint64_t total_ = 0;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.variants = kAllVariants;
  info.context = pin_context();
  info.context.emplace_back("tbb_version", TBB_VERSION_STRING);
  info.make = [](Variant v, int workers) { return std::make_unique<TbbCounters>(v, workers); };
  return info;
}

}  // namespace parbench::counters
