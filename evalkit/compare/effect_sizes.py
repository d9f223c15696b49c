"""Effect sizes and the confidence intervals the comparison functions attach to them.

Each function states its formula and the published implementation it was checked against (see
``tests/compare``). Signs follow *second minus first* (post - pre, group 2 - group 1).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special, stats

from evalkit.compare.results import NAN_CI, ConfidenceInterval

__all__ = [
    "clopper_pearson_ci",
    "cohens_d_av",
    "cohens_d_z",
    "cramers_v",
    "newcombe_paired_ci",
    "newcombe_unpaired_ci",
    "noncentral_t_ci",
    "wilson_ci",
]

def noncentral_t_ci(
    t: float, df: float, confidence_level: float = 0.95, alternative: str = "two-sided"
) -> ConfidenceInterval:
    r"""Confidence limits for the noncentrality parameter of a t statistic (Steiger & Fouladi 1997).

    The lower limit :math:`\lambda_L` solves :math:`P(T_{df,\lambda_L} \le t) = 1 - \alpha/2`, the upper
    :math:`\lambda_U` solves :math:`P(T_{df,\lambda_U} \le t) = \alpha/2`. One-sided alternatives give one
    finite limit (``greater``: lower limit at level :math:`1-\alpha`; ``less``: upper limit).

    Examples
    --------
    >>> ci = noncentral_t_ci(1.14 / (2.12 / 7 ** 0.5), 6)
    >>> [round(v / 7 ** 0.5, 6) for v in ci]   # MOTE::d.dep.t.diff(1.14, 2.12, n = 7)
    [-0.279186, 1.317321]
    """
    if not (math.isfinite(t) and df > 0):
        return NAN_CI
    alpha = 1.0 - confidence_level

    def solve(p_lower_tail: float) -> float:
        # P(T <= t | ncp) decreases in ncp; expand a bracket around t until it straddles p.
        # special.nctdtr is the ufunc behind stats.nct.cdf (identical values, ~40x less overhead)
        f = lambda ncp: special.nctdtr(df, ncp, t) - p_lower_tail  # noqa: E731
        width = 2.0 + abs(t) * 0.1
        lo, hi = t - width, t + width
        for _ in range(60):
            f_lo, f_hi = f(lo), f(hi)
            if not (math.isfinite(f_lo) and math.isfinite(f_hi)):
                # nctdtr gives NaN far in the tails (tiny df, extreme t): no finite limit can be found
                return math.nan
            if f_lo > 0 > f_hi:
                try:
                    return optimize.brentq(f, lo, hi, xtol=1e-13, rtol=4 * np.finfo(float).eps, maxiter=200)
                except ValueError:  # NaN inside the bracket
                    return math.nan
            width *= 2.0
            lo, hi = t - width, t + width
        return math.nan

    if alternative == "greater":  # one-sided: a lower limit only
        return ConfidenceInterval(float(solve(1.0 - alpha)), math.inf)
    if alternative == "less":  # one-sided: an upper limit only
        return ConfidenceInterval(-math.inf, float(solve(alpha)))
    return ConfidenceInterval(float(solve(1.0 - alpha / 2.0)), float(solve(alpha / 2.0)))


def cohens_d_z(
    diff: np.ndarray, confidence_level: float = 0.95, alternative: str = "two-sided"
) -> tuple[float, ConfidenceInterval]:
    r"""Cohen's :math:`d_z = \bar d / s_d` for paired differences, with a noncentral-t interval.

    :math:`d_z = t / \sqrt n`; the interval is the noncentral-t interval of :math:`t` divided by
    :math:`\sqrt n` (Algina & Keselman 2003; Lakens 2013 eq. 6). Validated against R
    ``MOTE::d.dep.t.diff``.

    >>> d, ci = cohens_d_z(np.array([1.0, 2.0, 3.0, 6.0]))
    >>> round(d, 6), [round(v, 4) for v in ci]
    (1.38873, [-0.0917, 2.7878])
    """
    diff = np.asarray(diff, dtype=float)
    n = diff.size
    if n < 2:
        return math.nan, NAN_CI
    sd = float(np.std(diff, ddof=1))
    if sd == 0.0:
        return math.nan, NAN_CI
    d = float(np.mean(diff)) / sd
    ci = noncentral_t_ci(d * math.sqrt(n), n - 1, confidence_level, alternative)
    return d, ConfidenceInterval(ci.low / math.sqrt(n), ci.high / math.sqrt(n))


def cohens_d_av(
    pre: np.ndarray, post: np.ndarray, confidence_level: float = 0.95, alternative: str = "two-sided"
) -> tuple[float, ConfidenceInterval]:
    r"""Cohen's :math:`d_{av} = (\bar y_{post} - \bar y_{pre}) / ((s_{pre} + s_{post})/2)` for paired data.

    The denominator is the average of the two standard deviations (Cumming 2012; Lakens 2013 eq. 10),
    so :math:`d_{av}` ignores the correlation between the waves and is comparable with a
    between-subjects d. The interval treats :math:`d_{av}\sqrt n` as a noncentral t with n - 1 df
    and divides its limits by :math:`\sqrt n`, as R ``MOTE::d.dep.t.avg`` does (an approximation).

    >>> d, ci = cohens_d_av(np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.0, 3.0, 6.0]))
    >>> round(d, 6), [round(v, 4) for v in ci]
    (0.833661, [-0.3774, 1.9582])
    """
    pre = np.asarray(pre, dtype=float)
    post = np.asarray(post, dtype=float)
    n = pre.size
    if n < 2:
        return math.nan, NAN_CI
    s_av = (float(np.std(pre, ddof=1)) + float(np.std(post, ddof=1))) / 2.0
    if s_av == 0.0:
        return math.nan, NAN_CI
    d = (float(np.mean(post)) - float(np.mean(pre))) / s_av
    ci = noncentral_t_ci(d * math.sqrt(n), n - 1, confidence_level, alternative)
    return d, ConfidenceInterval(ci.low / math.sqrt(n), ci.high / math.sqrt(n))


def wilson_ci(successes: float, n: float, confidence_level: float = 0.95) -> ConfidenceInterval:
    r"""Wilson score interval for a proportion (Wilson 1927; Newcombe 1998 method 3).

    >>> [round(v, 6) for v in wilson_ci(81, 263)]   # statsmodels proportion_confint(81, 263, method="wilson")
    [0.255289, 0.36621]
    """
    if n <= 0:
        return NAN_CI
    z = stats.norm.isf((1.0 - confidence_level) / 2.0)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
    return ConfidenceInterval(float(centre - half), float(centre + half))


def clopper_pearson_ci(successes: int, n: int, confidence_level: float = 0.95) -> ConfidenceInterval:
    """Exact (Clopper-Pearson) interval for a binomial proportion, via ``scipy.stats.binomtest``.

    >>> [round(v, 6) for v in clopper_pearson_ci(3, 10)]
    [0.06674, 0.652453]
    """
    if n <= 0:
        return NAN_CI
    ci = stats.binomtest(int(successes), int(n)).proportion_ci(confidence_level, method="exact")
    return ConfidenceInterval(float(ci.low), float(ci.high))


def newcombe_paired_ci(
    n_both: int, n_first_only: int, n_second_only: int, n_neither: int, confidence_level: float = 0.95
) -> ConfidenceInterval:
    r"""Newcombe's (1998) method-10 interval for the difference of paired proportions, second - first.

    With :math:`p_1 = (a+b)/n` (first), :math:`p_2 = (a+c)/n` (second), Wilson limits :math:`(l_i, u_i)`
    and the correlation :math:`\phi` of the margins (with Newcombe's adjustment: :math:`A = ad - bc`
    is replaced by :math:`A - n/2` when :math:`A > n/2`, by 0 when :math:`0 \le A \le n/2`),

    .. math:: L = \hat\Delta - \sqrt{(p_2 - l_2)^2 - 2\phi(p_2 - l_2)(u_1 - p_1) + (u_1 - p_1)^2}

    and symmetrically for :math:`U`. Validated against R ``contingencytables::
    Newcombe_square_and_add_CI_paired_2x2`` (Fagerland, Lydersen & Laake 2017, ch. 8).

    >>> [round(v, 4) for v in newcombe_paired_ci(59, 6, 16, 80)]
    [0.0046, 0.1186]
    """
    a, b, c, d = (float(v) for v in (n_both, n_first_only, n_second_only, n_neither))
    n = a + b + c + d
    if n <= 0:
        return NAN_CI
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson_ci(a + b, n, confidence_level)
    l2, u2 = wilson_ci(a + c, n, confidence_level)
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    phi = 0.0
    if margins > 0:
        cross = a * d - b * c
        if cross > n / 2.0:
            phi = (cross - n / 2.0) / math.sqrt(margins)
        elif cross < 0:
            phi = cross / math.sqrt(margins)
    delta = p2 - p1
    low = delta - math.sqrt(max((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2, 0.0))
    high = delta + math.sqrt(max((u2 - p2) ** 2 - 2 * phi * (u2 - p2) * (p1 - l1) + (p1 - l1) ** 2, 0.0))
    return ConfidenceInterval(low, high)


def newcombe_unpaired_ci(x1: int, n1: int, x2: int, n2: int, confidence_level: float = 0.95) -> ConfidenceInterval:
    r"""Newcombe's (1998) hybrid score interval for :math:`p_2 - p_1` of two independent proportions.

    :math:`L = \hat\Delta - \sqrt{(p_2 - l_2)^2 + (u_1 - p_1)^2}`,
    :math:`U = \hat\Delta + \sqrt{(u_2 - p_2)^2 + (p_1 - l_1)^2}` with Wilson limits. Validated
    against ``statsmodels.stats.proportion.confint_proportions_2indep(method="newcomb")``.

    >>> [round(v, 4) for v in newcombe_unpaired_ci(11, 35, 47, 68)]
    [0.1739, 0.5382]
    """
    if n1 <= 0 or n2 <= 0:
        return NAN_CI
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_ci(x1, n1, confidence_level)
    l2, u2 = wilson_ci(x2, n2, confidence_level)
    delta = p2 - p1
    return ConfidenceInterval(delta - math.hypot(p2 - l2, u1 - p1), delta + math.hypot(u2 - p2, p1 - l1))


def cramers_v(
    chi2: float, n: int, shape: tuple[int, int], confidence_level: float = 0.95
) -> tuple[float, ConfidenceInterval]:
    r"""Cramér's :math:`V = \sqrt{\chi^2 / (n (\min(r, c) - 1))}` with a noncentral chi-square interval.

    The limits invert the noncentral :math:`\chi^2` distribution with :math:`(r-1)(c-1)` df in its
    noncentrality :math:`\lambda` (Smithson 2003, as in R ``effectsize::cramers_v``) and map
    :math:`\lambda \mapsto \sqrt{\lambda / (n(\min(r,c)-1))}`.

    >>> v, ci = cramers_v(5.89, 303, (4, 2))
    >>> round(v, 6), [round(x, 4) for x in ci]
    (0.139424, [0.0, 0.2336])
    """
    r, c = shape
    k = min(r, c) - 1
    if n <= 0 or k <= 0 or not math.isfinite(chi2):
        return math.nan, NAN_CI
    df = (r - 1) * (c - 1)
    v = math.sqrt(chi2 / (n * k))
    alpha = 1.0 - confidence_level

    def ncp_for(p_lower_tail: float) -> float:
        f = lambda lam: stats.ncx2.cdf(chi2, df, lam) - p_lower_tail  # noqa: E731
        if f(0.0) <= 0.0:  # even a central chi-square puts less than p below: limit is 0
            return 0.0
        hi = max(chi2, 1.0)
        while f(hi) > 0.0:
            hi *= 2.0
        return optimize.brentq(f, 0.0, hi, xtol=1e-12, rtol=4 * np.finfo(float).eps, maxiter=500)

    lam_low = ncp_for(1.0 - alpha / 2.0)
    lam_high = ncp_for(alpha / 2.0)
    to_v = lambda lam: min(math.sqrt(lam / (n * k)), 1.0)  # noqa: E731
    return v, ConfidenceInterval(to_v(lam_low), to_v(lam_high))


def fisher_z_ci(
    r: float, se: float, confidence_level: float = 0.95, alternative: str = "two-sided"
) -> ConfidenceInterval:
    r"""Interval :math:`\tanh(\operatorname{atanh} r \pm z\, se)` for a correlation-type index.

    Two-sided with :math:`z = z_{1-\alpha/2}`; ``"greater"`` gives only a lower limit and ``"less"``
    only an upper limit, with :math:`z = z_{1-\alpha}` (the unbounded end is -1 or 1).

    >>> [round(v, 4) for v in fisher_z_ci(0.5, 0.2)]
    [0.156, 0.7358]
    """
    if not (math.isfinite(r) and math.isfinite(se)):
        return NAN_CI
    alpha = 1.0 - confidence_level
    centre = math.atanh(r) if abs(r) < 1.0 else math.copysign(math.inf, r)
    if alternative == "greater":
        return ConfidenceInterval(math.tanh(centre - float(stats.norm.isf(alpha)) * se), 1.0)
    if alternative == "less":
        return ConfidenceInterval(-1.0, math.tanh(centre + float(stats.norm.isf(alpha)) * se))
    z = float(stats.norm.isf(alpha / 2.0))
    return ConfidenceInterval(math.tanh(centre - z * se), math.tanh(centre + z * se))
