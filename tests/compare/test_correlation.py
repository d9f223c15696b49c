"""Spearman's rho against R cor.test's help-page example, full permutation enumeration, the AS 89
Edgeworth formula written out by hand, and scipy's t approximation (with ties)."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from evalkit.compare import spearman
from evalkit.compare.results import DegenerateDataWarning, SmallSampleWarning

# R ?cor.test: cor.test(x, y, method = "spearman", alternative = "g") -> S = 48, p-value = 0.0484, rho = 0.6
X = [44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1]
Y = [2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8]


def test_r_help_page_example() -> None:
    r = spearman(X, Y, alternative="greater")
    assert r.statistic == pytest.approx(48.0) and r.effect_size == pytest.approx(0.6)
    assert round(r.p_value, 4) == 0.0484
    assert r.p_method_code == "p_exact" and r.tie_handling_code == "ties_none"


def _enumerated_p(x: np.ndarray, y: np.ndarray, alternative: str) -> float:
    """P-value by listing every permutation of y's ranks (R's two-sided rule: double the tail on rho's side)."""
    n = x.size
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    s_obs = float(((rx - ry) ** 2).sum())
    s_all = np.array([((rx - np.array(p)) ** 2).sum() for p in itertools.permutations(range(1, n + 1))])
    le = float(np.mean(s_all <= s_obs + 1e-9))
    ge = float(np.mean(s_all >= s_obs - 1e-9))
    if alternative == "greater":
        return le
    if alternative == "less":
        return ge
    return min(2 * (le if s_obs <= (n**3 - n) / 6 else ge), 1.0)


@settings(max_examples=40, deadline=None)
@given(st.integers(3, 7), st.integers(0, 10**6), st.sampled_from(["two-sided", "greater", "less"]))
def test_exact_p_equals_permutation_enumeration(n, seed, alternative) -> None:
    rng = np.random.default_rng(seed)
    x, y = rng.permutation(n).astype(float), rng.permutation(n).astype(float)
    r = spearman(x, y, alternative=alternative)
    assert r.p_method_code == "p_exact"
    assert r.p_value == pytest.approx(_enumerated_p(x, y, alternative), abs=1e-12)


def _edgeworth_upper(n: int, s: float) -> float:
    """Best & Roberts (1975) AS 89, written out from the paper: P(S >= s) for n > 9."""
    c = [0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932, 0.0879, 0.0151, 0.0072, 0.0831, 0.0131, 0.00046]
    b = 1 / n
    x = (6 * (s - 1) * b / (n * n - 1) - 1) * math.sqrt(n - 1)
    y = x * x
    u = x * b * (c[0] + b * (c[1] + c[2] * b) + y * (-c[3] + b * (c[4] + c[5] * b)
                 - y * b * (c[6] + c[7] * b - y * (c[8] - c[9] * b + y * b * (c[10] - c[11] * y)))))
    return min(max(u / math.exp(y / 2) + stats.norm.sf(x), 0.0), 1.0)


@pytest.mark.parametrize("n, seed", [(10, 1), (12, 2), (25, 3), (60, 4)])
def test_edgeworth_branch_follows_as89(n, seed) -> None:
    rng = np.random.default_rng(seed)
    x = rng.permutation(n).astype(float)
    y = x + rng.normal(0, n / 3, n)
    r = spearman(x, y, alternative="less")   # R: pspearman(q, n, lower.tail = FALSE) = prho(n, round(q), upper)
    assert r.p_method_code == "p_edgeworth"
    assert r.p_value == pytest.approx(_edgeworth_upper(n, round(r.statistic)), abs=1e-14)


def test_ties_use_the_t_approximation_as_r_and_scipy() -> None:
    x = [1, 2, 2, 3, 4, 5, 5, 6, 7, 8]
    y = [2, 1, 3, 3, 5, 4, 7, 6, 9, 8]
    r = spearman(x, y)
    ref = stats.spearmanr(x, y)
    assert r.p_method_code == "p_t" and r.tie_handling_code == "ties_midrank"
    assert r.effect_size == pytest.approx(ref.statistic, abs=1e-14)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert spearman(x, y, method="asymptotic").p_value == pytest.approx(ref.pvalue, rel=1e-10)


def test_bonett_wright_interval_as_the_hcs_report_had_it() -> None:
    # the former evalkit.report.hcs.spearman_ci example: rho 0.8286, CI (-0.1272, 0.9865)
    r = spearman([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5])
    rho = 29 / 35
    z = stats.norm.isf(0.025)
    se = math.sqrt((1 + rho**2 / 2) / 3)
    assert r.effect_size == pytest.approx(rho, abs=1e-14)
    assert r.effect_size_ci == pytest.approx((math.tanh(math.atanh(rho) - z * se), math.tanh(math.atanh(rho) + z * se)))
    one = spearman([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5], alternative="greater")
    assert one.effect_size_ci.high == 1.0
    assert one.effect_size_ci.low == pytest.approx(math.tanh(math.atanh(rho) - stats.norm.isf(0.05) * se))


def test_degenerate_inputs_return_a_status() -> None:
    with pytest.warns(SmallSampleWarning):
        r = spearman([1, 2], [3, 4])
    assert r.status == "too_small" and r.p_value is None and r.reason
    with pytest.warns(DegenerateDataWarning):
        r = spearman([1, 2, 3, 4], [5, 5, 5, 5])
    assert r.status == "constant_input" and r.p_value is None


def test_missing_pairs_are_dropped() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = spearman([1.0, None, 3.0, 4.0, 5.0], [2.0, 1.0, None, 5.0, 4.0])
    assert r.n == 3 and r.n_dropped == 2
