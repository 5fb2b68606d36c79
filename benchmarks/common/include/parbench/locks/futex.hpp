// A lock that sleeps: Drepper's three-state mutex ("Futexes Are Tricky", mutex 2) on C++20 atomic wait/notify,
// which libstdc++ maps to the futex system call for a 32-bit int on Linux. States: 0 free, 1 held, 2 held and
// maybe waited on. An uncontended acquire and release are one atomic each; a contended release wakes one sleeper.
#pragma once
#include <atomic>

#include "parbench/padded.hpp"

namespace parbench::locks {

class alignas(kDestructiveRange) FutexLock {
 public:
  void lock() {
    int seen = kFree;
    if (state_.compare_exchange_strong(seen, kHeld, std::memory_order_acquire, std::memory_order_relaxed)) return;
    if (seen != kContended) seen = state_.exchange(kContended, std::memory_order_acquire);
    while (seen != kFree) {
      state_.wait(kContended, std::memory_order_relaxed);
      seen = state_.exchange(kContended, std::memory_order_acquire);
    }
  }
  void unlock() {
    if (state_.fetch_sub(1, std::memory_order_release) != kHeld) {
      state_.store(kFree, std::memory_order_release);
      state_.notify_one();
    }
  }

 private:
  static constexpr int kFree = 0, kHeld = 1, kContended = 2;
  std::atomic<int> state_{kFree};
};

}  // namespace parbench::locks
