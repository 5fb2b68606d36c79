// Test-and-set: every attempt is an atomic exchange, so waiters keep the lock's line bouncing between cores.
#pragma once
#include <atomic>

#include "parbench/locks/relax.hpp"
#include "parbench/padded.hpp"

namespace parbench::locks {

class alignas(kDestructiveRange) TasLock {
 public:
  void lock() {
    SpinWait wait;
    while (held_.exchange(true, std::memory_order_acquire)) wait.once();
  }
  void unlock() { held_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> held_{false};
};

}  // namespace parbench::locks
