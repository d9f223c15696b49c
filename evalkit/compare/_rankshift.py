"""Hodges-Lehmann shifts and their intervals as R's ``wilcox.test(..., conf.int = TRUE)`` computes them.

R 4.2.2 (``stats:::wilcox.test.default``) gives, for the signed-rank test of the non-zero
differences ``x`` and for the rank-sum test of samples ``x`` and ``y``:

* **exact** (no ties, no zeros, n < 50): the estimate is the median of the Walsh averages
  (``(x_i + x_j)/2, i <= j``) or of the differences ``x_i - y_j``; the interval is the pair of order
  statistics at ``qsignrank(alpha/2, n)`` / ``qwilcox(alpha/2, m, n)`` (one-sided: ``alpha``), a
  quantile of 0 being replaced by 1; the interval then has the achieved level ``1 - achieved
  alpha``, which evalkit reports exactly (R's ``conf.level`` attribute reports it only when the
  achieved alpha exceeds 1.5 alpha, rounded to two digits in the one-sample case);
* **asymptotic**: the interval limits are the roots in ``d`` of the continuity- and tie-corrected
  normal statistic of ``x - d`` (zeros of ``x - d`` dropped) minus the normal quantile, found by
  ``uniroot(tol = 1e-4)`` (Brent's zeroin); the estimate is the root of the uncorrected statistic.

:func:`zeroin` is Brent's (1973) algorithm in the form of Forsythe, Malcolm & Moler (1977) that
R's ``uniroot`` runs, so the roots land where R's do (the statistics are step functions of ``d``, so
any point of a flat zero is a root and the one reported depends on the iteration path).
Statistics are computed from the distinct values and their counts, so registry scores with few
distinct values cost O(distinct values) per evaluation whatever n is.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from scipy import stats

from evalkit.compare._signrank import signrank_pmf, tail_p
from evalkit.compare._walsh import kth_pairwise_sums, median_rank_pair
from evalkit.compare.results import ConfidenceInterval

_EPS = np.finfo(float).eps
#: R's default ``tol.root`` of wilcox.test.
R_TOL_ROOT = 1e-4
NAN_PAIR = ConfidenceInterval(math.nan, math.nan)


def zeroin(f: Callable[[float], float], a: float, b: float, fa: float, fb: float, tol: float, maxit: int = 1000) -> float:
    """A root of ``f`` in [a, b] (``fa``, ``fb`` of opposite signs) by Brent's method, as R ``uniroot``.

    >>> round(zeroin(lambda x: x * x - 2.0, 0.0, 2.0, -2.0, 2.0, 1e-12), 10)
    1.4142135624
    """
    c, fc = a, fa
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    for _ in range(maxit + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):  # make b the best approximation
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2.0 * _EPS * abs(b) + tol / 2.0
        new_step = (c - b) / 2.0
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):  # interpolation may be tried
            cb = c - b
            if a == c:  # linear interpolation
                t1 = fb / fa
                p, q = cb * t1, 1.0 - t1
            else:  # inverse quadratic interpolation
                q, t1, t2 = fa / fc, fb / fc, fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0.0:
                q = -q
            else:
                p = -p
            if p < 0.75 * cb * q - abs(tol_act * q) / 2.0 and p < abs(prev_step * q / 2.0):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0.0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0.0 and fc > 0.0) or (fb < 0.0 and fc < 0.0):
            c, fc = a, fa
    return b


def _midranks(values: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mid-rank of each value (with multiplicities), the tie-group sizes and each value's group."""
    uniq, inverse = np.unique(values, return_inverse=True)
    sizes = np.bincount(inverse, weights=counts, minlength=uniq.size)
    midrank = np.cumsum(sizes) - (sizes - 1.0) / 2.0
    return midrank[inverse], sizes, inverse


def _correction(z: float, alternative: str) -> float:
    return {"greater": 0.5, "less": -0.5}.get(alternative, float(np.sign(z)) * 0.5)


def signed_rank_z(values: np.ndarray, counts: np.ndarray, d: float, correct: bool, alternative: str) -> float:
    """R's ``W(d)``: the normal statistic of the signed-rank test of ``x - d`` (zeros dropped, tie-corrected)."""
    xd = values - d
    keep = xd != 0.0
    xd, c = xd[keep], counts[keep]
    n = float(c.sum())
    ranks, sizes, _ = _midranks(np.abs(xd), c)
    zd = float(np.sum(c[xd > 0] * ranks[xd > 0])) - n * (n + 1.0) / 4.0
    sigma = math.sqrt(max(n * (n + 1.0) * (2.0 * n + 1.0) / 24.0 - float(np.sum(sizes**3 - sizes)) / 48.0, 0.0))
    if sigma == 0.0:
        return math.nan
    return (zd - (_correction(zd, alternative) if correct else 0.0)) / sigma


def rank_sum_z(x: tuple[np.ndarray, np.ndarray], y: tuple[np.ndarray, np.ndarray], d: float, correct: bool,
               alternative: str) -> float:
    """R's two-sample ``W(d)``: the normal statistic of the rank-sum test of ``x - d`` against ``y``."""
    (xv, xc), (yv, yc) = x, y
    nx, ny = float(xc.sum()), float(yc.sum())
    values = np.concatenate([xv - d, yv])
    counts = np.concatenate([xc, yc])
    ranks, sizes, _ = _midranks(values, counts)
    dz = float(np.sum(xc * ranks[: xv.size])) - nx * (nx + 1.0) / 2.0 - nx * ny / 2.0
    total = nx + ny
    sigma = math.sqrt(max((nx * ny / 12.0) * ((total + 1.0) - float(np.sum(sizes**3 - sizes)) / (total * (total - 1.0))), 0.0))
    if sigma == 0.0:
        return math.nan
    return (dz - (_correction(dz, alternative) if correct else 0.0)) / sigma


def _counts(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values, counts = np.unique(x, return_counts=True)
    return values, counts.astype(float)


def _z(p: float) -> float:
    """R ``qnorm(p)`` (lower tail); NaN outside [0, 1] as R."""
    return float(stats.norm.ppf(p)) if 0.0 <= p <= 1.0 else math.nan


def _ordered(ci: ConfidenceInterval) -> ConfidenceInterval:
    """The two limits in order. When both limits sit at the same jump of the statistic (huge n,
    integer data), uniroot's tolerance can leave the lower one up to ``tol`` above the upper one;
    R prints them so, evalkit swaps them (a difference below ``tol.root``)."""
    return ci if not ci.low > ci.high else ConfidenceInterval(ci.high, ci.low)


def signrank_asymptotic(x: np.ndarray, level: float, alternative: str, correct: bool,
                        tol: float = R_TOL_ROOT) -> tuple[float, ConfidenceInterval, float]:
    """R's asymptotic one-sample interval and estimate for the non-zero differences ``x``.

    Returns (estimate, interval, achieved level). All-tied ``x`` (no spread) gives the common value
    and a NaN interval, as R's "cannot compute confidence interval when all observations are tied".

    >>> est, ci, lev = signrank_asymptotic(np.array([1.0, 2.0, 5.0]), 0.95, "two-sided", True)
    >>> round(est, 3), [round(v, 3) for v in ci], round(lev, 12)    # R: 2.577, [1, 5] at 60 %
    (2.577, [1.0, 5.0], 0.6)
    """
    values, counts = _counts(x)
    mumin, mumax = float(values[0]), float(values[-1])

    def w(d: float, corr: bool = correct) -> float:
        return signed_rank_z(values, counts, d, corr, alternative)

    w_min = w(mumin)
    w_max = w(mumax) if math.isfinite(w_min) else math.nan
    if not (math.isfinite(w_min) and math.isfinite(w_max)):
        return (mumin + mumax) / 2.0, NAN_PAIR, 0.0

    def root(zq: float) -> float:
        return zeroin(lambda d: w(d) - zq, mumin, mumax, w_min - zq, w_max - zq, tol)

    alpha = 1.0 - level
    for _ in range(64):  # R doubles alpha until the quantiles fall inside [W(max), W(min)]
        if alternative == "two-sided":
            widen = w_min - _z(1.0 - alpha / 2.0) < 0 or w_max - _z(alpha / 2.0) > 0
        elif alternative == "greater":
            widen = w_min - _z(1.0 - alpha) < 0
        else:  # R tests alpha / 2 here, and uses alpha for the limit
            widen = w_max - _z(alpha / 2.0) > 0
        if not widen:
            break
        alpha *= 2.0
    achieved = level
    if alpha >= 1.0 or 1.0 - level < alpha * 0.75:
        achieved = 1.0 - min(1.0, alpha)
    median = float(np.median(x))
    if alternative == "two-sided":
        ci = ConfidenceInterval(root(_z(1.0 - alpha / 2.0)), root(_z(alpha / 2.0))) if alpha < 1.0 else ConfidenceInterval(median, median)
    elif alternative == "greater":
        ci = ConfidenceInterval(root(_z(1.0 - alpha)) if alpha < 1.0 else median, math.inf)
    else:
        ci = ConfidenceInterval(-math.inf, root(_z(alpha)) if alpha < 1.0 else median)
    f_lo, f_hi = w(mumin, False), w(mumax, False)
    estimate = zeroin(lambda d: w(d, False), mumin, mumax, f_lo, f_hi, tol)
    return float(estimate), _ordered(ci), achieved


def ranksum_asymptotic(x: np.ndarray, y: np.ndarray, level: float, alternative: str, correct: bool,
                       tol: float = R_TOL_ROOT) -> tuple[float, ConfidenceInterval, float]:
    """R's asymptotic two-sample interval and estimate of the shift ``x - y``.

    >>> est, ci, _ = ranksum_asymptotic(np.array([2.0, 3.0, 3.0, 5.0]), np.array([1.0, 1.0, 2.0]), 0.95, "two-sided", True)
    >>> round(est, 4), [float(round(v, 4)) for v in ci]
    (2.0, [0.0, 4.0])
    """
    xs, ys = _counts(x), _counts(y)
    mumin, mumax = float(x.min() - y.max()), float(x.max() - y.min())

    def w(d: float, corr: bool = correct) -> float:
        return rank_sum_z(xs, ys, d, corr, alternative)

    w_min, w_max = w(mumin), w(mumax)
    if not (math.isfinite(w_min) and math.isfinite(w_max)):
        return (mumin + mumax) / 2.0, NAN_PAIR, 0.0

    def root(zq: float) -> float:
        f_lo = w_min - zq
        if f_lo <= 0:
            return mumin
        f_hi = w_max - zq
        if f_hi >= 0:
            return mumax
        return zeroin(lambda d: w(d) - zq, mumin, mumax, f_lo, f_hi, tol)

    alpha = 1.0 - level
    if alternative == "two-sided":
        ci = ConfidenceInterval(root(_z(1.0 - alpha / 2.0)), root(_z(alpha / 2.0)))
    elif alternative == "greater":
        ci = ConfidenceInterval(root(_z(1.0 - alpha)), math.inf)
    else:
        ci = ConfidenceInterval(-math.inf, root(_z(alpha)))
    estimate = zeroin(lambda d: w(d, False), mumin, mumax, w(mumin, False), w(mumax, False), tol)
    return float(estimate), _ordered(ci), level


@lru_cache(maxsize=64)
def ranksum_pmf(m: int, n: int) -> np.ndarray:
    """Exact null pmf of the Mann-Whitney U for untied samples of sizes m and n (R ``dwilcox``).

    The counts are the coefficients of the Gaussian binomial :math:`\\binom{m+n}{m}_q`, built as
    :math:`\\prod_{i=1}^m (1 - q^{n+i})/(1 - q^i)`.

    >>> ranksum_pmf(2, 2) * 6
    array([1., 1., 2., 1., 1.])
    """
    m, n = min(m, n), max(m, n)
    size = m * n + 1
    coef = np.zeros(size + n + m + 1)
    coef[0] = 1.0
    for i in range(1, m + 1):
        coef[n + i:] -= coef[: coef.size - (n + i)].copy()  # times (1 - q^(n+i))
        for j in range(i, coef.size):  # divided by (1 - q^i): a running sum with stride i
            coef[j] += coef[j - i]
    pmf = coef[:size] / math.comb(m + n, m)
    pmf.setflags(write=False)
    return pmf


def _lower_quantile(pmf: np.ndarray, prob: float) -> int:
    """Smallest q with P(U <= q) >= prob (R ``qwilcox`` / ``qsignrank``, with their 10 eps slack)."""
    cdf = np.cumsum(pmf)
    return int(np.searchsorted(cdf, prob - 10.0 * _EPS, side="left"))


def order_statistic_interval(kth: Callable[[np.ndarray], np.ndarray], total: int, k: int,
                             alternative: str) -> tuple[float, ConfidenceInterval]:
    """The median of ``total`` ordered values and the interval between the k-th smallest and the
    k-th largest (``kth`` gives order statistics by 1-based rank); one-sided alternatives keep one.

    >>> order_statistic_interval(lambda ks: ks.astype(float), 9, 2, "greater")
    (5.0, ConfidenceInterval(low=2.0, high=inf))
    """
    vals = kth(np.concatenate([median_rank_pair(total), [k, total - k + 1]]))
    low, high = float(vals[2]), float(vals[3])
    if alternative == "greater":
        high = math.inf
    elif alternative == "less":
        low = -math.inf
    return float((vals[0] + vals[1]) / 2.0), ConfidenceInterval(low, high)


def exact_interval(pmf: np.ndarray, total: int, kth: Callable[[np.ndarray], np.ndarray], level: float,
                   alternative: str) -> tuple[float, ConfidenceInterval, float]:
    """Median and exact interval from the ordered Walsh averages / differences (``kth`` gives order
    statistics by 1-based rank), with R's quantile-0 rule and lowered level."""
    alpha = 1.0 - level
    tail = alpha / 2.0 if alternative == "two-sided" else alpha
    qu = _lower_quantile(pmf, tail)
    qu = max(qu, 1)
    achieved_alpha = (2.0 if alternative == "two-sided" else 1.0) * float(np.sum(pmf[: qu]))
    estimate, ci = order_statistic_interval(kth, total, qu, alternative)
    # The achieved level is below the requested one only when the quantile was 0 and replaced by 1.
    # R's conf.level attribute then says so only when the achieved alpha exceeds 1.5 alpha (and rounds
    # it to 2 significant digits in the one-sample case); evalkit always reports the exact level.
    achieved = 1.0 - achieved_alpha if achieved_alpha > alpha else level
    return estimate, ci, achieved


def signrank_exact(x: np.ndarray, level: float, alternative: str) -> tuple[float, ConfidenceInterval, float]:
    """R's exact one-sample estimate (median of Walsh averages) and interval; ``x`` untied, non-zero.

    >>> x = np.array([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30])      # R ?wilcox.test
    >>> y = np.array([0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29])
    >>> est, ci, lev = signrank_exact(x - y, 0.95, "two-sided")
    >>> round(est, 3), [round(v, 3) for v in ci], lev
    (0.46, [0.01, 0.786], 0.95)
    """
    n = x.size
    return exact_interval(signrank_pmf(n), n * (n + 1) // 2, lambda ks: kth_pairwise_sums(x, None, ks) / 2.0,
                          level, alternative)


def ranksum_exact(x: np.ndarray, y: np.ndarray, level: float, alternative: str) -> tuple[float, ConfidenceInterval, float]:
    """R's exact two-sample estimate (median of ``x_i - y_j``) and interval; samples untied.

    >>> est, ci, _ = ranksum_exact(np.array([6.0, 8, 9, 11, 13]), np.array([1.0, 2, 3, 5, 12]), 0.95, "greater")
    >>> est, ci.low, ci.high     # R: wilcox.test(y, x, "greater", conf.int = TRUE): 6, (1, Inf)
    (6.0, 1.0, inf)
    """
    return exact_interval(ranksum_pmf(x.size, y.size), x.size * y.size, lambda ks: kth_pairwise_sums(x, -y, ks),
                          level, alternative)


def ranksum_exact_p(u: float, m: int, n: int, alternative: str) -> float:
    """R's exact rank-sum p-value for ``U`` = #(x_i > y_j) (``alternative`` about x - y)."""
    # the null distribution is symmetric, so R's "tail on the side of U" is the smaller tail
    return tail_p(ranksum_pmf(m, n), int(round(u)), alternative)
