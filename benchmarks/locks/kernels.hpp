// The locks kernel: the acquisition loop, written once and called by every CPU model with its own lock type, so
// that a model file holds only how its workers start, wake and join. It is a template over the lock (each model
// has its own locks), never inlined, compiled with the kernel placement flags in every benchmark source and
// checked by the test kernel_placement, as counters' count_locked is.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>

#include "locks/locks.hpp"
#include "parbench/padded.hpp"

namespace parbench::locks {

// The calibrated empty loop: n iterations of a register increment the compiler cannot remove or merge (about one
// cycle each). measure_ns_per_iteration() times the same loop for the JSON context.
inline void spin_iterations(std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) asm volatile("" : "+r"(i));
}
[[gnu::noipa]] void work_loop(std::uint64_t n);
double measure_ns_per_iteration();

// Worker `worker`'s part of a round: take acquisitions from the shared budget in chunks until it is spent; for
// each, acquire `lock`, check that nobody else holds it (the owner slot), increment the guarded counter as a
// separate relaxed load and store (a lock that does not exclude loses updates; the compiler cannot fold them),
// spin the critical section, check and clear the owner slot, release, and spin the gap. The worker's tally
// (acquisitions, owner violations) is written once, at the end.
template <class Lock>
[[gnu::noinline]] void acquire_loop(Lock& lock, Arena& arena, int worker, Work work) {
  std::uint64_t acquired = 0, violations = 0;
  for (;;) {
    const std::int64_t left = arena.budget.fetch_sub(static_cast<std::int64_t>(kBudgetChunk), std::memory_order_relaxed);
    if (left <= 0) break;
    const std::uint64_t take = std::min<std::uint64_t>(kBudgetChunk, static_cast<std::uint64_t>(left));
    for (std::uint64_t i = 0; i < take; ++i) {
      lock.lock();
      violations += arena.owner.exchange(worker, std::memory_order_relaxed) != -1 ? 1 : 0;
      unsynchronized_increment(arena.counter);
      spin_iterations(work.critical_section);
      violations += arena.owner.exchange(-1, std::memory_order_relaxed) != worker ? 1 : 0;
      lock.unlock();
      spin_iterations(work.gap);
    }
    acquired += take;
  }
  arena.tallies[worker].value = Arena::Tally{acquired, violations};
}

}  // namespace parbench::locks
