// locks with OpenMP: one parallel region per round (libgomp keeps its threads between regions; the region's
// implicit barrier ends the round), each thread a worker by omp_get_thread_num(). Locks: the critical construct
// (a named critical section; it cannot be split into lock and unlock, so it runs the kernel's body), an
// omp_lock_t, and an omp_lock_t made with omp_init_lock_with_hint(omp_sync_hint_contended) where the runtime
// exports that function (a configure-time link check, PARBENCH_OMP_LOCK_HINTS; libgomp of GCC 12 does not).
#include <omp.h>

#include <stdexcept>

#include "locks/kernels.hpp"
#include "locks/locks.hpp"
#include "parbench/padded.hpp"
#include "parbench/participation.hpp"

#ifndef PARBENCH_OMP_LOCK_HINTS
#define PARBENCH_OMP_LOCK_HINTS 0
#endif

namespace parbench::locks {
namespace {

struct alignas(kDestructiveRange) OmpCritical {
  template <class Body>
  void run_locked(Body& body) {
#pragma omp critical(parbench_locks_critical)
    body();
  }
};

class alignas(kDestructiveRange) OmpLock {
 public:
  OmpLock() { omp_init_lock(&lock_); }
#if PARBENCH_OMP_LOCK_HINTS
  explicit OmpLock(omp_sync_hint_t hint) { omp_init_lock_with_hint(&lock_, hint); }
#endif
  ~OmpLock() { omp_destroy_lock(&lock_); }
  OmpLock(const OmpLock&) = delete;
  OmpLock& operator=(const OmpLock&) = delete;
  void lock() { omp_set_lock(&lock_); }
  void unlock() { omp_unset_lock(&lock_); }

 private:
  omp_lock_t lock_;
};

template <class Lock>
class OpenmpLocks final : public Model {
 public:
  OpenmpLocks(int workers, const Shape& shape, std::unique_ptr<Lock> lock)
      : workers_(workers), shape_(shape), lock_(std::move(lock)) {}

  void reset() override { arena_->reset(); }
  void run_round(std::uint64_t acquisitions) override {
    const std::uint64_t round = ++round_;
    arena_->budget.store(static_cast<std::int64_t>(acquisitions), std::memory_order_relaxed);
    Arena& arena = *arena_;
    Lock& lock = *lock_;
#pragma omp parallel num_threads(workers_)
    {
      const int w = omp_get_thread_num();
      participation_.mark(w, round);
      run_worker(lock, arena, w, shape_);
    }
  }
  int participants() override { return participation_.count(workers_, round_); }
  RoundResult result() override { return RoundResult::of(*arena_, workers_); }

 private:
  int workers_;
  Shape shape_;
  std::unique_ptr<Arena> arena_ = std::make_unique<Arena>();
  std::unique_ptr<Lock> lock_;
  Participation participation_;
  std::uint64_t round_ = 0;
};

template <class Lock>
std::unique_ptr<Model> make(int workers, const Shape& shape, std::unique_ptr<Lock> lock) {
  // Without this, an oversubscribed request is silently cut to fewer threads by dynamic adjustment.
  omp_set_dynamic(0);
  return std::make_unique<OpenmpLocks<Lock>>(workers, shape, std::move(lock));
}

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.algorithms = {{"critical"}, {"omp_lock"}};
  info.context = {{"openmp_version", std::to_string(_OPENMP)}};
#if PARBENCH_OMP_LOCK_HINTS
  info.algorithms.push_back({"omp_lock_hint_contended"});
  info.context.emplace_back("openmp_lock_hints", "omp_init_lock_with_hint exported: omp_lock_hint_contended built");
#else
  info.context.emplace_back("openmp_lock_hints",
                            "omp_lock_hint_contended not built: the OpenMP runtime does not export "
                            "omp_init_lock_with_hint (configure-time link check; libgomp of GCC 12 declares it in "
                            "omp.h only)");
#endif
  info.make = [](const std::string& name, int workers, const Shape& shape) -> std::unique_ptr<Model> {
    if (name == "critical") return make(workers, shape, std::make_unique<OmpCritical>());
    if (name == "omp_lock") return make(workers, shape, std::make_unique<OmpLock>());
#if PARBENCH_OMP_LOCK_HINTS
    if (name == "omp_lock_hint_contended")
      return make(workers, shape, std::make_unique<OmpLock>(omp_sync_hint_contended));
#endif
    throw std::logic_error("no openmp lock named " + name);
  };
  return info;
}

}  // namespace parbench::locks
