// How a spinning waiter waits, shared by the spin locks in this folder (tas, ttas_backoff, ticket, mcs).
#pragma once
#include <sched.h>

#include <cstdint>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace parbench::locks {

// A pause hint between two looks at a lock: frees the core's pipeline (and a hyperthread sibling) without giving
// up the CPU.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#else
  asm volatile("" ::: "memory");
#endif
}

// One waiter's spinning: pauses for the first kPausesBeforeYield looks, then gives up the CPU (sched_yield) at
// every further look. Without the yield, a FIFO lock with more workers than cores hands the lock to a waiter that
// is not running, and every hand-over waits for a scheduler time slice: a ticket lock at 3 workers on 2 cores
// took ~10 s for the verify-only rounds of 4096 acquisitions (0.75 s for 65536 with the yield). Oversubscription
// still costs, and shows, but rounds end. At one worker per core a waiter rarely reaches the yield unless the
// critical section is long.
class SpinWait {
 public:
  static constexpr std::uint32_t kPausesBeforeYield = 128;
  void once() {
    if (spins_ < kPausesBeforeYield) {
      ++spins_;
      cpu_relax();
    } else {
      sched_yield();
    }
  }

 private:
  std::uint32_t spins_ = 0;
};

}  // namespace parbench::locks
