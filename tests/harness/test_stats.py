"""The interval of the median and its coverage, the record statistics, the speedup's bootstrap interval and the
noisy flag."""
import math
import random
import statistics

import pytest

from harness import derive, stats


def test_interval_of_no_samples_is_none():
    assert stats.interval([]) == (None, None)
    assert stats.summarize([]) == {"median": None, "ci": None, "ci_coverage": None, "cv": None}


@pytest.mark.parametrize("samples, ci, coverage", [
    ([3.0], [3.0, 3.0], 0.0),             # one sample: a point, which covers a continuous median with probability 0
    ([5, 1, 3], [1, 5], 0.75),            # the quick profile's 3 samples: [min, max] covers 75%, not 95%
    ([4, 2, 1, 3], [1, 4], 0.875),
    ([1, 2, 3, 4, 5], [1, 5], 0.9375),    # the default profile's 5
    ([6, 1, 5, 2, 4, 3], [1, 6], 0.96875),  # 6 samples: the first n where [min, max] reaches 95%
    (list(range(1, 10)), [2, 8], 0.9609375),  # 9: one in from each end
    (list(range(1, 21)), [6, 15], 0.9586105346679688),
])
def test_interval_and_its_exact_coverage(samples, ci, coverage):
    got_ci, got_coverage = stats.interval(samples)
    assert got_ci == ci
    assert got_coverage == pytest.approx(coverage, abs=1e-12)


def binomial_coverage(n, k):
    """P(k <= B <= n - k) for B ~ Binomial(n, 1/2), summed directly."""
    return sum(math.comb(n, j) for j in range(k, n - k + 1)) / 2 ** n


@pytest.mark.parametrize("n", range(1, 61))
def test_coverage_is_the_binomial_probability_of_the_chosen_pair(n):
    samples = list(range(n))
    ci, coverage = stats.interval(samples)
    k = ci[0] + 1  # ranks are 1-based; samples[i] == i
    assert ci[1] == n - k  # symmetric pair x_(k), x_(n-k+1)
    assert coverage == pytest.approx(binomial_coverage(n, k), abs=1e-12)
    if n >= 6:
        assert coverage >= 0.95
        # the deepest such pair: one rank further in would fall below 95%
        assert k + 1 > (n + 1) // 2 or binomial_coverage(n, k + 1) < 0.95
    else:
        assert k == 1 and coverage == pytest.approx(1 - 2 ** (1 - n))


@pytest.mark.parametrize("n", [3, 5, 10, 30])
def test_stated_coverage_matches_simulation(n):
    """With a fixed seed (no timing involved): the share of simulated samples whose interval holds the true
    median is the stated coverage, within simulation error."""
    rng = random.Random(n)
    trials, hits, coverage = 20000, 0, None
    for _ in range(trials):
        samples = [rng.expovariate(1.0) for _ in range(n)]  # skewed; true median ln 2
        ci, coverage = stats.interval(samples)
        hits += ci[0] <= math.log(2) <= ci[1]
    assert hits / trials == pytest.approx(coverage, abs=4 * math.sqrt(coverage * (1 - coverage) / trials) + 1e-3)


def test_summarize_keys_and_values():
    summary = stats.summarize([19.6, 20.1, 19.4])
    assert list(summary) == ["median", "ci", "ci_coverage", "cv"]
    assert summary["median"] == 19.6 and summary["ci"] == [19.4, 20.1] and summary["ci_coverage"] == 0.75
    assert summary["cv"] == pytest.approx(statistics.stdev([19.6, 20.1, 19.4]) / statistics.fmean([19.6, 20.1, 19.4]))
    assert stats.cv([1.0]) is None and stats.cv([2.0, 2.0]) == 0.0 and stats.cv([-1.0, 1.0]) is None
    assert stats.median([3, 1, 2]) == 2 and stats.median([]) is None
    assert not hasattr(stats, "median_ci95"), "the 95%-labelled interval is gone; use interval() and its coverage"


# ----- derive -----
def record(model, workers, samples, direction="lower", status="ok", variant="v"):
    r = {"id": f"w/{model}/{variant}/workers:{workers}", "workload": "w", "model": model, "variant": variant,
         "params": {}, "workers": workers, "status": status, "samples": samples if status == "ok" else [],
         "metric": {"name": "m", "unit": "ns", "direction": direction}}
    r.update(stats.summarize(r["samples"]))
    return r


def test_speedup_interval_brackets_the_speedup_and_is_reproducible():
    rs = [record("a", 1, [100.0, 101.0, 99.0, 100.5, 99.5]), record("a", 2, [60.0, 62.0, 59.0, 61.0, 60.5]),
          record("b", 1, [80.0, 81.0, 79.0, 80.5, 79.5]), record("b", 2, [50.0, 50.0])]
    derive.apply(rs)
    a2 = rs[1]["derived"]
    assert a2["speedup"] == pytest.approx(100 / 60.5)
    low, high = a2["speedup_ci"]
    assert low <= a2["speedup"] <= high
    assert 99 / 62 <= low and high <= 101 / 59  # a ratio of resampled medians stays within the extremes
    assert rs[0]["derived"]["speedup"] == 1 and rs[0]["derived"]["speedup_ci"] == [1.0, 1.0]
    # against the best 1-worker median of any model (b's 80)
    assert a2["speedup_vs_best_serial"] == pytest.approx(80 / 60.5)
    vs_low, vs_high = a2["speedup_vs_best_serial_ci"]
    assert vs_low <= a2["speedup_vs_best_serial"] <= vs_high
    assert rs[2]["derived"]["speedup_vs_best_serial_ci"] == [1.0, 1.0]
    # the same samples give the same interval on every save
    again = [dict(r) for r in rs]
    derive.apply(again)
    assert again[1]["derived"] == a2


def test_speedup_interval_needs_two_samples_on_each_side():
    rs = [record("a", 1, [100.0]), record("a", 2, [60.0, 61.0, 59.0])]
    derive.apply(rs)
    assert rs[1]["derived"]["speedup"] == pytest.approx(100 / 60) and rs[1]["derived"]["speedup_ci"] is None
    assert derive.ratio_ci([1.0, 2.0], [3.0]) is None


def test_speedup_interval_of_a_rate_and_of_constant_samples():
    rate = [record("a", 1, [10.0, 10.0, 10.0], "higher"), record("a", 2, [15.0, 15.0, 15.0], "higher")]
    derive.apply(rate)
    assert rate[1]["derived"]["speedup"] == pytest.approx(1.5)
    assert rate[1]["derived"]["speedup_ci"] == pytest.approx([1.5, 1.5])


def test_failed_records_get_no_figures_and_are_never_noisy():
    rs = [record("a", 1, [100.0, 101.0]), record("a", 2, [], status="failed")]
    derive.apply(rs)
    assert all(v is None for v in rs[1]["derived"].values()) and rs[1]["noisy"] is False


@pytest.mark.parametrize("samples, noisy", [
    ([100.0, 101.0, 99.0, 100.5, 99.5], False),   # CV 0.8%
    ([100.0, 120.0, 90.0, 105.0, 95.0], True),    # CV 11%
    ([100.0, 100.0, 100.0, 100.0, 111.0], True),  # CV 4.8%, but the interval [100, 111]: half-width 5.5%
    ([100.0, 100.0, 100.0, 100.0, 109.0], False),  # CV 3.9%, half-width 4.5%
    ([7.0], False),                               # one sample: no spread to judge
])
def test_noisy_threshold(samples, noisy):
    rs = [record("a", 1, samples)]
    derive.apply(rs)
    assert rs[0]["noisy"] is noisy
    assert derive.NOISY_CV == 0.05 and derive.NOISY_HALF_WIDTH == 0.05  # the documented thresholds
