"""Mann-Whitney U (Wilcoxon rank-sum) test with the Hodges-Lehmann shift, as R ``wilcox.test``.

Defaults are those of R 4.2.2 ``wilcox.test(y, x, conf.int = TRUE)``: the exact null distribution
when both groups have fewer than 50 values and there are no ties, otherwise the normal approximation
with tie correction and continuity correction; the shift and its interval come from the same
distribution as the p-value (see :mod:`evalkit.compare._rankshift`). Tests UNG Rusmidler's
statements on length of stay (section 6.4) and age (section 6.2).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Literal

import numpy as np
from scipy import stats

from evalkit.compare import _rankshift
from evalkit.compare._inputs import check_alternative, check_confidence_level, sample
from evalkit.compare._rules import compare_rules
from evalkit.compare._walsh import kth_pairwise_sums
from evalkit.compare.effect_sizes import fisher_z_ci
from evalkit.compare.results import (
    NAN,
    NAN_CI,
    CompareWarning,
    ConfidenceInterval,
    DegenerateDataWarning,
    GroupResult,
    SmallSampleWarning,
)

__all__ = ["mann_whitney"]


def _u_statistic(a: np.ndarray, b: np.ndarray) -> tuple[float, np.ndarray]:
    """U_y = #(y_j > x_i) + #(=)/2 from mid-ranks, and the tie-group sizes of the pooled sample."""
    pooled = np.concatenate([a, b])
    _, inverse, sizes = np.unique(pooled, return_inverse=True, return_counts=True)
    midrank = np.cumsum(sizes) - (sizes - 1) / 2.0
    ranks = midrank[inverse]
    return float(ranks[a.size:].sum() - b.size * (b.size + 1) / 2.0), sizes.astype(float)


def _normal_p(u: float, n1: int, n2: int, sizes: np.ndarray, alternative: str, correct: bool) -> tuple[float, float]:
    """R's normal approximation: tie-corrected variance, continuity correction toward the mean."""
    total = n1 + n2
    z = u - n1 * n2 / 2.0
    sigma = math.sqrt((n1 * n2 / 12.0) * ((total + 1.0) - float(np.sum(sizes**3 - sizes)) / (total * (total - 1.0))))
    if correct:
        z -= {"greater": 0.5, "less": -0.5}.get(alternative, float(np.sign(z)) * 0.5)
    z /= sigma
    if alternative == "greater":
        return z, float(stats.norm.sf(z))
    if alternative == "less":
        return z, float(stats.norm.cdf(z))
    return z, float(min(2.0 * min(stats.norm.cdf(z), stats.norm.sf(z)), 1.0))


def _hl_all_differences(
    a: np.ndarray, b: np.ndarray, level: float, alternative: str
) -> tuple[float, ConfidenceInterval]:
    """Median of y_j - x_i with Hollander & Wolfe's large-sample order-statistic limits (the former default)."""
    n1, n2 = a.size, b.size
    total = n1 * n2
    tail = (1.0 - level) / 2.0 if alternative == "two-sided" else 1.0 - level
    k = int(math.floor(total / 2.0 - stats.norm.isf(tail) * math.sqrt(total * (n1 + n2 + 1) / 12.0)))
    k = min(max(k, 1), total)
    return _rankshift.order_statistic_interval(lambda ks: kth_pairwise_sums(b, -a, ks), total, k, alternative)


def mann_whitney(
    x: Any,
    y: Any,
    *,
    method: str = "auto",
    use_continuity: bool | None = None,
    estimator: Literal["r", "all_differences"] | None = None,
    alternative: str = "two-sided",
    confidence_level: float | None = None,
) -> GroupResult:
    r"""Mann-Whitney U (Wilcoxon rank-sum) test of group ``y`` against group ``x``, with the shift y - x.

    Parameters
    ----------
    x, y
        The two samples (group 1, group 2); missing values are dropped and counted.
    method
        ``"auto"`` (default, R's rule): exact when both groups have fewer than
        ``mann_whitney.exact_max_n`` (50) values and there are no ties, else the normal
        approximation. ``"exact"`` asks for the exact distribution; with ties it falls back to the
        normal approximation with a warning, as R. ``"asymptotic"`` forces the approximation.
    use_continuity
        Continuity correction of the approximation and of the asymptotic interval; default from
        ``compare.yaml`` (True, R's ``correct = TRUE``).
    estimator
        ``"r"`` (default): R's ``wilcox.test(y, x, conf.int = TRUE)`` -- exact method: the median
        of the differences :math:`y_j - x_i` with the interval at ``qwilcox(alpha/2, n_y, n_x)``;
        normal approximation: the root of the normal statistic with the interval inverting the
        corrected test (``tol.root = 1e-4``). ``"all_differences"``: the median of the
        differences with Hollander & Wolfe's large-sample limits (evalkit before issue 15).
    alternative
        ``"greater"``: values in ``y`` tend to be larger. The interval follows it.
    confidence_level
        Default from ``compare.yaml``.

    Returns
    -------
    GroupResult
        ``statistic`` = :math:`U_y` (pairs with :math:`y_j > x_i`, ties counting 1/2; R's ``W`` of
        ``wilcox.test(y, x)``); ``effect_size`` = rank-biserial :math:`r = 2U_y/(n_x n_y) - 1` with
        a Fisher-z interval, :math:`se = \sqrt{(n_x + n_y + 1)/(3 n_x n_y)}` (R
        ``effectsize::rank_biserial``); ``estimate`` = the Hodges-Lehmann shift (y - x) with its
        interval (``estimate_ci_level`` when R lowers the level); the codes name each method.

    Notes
    -----
    Checked against R 4.2.2 ``wilcox.test`` (stored values in ``tests/compare/r_reference``),
    ``scipy.stats.mannwhitneyu`` and exact enumeration of the rank-sum distribution.

    Examples
    --------
    >>> r = mann_whitney([0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46],
    ...                  [1.15, 0.88, 0.90, 0.74, 1.21], alternative="less")
    >>> r.statistic, round(r.p_value, 4)        # R: wilcox.test(x, y, alternative = "g"): W = 35, p = 0.1272
    (15.0, 0.1272)
    >>> r = mann_whitney([1, 2, 3, 5, 12], [6, 8, 9, 11, 13], alternative="greater")
    >>> round(r.p_value, 4), r.estimate, tuple(r.estimate_ci)   # R: p = 0.04762, CI (1, Inf)
    (0.0476, 6.0, (1.0, inf))
    """
    rules = compare_rules()["mann_whitney"]
    alternative = check_alternative(alternative)
    level = check_confidence_level(confidence_level)
    correct = rules["continuity_correction"] if use_continuity is None else bool(use_continuity)
    estimator = estimator or rules["estimator"]
    if method not in ("auto", "exact", "asymptotic"):
        raise ValueError(f"`method` must be 'auto', 'exact' or 'asymptotic', got {method!r}")
    if estimator not in ("r", "all_differences"):
        raise ValueError(f"`estimator` must be 'r' or 'all_differences', got {estimator!r}")
    a, drop_a = sample(x, "x")
    b, drop_b = sample(y, "y")
    n1, n2 = a.size, b.size
    common: dict[str, Any] = dict(n=n1 + n2, n_dropped=drop_a + drop_b, statistic_name="U", effect_size_name="r_rb",
                                  test_code="mann_whitney", effect_size_code="r_rb", effect_size_ci_code="ci_fisher_z",
                                  estimate_name="Hodges-Lehmann shift (y - x)", alternative=alternative,
                                  confidence_level=level, n_groups=2, group_sizes=(n1, n2))
    if n1 == 0 or n2 == 0:
        warnings.warn("mann_whitney: an empty group", SmallSampleWarning, stacklevel=2)
        return GroupResult(**common, method="Mann-Whitney U", statistic=NAN, p_value=None, effect_size=NAN,
                           effect_size_ci=NAN_CI, status="empty_group", reason=f"group sizes {n1} and {n2}")
    if np.ptp(np.concatenate([a, b])) == 0:
        warnings.warn("mann_whitney: every value is the same", DegenerateDataWarning, stacklevel=2)
        return GroupResult(**common, method="Mann-Whitney U", statistic=NAN, p_value=None, effect_size=NAN,
                           effect_size_ci=NAN_CI, estimate=0.0, status="constant_input",
                           reason="every value is the same, so there is nothing to rank")
    u, sizes = _u_statistic(a, b)
    tied = bool((sizes > 1).any())
    limit = rules["exact_max_n"]
    small = max(n1, n2) <= limit["max"] if limit.get("include_max", False) else max(n1, n2) < limit["max"]
    if method == "auto":
        method = "exact" if small and not tied else "asymptotic"
    elif method == "exact" and tied:
        warnings.warn("mann_whitney: cannot compute an exact p-value with ties; normal approximation used (as R)",
                      CompareWarning, stacklevel=2)
        method = "asymptotic"
    if method == "exact":
        p = _rankshift.ranksum_exact_p(u, n2, n1, alternative)
    else:
        p = _normal_p(u, n1, n2, sizes, alternative, correct)[1]
    ci_level = level
    if estimator == "all_differences":
        est, est_ci = _hl_all_differences(a, b, level, alternative)
        codes = ("hl_shift_y_x", "ci_asymptotic_order_statistics")
    elif method == "exact":
        est, est_ci, ci_level = _rankshift.ranksum_exact(b, a, level, alternative)
        codes = ("hl_shift_y_x", "ci_exact_inverted")
    else:
        est, est_ci, ci_level = _rankshift.ranksum_asymptotic(b, a, level, alternative, correct)
        codes = ("hl_root_y_x", "ci_asymptotic_inverted")
    r = 2.0 * u / (n1 * n2) - 1.0
    se = math.sqrt((n1 + n2 + 1.0) / (3.0 * n1 * n2))
    printed = (
        "Mann-Whitney U (exact), exact CI"
        if method == "exact"
        else (
            "Mann-Whitney U (normal approximation"
            + (", continuity-corrected" if correct else "")
            + "), tie-corrected variance, asymptotic CI"
        )
    )
    return GroupResult(**common, method=printed, statistic=u, p_value=float(p),
                       p_method_code="p_exact" if method == "exact" else ("p_normal_cc" if correct else "p_normal"),
                       estimate=est, estimate_ci=est_ci, estimate_ci_level=ci_level, estimate_code=codes[0],
                       estimate_ci_code=codes[1], tie_handling_code="ties_midrank_variance" if tied else "ties_none",
                       effect_size=r, effect_size_ci=fisher_z_ci(r, se, level, alternative))
