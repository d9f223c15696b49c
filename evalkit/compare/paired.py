"""Paired continuous comparisons: paired t-test, Wilcoxon signed-rank test, sign test.

All three take the two waves (``pre``, ``post``) of the same persons, drop pairs with a missing
member (counted in ``n_dropped``) and report *post - pre*: a positive estimate or effect size means
the value rose. They test seed 004's first-vs-last TEM claims (S1 "signifikant på alle parametre",
004-F6.26/6.27; C15/C16 in seed004_figures.md section 6) and the seed 000 progression tables.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Literal

import numpy as np
from scipy import stats

from evalkit.compare import _signrank
from evalkit.compare._inputs import check_alternative, check_confidence_level, paired_floats
from evalkit.compare._rules import compare_rules
from evalkit.compare._walsh import median_rank_pair, walsh_order_statistics
from evalkit.compare.effect_sizes import cohens_d_av, cohens_d_z, fisher_z_ci
from evalkit.compare.results import NAN, NAN_CI, ConfidenceInterval, DegenerateDataWarning, PairedResult, SmallSampleWarning

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
    ``MOTE::d.dep.t.avg`` (effect-size intervals). Source: seed 004 claim S1 (004-F6.26).

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


def _hl_interval(d: np.ndarray, exact: bool, level: float, alternative: str) -> tuple[float, ConfidenceInterval]:
    """Hodges-Lehmann shift (median of Walsh averages) and its order-statistic interval."""
    n = d.size
    total = n * (n + 1) // 2
    alpha = 1.0 - level
    tail = alpha / 2.0 if alternative == "two-sided" else alpha
    if exact:  # R wilcox.test: qu = qsignrank(alpha/2, n), CI = [W(qu), W(M - qu + 1)]
        k = max(_signrank.exact_lower_quantile(n, tail), 1)
    else:  # Hollander & Wolfe large-sample approximation with a tie-corrected SD
        _, ties = np.unique(np.abs(d), return_counts=True)
        var = n * (n + 1) * (2.0 * n + 1) / 24.0 - float(np.sum(ties.astype(float) ** 3 - ties)) / 48.0
        k = max(int(math.floor(n * (n + 1) / 4.0 - stats.norm.isf(tail) * math.sqrt(max(var, 0.0)))), 1)
    k = min(k, total)
    ranks = np.concatenate([median_rank_pair(total), [k, total - k + 1]])
    values = walsh_order_statistics(d, ranks)
    hl = float((values[0] + values[1]) / 2.0)
    low, high = float(values[2]), float(values[3])
    if alternative == "greater":
        high = math.inf
    elif alternative == "less":
        low = -math.inf
    return hl, ConfidenceInterval(low, high)


def wilcoxon(
    pre: Any,
    post: Any,
    *,
    method: Literal["auto", "exact", "asymptotic", "permutation"] = "auto",
    zero_method: Literal["wilcox", "pratt", "zsplit"] | None = None,
    correction: bool | None = None,
    alternative: str = "two-sided",
    confidence_level: float | None = None,
) -> PairedResult:
    r"""Wilcoxon signed-rank test of *post - pre*, with the Hodges-Lehmann shift and rank-biserial r.

    Parameters
    ----------
    pre, post
        The two waves (see :func:`paired_t`).
    method
        ``"auto"`` (default): the exact null distribution when there are at most
        ``wilcoxon.exact_max_n`` (50) non-zero differences and neither ties nor zeros, otherwise the
        normal approximation with tie correction. ``"exact"`` forces the untied exact distribution
        (only valid without ties/zeros); ``"permutation"`` gives the exact distribution *conditional*
        on the observed (tied) ranks, valid with ties and zeros; ``"asymptotic"`` forces the normal
        approximation.
    zero_method
        ``"wilcox"`` (drop zero differences, R's choice), ``"pratt"`` or ``"zsplit"``; default from
        ``compare.yaml``.
    correction
        Continuity correction of the normal approximation; default from ``compare.yaml`` (True).
    alternative, confidence_level
        As in :func:`paired_t`.

    Returns
    -------
    PairedResult
        ``statistic`` = V = W+, the rank sum of the positive differences (R's ``V``); ``z`` = the
        normal-approximation statistic (NaN when exact); ``estimate`` = Hodges-Lehmann shift, the
        median of the Walsh averages of *all* differences, with its distribution-free interval;
        ``effect_size`` = matched-pairs rank-biserial :math:`r = (W_+ - W_-)/(W_+ + W_-)` with a
        Fisher-z interval; ``method`` names the distribution that was used.

    Notes
    -----
    Normal approximation (scipy 1.17 conventions):
    :math:`z = (W_+ - n(n+1)/4 \mp 0.5) / \sqrt{(n(n+1)(2n+1) - \sum (t^3 - t)/2)/24}`.
    The Hodges-Lehmann interval is :math:`[W_{(k)}, W_{(M+1-k)}]` over the
    :math:`M = n(n+1)/2` ordered Walsh averages, with ``k = qsignrank(alpha/2, n)`` when exact
    (as R ``wilcox.test(conf.int = TRUE)``) and
    :math:`k = \lfloor n(n+1)/4 - z_{1-\alpha/2}\,\sigma \rfloor` otherwise (Hollander & Wolfe 2014,
    section 3.3). R drops zero differences before estimating; evalkit keeps them in the estimate,
    because zeros (no change) are a real part of the shift distribution. The r interval is
    :math:`\tanh(\operatorname{atanh} r \pm z\,se)`, :math:`se = \sqrt{(2n^3 + 3n^2 + n)/6}/(n(n+1)/2)`
    (R ``effectsize::rank_biserial``; Kerby 2014).
    Validated against ``scipy.stats.wilcoxon`` (statistics and p-values for every method and zero
    method) and R ``wilcox.test`` on Hollander & Wolfe's (1973, p. 29) depression data. Source: the
    robust alternative for seed 004 claim S1 and for C15/C16 (bounded, zero-inflated TEM counts;
    seed004_figures.md section 6).

    Examples
    --------
    >>> x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    >>> y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    >>> r = wilcoxon(y, x)          # post = x (first visit) minus pre = y, as R's wilcox.test(x, y)
    >>> r.method, r.statistic, round(r.p_value, 6)
    ('Wilcoxon signed-rank (exact)', 40.0, 0.039062)
    >>> round(r.estimate, 3), [round(v, 3) for v in r.estimate_ci]
    (0.46, [0.01, 0.786])
    """
    rules = compare_rules()["wilcoxon"]
    alternative = check_alternative(alternative)
    level = check_confidence_level(confidence_level)
    zero_method = zero_method or rules["zero_method"]
    if zero_method not in ("wilcox", "pratt", "zsplit"):
        raise ValueError(f"`zero_method` must be 'wilcox', 'pratt' or 'zsplit', got {zero_method!r}")
    if method not in ("auto", "exact", "asymptotic", "permutation"):
        raise ValueError(f"`method` must be 'auto', 'exact', 'asymptotic' or 'permutation', got {method!r}")
    correction = rules["continuity_correction"] if correction is None else bool(correction)
    a, b, n_dropped = paired_floats(pre, post)
    d = b - a
    n = d.size
    stat = _signrank.signed_rank_statistic(d, zero_method)
    n_nonzero = int(stat["n_nonzero"])
    n_zero = int(stat["n_zero"])
    if method == "auto":
        exact_ok = n_nonzero <= rules["exact_max_n"]["max"] and not stat["has_ties"] and n_zero == 0
        method = "exact" if exact_ok else "asymptotic"
    names = {
        "exact": "Wilcoxon signed-rank (exact)",
        "permutation": "Wilcoxon signed-rank (exact, conditional on ties)",
        "asymptotic": "Wilcoxon signed-rank (normal approximation"
        + (", continuity-corrected)" if correction else ")"),
    }
    p_codes = {"exact": "p_exact", "permutation": "p_exact_conditional",
               "asymptotic": "p_normal_cc" if correction else "p_normal"}
    common: dict[str, Any] = dict(
        method=names[method], test_code="wilcoxon_signed_rank", n=n, n_dropped=n_dropped, statistic_name="V",
        effect_size_name="r_rb", effect_size_code="r_rb_paired", effect_size_ci_code="ci_fisher_z",
        estimate_name="Hodges-Lehmann shift (post - pre)", estimate_code="hl_shift_all_post_pre",
        estimate_ci_code="ci_exact_inverted" if method == "exact" else "ci_asymptotic_order_statistics",
        zero_handling_code={"wilcox": "zeros_dropped", "pratt": "zeros_pratt", "zsplit": "zeros_zsplit"}[zero_method],
        tie_handling_code=("ties_midrank_conditional" if method == "permutation" else "ties_midrank_variance")
        if stat["has_ties"] else "ties_none",
        alternative=alternative, confidence_level=level, n_zero=n_zero,
    )
    if n == 0:
        warnings.warn("wilcoxon: no complete pairs", SmallSampleWarning, stacklevel=2)
        return PairedResult(**common, statistic=NAN, p_value=None, effect_size=NAN, effect_size_ci=NAN_CI,
                            status="too_small", reason="no complete pairs")
    if method == "exact" and (stat["has_ties"] or n_zero):
        raise ValueError("method='exact' needs untied, non-zero differences; use method='permutation' or 'asymptotic'")
    hl, hl_ci = _hl_interval(d, method == "exact", level, alternative)
    if n_nonzero == 0:
        warnings.warn("wilcoxon: every difference is zero", DegenerateDataWarning, stacklevel=2)
        return PairedResult(**common, statistic=stat["w_plus"], p_value=None, effect_size=NAN, effect_size_ci=NAN_CI,
                            estimate=hl, estimate_ci=hl_ci, status="no_nonzero_differences",
                            reason="every difference is zero, so there is nothing to rank")
    if method in ("exact", "permutation") and n_nonzero > 2000:
        raise ValueError(f"method={method!r} enumerates 2**n sign patterns by recursion; with {n_nonzero} non-zero "
                         "differences use method='asymptotic'")
    z = NAN
    if method == "exact":
        p = _signrank.tail_p(_signrank.signrank_pmf(n_nonzero), int(round(stat["w_plus"])), alternative)
    elif method == "permutation":
        p = _signrank.permutation_p(stat, zero_method, alternative)
    else:
        z, p = _signrank.normal_p(stat["w_plus"], stat["mean"], stat["sd"], alternative, correction)
    w_sum = stat["w_plus"] + stat["w_minus"]
    r = (stat["w_plus"] - stat["w_minus"]) / w_sum if w_sum > 0 else NAN
    m = n_nonzero
    se = math.sqrt((2.0 * m**3 + 3.0 * m**2 + m) / 6.0) / (m * (m + 1) / 2.0)
    return PairedResult(**common, statistic=stat["w_plus"], p_value=float(p), z=float(z), p_method_code=p_codes[method],
                        estimate=hl, estimate_ci=hl_ci, effect_size=float(r),
                        effect_size_ci=fisher_z_ci(r, se, level, alternative))


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
    arsenal::paired's ``sign.test`` option (anchors.md section 5.1) for ordinal TEM items.

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
