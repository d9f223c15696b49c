"""One proportion against a stated value: the exact binomial test and the goal test.

Udgående indsatser (Socialstyrelsen 2017), chapter 7, p. 24, states goals as shares ("70 pct.
gennemfører", "60 pct. har en forbedret trivsel"); whether a programme met a goal is tested by the
exact one-sided binomial test of :math:`H_0: \\pi \\le` target against :math:`\\pi >` target, with
the Clopper-Pearson interval of the share. Both mirror R ``binom.test``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special, stats

from evalkit.compare._inputs import check_alternative, check_confidence_level
from evalkit.compare.results import (
    NAN,
    NAN_CI,
    ComparisonResult,
    ConfidenceInterval,
    SmallSampleWarning,
)

__all__ = ["ProportionResult", "binomial_test", "goal_test"]

#: R binom.test's tolerance when collecting outcomes "as or less likely" than the observed one.
_R_REL_ERR = 1.0 + 1e-7


@dataclass(frozen=True, kw_only=True)
class ProportionResult(ComparisonResult):
    """One proportion ``successes / n`` tested against ``null_value``.

    ``estimate`` is the share with its Clopper-Pearson interval; ``effect_size`` is share minus
    ``null_value`` with the same interval shifted.
    """

    successes: int = 0
    null_value: float = NAN


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not float(value).is_integer() or float(value) < 0:
        raise ValueError(f"`{name}` must be a non-negative whole number, got {value!r}")
    return int(value)


def clopper_pearson(successes: int, n: int, confidence_level: float, alternative: str) -> ConfidenceInterval:
    """R ``binom.test``'s interval: two-sided, or a lower (``greater``) / upper (``less``) bound.

    >>> [round(v, 6) for v in clopper_pearson(3, 10, 0.95, "greater")]
    [0.087264, 1.0]
    """
    alpha = 1.0 - confidence_level
    tail = alpha / 2.0 if alternative == "two-sided" else alpha
    low = 0.0 if successes == 0 else float(stats.beta.ppf(tail, successes, n - successes + 1))
    high = 1.0 if successes == n else float(stats.beta.isf(tail, successes + 1, n - successes))
    if alternative == "greater":
        high = 1.0
    elif alternative == "less":
        low = 0.0
    return ConfidenceInterval(low, high)


def _binomial_pmf(n: int, p: float) -> np.ndarray:
    """P(X = i), i = 0..n, from log-gamma (stable for any p in [0, 1], also subnormal ones)."""
    i = np.arange(n + 1, dtype=float)
    log_pmf = special.gammaln(n + 1.0) - special.gammaln(i + 1.0) - special.gammaln(n - i + 1.0)
    log_pmf = log_pmf + special.xlogy(i, p) + special.xlog1py(n - i, -p)
    return np.exp(log_pmf)


def _binomial_p(k: int, n: int, p: float, alternative: str) -> float:
    """R ``binom.test``'s p-value (two-sided: outcomes no more likely than the observed one)."""
    pmf = _binomial_pmf(n, p)
    if alternative == "less":
        return min(float(pmf[: k + 1].sum()), 1.0)
    if alternative == "greater":
        return min(float(pmf[k:].sum()), 1.0)
    if p == 0.0:
        return float(k == 0)
    if p == 1.0:
        return float(k == n)
    m = n * p
    if k == m:
        return 1.0
    d = pmf[k] * _R_REL_ERR
    if k < m:  # this tail up to k, and the outcomes above the mean no more likely than k
        other = pmf[math.ceil(m):]
        total = float(pmf[: k + 1].sum()) + float(other[other <= d].sum())
    else:
        other = pmf[: math.floor(m) + 1]
        total = float(other[other <= d].sum()) + float(pmf[k:].sum())
    return min(total, 1.0)


def binomial_test(
    successes: int,
    n: int,
    p: float = 0.5,
    *,
    alternative: str = "two-sided",
    confidence_level: float | None = None,
) -> ProportionResult:
    r"""Exact binomial test of :math:`H_0: \pi = p` (or :math:`\le` / :math:`\ge`) with the Clopper-Pearson interval.

    Parameters
    ----------
    successes, n
        Count of successes and number of trials (whole numbers, ``0 <= successes <= n``).
    p
        The proportion under the null hypothesis, in [0, 1].
    alternative
        ``"two-sided"`` (default), ``"greater"`` (:math:`\pi > p`) or ``"less"``. The interval
        follows it: a lower bound only for ``"greater"``, an upper bound only for ``"less"``.
    confidence_level
        Default from ``compare.yaml`` (0.95).

    Returns
    -------
    ProportionResult
        ``statistic`` = ``successes``; ``p_value`` exact (``p_exact_binomial``); ``estimate`` =
        ``successes / n`` with the Clopper-Pearson interval; ``effect_size`` = share - p. With
        ``n = 0`` the p-value is None and ``status`` is ``"too_small"``.

    Notes
    -----
    Mirrors R ``binom.test(x, n, p, alternative, conf.level)``: one-sided p-values are binomial
    tails; the two-sided p sums the probabilities of the outcomes no more likely than the
    observed one (with R's relative tolerance 1e-7); the limits are beta quantiles
    ``qbeta(alpha, x, n - x + 1)`` and ``qbeta(1 - alpha, x + 1, n - x)``.

    Examples
    --------
    >>> r = binomial_test(682, 925, 0.75)   # R ?binom.test (Mendel's peas): p-value = 0.3825
    >>> round(r.p_value, 4), [round(v, 7) for v in r.estimate_ci]
    (0.3825, [0.7076683, 0.7654066])
    """
    alternative = check_alternative(alternative)
    level = check_confidence_level(confidence_level)
    k, n = _count(successes, "successes"), _count(n, "n")
    if k > n:
        raise ValueError(f"`successes` ({k}) exceeds `n` ({n})")
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"`p` must lie in [0, 1], got {p!r}")
    common: dict[str, Any] = dict(
        method="Exact binomial test", test_code="binomial_exact", n=n, n_dropped=0, statistic_name="successes",
        estimate_name="share", estimate_code="share", estimate_ci_code="ci_clopper_pearson",
        effect_size_name="share - null value", effect_size_code="share_minus_target",
        effect_size_ci_code="ci_clopper_pearson", alternative=alternative, confidence_level=level,
        successes=k, null_value=p,
    )
    if n == 0:
        warnings.warn("binomial_test: n = 0", SmallSampleWarning, stacklevel=2)
        return ProportionResult(**common, statistic=NAN, p_value=None, effect_size=NAN, effect_size_ci=NAN_CI,
                                status="too_small", reason="no trials (n = 0)")
    share = k / n
    ci = clopper_pearson(k, n, level, alternative)
    return ProportionResult(**common, statistic=float(k), p_value=_binomial_p(k, n, p, alternative),
                            p_method_code="p_exact_binomial", estimate=share, estimate_ci=ci,
                            effect_size=share - p, effect_size_ci=ConfidenceInterval(ci.low - p, ci.high - p))


def goal_test(successes: int, n: int, target: float, *, confidence_level: float | None = None) -> ProportionResult:
    r"""Whether a share is credibly above a goal: exact one-sided binomial test of :math:`H_0: \pi \le` target.

    Parameters
    ----------
    successes, n
        Persons who reached the goal, and the denominator.
    target
        The goal as a proportion in [0, 1] (70 pct. is ``0.70``).
    confidence_level
        Default from ``compare.yaml`` (0.95).

    Returns
    -------
    ProportionResult
        As :func:`binomial_test` with ``alternative="greater"`` (``test_code`` ``binomial_goal``):
        the p-value is :math:`P(X \ge k \mid \pi = \text{target})` and the interval is the
        one-sided Clopper-Pearson lower bound (upper end 1), R ``binom.test(x, n, p = target,
        alternative = "greater")``. A report that prints a two-sided interval beside the one-sided
        test takes it from :func:`evalkit.compare.clopper_pearson_ci`.

    Examples
    --------
    >>> r = goal_test(49, 60, 0.70)
    >>> round(r.p_value, 6), round(r.estimate_ci.low, 6), r.estimate_ci.high
    (0.029475, 0.714834, 1.0)
    """
    result = binomial_test(successes, n, target, alternative="greater", confidence_level=confidence_level)
    from dataclasses import replace

    return replace(result, test_code="binomial_goal", method="Exact binomial test (one-sided, H0: share <= target)",
                   effect_size_name="share - target")
