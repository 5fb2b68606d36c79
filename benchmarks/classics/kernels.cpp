// Compiled into the classics_kernels library with the kernel placement flags (parbench_add_workload).
#include "classics/kernels.hpp"

#include "parbench/rounds.hpp"

namespace parbench::classics {

std::uint64_t expected_checksum(std::uint64_t items, int producers) {
  std::uint64_t sum = 0;
  for (int p = 0; p < producers; ++p) {
    const std::uint64_t count = share_of(items, producers, p);
    for (std::uint64_t s = 0; s < count; ++s) sum += mix(item_of(p, s));
  }
  return sum;
}

}  // namespace parbench::classics
