// locks with std::thread: a persistent, pinned ThreadTeam per case (the caller is worker 0), every algorithm of
// benchmarks/common/include/parbench/locks/ (shared_mutex under the read-mostly mix).
#include <stdexcept>

#include "locks/kernels.hpp"
#include "locks/locks.hpp"
#include "parbench/locks/clh.hpp"
#include "parbench/locks/futex.hpp"
#include "parbench/locks/mcs.hpp"
#include "parbench/locks/pthread_spin.hpp"
#include "parbench/locks/shared_mutex.hpp"
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
  ThreadsLocks(int workers, const Shape& shape)
      : workers_(workers), arena_(std::make_unique<Arena>()), lock_(std::make_unique<Lock>()),
        team_(workers, [this, shape](int w) { run_worker(*lock_, *arena_, w, shape); }) {}

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

template <class Lock>
std::unique_ptr<Model> make(int workers, const Shape& shape) {
  return std::make_unique<ThreadsLocks<Lock>>(workers, shape);
}

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.algorithms = {{"std_mutex"}, {"pthread_spin"}, {"tas"},   {"ttas_backoff"},       {"ticket"},
                     {"mcs"},       {"clh"},          {"futex"}, {"shared_mutex", true}};
  info.context = pin_context();
  info.make = [](const std::string& name, int workers, const Shape& shape) -> std::unique_ptr<Model> {
    if (name == "std_mutex") return make<StdMutex>(workers, shape);
    if (name == "pthread_spin") return make<PthreadSpin>(workers, shape);
    if (name == "tas") return make<TasLock>(workers, shape);
    if (name == "ttas_backoff") return make<TtasBackoffLock>(workers, shape);
    if (name == "ticket") return make<TicketLock>(workers, shape);
    if (name == "mcs") return make<McsLock>(workers, shape);
    if (name == "clh") return make<ClhLock>(workers, shape);
    if (name == "futex") return make<FutexLock>(workers, shape);
    if (name == "shared_mutex") return make<SharedMutex>(workers, shape);
    throw std::logic_error("no threads lock named " + name);
  };
  return info;
}

}  // namespace parbench::locks
