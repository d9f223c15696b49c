"""The slope of a linear regression, as R's ``summary(lm(y ~ x + ...))`` reports it.

The HCS model's dose-response question (sessions attended vs the change in ASI) is answered beside
Spearman's rho by the least-squares slope of the change on the number of sessions, adjusted for
the intake score: the slope, its t test and its t interval.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from evalkit.compare._inputs import (
    align,
    as_float,
    check_alternative,
    check_confidence_level,
)
from evalkit.compare.results import (
    NAN,
    NAN_CI,
    ComparisonResult,
    ConfidenceInterval,
    DegenerateDataWarning,
    SmallSampleWarning,
)

__all__ = ["RegressionResult", "regression_slope"]


@dataclass(frozen=True, kw_only=True)
class RegressionResult(ComparisonResult):
    """The coefficient of ``x`` in an OLS fit with an intercept and optional covariates.

    ``estimate`` is the slope with its t interval, ``se`` its standard error, ``statistic`` its t
    on ``df = n - p`` degrees of freedom (p = number of coefficients incl. the intercept);
    ``intercept`` and ``r_squared`` describe the fit; ``n_covariates`` counts the adjustments.
    """

    se: float = NAN
    intercept: float = NAN
    r_squared: float = NAN
    n_covariates: int = 0


def _column(values: Any, name: str) -> np.ndarray:
    return as_float(values, name)


def regression_slope(
    x: Any,
    y: Any,
    adjust: Sequence[Any] | Any | None = None,
    *,
    alternative: str = "two-sided",
    confidence_level: float | None = None,
) -> RegressionResult:
    r"""OLS slope of ``y`` on ``x`` (with an intercept, adjusted for ``adjust``), with its t test and interval.

    Parameters
    ----------
    x, y
        The explanatory variable (e.g. sessions attended) and the outcome (e.g. change in a score);
        arrays in the same order or Series aligned on their index.
    adjust
        None, one covariate, a sequence of covariates, a 2-D array (one covariate per column) or a
        DataFrame (e.g. the intake score), each the length of ``x``. Rows with a missing value in any
        variable are dropped (``n_dropped``).
    alternative
        ``"two-sided"`` (default), ``"greater"`` (slope > 0) or ``"less"``; the interval follows it.
    confidence_level
        Default from ``compare.yaml`` (0.95).

    Returns
    -------
    RegressionResult
        ``estimate`` = slope with the t interval :math:`b \pm t_{1-\alpha/2, n-p}\,se(b)`;
        ``statistic`` = :math:`t = b/se(b)`; ``p_value`` from the t distribution on n - p df.
        When there are no more rows than coefficients, ``x`` is constant, the design is singular or
        the fit is perfect, ``p_value`` is None and ``status`` says which
        (``too_small``, ``constant_input``, ``rank_deficient``, ``perfect_fit``).

    Notes
    -----
    :math:`\hat\beta = (X^\top X)^{-1}X^\top y` by a QR decomposition,
    :math:`\widehat{\operatorname{Var}}(\hat\beta) = \hat\sigma^2 (X^\top X)^{-1}`,
    :math:`\hat\sigma^2 = RSS/(n - p)`: R ``summary(lm(y ~ x + z))$coefficients["x", ]`` and
    ``confint(fit)["x", ]`` (``tests/compare/test_regression.py`` checks R's ``cars`` example).

    Examples
    --------
    >>> r = regression_slope([1, 2, 3, 4, 5, 6], [1.1, 2.3, 2.8, 4.1, 5.2, 5.8])
    >>> round(r.estimate, 4), round(r.se, 4), r.df, f"{r.p_value:.3g}"
    (0.9571, 0.0511, 4.0, '4.79e-05')
    """
    alternative = check_alternative(alternative)
    level = check_confidence_level(confidence_level)
    x, y = align(x, y, ("x", "y"))
    xs, ys = _column(x, "x"), _column(y, "y")
    if adjust is None:
        covariates: list[np.ndarray] = []
    elif hasattr(adjust, "columns"):  # a DataFrame: one covariate per column
        covariates = [_column(adjust[c], f"adjust[{c!r}]") for c in adjust.columns]
    elif isinstance(adjust, np.ndarray) and adjust.ndim == 2:
        covariates = [_column(adjust[:, i], f"adjust[:, {i}]") for i in range(adjust.shape[1])]
    elif isinstance(adjust, (list, tuple)) and adjust and np.ndim(adjust[0]) == 1:
        covariates = [_column(c, f"adjust[{i}]") for i, c in enumerate(adjust)]
    else:
        covariates = [_column(adjust, "adjust")]
    for i, c in enumerate(covariates):
        if c.size != xs.size:
            raise ValueError(f"covariate {i} has length {c.size}, `x` has {xs.size}")
    columns = [np.ones_like(xs), xs, *covariates]
    design = np.column_stack(columns)
    keep = ~(np.isnan(ys) | np.isnan(design).any(axis=1))
    design, yk = design[keep], ys[keep]
    n, p = design.shape
    common: dict[str, Any] = dict(
        method="Linear regression (OLS)" + (", adjusted" if covariates else ""), test_code="linear_regression",
        n=int(n), n_dropped=int(keep.size - keep.sum()), statistic_name="t", estimate_name="slope",
        estimate_code="slope", effect_size_name="", effect_size=NAN, effect_size_ci=NAN_CI,
        alternative=alternative, confidence_level=level, n_covariates=len(covariates),
    )

    def degenerate(status: str, reason: str, warning: type[Warning] = DegenerateDataWarning) -> RegressionResult:
        warnings.warn(f"regression_slope: {reason}", warning, stacklevel=3)
        return RegressionResult(**common, statistic=NAN, p_value=None, status=status, reason=reason)

    if n <= p:
        return degenerate(
            "too_small", f"{n} complete rows for {p} coefficients; need at least {p + 1}", SmallSampleWarning
        )
    if np.ptp(design[:, 1]) == 0:
        return degenerate("constant_input", "`x` takes a single value, so its slope is undefined")
    q, r = np.linalg.qr(design)
    # R lm (LINPACK dqrdc2, tol = 1e-7): a column whose norm after projecting out the earlier ones
    # is below tol times its own norm is linearly dependent.
    if np.any(np.abs(np.diag(r)) <= 1e-7 * np.linalg.norm(design, axis=0)):
        return degenerate("rank_deficient", "`x` is a linear combination of the intercept and the covariates")
    beta = np.linalg.solve(r, q.T @ yk)
    resid = yk - design @ beta
    rss = float(resid @ resid)
    tss = float(((yk - yk.mean()) ** 2).sum())
    df = float(n - p)
    if rss <= 1e-28 * max(tss, 1e-300):
        return degenerate("perfect_fit", "the fit is perfect (no residual variation), so the standard error is zero")
    r_inv = np.linalg.solve(r, np.eye(p))
    se = math.sqrt(rss / df) * float(np.linalg.norm(r_inv[1, :]))
    slope = float(beta[1])
    t = slope / se
    if alternative == "two-sided":
        p_value = float(min(2.0 * stats.t.sf(abs(t), df), 1.0))
        qt = float(stats.t.isf((1.0 - level) / 2.0, df))
        ci = ConfidenceInterval(slope - qt * se, slope + qt * se)
    else:
        qt = float(stats.t.isf(1.0 - level, df))
        if alternative == "greater":
            p_value, ci = float(stats.t.sf(t, df)), ConfidenceInterval(slope - qt * se, math.inf)
        else:
            p_value, ci = float(stats.t.cdf(t, df)), ConfidenceInterval(-math.inf, slope + qt * se)
    return RegressionResult(**common, statistic=t, df=df, p_value=p_value, p_method_code="p_t", estimate=slope,
                            estimate_ci=ci, estimate_ci_code="ci_t", se=se, intercept=float(beta[0]),
                            r_squared=1.0 - rss / tss if tss > 0 else NAN)
