"""Summary statistics over repetition samples, computed once for every verb.

The interval of the median is distribution-free: a pair of order statistics [x_(k), x_(n-k+1)] covers the true
median with probability P(k <= B <= n-k), B ~ Binomial(n, 1/2), for any continuous distribution (with ties, at
least that). It is labelled with that exact coverage, never with the 95% it aims at."""
import fractions
import math
import statistics

TARGET_COVERAGE = fractions.Fraction(95, 100)


def median(samples):
    return statistics.median(samples) if samples else None


def coverage(n, k):
    """Exact coverage of [x_(k), x_(n-k+1)] (1-based ranks) for the median of n samples: 1 - 2 P(B <= k-1)."""
    tail = sum(math.comb(n, j) for j in range(k))
    return float(1 - fractions.Fraction(2 * tail, 2 ** n))


def depth(n):
    """The largest rank k with coverage(n, k) >= 95%, or 1 ([min, max]) when no pair reaches 95% (n < 6)."""
    total, tail, k = 2 ** n, 1, 1  # tail = sum of C(n, j) for j < k
    while k + 1 <= (n + 1) // 2:
        wider = tail + math.comb(n, k)
        if fractions.Fraction(total - 2 * wider, total) < TARGET_COVERAGE:
            break
        tail, k = wider, k + 1
    return k


def interval(samples):
    """(ci, coverage): the order-statistic interval of the median that aims at >= 95%, and its exact coverage.

    With fewer than 6 samples no pair reaches 95%; the interval is then [min, max] with coverage 1 - 2**(1-n)
    (0 for one sample, 75% for 3, 93.75% for 5). (None, None) without samples."""
    n = len(samples)
    if n == 0:
        return None, None
    xs = sorted(samples)
    k = depth(n)
    return [xs[k - 1], xs[n - k]], coverage(n, k)


def cv(samples):
    """Coefficient of variation (sample standard deviation / mean); None below two samples or at mean 0."""
    if len(samples) < 2:
        return None
    mean = statistics.fmean(samples)
    if mean == 0:
        return None
    return statistics.stdev(samples) / abs(mean)


def summarize(samples):
    """The statistics of a record or a counter: median, ci, ci_coverage, cv."""
    ci, ci_coverage = interval(samples)
    return {"median": median(samples), "ci": ci, "ci_coverage": ci_coverage, "cv": cv(samples)}
