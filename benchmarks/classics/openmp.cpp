// classics with OpenMP: one parallel region of `workers` threads per round (libgomp keeps its threads between
// regions; the region's implicit barrier ends the round); omp_lock_t for the bank's locks and the philosophers'
// forks. OpenMP has no timed lock and no semaphore: a fork waits by testing (omp_test_lock) with pauses and
// yields, and the waiter method is not offered; producer_consumer is not offered (OpenMP has no blocking queue).
#include <omp.h>

#include <chrono>

#include "classics/classics.hpp"
#include "classics/kernels.hpp"
#include "parbench/omp_lock.hpp"
#include "parbench/participation.hpp"

namespace parbench::classics {
namespace {

// A fork: an OpenMP lock, waited for by testing it (pauses, then yields) until a deadline.
class OmpFork : public OmpLock {
 public:
  template <class Duration>
  bool try_lock_for(Duration d) {
    const auto deadline = std::chrono::steady_clock::now() + d;
    locks::SpinWait wait;
    while (!try_lock()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      wait.once();
    }
    return true;
  }
};

// The waiter's seats, never used: OpenMP offers no semaphore, so the waiter method is not offered here.
struct NoSeats {
  explicit NoSeats(std::ptrdiff_t) {}
  bool try_acquire() { return false; }
  template <class Duration>
  bool try_acquire_for(Duration) {
    return false;
  }
  void release() {}
};

template <class Work>
class OpenmpModel final : public Model {
 public:
  template <class... WorkArgs>
  explicit OpenmpModel(int workers, WorkArgs&&... args)
      : workers_(workers), work_(std::make_unique<Work>(*arena_, workers, std::forward<WorkArgs>(args)...)) {}

  Arena& arena() override { return *arena_; }
  void run_round(const RoundOrder& order) override {
    const std::uint64_t round = ++round_;
    arena_->budget.store(static_cast<std::int64_t>(order.size), std::memory_order_relaxed);
    Work& work = *work_;
#pragma omp parallel num_threads(workers_)
    {
      const int w = omp_get_thread_num();
      participation_.mark(w, round);
      work.run(w, order);
    }
  }
  int participants() override { return participation_.count(workers_, round_); }

 private:
  int workers_;
  std::unique_ptr<Arena> arena_ = std::make_unique<Arena>();
  std::unique_ptr<Work> work_;
  Participation participation_;
  std::uint64_t round_ = 0;
};

std::unique_ptr<Model> make(const Case& c, int workers) {
  omp_set_dynamic(0);  // without it an oversubscribed request is silently cut to fewer threads
  if (c.variant == Variant::philosophers)
    return std::make_unique<OpenmpModel<Dinner<OmpFork, NoSeats>>>(workers, dining_of(c.method));
  return std::make_unique<OpenmpModel<Transfers<OmpLock>>>(workers, banking_of(c.method), c.accounts);
}

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.offers = {{Variant::philosophers, "ordered", {}},
                 {Variant::philosophers, "trylock", {}},
                 {Variant::bank, "coarse", {}},
                 {Variant::bank, "ordered", {}},
                 {Variant::bank, "atomic", {}}};
  info.context = {{"openmp_version", std::to_string(_OPENMP)}};
  info.make = make;
  return info;
}

}  // namespace parbench::classics
