// classics with std::thread: a persistent, pinned ThreadTeam per case (threads_model.hpp); buffers of
// std::counting_semaphore + std::mutex (the chapter's), std::condition_variable, or a lock-free SPSC ring; forks
// are std::timed_mutex (a timed wait lets the watchdog stop a deadlock), the waiter a std::counting_semaphore;
// the bank's locks std::mutex, or none (atomic).
#include "classics/threads_model.hpp"
#include "parbench/pin.hpp"
#include "parbench/rounds.hpp"

namespace parbench::classics {
namespace {

using ThreadsDinner = Dinner<std::timed_mutex, std::counting_semaphore<kMaxCpuWorkers>>;

std::unique_ptr<Model> make(const Case& c, int workers) {
  switch (c.variant) {
    case Variant::producer_consumer:
      if (c.method == "semaphores") return std::make_unique<ThreadsModel<HandOver<SemaphoreQueue>>>(workers, c.buffer);
      if (c.method == "condvar") return std::make_unique<ThreadsModel<HandOver<CondvarQueue>>>(workers, c.buffer);
      if (split_of(workers).producers != 1 || split_of(workers).consumers != 1)
        throw SkipCase("spsc_ring takes exactly one producer and one consumer (2 workers)");
      return std::make_unique<ThreadsModel<HandOver<SpscQueue>>>(workers, c.buffer);
    case Variant::philosophers:
      return std::make_unique<ThreadsModel<ThreadsDinner>>(workers, dining_of(c.method));
    case Variant::bank:
      return std::make_unique<ThreadsModel<Transfers<std::mutex>>>(workers, banking_of(c.method), c.accounts);
  }
  return nullptr;
}

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.offers = {{Variant::producer_consumer, "semaphores", {1, 5, 64, 1024}},
                 {Variant::producer_consumer, "condvar", {64}},
                 {Variant::producer_consumer, "spsc_ring", {64}},
                 {Variant::philosophers, "ordered", {}},
                 {Variant::philosophers, "waiter", {}},
                 {Variant::philosophers, "trylock", {}},
                 {Variant::bank, "coarse", {}},
                 {Variant::bank, "ordered", {}},
                 {Variant::bank, "atomic", {}}};
  info.context = pin_context();
  info.make = make;
  return info;
}

}  // namespace parbench::classics
