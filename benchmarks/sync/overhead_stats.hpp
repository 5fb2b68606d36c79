// Statistics of one case's outer repetitions (EPCC's method): the median overhead, the distribution-free 95%
// interval of the median from order statistics (as the harness computes over passes), and the outliers.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace parbench::sync {

struct Summary {
  double median = 0;
  double ci_low = 0, ci_high = 0;  // [x(k), x(n-k+1)]: the largest k whose coverage reaches 95%; [min, max] below 6
  double ci_coverage = 0;          // that pair's exact binomial coverage (not the 95% it aims at)
  int outliers = 0;                // samples outside median +- 3 * 1.4826 * MAD (MAD scaled to a normal's sigma)
  std::size_t n = 0;
};

// P(B <= k) for B ~ Binomial(n, 1/2), in logs so that large n does not underflow.
inline double binomial_half_cdf(std::size_t n, std::size_t k) {
  double total = 0;
  for (std::size_t i = 0; i <= k && i <= n; ++i)
    total += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) - n * std::log(2.0));
  return std::min(total, 1.0);
}

inline double median_of_sorted(const std::vector<double>& sorted) {
  const std::size_t n = sorted.size();
  if (n == 0) return 0;
  return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

inline Summary summarize(std::vector<double> samples) {
  Summary s;
  s.n = samples.size();
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  const std::size_t n = samples.size();
  s.median = median_of_sorted(samples);
  // The largest k (1-based) with coverage 1 - 2 P(B <= k-1) >= 0.95. The CDF is accumulated term by term (one
  // pass, not a sum per k: thousands of repetitions made that quadratic loop take minutes).
  std::size_t best = 0;
  double coverage = 0, cdf = 0;
  const double log_all = std::lgamma(n + 1.0) - n * std::log(2.0);
  for (std::size_t k = 1; 2 * k <= n + 1; ++k) {
    const double i = static_cast<double>(k - 1);
    cdf = std::min(1.0, cdf + std::exp(log_all - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0)));
    const double c = 1 - 2 * cdf;
    if (c < 0.95) break;
    best = k;
    coverage = c;
  }
  if (best == 0) {  // too few samples for 95%: the widest pair, labelled with its true coverage
    best = 1;
    coverage = n > 1 ? 1 - 2 * binomial_half_cdf(n, 0) : 0;
  }
  s.ci_low = samples[best - 1];
  s.ci_high = samples[n - best];
  s.ci_coverage = coverage;
  std::vector<double> deviations;
  deviations.reserve(n);
  for (double x : samples) deviations.push_back(std::fabs(x - s.median));
  std::sort(deviations.begin(), deviations.end());
  const double limit = 3 * 1.4826 * median_of_sorted(deviations);
  for (double x : samples) s.outliers += std::fabs(x - s.median) > limit ? 1 : 0;
  return s;
}

}  // namespace parbench::sync
