// counters with OpenMP: one parallel region per round (libgomp keeps its threads between regions; the region's
// implicit barrier ends the round), an omp_lock_t for `locked`, and the reduction clause combining `sharded`.
#include <omp.h>

#include "counters/counters.hpp"
#include "counters/kernels.hpp"
#include "parbench/omp_lock.hpp"
#include "parbench/participation.hpp"
#include "parbench/rounds.hpp"

namespace parbench::counters {
namespace {

class OpenmpCounters final : public Model {
 public:
  OpenmpCounters(Variant v, int workers) : variant_(v), workers_(workers), cells_(std::make_unique<Cells>()) {}

  void reset() override { cells_->reset(); }

  void run_round(std::uint64_t increments) override {
    const std::uint64_t round = ++round_;
    Cells& c = *cells_;
    std::uint64_t sum = 0;
#pragma omp parallel num_threads(workers_) reduction(+ : sum)
    {
      const int w = omp_get_thread_num();
      participation_.mark(w, round);
      count_variant(variant_, c, lock_, w, share_of(increments, workers_, w));
      if (variant_ == Variant::sharded) sum += c.shards[w].value.load(std::memory_order_relaxed);
    }
    total_ = variant_ == Variant::sharded ? sum : c.total(variant_, workers_);
  }

  int participants() override { return participation_.count(workers_, round_); }
  std::uint64_t total() override { return total_; }

 private:
  Variant variant_;
  int workers_;
  std::unique_ptr<Cells> cells_;
  OmpLock lock_;
  Participation participation_;
  std::uint64_t round_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.variants = kAllVariants;
  info.context = {{"openmp_version", std::to_string(_OPENMP)}};
  info.make = [](Variant v, int workers) {
    // Without this, an oversubscribed request is silently cut to fewer threads by dynamic adjustment.
    omp_set_dynamic(0);
    return std::make_unique<OpenmpCounters>(v, workers);
  };
  return info;
}

}  // namespace parbench::counters
