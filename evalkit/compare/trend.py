"""Cochran-Armitage test for a linear trend in proportions across ordered groups.

UNG Rusmidler (Socialstyrelsen), section 6.4: the share "faerdigbehandlet" at discharge falls from
risk profile R0 to R3 (34/67, 32/80, 11/33, 2/8; the test gives z = -2,03, p = 0,04); section 6.5,
figure 6.37, likewise for drug-free at the last TEM registration.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.compare._inputs import check_alternative, check_confidence_level
from evalkit.compare.results import NAN, NAN_CI, ConfidenceInterval, DegenerateDataWarning, TrendResult

__all__ = ["cochran_armitage"]


def cochran_armitage(
    successes: Any,
    totals: Any,
    scores: Any = None,
    *,
    alternative: str = "two-sided",
    confidence_level: float | None = None,
) -> TrendResult:
    r"""Cochran-Armitage trend test of the proportions ``successes / totals`` over ordered groups.

    Parameters
    ----------
    successes, totals
        Counts per ordered group (R0 < R1 < R2 < R3, ...), e.g. ``[34, 32, 11, 2]`` of ``[67, 80, 33, 8]``.
        Groups with a zero total are left out (they carry no information).
    scores
        Group scores; default 0, 1, ..., k-1 (equally spaced). Only differences between scores matter.
    alternative
        ``"two-sided"`` (default), ``"greater"`` (proportion rises with the score) or ``"less"``.
    confidence_level
        For the slope interval; default from ``compare.yaml``.

    Returns
    -------
    TrendResult
        ``statistic`` = z (``z**2`` is R ``prop.trend.test``'s X-squared); ``effect_size`` = the
        least-squares slope of the proportion per score unit, with a heteroskedasticity-robust
        (HC0) Wald interval (one-sided for a one-sided alternative); ``proportions`` and
        ``scores`` are kept on the result.

    Notes
    -----
    With :math:`N = \sum n_i`, :math:`\bar p = \sum x_i / N`, :math:`\bar t = \sum n_i t_i / N`:

    .. math:: T = \sum t_i (x_i - n_i \bar p), \quad
              \operatorname{Var}_0 T = \bar p (1 - \bar p) \left[\sum n_i t_i^2 - N \bar t^2\right], \quad
              z = T / \sqrt{\operatorname{Var}_0 T}

    (Armitage 1955; Agresti 2013 section 5.3.5). The slope is :math:`b = T / \sum n_i (t_i - \bar t)^2`,
    the OLS slope of the 0/1 outcome on the score; its interval uses the HC0 sandwich variance
    :math:`\sum n_i (t_i - \bar t)^2 [p_i(1-p_i) + (p_i - \hat p_i)^2] / (\sum n_i (t_i - \bar t)^2)^2`.
    Validated against R ``prop.trend.test`` (its help-page example), statsmodels
    ``Table.test_ordinal_association`` (:math:`z^2 = M^2 N/(N-1)`) and statsmodels OLS with HC0.

    Examples
    --------
    >>> r = cochran_armitage([34, 32, 11, 2], [67, 80, 33, 8])      # R0..R3, UNG Rusmidler section 6.4
    >>> round(r.statistic, 2), round(r.p_value, 3)
    (-2.03, 0.042)
    """
    alternative = check_alternative(alternative)
    level = check_confidence_level(confidence_level)
    x = np.asarray(successes.to_numpy() if isinstance(successes, pd.Series) else successes, dtype=float)
    n = np.asarray(totals.to_numpy() if isinstance(totals, pd.Series) else totals, dtype=float)
    t = np.arange(x.size, dtype=float) if scores is None else np.asarray(scores, dtype=float)
    if not (x.shape == n.shape == t.shape) or x.ndim != 1:
        raise ValueError("`successes`, `totals` and `scores` must be 1-D and of equal length")
    if np.any(np.isnan(x)) or np.any(np.isnan(n)) or np.any(np.isnan(t)):
        raise ValueError("`successes`, `totals` and `scores` must not contain missing values")
    if np.any(x < 0) or np.any(x > n):
        raise ValueError("need 0 <= successes <= totals in every group")
    keep = n > 0
    x, n, t = x[keep], n[keep], t[keep]
    total = float(n.sum())
    p_i = x / n
    common: dict[str, Any] = dict(
        method="Cochran-Armitage trend test",
        test_code="cochran_armitage",
        n=int(total),
        n_dropped=0,
        statistic_name="z",
        effect_size_name="slope (proportion per score unit)",
        effect_size_code="trend_slope",
        effect_size_ci_code="ci_wald_hc0",
        alternative=alternative,
        confidence_level=level,
        n_groups=int(x.size),
        scores=tuple(float(v) for v in t),
        proportions=tuple(float(v) for v in p_i),
    )
    p_bar = float(x.sum()) / total if total else NAN
    t_bar = float(np.sum(n * t)) / total if total else NAN
    sxx = float(np.sum(n * (t - t_bar) ** 2)) if total else 0.0
    if x.size < 2 or sxx == 0.0 or not 0.0 < p_bar < 1.0:
        warnings.warn(
            "cochran_armitage: needs two scored groups and both outcomes", DegenerateDataWarning, stacklevel=2
        )
        return TrendResult(
            **common,
            statistic=NAN,
            p_value=None,
            effect_size=NAN,
            effect_size_ci=NAN_CI,
            status="too_small",
            reason="needs at least two scored groups and both outcomes",
        )
    trend = float(np.sum(t * (x - n * p_bar)))
    z = trend / math.sqrt(p_bar * (1.0 - p_bar) * sxx)
    if alternative == "two-sided":
        p = float(min(2.0 * stats.norm.sf(abs(z)), 1.0))
    elif alternative == "greater":
        p = float(stats.norm.sf(z))
    else:
        p = float(stats.norm.cdf(z))
    slope = trend / sxx
    fitted = p_bar + slope * (t - t_bar)
    meat = float(np.sum(n * (t - t_bar) ** 2 * (p_i * (1.0 - p_i) + (p_i - fitted) ** 2)))
    se = math.sqrt(meat) / sxx
    if alternative == "two-sided":
        q = float(stats.norm.isf((1.0 - level) / 2.0))
        ci = ConfidenceInterval(slope - q * se, slope + q * se)
    else:  # the interval follows the one-sided alternative
        q = float(stats.norm.isf(1.0 - level))
        ci = (
            ConfidenceInterval(slope - q * se, math.inf)
            if alternative == "greater"
            else ConfidenceInterval(-math.inf, slope + q * se)
        )
    return TrendResult(**common, statistic=z, p_value=p, p_method_code="p_normal", effect_size=slope, effect_size_ci=ci)
