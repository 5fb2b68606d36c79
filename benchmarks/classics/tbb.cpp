// classics with oneTBB: a TbbTeam per case (arena threads, pinned, every worker taking part, each on its own
// thread); producer_consumer through tbb::concurrent_bounded_queue (its capacity is the buffer), the bank with
// tbb::spin_mutex per account, or atomics. Philosophers are not offered: oneTBB has no timed lock to build a fork
// the watchdog could stop (threads and processes have them).
#include <oneapi/tbb/concurrent_queue.h>
#include <oneapi/tbb/spin_mutex.h>
#include <oneapi/tbb/version.h>

#include "classics/classics.hpp"
#include "classics/kernels.hpp"
#include "parbench/pin.hpp"
#include "parbench/tbb_team.hpp"

namespace parbench::classics {
namespace {

// tbb::concurrent_bounded_queue: push blocks while `capacity` items wait, pop while none does. abort() wakes
// every blocked push and pop with tbb::user_abort, which is how the watchdog stops a stuck round.
class TbbQueue {
 public:
  TbbQueue(Ring&, std::uint64_t capacity) { queue_.set_capacity(static_cast<std::ptrdiff_t>(capacity)); }
  bool push(std::uint64_t item, const std::atomic<bool>& abort) {
    if (abort.load(std::memory_order_relaxed)) return false;
    try {
      queue_.push(item);
      return true;
    } catch (const tbb::user_abort&) {
      return false;
    }
  }
  bool pop(std::uint64_t& item, const std::atomic<bool>& abort) {
    if (abort.load(std::memory_order_relaxed)) return false;
    try {
      queue_.pop(item);
      return true;
    } catch (const tbb::user_abort&) {
      return false;
    }
  }
  void abort() { queue_.abort(); }

 private:
  tbb::concurrent_bounded_queue<std::uint64_t> queue_;
};

template <class Work>
class TbbModel final : public Model {
 public:
  template <class... WorkArgs>
  explicit TbbModel(int workers, WorkArgs&&... args)
      : work_(std::make_unique<Work>(*arena_, workers, std::forward<WorkArgs>(args)...)), team_(workers) {}

  Arena& arena() override { return *arena_; }
  void run_round(const RoundOrder& order) override {
    arena_->budget.store(static_cast<std::int64_t>(order.size), std::memory_order_relaxed);
    team_.run_round([&](int w) { work_->run(w, order); });
  }
  int participants() override { return team_.participants(); }
  void abort() override {
    Model::abort();
    if constexpr (requires { work_->queue.abort(); }) work_->queue.abort();
  }

 private:
  std::unique_ptr<Arena> arena_ = std::make_unique<Arena>();
  std::unique_ptr<Work> work_;
  TbbTeam team_;
};

std::unique_ptr<Model> make(const Case& c, int workers) {
  if (c.variant == Variant::producer_consumer)
    return std::make_unique<TbbModel<HandOver<TbbQueue>>>(workers, c.buffer);
  return std::make_unique<TbbModel<Transfers<tbb::spin_mutex>>>(workers, banking_of(c.method), c.accounts);
}

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.offers = {{Variant::producer_consumer, "concurrent_bounded_queue", {64}},
                 {Variant::bank, "coarse", {}},
                 {Variant::bank, "ordered", {}},
                 {Variant::bank, "atomic", {}}};
  info.context = pin_context();
  info.context.emplace_back("tbb_version", TBB_VERSION_STRING);
  info.make = make;
  return info;
}

}  // namespace parbench::classics
