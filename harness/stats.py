"""Summary statistics over repetition samples, computed once for every verb."""
import math
import statistics


def median(samples):
    return statistics.median(samples) if samples else None


def median_ci95(samples):
    """Distribution-free 95% confidence interval of the median (binomial order statistics).

    With fewer than 6 samples no pair of order statistics reaches 95%; the interval is then [min, max],
    whose coverage is 1 - 2**(1-n) (94% for n = 5)."""
    n = len(samples)
    if n == 0:
        return None
    xs = sorted(samples)
    if n < 6:
        return [xs[0], xs[-1]]
    # Largest k with P(B <= k-1) <= 0.025 for B ~ Binomial(n, 1/2): then [x_(k), x_(n-k+1)] covers >= 95%.
    cumulative, k = 0.0, 0
    for j in range(n + 1):
        cumulative += math.comb(n, j) / 2 ** n
        if cumulative > 0.025:
            k = j
            break
    k = max(k, 1)
    return [xs[k - 1], xs[n - k]]


def cv(samples):
    """Coefficient of variation (sample standard deviation / mean); None below two samples or at mean 0."""
    if len(samples) < 2:
        return None
    mean = statistics.fmean(samples)
    if mean == 0:
        return None
    return statistics.stdev(samples) / abs(mean)


def summarize(samples):
    return {"median": median(samples), "ci95": median_ci95(samples), "cv": cv(samples)}
