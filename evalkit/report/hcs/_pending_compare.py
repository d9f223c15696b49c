"""Statistics this report still computes itself, until ``evalkit.compare`` has them (branch i15).

TODO(issue 14, i15): replace :func:`spearman_ci` by ``evalkit.compare``'s Spearman with CI, :func:`ols_slope`
by its dose-response slope, and :func:`run_test` by a plain call once compare returns a status on
degenerate data instead of raising; then delete this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from evalkit.measures._common import as_float
from evalkit.report.hcs._shim import quiet, test_row
from evalkit.report.model import TestRow, Text


def run_test(fn: Callable[..., Any], a: np.ndarray, b: np.ndarray, row: str, outcome: Text, method: str,
             decimals: int | None) -> TestRow:
    """Run one :mod:`evalkit.compare` test; a numerical failure becomes a row with the reason in its note."""
    try:
        return test_row(row, outcome, quiet(fn, a, b), decimals=decimals)
    except (ValueError, ArithmeticError, RuntimeError) as exc:
        n = int((~np.isnan(a) & ~np.isnan(b)).sum()) if a.shape == b.shape else int(a.size + b.size)
        return TestRow(row=row, outcome=outcome, method=method, n=n, statistic=None, p_value=None,
                       note=f"failed: {exc}", decimals=decimals)


def spearman_ci(x: Any, y: Any, *, confidence_level: float = 0.95) -> dict[str, float]:
    r"""Spearman's rank correlation with its p-value and a Fisher-z confidence interval.

    ``n``, ``rho``, ``p_value`` (``scipy.stats.spearmanr``: t approximation with n - 2 df, as R's
    ``cor.test(method = "spearman", exact = FALSE)``), ``ci_low``, ``ci_high``; NaN when n < 4 or
    either variable is constant. Interval: :math:`\tanh(\operatorname{atanh}\rho \pm z\sqrt{(1 + \rho^2/2)/(n-3)})`
    (Bonett & Wright 2000, Psychometrika 65:23-28).

    Examples
    --------
    >>> r = spearman_ci([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5])
    >>> r["n"], round(r["rho"], 4), round(r["p_value"], 4), round(r["ci_low"], 4), round(r["ci_high"], 4)
    (6, 0.8286, 0.0416, -0.1272, 0.9865)
    """
    from scipy import stats

    a = as_float(pd.Series(x, copy=False) if not isinstance(x, np.ndarray) else x, "x")
    b = as_float(pd.Series(y, copy=False) if not isinstance(y, np.ndarray) else y, "y")
    ok = ~np.isnan(a) & ~np.isnan(b)
    a, b = a[ok], b[ok]
    n = int(a.size)
    nan = {"n": n, "rho": math.nan, "p_value": math.nan, "ci_low": math.nan, "ci_high": math.nan}
    if n < 4 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return nan
    res = stats.spearmanr(a, b)
    rho = float(res.statistic)
    se = math.sqrt((1.0 + rho * rho / 2.0) / (n - 3))
    z = float(stats.norm.isf((1.0 - confidence_level) / 2.0))
    centre = math.atanh(rho) if abs(rho) < 1 else math.copysign(math.inf, rho)
    return {"n": n, "rho": rho, "p_value": float(res.pvalue),
            "ci_low": math.tanh(centre - z * se), "ci_high": math.tanh(centre + z * se)}


def ols_slope(y: np.ndarray, x: np.ndarray, covariate: np.ndarray, *, confidence_level: float) -> dict[str, float] | None:
    """Slope of ``x`` in the OLS fit ``y ~ 1 + x + covariate`` (R: ``lm(y ~ x + covariate)``), with t, p and CI.

    None when fewer than 4 observations or ``x`` is constant.

    Examples
    --------
    >>> r = ols_slope(np.array([1.0, 2.1, 2.9, 4.2, 5.0]), np.arange(5.0), np.array([0.0, 1, 0, 1, 0]),
    ...               confidence_level=0.95)
    >>> round(r["slope"], 4), r["n"]
    (1.01, 5)
    """
    from statsmodels.regression.linear_model import OLS

    if len(x) < 4 or np.ptp(x) == 0:
        return None
    fit = OLS(y, np.column_stack([np.ones_like(x), x, covariate])).fit()
    lo, hi = fit.conf_int(alpha=1.0 - confidence_level)[1]
    return {"n": len(x), "slope": float(fit.params[1]), "t": float(fit.tvalues[1]), "p_value": float(fit.pvalues[1]),
            "ci_low": float(lo), "ci_high": float(hi)}
