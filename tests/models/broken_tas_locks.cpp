// A locks model whose test-and-set lock does not exclude (its atomic exchange is replaced by a load and a store),
// for the test that a broken lock cannot pass: its case must fail verification (owner check or guarded counter)
// instead of reporting a number.
#include <atomic>

#include "locks/kernels.hpp"
#include "locks/locks.hpp"
#include "parbench/locks/relax.hpp"
#include "parbench/padded.hpp"
#include "parbench/thread_team.hpp"

namespace parbench::locks {
namespace {

class alignas(kDestructiveRange) BrokenTasLock {
 public:
  void lock() {
    while (held_.load(std::memory_order_acquire)) cpu_relax();
    held_.store(true, std::memory_order_relaxed);  // a second worker can pass the load before this store
  }
  void unlock() { held_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> held_{false};
};

class BrokenTasLocks final : public Model {
 public:
  BrokenTasLocks(int workers, const Shape& shape)
      : workers_(workers), team_(workers, [this, shape](int w) { run_worker(lock_, arena_, w, shape); }) {}

  void reset() override { arena_.reset(); }
  void run_round(std::uint64_t acquisitions) override {
    arena_.budget.store(static_cast<std::int64_t>(acquisitions), std::memory_order_relaxed);
    team_.run_round();
  }
  int participants() override { return team_.participants(); }
  RoundResult result() override { return RoundResult::of(arena_, workers_); }

 private:
  int workers_;
  Arena arena_;
  BrokenTasLock lock_;
  ThreadTeam team_;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.algorithms = {{"tas"}};
  info.make = [](const std::string&, int workers, const Shape& shape) {
    return std::make_unique<BrokenTasLocks>(workers, shape);
  };
  return info;
}

}  // namespace parbench::locks
