"""Properties of the interval of the median for any samples (Hypothesis; Debian: python3-hypothesis)."""
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402

from harness import derive, stats  # noqa: E402

# No example database: nothing is written into the checkout.
hypothesis.settings.register_profile("parbench", database=None)
hypothesis.settings.load_profile("parbench")

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
samples_of = st.lists(finite, min_size=1, max_size=80)


@given(samples_of)
def test_interval_holds_the_median_and_is_made_of_samples(samples):
    ci, coverage = stats.interval(samples)
    assert ci[0] <= stats.median(samples) <= ci[1]
    assert ci[0] in samples and ci[1] in samples
    assert 0 <= coverage < 1
    if len(samples) >= 2:
        assert coverage > 0


@given(samples_of)
def test_coverage_is_stated_truthfully(samples):
    n = len(samples)
    ci, coverage = stats.interval(samples)
    if n < 6:
        assert ci == [min(samples), max(samples)] and coverage == 1 - 2 ** (1 - n)
    else:
        assert coverage >= 0.95


@given(samples_of, st.randoms(use_true_random=False))
def test_interval_ignores_the_order_of_samples(samples, rnd):
    shuffled = list(samples)
    rnd.shuffle(shuffled)
    assert stats.interval(shuffled) == stats.interval(samples)


@given(st.lists(st.integers(min_value=-10 ** 6, max_value=10 ** 6), min_size=1, max_size=60),
       st.integers(min_value=1, max_value=1000), st.integers(min_value=-1000, max_value=1000))
def test_interval_follows_a_positive_affine_change_of_units(samples, scale, shift):
    ci, coverage = stats.interval(samples)
    moved, moved_coverage = stats.interval([scale * x + shift for x in samples])
    assert moved == [scale * ci[0] + shift, scale * ci[1] + shift] and moved_coverage == coverage


@given(st.integers(min_value=1, max_value=400))
def test_depth_and_coverage_are_monotone_in_n(n):
    # the rank of the chosen pair never moves outwards as samples are added
    assert stats.depth(n + 1) >= stats.depth(n)
    # while the interval is [min, max] (n < 6) its coverage grows with n; from n = 6 on it stays >= 95%
    if n < 6:
        assert stats.coverage(n + 1, 1) > stats.coverage(n, 1)
    else:
        assert stats.coverage(n, stats.depth(n)) >= 0.95
    # a wider pair covers more
    k = stats.depth(n)
    if k > 1:
        assert stats.coverage(n, k - 1) > stats.coverage(n, k)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=1.0, max_value=1e6), min_size=2, max_size=12),
       st.lists(st.floats(min_value=1.0, max_value=1e6), min_size=2, max_size=12))
def test_bootstrap_ratio_interval_is_ordered_and_within_the_extremes(top, bottom):
    low, high = derive.ratio_ci(top, bottom)
    assert low <= high
    assert min(top) / max(bottom) * (1 - 1e-9) <= low and high <= max(top) / min(bottom) * (1 + 1e-9)
    assert derive.ratio_ci(top, bottom) == [low, high]  # fixed seed: reproducible
