// A classics model with deliberately broken methods, for the tests that a broken solution cannot pass (never
// built into build/bin):
//   producer_consumer/method:duplicating  the buffer takes each producer's first item twice (one item duplicated,
//                                          the last one left behind): the checksum and order checks must fail it
//   producer_consumer/method:dropping      the buffer drops each producer's second item: the consumers wait for an
//                                          item that never comes, and the watchdog must fail the round
//   philosophers/method:naive              left fork, then right, with everyone holding a left fork before anyone
//                                          reaches for a right one (a start line): a certain deadlock the watchdog
//                                          must catch as "deadlock detected"
//   bank/method:unlocked                   the coarse method with a lock that does nothing: concurrent transfers
//                                          lose money, and conservation must fail
#include "classics/threads_model.hpp"

namespace parbench::classics {
namespace {

constexpr std::uint64_t kSequenceMask = (std::uint64_t{1} << kSequenceBits) - 1;

class DuplicatingQueue : public SemaphoreQueue {
 public:
  using SemaphoreQueue::SemaphoreQueue;
  bool push(std::uint64_t item, const std::atomic<bool>& abort) {
    if ((item & kSequenceMask) == 0 && !SemaphoreQueue::push(item, abort)) return false;
    return SemaphoreQueue::push(item, abort);
  }
};

class DroppingQueue : public SemaphoreQueue {
 public:
  using SemaphoreQueue::SemaphoreQueue;
  bool push(std::uint64_t item, const std::atomic<bool>& abort) {
    return (item & kSequenceMask) == 1 ? true : SemaphoreQueue::push(item, abort);
  }
};

struct NoLock {
  void lock() {}
  void unlock() {}
};

using NaiveDinner = Dinner<std::timed_mutex, std::counting_semaphore<kMaxCpuWorkers>>;

std::unique_ptr<Model> make(const Case& c, int workers) {
  if (c.method == "duplicating") return std::make_unique<ThreadsModel<HandOver<DuplicatingQueue>>>(workers, c.buffer);
  if (c.method == "dropping") return std::make_unique<ThreadsModel<HandOver<DroppingQueue>>>(workers, c.buffer);
  if (c.method == "naive") return std::make_unique<ThreadsModel<NaiveDinner>>(workers, Dining::naive);
  return std::make_unique<ThreadsModel<Transfers<NoLock>>>(workers, Banking::coarse, c.accounts);
}

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.offers = {{Variant::producer_consumer, "duplicating", {64}},
                 {Variant::producer_consumer, "dropping", {64}},
                 {Variant::philosophers, "naive", {}},
                 {Variant::bank, "unlocked", {}}};
  info.make = make;
  return info;
}

}  // namespace parbench::classics
