// locks with std::thread: a persistent, pinned ThreadTeam per case (the caller is worker 0), every algorithm of
// benchmarks/common/include/parbench/locks/.
#include "locks/kernels.hpp"
#include "locks/locks.hpp"
#include "parbench/locks/futex.hpp"
#include "parbench/locks/mcs.hpp"
#include "parbench/locks/pthread_spin.hpp"
#include "parbench/locks/std_mutex.hpp"
#include "parbench/locks/tas.hpp"
#include "parbench/locks/ticket.hpp"
#include "parbench/locks/ttas_backoff.hpp"
#include "parbench/pin.hpp"
#include "parbench/thread_team.hpp"

namespace parbench::locks {
namespace {

template <class Lock>
class ThreadsLocks final : public Model {
 public:
  ThreadsLocks(int workers, Work work)
      : workers_(workers), arena_(std::make_unique<Arena>()), lock_(std::make_unique<Lock>()),
        team_(workers, [this, work](int w) { acquire_loop(*lock_, *arena_, w, work); }) {}

  void reset() override { arena_->reset(); }
  void run_round(std::uint64_t acquisitions) override {
    arena_->budget.store(static_cast<std::int64_t>(acquisitions), std::memory_order_relaxed);
    team_.run_round();  // waking the team publishes the budget to the workers
  }
  int participants() override { return team_.participants(); }
  RoundResult result() override { return RoundResult::of(*arena_, workers_); }

 private:
  int workers_;
  std::unique_ptr<Arena> arena_;
  std::unique_ptr<Lock> lock_;
  ThreadTeam team_;  // last: its threads use the members above
};

std::unique_ptr<Model> make(Algorithm a, int workers, Work work) {
  switch (a) {
    case Algorithm::std_mutex: return std::make_unique<ThreadsLocks<StdMutex>>(workers, work);
    case Algorithm::pthread_spin: return std::make_unique<ThreadsLocks<PthreadSpin>>(workers, work);
    case Algorithm::tas: return std::make_unique<ThreadsLocks<TasLock>>(workers, work);
    case Algorithm::ttas_backoff: return std::make_unique<ThreadsLocks<TtasBackoffLock>>(workers, work);
    case Algorithm::ticket: return std::make_unique<ThreadsLocks<TicketLock>>(workers, work);
    case Algorithm::mcs: return std::make_unique<ThreadsLocks<McsLock>>(workers, work);
    case Algorithm::futex: return std::make_unique<ThreadsLocks<FutexLock>>(workers, work);
  }
  return nullptr;
}

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.algorithms = kAllAlgorithms;
  info.context = pin_context();
  info.make = make;
  return info;
}

}  // namespace parbench::locks
