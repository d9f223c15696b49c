"""Paired continuous comparisons: paired t-test, Wilcoxon signed-rank test, sign test.

All three take the two waves (``pre``, ``post``) of the same persons, drop pairs with a missing
member (counted in ``n_dropped``) and report *post - pre*: a positive estimate or effect size means
the value rose. They test the first-vs-last TEM statements of UNG Rusmidler (Socialstyrelsen), section 6.5
("signifikant på alle parametre", figures 6.26 and 6.27; alcohol, cannabis and trivsel in
counselling and group courses) and the progression tables of Udgående indsatser (Socialstyrelsen
2017), section 7.2.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Literal

import numpy as np
from scipy import stats

from evalkit.compare._inputs import check_alternative, check_confidence_level, paired_floats
from evalkit.compare.effect_sizes import cohens_d_av, cohens_d_z
from evalkit.compare.results import (
    NAN,
    NAN_CI,
    ConfidenceInterval,
    DegenerateDataWarning,
    PairedResult,
    SmallSampleWarning,
)
from evalkit.compare.signed_rank import wilcoxon

__all__ = ["paired_t", "sign_test", "wilcoxon"]


def _t_interval(centre: float, se: float, df: float, level: float, alternative: str) -> ConfidenceInterval:
    if alternative == "two-sided":
        q = float(stats.t.isf((1.0 - level) / 2.0, df))
        return ConfidenceInterval(centre - q * se, centre + q * se)
    q = float(stats.t.isf(1.0 - level, df))
    if alternative == "greater":
        return ConfidenceInterval(centre - q * se, math.inf)
    return ConfidenceInterval(-math.inf, centre + q * se)


def paired_t(
    pre: Any,
    post: Any,
    *,
    effect_size: Literal["d_z", "d_av"] = "d_z",
    alternative: str = "two-sided",
    confidence_level: float | None = None,
) -> PairedResult:
    r"""Paired t-test of *post - pre* with the mean difference and Cohen's d (d_z, or d_av on request).

    Parameters
    ----------
    pre, post
        The two waves for the same persons: arrays in the same order, or Series aligned on their
        index. Any numeric, boolean or ordered-category dtype; missing values allowed.
    effect_size
        ``"d_z"`` (default): mean difference over the SD of the differences, the effect size the
        paired test actually estimates. ``"d_av"``: mean difference over the average of the two
        SDs (comparable with a between-groups d; what pingouin prints as "cohen_d").
    alternative
        ``"two-sided"`` (default), ``"greater"`` (post > pre) or ``"less"``.
    confidence_level
        Level of both intervals; default from ``compare.yaml`` (0.95). One-sided alternatives give
        one-sided intervals, as R ``t.test`` and ``scipy.stats.ttest_rel`` do.

    Returns
    -------
    PairedResult
        ``statistic`` = t with ``df = n - 1``; ``estimate`` = mean difference with its t interval;
        ``effect_size`` = d_z or d_av with a noncentral-t interval; ``n_zero`` = pairs with no change.

    Notes
    -----
    .. math:: t = \bar d / (s_d / \sqrt n), \quad d_z = \bar d / s_d = t / \sqrt n,
              \quad d_{av} = \bar d / ((s_{pre} + s_{post}) / 2)

    Pairs with a missing pre or post value are excluded listwise and counted in ``n_dropped``.
    With fewer than two pairs, or constant differences, statistics are NaN and ``status`` says why.
    Validated against ``scipy.stats.ttest_rel`` (t, p, CI) and R ``MOTE::d.dep.t.diff`` /
    ``MOTE::d.dep.t.avg`` (effect-size intervals). Source: UNG Rusmidler, section 6.5, figure 6.26.

    Examples
    --------
    >>> r = paired_t([5.0, 6.0, 4.0, 7.0, 5.0], [6.0, 8.0, 4.0, 9.0, 7.0])
    >>> r.method, r.n, round(r.statistic, 4), round(r.p_value, 4), round(r.estimate, 2)
    ('Paired t-test', 5, 3.5, 0.0249, 1.4)
    >>> r.effect_size_name, round(r.effect_size, 4), [round(v, 4) for v in r.effect_size_ci]
    ('d_z', 1.5652, [0.1704, 2.8956])
    """
    alternative = check_alternative(alternative)
    level = check_confidence_level(confidence_level)
    if effect_size not in ("d_z", "d_av"):
        raise ValueError(f"`effect_size` must be 'd_z' or 'd_av', got {effect_size!r}")
    a, b, n_dropped = paired_floats(pre, post)
    d = b - a
    n = d.size
    common: dict[str, Any] = dict(
        method="Paired t-test", test_code="paired_t", n=n, n_dropped=n_dropped, statistic_name="t",
        effect_size_name=effect_size, effect_size_code=effect_size, effect_size_ci_code="ci_noncentral_t",
        estimate_name="mean difference (post - pre)", estimate_code="mean_diff_post_pre", estimate_ci_code="ci_t",
        alternative=alternative, confidence_level=level, n_zero=int(np.sum(d == 0)),
    )
    if n < 2:
        warnings.warn(f"paired_t needs at least 2 complete pairs, got {n}", SmallSampleWarning, stacklevel=2)
        return PairedResult(**common, statistic=NAN, p_value=None, effect_size=NAN, effect_size_ci=NAN_CI,
                            estimate=float(d.mean()) if n else NAN, status="too_small",
                            reason=f"needs at least 2 complete pairs, got {n}")
    mean = float(np.mean(d))
    sd = float(np.std(d, ddof=1))
    if sd == 0.0:
        warnings.warn("paired_t: all differences are equal; t is undefined", DegenerateDataWarning, stacklevel=2)
        return PairedResult(**common, statistic=NAN, p_value=None, effect_size=NAN, effect_size_ci=NAN_CI,
                            estimate=mean, df=n - 1.0, status="constant_input",
                            reason="every difference is the same, so t is undefined")
    se = sd / math.sqrt(n)
    t = mean / se
    df = n - 1.0
    if alternative == "two-sided":
        p = float(min(2.0 * stats.t.sf(abs(t), df), 1.0))
    elif alternative == "greater":
        p = float(stats.t.sf(t, df))
    else:
        p = float(stats.t.cdf(t, df))
    if effect_size == "d_z":
        es, es_ci = cohens_d_z(d, level, alternative)
    else:
        es, es_ci = cohens_d_av(a, b, level, alternative)
    return PairedResult(**common, statistic=float(t), df=df, p_value=p, p_method_code="p_t", estimate=mean,
                        estimate_ci=_t_interval(mean, se, df, level, alternative),
                        effect_size=es, effect_size_ci=es_ci)


def sign_test(
    pre: Any,
    post: Any,
    *,
    alternative: str = "two-sided",
    confidence_level: float | None = None,
) -> PairedResult:
    r"""Exact sign test of *post - pre* with the median difference and the sign dominance.

    Parameters
    ----------
    pre, post, alternative, confidence_level
        As in :func:`paired_t`.

    Returns
    -------
    PairedResult
        ``statistic`` = number of positive differences among the ``n - n_zero`` non-zero ones;
        ``p_value`` = exact binomial p (p = 1/2), zeros dropped; ``estimate`` = median difference
        with the distribution-free order-statistic interval :math:`[d_{(k)}, d_{(n-k+1)}]`,
        :math:`k` the smallest integer with :math:`P(B \le k) \ge \alpha/2`, :math:`B \sim Bin(n, 1/2)`;
        ``effect_size`` = sign dominance :math:`(n_+ - n_-)/(n_+ + n_-)` with the Clopper-Pearson
        interval of :math:`n_+/(n_+ + n_-)` mapped by :math:`2p - 1`.

    Notes
    -----
    Zero differences are dropped from the test (counted in ``n_zero``) but kept in the median.
    Validated against ``scipy.stats.binomtest`` (p-value and Clopper-Pearson limits). Source:
    the ``sign.test`` option of the R package arsenal's ``paired()``, for ordinal TEM items.

    Examples
    --------
    >>> r = sign_test([3, 4, 5, 6, 7, 8, 9, 4], [5, 6, 5, 8, 9, 9, 10, 6])
    >>> r.statistic, r.n_zero, round(r.p_value, 6), r.estimate
    (7.0, 1, 0.015625, 2.0)
    """
    alternative = check_alternative(alternative)
    level = check_confidence_level(confidence_level)
    a, b, n_dropped = paired_floats(pre, post)
    d = b - a
    n = d.size
    n_pos, n_neg = int(np.sum(d > 0)), int(np.sum(d < 0))
    m = n_pos + n_neg
    common: dict[str, Any] = dict(
        method="Sign test (exact binomial)", test_code="sign_test",
        n=n, n_dropped=n_dropped, statistic_name="n_positive",
        effect_size_name="sign dominance (P+ - P-)", effect_size_code="sign_dominance",
        effect_size_ci_code="ci_clopper_pearson", estimate_name="median difference (post - pre)",
        estimate_code="median_diff_post_pre", estimate_ci_code="ci_order_statistics_binomial",
        zero_handling_code="zeros_dropped", alternative=alternative, confidence_level=level, n_zero=n - m,
    )
    if n == 0:
        warnings.warn("sign_test: no complete pairs", SmallSampleWarning, stacklevel=2)
        return PairedResult(**common, statistic=NAN, p_value=None, effect_size=NAN, effect_size_ci=NAN_CI,
                            status="too_small", reason="no complete pairs")
    ds = np.sort(d)
    alpha = 1.0 - level
    tail = alpha / 2.0 if alternative == "two-sided" else alpha
    k = max(int(stats.binom.ppf(tail, n, 0.5)), 1)
    low, high = float(ds[k - 1]), float(ds[n - k])
    if alternative == "greater":
        high = math.inf
    elif alternative == "less":
        low = -math.inf
    median = float(np.median(d))
    if m == 0:
        warnings.warn("sign_test: every difference is zero", DegenerateDataWarning, stacklevel=2)
        return PairedResult(**common, statistic=0.0, p_value=None, effect_size=NAN, effect_size_ci=NAN_CI,
                            estimate=median, estimate_ci=ConfidenceInterval(low, high), status="no_nonzero_differences",
                            reason="every difference is zero, so there is no sign to test")
    test = stats.binomtest(n_pos, m, 0.5, alternative=alternative)
    ci = test.proportion_ci(level, method="exact")
    return PairedResult(**common, statistic=float(n_pos), p_value=float(test.pvalue), p_method_code="p_exact_binomial",
                        estimate=median, estimate_ci=ConfidenceInterval(low, high),
                        effect_size=(n_pos - n_neg) / m,
                        effect_size_ci=ConfidenceInterval(2.0 * float(ci.low) - 1.0, 2.0 * float(ci.high) - 1.0))
