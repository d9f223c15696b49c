"""Rank correlation: Spearman's rho with R's p-value and a Bonett-Wright confidence interval.

The HCS model (Socialstyrelsen), chapter 4, "Resultater", reports a fall in ASI stof and ASI psykisk;
whether the number of sessions attended goes with that change (the dose-response question) is
answered by a rank correlation with an interval.
The p-value is the one R ``cor.test(x, y, method = "spearman")`` prints by default; R gives no
interval for rho, so the interval is Bonett & Wright's (2000) Fisher-z interval.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from scipy import stats

from evalkit.compare._inputs import (
    check_alternative,
    check_confidence_level,
    paired_floats,
)
from evalkit.compare._signrank import ranks_with_ties
from evalkit.compare.results import (
    NAN,
    NAN_CI,
    ComparisonResult,
    ConfidenceInterval,
    DegenerateDataWarning,
    SmallSampleWarning,
)

__all__ = ["CorrelationResult", "spearman"]

#: AS 89 enumerates all n! permutations up to this n (R's prho.c limit), Edgeworth series above.
_EXACT_MAX_N = 9
#: R switches from AS 89 to the t approximation above this n (n (n^2 - 1) must not overflow in C).
_AS89_MAX_N = 1290
#: Edgeworth coefficients of Best & Roberts (1975), Algorithm AS 89, Appl. Statist. 24(3):377-379.
_C = (0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932, 0.0879, 0.0151, 0.0072, 0.0831, 0.0131, 4.6e-4)


@dataclass(frozen=True, kw_only=True)
class CorrelationResult(ComparisonResult):
    """A rank correlation: ``effect_size`` is rho, ``statistic`` is R's ``S`` (sum of squared rank
    differences, :math:`(n^3 - n)(1 - \\rho)/6`); ``has_ties`` says whether either variable was tied."""

    has_ties: bool = False


@lru_cache(maxsize=_EXACT_MAX_N + 1)
def _s_distribution(n: int) -> np.ndarray:
    """Sorted values of S = sum (i - pi(i))^2 over all n! permutations pi (n <= 9)."""
    perms = np.array(list(itertools.permutations(range(n))), dtype=np.int16)
    s = ((perms - np.arange(n, dtype=np.int16)) ** 2).sum(axis=1).astype(np.int64)
    s.sort()
    s.setflags(write=False)
    return s


def _as89(n: int, s: float, lower_tail: bool) -> float:
    """AS 89 as R's ``prho``: P(S >= s), or P(S < s) when ``lower_tail``, under independence."""
    if s <= 0.0:
        return 0.0 if lower_tail else 1.0
    s_max = n * (n * n - 1.0) / 3.0
    if s > s_max:
        return 1.0 if lower_tail else 0.0
    if n <= _EXACT_MAX_N:
        dist = _s_distribution(n)
        below = int(np.searchsorted(dist, s, side="left"))  # permutations with S < s
        return (below if lower_tail else dist.size - below) / dist.size
    b = 1.0 / n
    x = (6.0 * (s - 1.0) * b / (n * n - 1.0) - 1.0) * math.sqrt(n - 1.0)
    y = x * x
    c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12 = _C
    u = x * b * (c1 + b * (c2 + c3 * b)
                 + y * (-c4 + b * (c5 + c6 * b) - y * b * (c7 + c8 * b - y * (c9 - c10 * b + y * b * (c11 - c12 * y)))))
    correction = u / math.exp(y / 2.0)
    p = (-correction if lower_tail else correction) + float(stats.norm.cdf(x) if lower_tail else stats.norm.sf(x))
    return min(max(p, 0.0), 1.0)


def _p_spearman(q: float, n: int, rho: float, lower_tail: bool, use_as89: bool) -> float:
    """R's ``pspearman``: P(S <= q) (``lower_tail``) or P(S >= q), by AS 89 or the t approximation."""
    if use_as89:
        return _as89(n, round(q) + 2.0 * lower_tail, lower_tail)
    if abs(rho) >= 1.0:
        return 1.0 if (rho > 0) == lower_tail else 0.0
    t = rho / math.sqrt((1.0 - rho * rho) / (n - 2.0))
    return float(stats.t.sf(t, n - 2) if lower_tail else stats.t.cdf(t, n - 2))


def spearman(
    x: Any,
    y: Any,
    *,
    method: Literal["auto", "exact", "asymptotic"] = "auto",
    alternative: str = "two-sided",
    confidence_level: float | None = None,
) -> CorrelationResult:
    r"""Spearman's rank correlation of ``x`` and ``y`` with R's p-value and a Fisher-z interval.

    Parameters
    ----------
    x, y
        Paired observations (arrays in the same order, or Series aligned on their index); pairs
        with a missing member are dropped and counted in ``n_dropped``.
    method
        ``"auto"`` (default) is R's ``cor.test(method = "spearman")`` default: without ties and for
        n <= 1290 the AS 89 distribution of S (all n! permutations for n <= 9, the Edgeworth series
        above), otherwise the t approximation :math:`t = \rho\sqrt{(n-2)/(1-\rho^2)}` on n - 2 df.
        ``"exact"`` asks for AS 89 (R ``exact = TRUE``: with ties R, and evalkit, still use the t
        approximation); ``"asymptotic"`` forces the t approximation (R ``exact = FALSE``).
    alternative
        ``"greater"``: positive association. The interval follows it (one-sided for one-sided tests).
    confidence_level
        Default from ``compare.yaml`` (0.95).

    Returns
    -------
    CorrelationResult
        ``effect_size`` = rho (Pearson correlation of the mid-ranks) with the interval
        :math:`\tanh(\operatorname{atanh}\rho \pm z\sqrt{(1 + \rho^2/2)/(n-3)})` (Bonett & Wright
        2000, Psychometrika 65:23-28; NaN for n < 4); ``statistic`` = S; ``p_method_code`` names
        the distribution used (``p_exact``, ``p_edgeworth`` or ``p_t``). With fewer than 3 pairs or
        a constant variable, ``p_value`` is None and ``status`` says why.

    Notes
    -----
    Mirrors R ``cor.test(x, y, method = "spearman", alternative = ...)`` (R >= 4.0): the
    two-sided p is :math:`\min(2 \min(P(S \le q), P(S \ge q)), 1)` with the tail chosen by the
    sign of rho. Checked against R's help-page example and full permutation enumeration. Moved
    from the hcs report's dose-response table, whose p-value was scipy's t approximation (equal to
    R's when there are ties).

    Examples
    --------
    >>> x = [44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1]   # R ?cor.test
    >>> y = [2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8]
    >>> r = spearman(x, y, alternative="greater")    # R: S = 48, p-value = 0.0484, rho 0.6
    >>> r.statistic, round(r.p_value, 4), round(r.effect_size, 4), r.p_method_code
    (48.0, 0.0484, 0.6, 'p_exact')
    >>> [round(v, 4) for v in spearman(x, y).effect_size_ci]
    [-0.1742, 0.9158]
    """
    alternative = check_alternative(alternative)
    level = check_confidence_level(confidence_level)
    if method not in ("auto", "exact", "asymptotic"):
        raise ValueError(f"`method` must be 'auto', 'exact' or 'asymptotic', got {method!r}")
    a, b, n_dropped = paired_floats(x, y, ("x", "y"))
    n = int(a.size)
    ra, ties_a = ranks_with_ties(a)
    rb, ties_b = ranks_with_ties(b)
    has_ties = bool((ties_a > 1).any() or (ties_b > 1).any())
    common: dict[str, Any] = dict(
        method="Spearman rank correlation", test_code="spearman", n=n, n_dropped=n_dropped, statistic_name="S",
        effect_size_name="rho", effect_size_code="rho", effect_size_ci_code="ci_bonett_wright",
        tie_handling_code="ties_midrank" if has_ties else "ties_none", alternative=alternative,
        confidence_level=level, has_ties=has_ties,
    )
    if n < 3:
        warnings.warn(f"spearman needs at least 3 complete pairs, got {n}", SmallSampleWarning, stacklevel=2)
        return CorrelationResult(**common, statistic=NAN, p_value=None, effect_size=NAN, effect_size_ci=NAN_CI,
                                 status="too_small", reason=f"needs at least 3 complete pairs, got {n}")
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        warnings.warn("spearman: a variable is constant; rho is undefined", DegenerateDataWarning, stacklevel=2)
        return CorrelationResult(**common, statistic=NAN, p_value=None, effect_size=NAN, effect_size_ci=NAN_CI,
                                 status="constant_input", reason="x or y takes a single value, so rho is undefined")
    rho = float(np.corrcoef(ra, rb)[0, 1])
    rho = min(max(rho, -1.0), 1.0)
    q = (n**3 - n) * (1.0 - rho) / 6.0
    use_as89 = method != "asymptotic" and not has_ties and n <= _AS89_MAX_N
    if alternative == "two-sided":
        lower = q <= (n**3 - n) / 6.0
        p = min(2.0 * _p_spearman(q, n, rho, lower, use_as89), 1.0)
    else:
        p = _p_spearman(q, n, rho, alternative == "greater", use_as89)
    p_code = ("p_exact" if n <= _EXACT_MAX_N else "p_edgeworth") if use_as89 else "p_t"
    return CorrelationResult(**common, statistic=float(q), p_value=float(p), p_method_code=p_code,
                             effect_size=rho, effect_size_ci=bonett_wright_ci(rho, n, level, alternative))


def bonett_wright_ci(
    rho: float, n: int, confidence_level: float = 0.95, alternative: str = "two-sided"
) -> ConfidenceInterval:
    r"""Bonett & Wright's (2000) interval for Spearman's rho: Fisher z with :math:`se = \sqrt{(1 + \rho^2/2)/(n - 3)}`.

    One-sided alternatives give one finite limit at level :math:`1 - \alpha` (the other end is
    -1 or 1). NaN for n < 4.

    >>> [round(v, 4) for v in bonett_wright_ci(0.8286, 6)]
    [-0.1272, 0.9865]
    """
    from evalkit.compare.effect_sizes import fisher_z_ci

    if n < 4 or not math.isfinite(rho):
        return NAN_CI
    return fisher_z_ci(rho, math.sqrt((1.0 + rho * rho / 2.0) / (n - 3)), confidence_level, alternative)
