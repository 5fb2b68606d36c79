// locks with oneTBB: a TbbTeam per case (arena threads, pinned, every worker taking part in every round) and
// oneTBB's own mutexes: spin_mutex (test-and-set with backoff), queuing_mutex (a FIFO queue lock; it is taken
// only through its scoped_lock, whose object is the caller's queue node), spin_rw_mutex (reader-writer, under
// the read-mostly mix) and tbb::mutex (spins briefly, then sleeps; oneTBB 2021.3 and later).
#include <oneapi/tbb/mutex.h>
#include <oneapi/tbb/queuing_mutex.h>
#include <oneapi/tbb/spin_mutex.h>
#include <oneapi/tbb/spin_rw_mutex.h>
#include <oneapi/tbb/version.h>

#include <stdexcept>

#include "locks/kernels.hpp"
#include "locks/locks.hpp"
#include "parbench/padded.hpp"
#include "parbench/pin.hpp"
#include "parbench/tbb_team.hpp"

namespace parbench::locks {
namespace {

// A oneTBB mutex with lock()/unlock() (and lock_shared()/unlock_shared() for spin_rw_mutex), alone on its range.
template <class Mutex>
struct alignas(kDestructiveRange) TbbLock {
  void lock() { mutex.lock(); }
  void unlock() { mutex.unlock(); }
  void lock_shared()
    requires requires(Mutex& m) { m.lock_shared(); }
  {
    mutex.lock_shared();
  }
  void unlock_shared()
    requires requires(Mutex& m) { m.unlock_shared(); }
  {
    mutex.unlock_shared();
  }
  Mutex mutex;
};

// queuing_mutex has no lock()/unlock(): a scoped_lock on the waiter's stack is its queue node.
struct alignas(kDestructiveRange) TbbQueuingLock {
  template <class Body>
  void run_locked(Body& body) {
    tbb::queuing_mutex::scoped_lock held(mutex);
    body();
  }
  tbb::queuing_mutex mutex;
};

template <class Lock>
class TbbLocks final : public Model {
 public:
  TbbLocks(int workers, const Shape& shape) : workers_(workers), shape_(shape), team_(workers) {}

  void reset() override { arena_->reset(); }
  void run_round(std::uint64_t acquisitions) override {
    arena_->budget.store(static_cast<std::int64_t>(acquisitions), std::memory_order_relaxed);
    team_.run_round([this](int w) { run_worker(*lock_, *arena_, w, shape_); });
  }
  int participants() override { return team_.participants(); }
  RoundResult result() override { return RoundResult::of(*arena_, workers_); }

 private:
  int workers_;
  Shape shape_;
  std::unique_ptr<Arena> arena_ = std::make_unique<Arena>();
  std::unique_ptr<Lock> lock_ = std::make_unique<Lock>();
  TbbTeam team_;
};

template <class Lock>
std::unique_ptr<Model> make(int workers, const Shape& shape) {
  return std::make_unique<TbbLocks<Lock>>(workers, shape);
}

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.algorithms = {{"spin_mutex"}, {"queuing_mutex"}, {"spin_rw_mutex", true}, {"tbb_mutex"}};
  info.context = pin_context();
  info.context.emplace_back("tbb_version", TBB_VERSION_STRING);
  info.make = [](const std::string& name, int workers, const Shape& shape) -> std::unique_ptr<Model> {
    if (name == "spin_mutex") return make<TbbLock<tbb::spin_mutex>>(workers, shape);
    if (name == "queuing_mutex") return make<TbbQueuingLock>(workers, shape);
    if (name == "spin_rw_mutex") return make<TbbLock<tbb::spin_rw_mutex>>(workers, shape);
    if (name == "tbb_mutex") return make<TbbLock<tbb::mutex>>(workers, shape);
    throw std::logic_error("no tbb lock named " + name);
  };
  return info;
}

}  // namespace parbench::locks
