#include "parbench/cpu_clock.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace parbench {
namespace {

constexpr int kAddsPerIteration = 8;
constexpr std::uint64_t kIterationsPerSample = 1 << 17;  // ~1 M adds: ~0.3 ms, shorter than a scheduler slice
constexpr int kSamples = 32;
constexpr auto kWarmUp = std::chrono::milliseconds(50);  // lets the core leave an idle frequency first

// A chain of dependent register-register adds: one cycle each on every current x86-64 and AArch64 core (an add
// of a register, unlike an add of a small immediate, is not folded by the renamer). The empty asm hides each
// intermediate value from the compiler, so it cannot merge the adds.
[[gnu::noinline]] std::uint64_t add_chain(std::uint64_t iterations, std::uint64_t step) {
  std::uint64_t x = 0;
  for (std::uint64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 8
    for (int k = 0; k < kAddsPerIteration; ++k) {
      x += step;
      asm volatile("" : "+r"(x));
    }
  }
  return x;
}

// Preemption and frequency dips only make a sample slower, so the fastest sample is the clock.
double fastest_sample_hz() {
  using clock = std::chrono::steady_clock;
  std::uint64_t step = 1;
  asm volatile("" : "+r"(step));  // unknown to the compiler: no constant folding of the chain
  double best_hz = 0;
  for (int s = 0; s < kSamples; ++s) {
    const auto start = clock::now();
    add_chain(kIterationsPerSample, step);
    const double seconds = std::chrono::duration<double>(clock::now() - start).count();
    if (seconds > 0) best_hz = std::max(best_hz, kIterationsPerSample * kAddsPerIteration / seconds);
  }
  return best_hz;
}

CpuClock measure() {
  const auto warm_until = std::chrono::steady_clock::now() + kWarmUp;
  while (std::chrono::steady_clock::now() < warm_until) fastest_sample_hz();
  const double hz = fastest_sample_hz();
  return {hz, "timed chain of dependent register adds (1 cycle each), fastest of " + std::to_string(kSamples) +
                  " samples of " + std::to_string(kIterationsPerSample * kAddsPerIteration) + " adds after a " +
                  std::to_string(kWarmUp.count()) + " ms warm-up"};
}

}  // namespace

const CpuClock& measured_cpu_clock() {
  static const CpuClock clock = measure();
  return clock;
}

double cpu_hz_now() { return fastest_sample_hz(); }

}  // namespace parbench
