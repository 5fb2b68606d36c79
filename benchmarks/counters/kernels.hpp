// The counters kernels: each variant's loop, written once and called by every CPU model, so that a model file
// holds only how its workers start, split, wake and join. Copies of the same loop in each model landed
// differently in the binary and changed the 1-worker figure by 2x between models.
//
// Placement is deterministic: the non-template kernels live in kernels.cpp, compiled once into a library with
// function and loop alignment of 64 bytes (a loop that straddles a 64-byte boundary can take two cycles per
// increment instead of one); the lock-templated kernel gets the same flags in every benchmark source. The test
// kernel_placement checks the built executables.
#pragma once
#include <atomic>
#include <cstdint>
#include <mutex>

#include "counters/counters.hpp"
#include "parbench/padded.hpp"

namespace parbench::counters {

// n increments of a shared counter as a separate load and store: concurrent workers lose updates.
[[gnu::noipa]] void count_racy(std::atomic<std::uint64_t>& counter, std::uint64_t n);
// n atomic read-modify-write increments of a shared counter.
[[gnu::noipa]] void count_atomic(std::atomic<std::uint64_t>& counter, std::uint64_t n);
// n increments of a cell only this worker writes (sharded, false_sharing), each one a load and a store.
[[gnu::noipa]] void count_owned(std::atomic<std::uint64_t>& cell, std::uint64_t n);

// n increments of `guarded`, each under `lock` (any BasicLockable). The increment is a separate relaxed load and
// store, which the compiler cannot fold: with a lock that does not exclude, concurrent workers lose updates and
// verification fails (a plain integer let GCC fold a no-op lock's loop into one add, which passed).
// Not inlined, so that every model's copy has the same shape and the placement test can find it.
template <class Lock>
[[gnu::noinline]] void count_locked(Lock& lock, std::atomic<std::uint64_t>& guarded, std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) {
    std::lock_guard<Lock> hold(lock);
    unsynchronized_increment(guarded);
  }
}

// Worker `worker`'s part of a round of variant v: n increments on the variant's cells.
template <class Lock>
void count_variant(Variant v, Cells& cells, Lock& lock, int worker, std::uint64_t n) {
  switch (v) {
    case Variant::racy: count_racy(cells.shared, n); break;
    case Variant::atomic: count_atomic(cells.shared, n); break;
    case Variant::locked: count_locked(lock, cells.guarded, n); break;
    case Variant::sharded:
    case Variant::false_sharing: count_owned(cells.own(v, worker), n); break;
  }
}

}  // namespace parbench::counters
