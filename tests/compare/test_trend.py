"""Cochran-Armitage trend test against R prop.trend.test, statsmodels and seed 004's illustration."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.contingency_tables import Table

from evalkit.compare import DegenerateDataWarning, cochran_armitage


def test_matches_r_prop_trend_test_help_example() -> None:
    # R ?prop.trend.test: smokers <- c(83, 90, 129, 70); patients <- c(86, 93, 136, 82);
    # prop.trend.test(smokers, patients) -> X-squared = 8.2249, df = 1, p-value = 0.004132
    r = cochran_armitage([83, 90, 129, 70], [86, 93, 136, 82], scores=[1, 2, 3, 4])
    assert r.statistic**2 == pytest.approx(8.2249, abs=5e-5)
    assert r.p_value == pytest.approx(0.004132, abs=5e-7)
    assert r.statistic < 0  # the share of smokers falls with the group number


def test_seed004_claim_c7_illustration() -> None:
    # seed004_figures.md section 6.2, C7: faerdigbehandlet 34/67, 32/80, 11/33, 2/8 by R0..R3
    # -> "Cochran-Armitage z = -2,03, p = 0,04".
    r = cochran_armitage([34, 32, 11, 2], [67, 80, 33, 8])
    assert round(r.statistic, 2) == -2.03
    assert round(r.p_value, 2) == 0.04
    assert r.proportions == pytest.approx((34 / 67, 32 / 80, 11 / 33, 2 / 8))


def test_relation_to_statsmodels_linear_by_linear_statistic() -> None:
    # statsmodels' linear-by-linear z uses (N - 1): z_CA**2 = M**2 * N / (N - 1) (Agresti 2013, 3.4.6).
    x, n = np.array([34, 32, 11, 2]), np.array([67, 80, 33, 8])
    table = np.column_stack([x, n - x])
    res = Table(table).test_ordinal_association(row_scores=np.arange(4.0), col_scores=np.array([1.0, 0.0]))
    r = cochran_armitage(x, n)
    N = n.sum()
    assert r.statistic == pytest.approx(res.zscore * math.sqrt(N / (N - 1)), rel=1e-12)


def test_slope_and_hc0_interval_match_ols_on_person_level_data() -> None:
    x, n, scores = np.array([12, 20, 31, 30]), np.array([60, 55, 58, 40]), np.array([0.0, 1.0, 2.0, 4.0])
    r = cochran_armitage(x, n, scores=scores)
    y = np.concatenate([np.r_[np.ones(a), np.zeros(b - a)] for a, b in zip(x, n)])
    t = np.repeat(scores, n)
    fit = sm.OLS(y, sm.add_constant(t)).fit(cov_type="HC0")
    assert r.effect_size == pytest.approx(fit.params[1], rel=1e-12)
    np.testing.assert_allclose(list(r.effect_size_ci), fit.conf_int()[1], rtol=1e-10)


def test_one_sided_and_degenerate() -> None:
    up = cochran_armitage([2, 5, 9], [20, 20, 20], alternative="greater")
    down = cochran_armitage([2, 5, 9], [20, 20, 20], alternative="less")
    assert up.p_value < 0.01 and down.p_value > 0.99
    assert up.p_value + down.p_value == pytest.approx(1.0)
    with pytest.warns(DegenerateDataWarning):
        r = cochran_armitage([0, 0, 0], [5, 6, 7])
    assert r.status == "too_small" and r.p_value is None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=2, max_size=6))
def test_reversing_the_group_order_flips_z_and_keeps_p(groups) -> None:
    x = [a for a, _ in groups]
    n = [a + b for a, b in groups]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fwd, rev = cochran_armitage(x, n), cochran_armitage(x[::-1], n[::-1])
    if fwd.p_value is None:
        assert rev.p_value is None
        return
    assert 0.0 <= fwd.p_value <= 1.0
    assert rev.statistic == pytest.approx(-fwd.statistic, abs=1e-9)
    assert rev.p_value == pytest.approx(fwd.p_value, rel=1e-9, abs=1e-15)
    assert rev.effect_size == pytest.approx(-fwd.effect_size, abs=1e-12)
