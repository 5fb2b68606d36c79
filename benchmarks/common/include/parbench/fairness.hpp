// Fairness of per-worker counts (locks' acquisitions, classics' meals): Jain's index (sum x)^2 / (n * sum x^2),
// 1 when every worker got the same and 1/n when one worker got everything, and each worker's share of the total.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

namespace parbench {

inline double jain_index(const std::vector<std::uint64_t>& counts) {
  double sum = 0, squares = 0;
  for (std::uint64_t c : counts) {
    sum += static_cast<double>(c);
    squares += static_cast<double>(c) * static_cast<double>(c);
  }
  if (counts.empty() || squares == 0) return 0;
  return sum * sum / (static_cast<double>(counts.size()) * squares);
}

struct Shares {
  double min = 0, max = 0;  // the smallest and largest worker's fraction of the total
};

inline Shares shares(const std::vector<std::uint64_t>& counts) {
  std::uint64_t total = 0;
  for (std::uint64_t c : counts) total += c;
  if (counts.empty() || total == 0) return {};
  const auto [lo, hi] = std::minmax_element(counts.begin(), counts.end());
  return {static_cast<double>(*lo) / static_cast<double>(total), static_cast<double>(*hi) / static_cast<double>(total)};
}

}  // namespace parbench
