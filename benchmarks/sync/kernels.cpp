// Compiled into the sync_kernels library with -falign-functions=64 -falign-loops=64 (parbench_add_workload).
#include "sync/kernels.hpp"

#include <chrono>

namespace parbench::sync {

void delay(std::uint64_t iterations) {
  for (std::uint64_t i = 0; i < iterations; ++i) asm volatile("" : "+r"(i));
}

void reference_loop(Shape shape) {
  for (std::uint64_t i = 0; i < shape.inner; ++i) delay(shape.delay);
}

// The fastest of a few samples of 2^20 iterations (preemption and frequency dips only make a sample slower).
double measure_ns_per_iteration() {
  constexpr std::uint64_t kIterations = 1u << 20;
  double best = 0;
  for (int sample = 0; sample < 8; ++sample) {
    const auto start = std::chrono::steady_clock::now();
    delay(kIterations);
    const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    if (sample == 0 || ns < best) best = ns;
  }
  return best / static_cast<double>(kIterations);
}

}  // namespace parbench::sync
