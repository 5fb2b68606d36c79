// Compiled into the counters_kernels library with -falign-functions=64 -falign-loops=64 (see CMakeLists.txt).
// noipa keeps each kernel a real call with its own code: no inlining into a model, no cloning, and no merging
// of count_racy and count_owned, whose bodies are the same.
#include "counters/kernels.hpp"

namespace parbench::counters {

void count_racy(std::atomic<std::uint64_t>& counter, std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) unsynchronized_increment(counter);
}

void count_atomic(std::atomic<std::uint64_t>& counter, std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) counter.fetch_add(1, std::memory_order_relaxed);
}

void count_owned(std::atomic<std::uint64_t>& cell, std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) unsynchronized_increment(cell);
}

}  // namespace parbench::counters
