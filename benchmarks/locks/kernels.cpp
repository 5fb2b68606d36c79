// Compiled into the locks_kernels library with -falign-functions=64 -falign-loops=64 (see CMakeLists.txt).
#include "locks/kernels.hpp"

#include <chrono>

namespace parbench::locks {

void work_loop(std::uint64_t n) { spin_iterations(n); }

// The fastest of a few samples of 2^20 iterations (preemption and frequency dips only make a sample slower).
double measure_ns_per_iteration() {
  constexpr std::uint64_t kIterations = 1u << 20;
  double best = 0;
  for (int sample = 0; sample < 8; ++sample) {
    const auto start = std::chrono::steady_clock::now();
    work_loop(kIterations);
    const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    if (sample == 0 || ns < best) best = ns;
  }
  return best / static_cast<double>(kIterations);
}

}  // namespace parbench::locks
