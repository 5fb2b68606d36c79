// Test-and-test-and-set with exponential backoff: waiters read the line (shared, no traffic) until the lock looks
// free, then try one exchange; a failed try waits twice as long as the last one, up to a cap. Unfair by design:
// the releasing worker often takes the lock again before a backed-off waiter looks.
#pragma once
#include <atomic>
#include <cstdint>

#include "parbench/locks/relax.hpp"
#include "parbench/padded.hpp"

namespace parbench::locks {

class alignas(kDestructiveRange) TtasBackoffLock {
 public:
  static constexpr std::uint32_t kMinPauses = 4;
  static constexpr std::uint32_t kMaxPauses = 1024;  // the cap

  void lock() {
    std::uint32_t pauses = kMinPauses;
    SpinWait wait;
    for (;;) {
      while (held_.load(std::memory_order_relaxed)) wait.once();
      if (!held_.exchange(true, std::memory_order_acquire)) return;
      for (std::uint32_t i = 0; i < pauses; ++i) cpu_relax();
      pauses = pauses < kMaxPauses ? pauses * 2 : kMaxPauses;
    }
  }
  void unlock() { held_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> held_{false};
};

}  // namespace parbench::locks
