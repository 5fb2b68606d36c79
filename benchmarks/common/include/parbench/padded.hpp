// Cache-line padding. 128 bytes, not 64: adjacent-line prefetchers make neighbouring 64-byte lines share traffic.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace parbench {

inline constexpr std::size_t kDestructiveRange = 128;
inline constexpr std::size_t kCacheLine = 64;

template <class T>
struct alignas(kDestructiveRange) Padded {
  T value{};
};

// An increment only the owner makes, or a deliberately racy one: a separate load and store.
// Relaxed atomics keep it defined behaviour and stop the compiler folding a loop of them into one add, so every
// increment really touches memory and concurrent ones really lose updates.
inline void unsynchronized_increment(std::atomic<std::uint64_t>& cell) {
  cell.store(cell.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

}  // namespace parbench
