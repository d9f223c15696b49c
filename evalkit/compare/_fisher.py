"""The odds ratio of a 2x2 table as R ``fisher.test`` reports it: the conditional MLE and its exact interval.

Given the margins, the top-left count follows Fisher's noncentral hypergeometric distribution with
the odds ratio as parameter. R ``fisher.test(x)`` estimates the odds ratio by the conditional
maximum likelihood (the value whose conditional mean equals the observed count) and inverts the
two one-sided conditional tests for the interval, each by ``uniroot`` with its default tolerance
(``.Machine$double.eps^0.25``) on the odds ratio or its reciprocal in (0, 1]; :func:`zeroin` is
the same algorithm, so the printed values agree with R's, including the few units in the fifth
significant digit the tolerance leaves (scipy's ``odds_ratio(kind="conditional")`` solves the same
equations more precisely).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from evalkit.compare._rankshift import zeroin
from evalkit.compare.results import ConfidenceInterval

_R_TOL = float(np.finfo(float).eps) ** 0.25  # uniroot's default tol
_DBL_EPS = float(np.finfo(float).eps)


class _Conditional:
    """Fisher's noncentral hypergeometric distribution of the top-left count given the margins."""

    def __init__(self, table: np.ndarray) -> None:
        (a, b), (c, d) = (int(v) for v in table[0]), (int(v) for v in table[1])
        self.x = a
        m, n, k = a + c, b + d, a + b  # column 1 total, column 2 total, row 1 total
        self.lo, self.hi = max(0, k - n), min(k, m)
        self.support = np.arange(self.lo, self.hi + 1)
        self.logdc = stats.hypergeom.logpmf(self.support, m + n, m, k)

    def density(self, ncp: float) -> np.ndarray:
        d = self.logdc + math.log(ncp) * self.support
        d = np.exp(d - d.max())
        return d / d.sum()

    def mean(self, ncp: float) -> float:
        if ncp == 0.0:
            return float(self.lo)
        if math.isinf(ncp):
            return float(self.hi)
        return float(np.sum(self.support * self.density(ncp)))

    def cdf(self, q: int, ncp: float, upper: bool = False) -> float:
        if ncp == 0.0:
            return float(q <= self.lo) if upper else float(q >= self.lo)
        if math.isinf(ncp):
            return float(q <= self.hi) if upper else float(q >= self.hi)
        dens = self.density(ncp)
        return float(dens[self.support >= q].sum() if upper else dens[self.support <= q].sum())


def _uniroot(f, lower: float, upper: float) -> float:
    return zeroin(f, lower, upper, f(lower), f(upper), _R_TOL)


def conditional_odds_ratio(table: np.ndarray, level: float = 0.95, alternative: str = "two-sided") -> tuple[float, ConfidenceInterval]:
    """R ``fisher.test(table, conf.level = level, alternative = ...)$estimate`` and ``$conf.int``.

    >>> est, ci = conditional_odds_ratio(np.array([[3, 1], [1, 3]]))   # R ?fisher.test, TeaTasting
    >>> round(est, 6), [round(v, 6) for v in ci]
    (6.408309, [0.211733, 621.933751])
    """
    dist = _Conditional(np.asarray(table))
    x, lo, hi = dist.x, dist.lo, dist.hi

    def mle() -> float:
        if x == lo:
            return 0.0
        if x == hi:
            return math.inf
        mu = dist.mean(1.0)
        if mu > x:
            return _uniroot(lambda t: dist.mean(t) - x, 0.0, 1.0)
        if mu < x:
            return 1.0 / _uniroot(lambda t: dist.mean(1.0 / t) - x, _DBL_EPS, 1.0)
        return 1.0

    def upper_limit(alpha: float) -> float:
        if x == hi:
            return math.inf
        p = dist.cdf(x, 1.0)
        if p < alpha:
            return _uniroot(lambda t: dist.cdf(x, t) - alpha, 0.0, 1.0)
        if p > alpha:
            return 1.0 / _uniroot(lambda t: dist.cdf(x, 1.0 / t) - alpha, _DBL_EPS, 1.0)
        return 1.0

    def lower_limit(alpha: float) -> float:
        if x == lo:
            return 0.0
        p = dist.cdf(x, 1.0, upper=True)
        if p > alpha:
            return _uniroot(lambda t: dist.cdf(x, t, upper=True) - alpha, 0.0, 1.0)
        if p < alpha:
            return 1.0 / _uniroot(lambda t: dist.cdf(x, 1.0 / t, upper=True) - alpha, _DBL_EPS, 1.0)
        return 1.0

    if alternative == "less":
        ci = ConfidenceInterval(0.0, upper_limit(1.0 - level))
    elif alternative == "greater":
        ci = ConfidenceInterval(lower_limit(1.0 - level), math.inf)
    else:
        alpha = (1.0 - level) / 2.0
        ci = ConfidenceInterval(lower_limit(alpha), upper_limit(alpha))
    return float(mle()), ci
