"""Hodges-Lehmann shifts and intervals of the rank tests: exact intervals agree with exact p-values,
distributions against enumeration, Brent's root finder against scipy."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from evalkit.compare import mann_whitney, wilcoxon
from evalkit.compare._rankshift import ranksum_pmf, signrank_asymptotic, zeroin

ALTERNATIVES = ("two-sided", "greater", "less")


def _excludes_zero(ci) -> bool:
    return ci.low > 0 or ci.high < 0


untied_magnitudes = st.lists(st.integers(1, 400), min_size=1, max_size=30, unique=True)


@settings(max_examples=300, deadline=None)
@given(untied_magnitudes, st.lists(st.booleans(), min_size=30, max_size=30), st.sampled_from(ALTERNATIVES),
       st.sampled_from([0.8, 0.9, 0.95, 0.99]), st.floats(-3.0, 3.0))
def test_wilcoxon_exact_p_below_alpha_iff_exact_interval_excludes_zero(magnitudes, signs, alternative, level, shift) -> None:
    d = np.array([m if s else -m for m, s in zip(magnitudes, signs)], dtype=float) / 7.0 + shift
    assume(np.all(d != 0) and np.unique(np.abs(d)).size == d.size)
    r = wilcoxon(np.zeros(d.size), d, alternative=alternative, confidence_level=level)
    assert r.p_method_code == "p_exact" and r.estimate_ci_code == "ci_exact_inverted"
    alpha = 1.0 - level
    assume(abs(r.p_value - alpha) > 1e-9)
    if r.estimate_ci_level == level:
        assert (r.p_value < alpha) == _excludes_zero(r.estimate_ci), (r.p_value, r.estimate_ci)
    else:  # the level is not achievable: the interval has the level of the smallest attainable p
        assert r.estimate_ci_level < level and r.p_value > alpha
        assert (r.p_value <= 1.0 - r.estimate_ci_level + 1e-12) == _excludes_zero(r.estimate_ci)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-300, 300), min_size=2, max_size=24, unique=True), st.integers(1, 23),
       st.sampled_from(ALTERNATIVES), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_mann_whitney_exact_p_below_alpha_iff_exact_interval_excludes_zero(values, split, alternative, level) -> None:
    assume(split < len(values))
    x, y = np.array(values[:split], float) / 3.0, np.array(values[split:], float) / 3.0
    r = mann_whitney(x, y, alternative=alternative, confidence_level=level)
    assert r.p_method_code == "p_exact" and r.estimate_ci_code == "ci_exact_inverted"
    alpha = 1.0 - level
    assume(abs(r.p_value - alpha) > 1e-9)
    if r.estimate_ci_level == level:
        assert (r.p_value < alpha) == _excludes_zero(r.estimate_ci), (r.p_value, r.estimate_ci)
    else:
        assert r.estimate_ci_level < level and r.p_value > alpha
        assert (r.p_value <= 1.0 - r.estimate_ci_level + 1e-12) == _excludes_zero(r.estimate_ci)


@pytest.mark.parametrize("m, n", [(1, 1), (1, 5), (3, 4), (5, 5), (6, 3)])
def test_rank_sum_distribution_matches_enumeration(m, n) -> None:
    counts = np.zeros(m * n + 1)
    for chosen in itertools.combinations(range(m + n), m):  # ranks of the first sample
        u = sum(chosen) - m * (m - 1) // 2                  # U = rank sum - m(m+1)/2 with 0-based ranks
        counts[u] += 1
    np.testing.assert_allclose(ranksum_pmf(m, n), counts / math.comb(m + n, m), rtol=1e-12)
    assert ranksum_pmf(m, n) is ranksum_pmf(m, n) and ranksum_pmf(49, 49).sum() == pytest.approx(1.0)


def test_exact_pvalues_match_scipy() -> None:
    rng = np.random.default_rng(4)
    for alternative in ALTERNATIVES:
        x, y = rng.normal(size=12), rng.normal(0.6, 1, 9)
        r = mann_whitney(x, y, alternative=alternative)
        assert r.p_value == pytest.approx(stats.mannwhitneyu(y, x, alternative=alternative, method="exact").pvalue, rel=1e-12)


@pytest.mark.parametrize("f, a, b", [(lambda x: x**3 - 2 * x - 5, 2.0, 3.0), (math.cos, 0.0, 3.0), (lambda x: math.exp(x) - 10, 0.0, 5.0)])
def test_zeroin_finds_the_root(f, a, b) -> None:
    root = zeroin(f, a, b, f(a), f(b), 1e-12)
    assert root == pytest.approx(optimize.brentq(f, a, b, xtol=1e-14), abs=1e-11)


def test_asymptotic_interval_limits_invert_the_corrected_test() -> None:
    # with many ties (0-10 scores), the lower limit L is where the corrected normal statistic of
    # x - d crosses the upper normal quantile: the test of shift d rejects just below L, not above
    rng = np.random.default_rng(3)
    d = rng.integers(-3, 6, 80).astype(float)
    d = d[d != 0]
    est, ci, level = signrank_asymptotic(d, 0.95, "two-sided", True)
    assert level == 0.95 and ci.low < est < ci.high
    for limit, sign in ((ci.low, 1), (ci.high, -1)):
        inside = wilcoxon(np.zeros(d.size), d - (limit + sign * 1e-3), method="asymptotic").p_value
        outside = wilcoxon(np.zeros(d.size), d - (limit - sign * 1e-3), method="asymptotic").p_value
        assert inside >= 0.05 - 1e-9 and outside < 0.05 + 1e-9


def test_forced_exact_with_ties_falls_back_as_r() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = mann_whitney([1, 2, 2, 3], [2, 4, 5], method="exact")
    assert r.p_method_code == "p_normal_cc" and r.estimate_ci_code == "ci_asymptotic_inverted"
    assert any("ties" in str(w.message) for w in caught)


def test_asymptotic_limits_stay_ordered_when_they_share_a_jump() -> None:
    # 200,000 integer differences: both limits and the estimate sit at the jump at -1, each within
    # uniroot's tolerance of it; the interval is still reported low <= high
    rng = np.random.default_rng(1)
    pre = rng.integers(0, 31, 200_000).astype(float)
    post = np.clip(pre + rng.integers(-5, 4, pre.size), 0, 30)
    r = wilcoxon(pre, post)
    assert r.estimate_ci.low <= r.estimate_ci.high
    assert r.estimate == pytest.approx(-1.0, abs=1e-4) and r.estimate_ci == pytest.approx((-1.0, -1.0), abs=1e-4)
