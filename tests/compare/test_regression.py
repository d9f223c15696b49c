"""The OLS slope against R's lm on the cars data, statsmodels OLS and its degenerate cases."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.compare import regression_slope

# R datasets::cars
SPEED = [4, 4, 7, 7, 8, 9, 10, 10, 10, 11, 11, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 16, 16,
         17, 17, 17, 18, 18, 18, 18, 19, 19, 19, 20, 20, 20, 20, 20, 22, 23, 24, 24, 24, 24, 25]
DIST = [2, 10, 4, 22, 16, 10, 18, 26, 34, 17, 28, 14, 20, 24, 28, 26, 34, 34, 46, 26, 36, 60, 80, 20, 26, 54, 32, 40,
        32, 40, 50, 42, 56, 76, 84, 36, 46, 68, 32, 48, 52, 56, 64, 66, 54, 70, 92, 93, 120, 85]


def test_r_cars_example() -> None:
    # summary(lm(dist ~ speed, cars)): speed 3.9324 0.4155 9.464 1.49e-12; confint: 3.096964 4.767853
    r = regression_slope(SPEED, DIST)
    assert round(r.estimate, 4) == 3.9324 and round(r.se, 4) == 0.4155 and round(r.statistic, 3) == 9.464
    assert f"{r.p_value:.3g}" == "1.49e-12" and r.df == 48.0
    assert r.estimate_ci == pytest.approx((3.096964, 4.767853), abs=5e-7)
    assert round(r.intercept, 4) == -17.5791 and round(r.r_squared, 4) == 0.6511


@settings(max_examples=40, deadline=None)
@given(st.integers(5, 40), st.integers(0, 10**6), st.sampled_from(["two-sided", "greater", "less"]))
def test_matches_statsmodels_with_a_covariate(n, seed, alternative) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 16, n).astype(float)
    base = rng.normal(0.5, 0.2, n)
    y = 0.01 * x - 0.3 * base + rng.normal(0, 0.1, n)
    if np.ptp(x) == 0:
        return
    r = regression_slope(x, y, base, alternative=alternative)
    fit = sm.OLS(y, np.column_stack([np.ones(n), x, base])).fit()
    assert r.estimate == pytest.approx(fit.params[1], rel=1e-9, abs=1e-12)
    assert r.se == pytest.approx(fit.bse[1], rel=1e-9)
    t = fit.tvalues[1]
    p = {"two-sided": fit.pvalues[1], "greater": fit.t_test([0, 1, 0]).pvalue / 2 if t > 0 else 1 - fit.pvalues[1] / 2,
         "less": 1 - fit.pvalues[1] / 2 if t > 0 else fit.pvalues[1] / 2}[alternative]
    assert r.p_value == pytest.approx(float(p), rel=1e-7, abs=1e-15)
    if alternative == "two-sided":
        assert r.estimate_ci == pytest.approx(tuple(fit.conf_int(0.05)[1]), rel=1e-9)


def test_degenerate_designs_return_a_status() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert regression_slope([1, 2], [3, 4]).status == "too_small"
        assert regression_slope([2, 2, 2, 2], [1, 2, 3, 4]).status == "constant_input"
        r = regression_slope([1, 2, 3, 4, 5], [1, 3, 2, 5, 4], [2, 4, 6, 8, 10])
        assert r.status == "rank_deficient" and r.p_value is None and r.reason
        assert regression_slope([1, 2, 3, 4], [2, 4, 6, 8]).status == "perfect_fit"
    with pytest.raises(ValueError):
        regression_slope([1, 2, 3], [1, 2, 3], [1, 2])


def test_covariates_as_list_array_or_frame_agree() -> None:
    import pandas as pd

    rng = np.random.default_rng(5)
    x, z1, z2 = rng.integers(0, 16, 40).astype(float), rng.normal(size=40), rng.normal(size=40)
    y = 0.2 * x + z1 - z2 + rng.normal(size=40)
    ref = regression_slope(x, y, [z1, z2])
    for adjust in (np.column_stack([z1, z2]), pd.DataFrame({"a": z1, "b": z2})):
        r = regression_slope(x, y, adjust)
        assert r.estimate == pytest.approx(ref.estimate, rel=1e-12) and r.n_covariates == 2
    fit = sm.OLS(y, np.column_stack([np.ones(40), x, z1, z2])).fit()
    assert ref.estimate == pytest.approx(fit.params[1], rel=1e-10) and ref.df == 36.0
