"""Exact binomial and goal tests against R binom.test's example, scipy.stats.binomtest and exact sums."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from evalkit.compare import binomial_test, goal_test


def test_r_help_page_example() -> None:
    # R ?binom.test: binom.test(682, 925, p = 3/4) -> p-value = 0.3825, 95 % CI 0.7076683 0.7654066
    r = binomial_test(682, 925, 0.75)
    assert round(r.p_value, 4) == 0.3825
    assert r.estimate_ci == pytest.approx((0.7076683, 0.7654066), abs=5e-8)
    assert r.p_method_code == "p_exact_binomial" and r.estimate_ci_code == "ci_clopper_pearson"


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 60), st.integers(1, 60), st.one_of(st.sampled_from([0.0, 0.5, 0.7, 1.0]), st.floats(1e-6, 1 - 1e-6)), st.sampled_from(["two-sided", "greater", "less"]),
       st.sampled_from([0.9, 0.95, 0.99]))
def test_matches_scipy_binomtest(k, n, p, alternative, level) -> None:
    k = min(k, n)
    r = binomial_test(k, n, p, alternative=alternative, confidence_level=level)
    ref = stats.binomtest(k, n, p, alternative=alternative)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-15)
    ci = ref.proportion_ci(level, method="exact")
    assert r.estimate_ci == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_goal_test_is_the_exact_upper_tail() -> None:
    k, n, target = 49, 60, Fraction(7, 10)
    exact = sum(math.comb(n, i) * target**i * (1 - target) ** (n - i) for i in range(k, n + 1))
    r = goal_test(k, n, 0.70)
    assert r.p_value == pytest.approx(float(exact), rel=1e-12)
    assert r.alternative == "greater" and r.test_code == "binomial_goal" and r.interval_sides == "lower bound"
    # the lower Clopper-Pearson bound L solves P(X >= k | L) = alpha
    low = r.estimate_ci.low
    assert stats.binom.sf(k - 1, n, low) == pytest.approx(0.05, rel=1e-9)
    assert r.estimate_ci.high == 1.0 and r.effect_size == pytest.approx(k / n - 0.7)


def test_extreme_null_values_do_not_fail() -> None:
    assert binomial_test(0, 2, 1e-308).p_value == pytest.approx(1.0)
    assert binomial_test(2, 2, 1e-308, alternative="greater").p_value < 1e-300


def test_degenerate_and_bad_arguments() -> None:
    with pytest.warns(UserWarning):
        r = goal_test(0, 0, 0.7)
    assert r.status == "too_small" and r.p_value is None and r.reason
    with pytest.raises(ValueError):
        binomial_test(5, 4)
    with pytest.raises(ValueError):
        goal_test(3, 4, 70)
