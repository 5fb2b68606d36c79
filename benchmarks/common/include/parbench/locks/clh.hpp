// CLH queue lock (Craig; Landin and Hagersten): FIFO, each waiter spins on its predecessor's node, and a releaser
// writes only its own node. A holder's node is handed on: after a release the worker owns its predecessor's node
// (nodes are conserved: one per worker plus one owned by the free lock, its tail). Collapses, like MCS, when
// workers outnumber cores: a preempted waiter stalls everyone queued behind it.
//
// The uniform interface (lock()/unlock()) keeps the caller's node in a thread_local holder (one CLH lock held at
// a time per thread). Code whose workers are not threads of one process (the processes model) keeps a Holder per
// worker and the nodes in shared memory, and calls lock(holder)/unlock(holder).
#pragma once
#include <atomic>

#include "parbench/locks/relax.hpp"
#include "parbench/padded.hpp"

namespace parbench::locks {

struct alignas(kDestructiveRange) ClhNode {
  std::atomic<bool> locked{false};  // true while its owner holds or waits for the lock
};

class alignas(kDestructiveRange) ClhLock {
 public:
  // A worker's side of the queue: the node it owns, and while it holds the lock the predecessor's node it waited on.
  struct Holder {
    ClhNode* mine = nullptr;
    ClhNode* predecessor = nullptr;
  };

  // The lock owns a node of its own (its free tail), deleted with it.
  ClhLock() : tail_(new ClhNode), owns_tail_(true) {}
  // The free tail is `initial` (for nodes placed in shared memory by the caller, who keeps them alive).
  explicit ClhLock(ClhNode* initial) : tail_(initial), owns_tail_(false) {}
  ~ClhLock() {
    if (owns_tail_) delete tail_.load();  // whichever node is the tail of the free lock: the one it owns now
  }
  ClhLock(const ClhLock&) = delete;
  ClhLock& operator=(const ClhLock&) = delete;

  void lock() { lock(own_holder().holder); }
  void unlock() { unlock(own_holder().holder); }

  void lock(Holder& h) {
    h.mine->locked.store(true, std::memory_order_relaxed);
    h.predecessor = tail_.exchange(h.mine, std::memory_order_acq_rel);
    SpinWait wait;
    while (h.predecessor->locked.load(std::memory_order_acquire)) wait.once();
  }
  void unlock(Holder& h) {
    ClhNode* released = h.mine;
    h.mine = h.predecessor;  // nobody looks at the predecessor's node any more: it is ours now
    released->locked.store(false, std::memory_order_release);
  }

 private:
  // A thread's holder and its one node, freed when the thread ends (it is then referenced by no lock).
  struct OwnHolder {
    Holder holder{new ClhNode, nullptr};
    ~OwnHolder() { delete holder.mine; }
  };
  static OwnHolder& own_holder() {
    thread_local OwnHolder own;
    return own;
  }
  std::atomic<ClhNode*> tail_;
  bool owns_tail_;
};

}  // namespace parbench::locks
