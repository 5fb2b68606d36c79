// MCS queue lock (Mellor-Crummey and Scott): FIFO, each waiter spins on its own queue node, so a release touches
// one waiter's line only. Collapses when workers outnumber cores: a preempted waiter stalls everyone behind it.
//
// The uniform interface (lock()/unlock()) keeps the queue node in a thread_local: a thread holds at most one
// McsLock at a time through it (enough for every workload here). Code that holds several MCS locks at once passes
// a node of its own to lock(node)/unlock(node), one node per lock held.
#pragma once
#include <atomic>

#include "parbench/locks/relax.hpp"
#include "parbench/padded.hpp"

namespace parbench::locks {

struct alignas(kDestructiveRange) McsNode {
  std::atomic<McsNode*> next{nullptr};
  std::atomic<bool> waiting{false};
};

class alignas(kDestructiveRange) McsLock {
 public:
  void lock() { lock(own_node()); }
  void unlock() { unlock(own_node()); }

  void lock(McsNode& node) {
    node.next.store(nullptr, std::memory_order_relaxed);
    node.waiting.store(true, std::memory_order_relaxed);
    McsNode* previous = tail_.exchange(&node, std::memory_order_acq_rel);
    if (previous == nullptr) return;
    previous->next.store(&node, std::memory_order_release);
    SpinWait wait;
    while (node.waiting.load(std::memory_order_acquire)) wait.once();
  }
  void unlock(McsNode& node) {
    McsNode* successor = node.next.load(std::memory_order_acquire);
    if (successor == nullptr) {
      McsNode* expected = &node;
      if (tail_.compare_exchange_strong(expected, nullptr, std::memory_order_release, std::memory_order_relaxed))
        return;
      SpinWait wait;
      while ((successor = node.next.load(std::memory_order_acquire)) == nullptr) wait.once();
    }
    successor->waiting.store(false, std::memory_order_release);
  }

 private:
  static McsNode& own_node() {
    thread_local McsNode node;
    return node;
  }
  std::atomic<McsNode*> tail_{nullptr};
};

}  // namespace parbench::locks
