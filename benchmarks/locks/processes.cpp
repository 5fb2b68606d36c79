// locks with processes: workers forked once per case (ForkPool); the round's arena and the lock live in one
// anonymous shared segment made before the fork, so every child maps them at the same address. Locks that work
// there: a robust process-shared pthread mutex, a process-shared pthread spinlock, a process-shared POSIX
// semaphore, the spin locks of our own (plain atomics in the segment), the futex lock with a shared futex word
// (FUTEX_WAIT/WAKE without the private flag), and the queue locks with every queue node in the segment too (a
// node in a child's private memory would be a different object at the same address in each child).
#include <stdexcept>

#include "locks/kernels.hpp"
#include "locks/locks.hpp"
#include "parbench/fork_pool.hpp"
#include "parbench/locks/clh.hpp"
#include "parbench/locks/futex.hpp"
#include "parbench/locks/mcs.hpp"
#include "parbench/locks/pthread_spin.hpp"
#include "parbench/locks/robust_mutex.hpp"
#include "parbench/locks/semaphore.hpp"
#include "parbench/locks/tas.hpp"
#include "parbench/locks/ticket.hpp"
#include "parbench/locks/ttas_backoff.hpp"
#include "parbench/pin.hpp"
#include "parbench/shm.hpp"

namespace parbench::locks {
namespace {

// A lock every worker uses as it is (constructed in the segment with `args`, e.g. process_shared = true).
template <class Lock>
struct WholeLock {
  template <class... Args>
  explicit WholeLock(Args... args) : lock(args...) {}
  Lock& for_worker(int) { return lock; }
  Lock lock;
};

// MCS with each worker's queue node in the segment.
struct SegmentMcs {
  struct Handle {
    McsLock* queue;
    McsNode* node;
    void lock() { queue->lock(*node); }
    void unlock() { queue->unlock(*node); }
  };
  Handle for_worker(int w) { return {&lock, &nodes[w]}; }
  McsLock lock;
  McsNode nodes[kMaxCpuWorkers];
};

// CLH with every node in the segment (one per worker, one for the free lock) and each worker's holder too: a
// holder's node changes hands at every release, and the worker must find its current one in the next round.
struct SegmentClh {
  struct Handle {
    ClhLock* queue;
    ClhLock::Holder* holder;
    void lock() { queue->lock(*holder); }
    void unlock() { queue->unlock(*holder); }
  };
  SegmentClh() {
    for (int w = 0; w < kMaxCpuWorkers; ++w) holders[w].value.mine = &nodes[w];
  }
  Handle for_worker(int w) { return {&lock, &holders[w].value}; }
  ClhNode nodes[kMaxCpuWorkers + 1];
  Padded<ClhLock::Holder> holders[kMaxCpuWorkers];
  ClhLock lock{&nodes[kMaxCpuWorkers]};
};

template <class Slot>
struct Segment {
  template <class... Args>
  explicit Segment(Args... args) : slot(args...) {}
  Arena arena;
  Slot slot;
};

template <class Slot>
class ProcessesLocks final : public Model {
 public:
  template <class... Args>
  ProcessesLocks(int workers, const Shape& shape, Args... args)
      : workers_(workers), segment_(args...), pool_(workers, [this, shape](int w) {
          auto&& lock = segment_->slot.for_worker(w);
          run_worker(lock, segment_->arena, w, shape);
        }) {}

  void reset() override { segment_->arena.reset(); }
  void run_round(std::uint64_t acquisitions) override {
    segment_->arena.budget.store(static_cast<std::int64_t>(acquisitions), std::memory_order_relaxed);
    pool_.run_round();  // the pool's process-shared mutex publishes the budget to the children
  }
  int participants() override { return pool_.participants(); }
  RoundResult result() override { return RoundResult::of(segment_->arena, workers_); }

 private:
  int workers_;
  Shared<Segment<Slot>> segment_;  // made before the pool forks, so every child maps it
  ForkPool pool_;
};

template <class Slot, class... Args>
std::unique_ptr<Model> make(int workers, const Shape& shape, Args... args) {
  return std::make_unique<ProcessesLocks<Slot>>(workers, shape, args...);
}

}  // namespace

ModelInfo model_info() {
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free && std::atomic<McsNode*>::is_always_lock_free,
                "atomics in shared memory must be lock-free");
  ModelInfo info;
  info.algorithms = {{"robust_mutex"}, {"pthread_spin"}, {"semaphore"}, {"tas"},  {"ttas_backoff"},
                     {"ticket"},       {"mcs"},          {"clh"},       {"futex"}};
  info.context = pin_context();
  info.make = [](const std::string& name, int workers, const Shape& shape) -> std::unique_ptr<Model> {
    constexpr bool kProcessShared = true;
    if (name == "robust_mutex") return make<WholeLock<RobustMutex>>(workers, shape);
    if (name == "pthread_spin") return make<WholeLock<PthreadSpin>>(workers, shape, kProcessShared);
    if (name == "semaphore") return make<WholeLock<SemaphoreLock>>(workers, shape, kProcessShared);
    if (name == "tas") return make<WholeLock<TasLock>>(workers, shape);
    if (name == "ttas_backoff") return make<WholeLock<TtasBackoffLock>>(workers, shape);
    if (name == "ticket") return make<WholeLock<TicketLock>>(workers, shape);
    if (name == "mcs") return make<SegmentMcs>(workers, shape);
    if (name == "clh") return make<SegmentClh>(workers, shape);
    if (name == "futex") return make<WholeLock<SharedFutexLock>>(workers, shape);
    throw std::logic_error("no processes lock named " + name);
  };
  return info;
}

}  // namespace parbench::locks
