// A lock that sleeps: Drepper's three-state mutex ("Futexes Are Tricky", mutex 2). States: 0 free, 1 held, 2 held
// and maybe waited on. An uncontended acquire and release are one atomic each; a contended release wakes one
// sleeper. How a waiter sleeps is a policy:
// - FutexLock (threads of one process): C++20 atomic wait/notify, which libstdc++ maps to a private futex for a
//   32-bit int on Linux, after a short spin, and skips the wake when its process-local table has no waiter.
// - SharedFutexLock (a word in shared memory, workers in several processes): the futex system call itself with
//   FUTEX_WAIT/FUTEX_WAKE without FUTEX_PRIVATE_FLAG, so the kernel keys the wait queue on the shared page and
//   a wake from one process reaches a sleeper in another. libstdc++'s atomic wait would not: its private futex
//   and its per-process waiter count lose cross-process wakes (the sleeper would sleep for ever).
#pragma once
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

#include "parbench/padded.hpp"

namespace parbench::locks {

struct AtomicWaitSleep {
  static void wait(std::atomic<int>& word, int expected) { word.wait(expected, std::memory_order_relaxed); }
  static void wake_one(std::atomic<int>& word) { word.notify_one(); }
};

struct SharedFutexSleep {
  static_assert(sizeof(std::atomic<int>) == sizeof(int) && std::atomic<int>::is_always_lock_free);
  static void wait(std::atomic<int>& word, int expected) {
    syscall(SYS_futex, reinterpret_cast<int*>(&word), FUTEX_WAIT, expected, nullptr, nullptr, 0);  // EAGAIN/EINTR: look again
  }
  static void wake_one(std::atomic<int>& word) {
    syscall(SYS_futex, reinterpret_cast<int*>(&word), FUTEX_WAKE, 1, nullptr, nullptr, 0);
  }
};

template <class Sleep>
class alignas(kDestructiveRange) BasicFutexLock {
 public:
  void lock() {
    int seen = kFree;
    if (state_.compare_exchange_strong(seen, kHeld, std::memory_order_acquire, std::memory_order_relaxed)) return;
    if (seen != kContended) seen = state_.exchange(kContended, std::memory_order_acquire);
    while (seen != kFree) {
      Sleep::wait(state_, kContended);
      seen = state_.exchange(kContended, std::memory_order_acquire);
    }
  }
  void unlock() {
    if (state_.fetch_sub(1, std::memory_order_release) != kHeld) {
      state_.store(kFree, std::memory_order_release);
      Sleep::wake_one(state_);
    }
  }

 private:
  static constexpr int kFree = 0, kHeld = 1, kContended = 2;
  std::atomic<int> state_{kFree};
};

using FutexLock = BasicFutexLock<AtomicWaitSleep>;
using SharedFutexLock = BasicFutexLock<SharedFutexSleep>;

}  // namespace parbench::locks
