// counters with OpenMP: one parallel region per round; `omp atomic`, `omp critical`, and the reduction clause
// for `sharded`.
#include <omp.h>

#include "counters/counters.hpp"
#include "parbench/rounds.hpp"

namespace parbench::counters {
namespace {

class OpenmpCounters final : public Model {
 public:
  OpenmpCounters(Variant v, int workers) : variant_(v), workers_(workers), cells_(std::make_unique<Cells>()) {}

  void reset() override {
    cells_->reset();
    atomic_counter_.value = 0;
    reduced_ = 0;
  }

  std::uint64_t total() override {
    if (variant_ == Variant::atomic) return atomic_counter_.value;
    if (variant_ == Variant::sharded) return reduced_;
    return cells_->total(variant_, workers_);
  }

  void run_round(std::uint64_t increments) override {
    Cells& c = *cells_;
    const auto n = static_cast<long long>(increments);
    switch (variant_) {
      case Variant::racy:
#pragma omp parallel for num_threads(workers_) schedule(static)
        for (long long i = 0; i < n; ++i) unsynchronized_increment(c.shared);
        break;
      case Variant::atomic: {
        std::uint64_t& shared = atomic_counter_.value;
#pragma omp parallel for num_threads(workers_) schedule(static)
        for (long long i = 0; i < n; ++i) {
#pragma omp atomic update
          ++shared;
        }
        break;
      }
      case Variant::locked:
#pragma omp parallel for num_threads(workers_) schedule(static)
        for (long long i = 0; i < n; ++i) {
#pragma omp critical(parbench_counter)
          ++c.guarded;
        }
        break;
      case Variant::sharded: {
        std::uint64_t sum = 0;
#pragma omp parallel num_threads(workers_) reduction(+ : sum)
        {
          // Each thread's padded cell takes a store per increment, as the other models' shards do.
          auto& mine = c.shards[omp_get_thread_num()].value;
#pragma omp for schedule(static)
          for (long long i = 0; i < n; ++i) unsynchronized_increment(mine);
          sum += mine.load(std::memory_order_relaxed);
        }
        reduced_ = sum;
        break;
      }
      case Variant::false_sharing:
#pragma omp parallel num_threads(workers_)
        {
          auto& mine = c.packed[omp_get_thread_num()];
#pragma omp for schedule(static)
          for (long long i = 0; i < n; ++i) unsynchronized_increment(mine);
        }
        break;
    }
  }

 private:
  Variant variant_;
  int workers_;
  std::unique_ptr<Cells> cells_;
  Padded<std::uint64_t> atomic_counter_;  // a plain integer that only `omp atomic` updates
  std::uint64_t reduced_ = 0;
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
