// The locks kernels: the acquisition loops, written once and called by every CPU model with its own lock type,
// so that a model file holds only how its workers start, wake and join. They are templates over the lock (each
// model has its own locks), never inlined, compiled with the kernel placement flags in every benchmark source and
// checked by the test kernel_placement, as counters' count_locked is.
//
// A lock is BasicLockable (lock()/unlock()), or offers run_locked(body) where its idiom cannot be split into
// lock and unlock (OpenMP's critical construct, TBB's scoped locks); a reader-writer lock also has
// lock_shared()/unlock_shared().
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>

#include "locks/locks.hpp"
#include "parbench/locks/relax.hpp"
#include "parbench/padded.hpp"

namespace parbench::locks {

// The calibrated empty loop: n iterations of a register increment the compiler cannot remove or merge (about one
// cycle each). measure_ns_per_iteration() times the same loop for the JSON context.
inline void spin_iterations(std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) asm volatile("" : "+r"(i));
}
[[gnu::noipa]] void work_loop(std::uint64_t n);
double measure_ns_per_iteration();

template <class Lock>
concept SharedLockable = requires(Lock& l) {
  l.lock_shared();
  l.unlock_shared();
};

// Runs `body` holding `lock` exclusively, in the lock's own idiom.
template <class Lock, class Body>
inline void run_locked(Lock& lock, Body&& body) {
  if constexpr (requires { lock.run_locked(body); }) {
    lock.run_locked(body);
  } else {
    lock.lock();
    body();
    lock.unlock();
  }
}

// The read mix's pattern: a worker's acquisitions visit the turns 0..99 in the order t -> (t + 37) mod 100 (37
// is prime to 100, so every 100 consecutive acquisitions take each turn once), starting at a turn that depends
// on the worker; turns below the read share are reads. So exactly read_percent of every 100 are reads, spread out.
inline constexpr std::uint32_t kTurnStep = 37;
inline std::uint32_t first_turn(int worker) { return static_cast<std::uint32_t>(worker) * 7 % 100; }
inline std::uint32_t next_turn(std::uint32_t turn) { return turn + kTurnStep >= 100 ? turn + kTurnStep - 100 : turn + kTurnStep; }
// How many of a worker's first `acquisitions` are writes (for the driver's check that the mix ran as named).
inline std::uint64_t writes_in(std::uint64_t acquisitions, int worker, unsigned read_percent) {
  std::uint64_t writes = acquisitions / 100 * (100 - read_percent);
  std::uint32_t turn = first_turn(worker);
  for (std::uint64_t i = 0; i < acquisitions % 100; ++i, turn = next_turn(turn)) writes += turn >= read_percent ? 1 : 0;
  return writes;
}

// Throughput mode. Worker `worker`'s part of a round: take acquisitions from the shared budget in chunks until it
// is spent; for each, acquire `lock`, check that nobody else holds it (the owner slot), increment the guarded
// counter as a separate relaxed load and store (a lock that does not exclude loses updates; the compiler cannot
// fold them), spin the critical section, check and clear the owner slot, release, and spin the gap. The worker's
// tally is written once, at the end.
template <class Lock>
[[gnu::noinline]] void acquire_loop(Lock& lock, Arena& arena, int worker, Work work) {
  std::uint64_t acquired = 0, violations = 0;
  for (;;) {
    const std::int64_t left = arena.budget.fetch_sub(static_cast<std::int64_t>(kBudgetChunk), std::memory_order_relaxed);
    if (left <= 0) break;
    const std::uint64_t take = std::min<std::uint64_t>(kBudgetChunk, static_cast<std::uint64_t>(left));
    for (std::uint64_t i = 0; i < take; ++i) {
      run_locked(lock, [&] {
        violations += arena.owner.exchange(worker, std::memory_order_relaxed) != -1 ? 1 : 0;
        unsynchronized_increment(arena.counter);
        spin_iterations(work.critical_section);
        violations += arena.owner.exchange(-1, std::memory_order_relaxed) != worker ? 1 : 0;
      });
      spin_iterations(work.gap);
    }
    acquired += take;
  }
  arena.tallies[worker].value = Arena::Tally{acquired, acquired, violations, 0};
}

// Throughput mode under a read-mostly mix, for a reader-writer lock: read_percent of the acquisitions (the turn
// pattern above) take the lock shared, look that no writer is inside, read the guarded counter, spin the critical
// section and read the second guarded word, which must equal the first (a writer changes both, the critical
// section apart); the others take it exclusively, as acquire_loop does, incrementing both words.
template <class Lock>
[[gnu::noinline]] void read_mix_loop(Lock& lock, Arena& arena, int worker, Work work, unsigned read_percent) {
  std::uint64_t acquired = 0, writes = 0, violations = 0, torn = 0;
  std::uint32_t turn = first_turn(worker);
  for (;;) {
    const std::int64_t left = arena.budget.fetch_sub(static_cast<std::int64_t>(kBudgetChunk), std::memory_order_relaxed);
    if (left <= 0) break;
    const std::uint64_t take = std::min<std::uint64_t>(kBudgetChunk, static_cast<std::uint64_t>(left));
    for (std::uint64_t i = 0; i < take; ++i, turn = next_turn(turn)) {
      if (turn < read_percent) {
        lock.lock_shared();
        violations += arena.owner.load(std::memory_order_relaxed) != -1 ? 1 : 0;
        const std::uint64_t first = arena.counter.load(std::memory_order_relaxed);
        spin_iterations(work.critical_section);
        torn += arena.second.load(std::memory_order_relaxed) != first ? 1 : 0;
        lock.unlock_shared();
      } else {
        lock.lock();
        violations += arena.owner.exchange(worker, std::memory_order_relaxed) != -1 ? 1 : 0;
        unsynchronized_increment(arena.counter);
        spin_iterations(work.critical_section);
        unsynchronized_increment(arena.second);
        violations += arena.owner.exchange(-1, std::memory_order_relaxed) != worker ? 1 : 0;
        lock.unlock();
        ++writes;
      }
      spin_iterations(work.gap);
    }
    acquired += take;
  }
  arena.tallies[worker].value = Arena::Tally{acquired, writes, violations, torn};
}

// Latency mode, one worker: the whole budget as back-to-back exclusive acquire + guarded increment + release,
// nobody else near the lock (no owner check: with one worker it cannot fail, and its two atomic exchanges would
// cost more than an uncontended lock).
template <class Lock>
[[gnu::noinline]] void latency_loop(Lock& lock, Arena& arena) {
  const auto n = static_cast<std::uint64_t>(arena.budget.exchange(0, std::memory_order_relaxed));
  for (std::uint64_t i = 0; i < n; ++i) run_locked(lock, [&] { unsynchronized_increment(arena.counter); });
  arena.tallies[0].value = Arena::Tally{n, n, 0, 0};
}

// Waits until all `workers` have arrived at the round's start line (Arena::arrived, zeroed by reset()).
inline void wait_at_start_line(Arena& arena, int workers) {
  arena.arrived.fetch_add(1, std::memory_order_acq_rel);
  SpinWait wait;
  while (arena.arrived.load(std::memory_order_acquire) < workers) wait.once();
}

// A worker's part of a round in the case's mode: what every CPU model's worker calls.
template <class Lock>
void run_worker(Lock& lock, Arena& arena, int worker, const Shape& shape) {
  if (shape.mode != Mode::latency) wait_at_start_line(arena, shape.workers);
  if (shape.mode == Mode::latency) {
    latency_loop(lock, arena);
  } else if constexpr (SharedLockable<Lock>) {
    read_mix_loop(lock, arena, worker, shape.work, shape.read_percent);
  } else {
    acquire_loop(lock, arena, worker, shape.work);
  }
}

}  // namespace parbench::locks
