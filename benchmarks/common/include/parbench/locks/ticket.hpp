// Ticket lock: FIFO. A worker takes the next ticket and spins reading `serving` until it is its turn; the holder
// releases by advancing `serving`. Fair, but every release invalidates every waiter's copy of the line.
#pragma once
#include <atomic>
#include <cstdint>

#include "parbench/locks/relax.hpp"
#include "parbench/padded.hpp"

namespace parbench::locks {

class alignas(kDestructiveRange) TicketLock {
 public:
  void lock() {
    const std::uint32_t mine = next_.fetch_add(1, std::memory_order_relaxed);
    SpinWait wait;
    while (serving_.load(std::memory_order_acquire) != mine) wait.once();
  }
  // Only the holder writes `serving`, so a load and a store suffice.
  void unlock() { serving_.store(serving_.load(std::memory_order_relaxed) + 1, std::memory_order_release); }

 private:
  std::atomic<std::uint32_t> next_{0};
  std::atomic<std::uint32_t> serving_{0};
};

}  // namespace parbench::locks
