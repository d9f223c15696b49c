"""Wilcoxon signed-rank test of paired data with the Hodges-Lehmann shift, as R ``wilcox.test``.

Defaults are those of R 4.2.2 ``wilcox.test(post, pre, paired = TRUE, conf.int = TRUE)``: zero
differences are dropped; the exact null distribution is used when fewer than 50 differences remain
and there are neither ties nor zeros, otherwise the normal approximation with tie-corrected variance
and continuity correction; the shift and its interval come from the same distribution as the
p-value (see :mod:`evalkit.compare._rankshift`). Tests the first-vs-last TEM
statements of UNG Rusmidler (Socialstyrelsen), section 6.5 (figures 6.26 and 6.27; alcohol, cannabis
and trivsel in counselling and group courses).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Literal

import numpy as np
from scipy import stats

from evalkit.compare import _rankshift, _signrank
from evalkit.compare._inputs import (
    check_alternative,
    check_confidence_level,
    paired_floats,
)
from evalkit.compare._rules import compare_rules
from evalkit.compare._walsh import walsh_order_statistics
from evalkit.compare.effect_sizes import fisher_z_ci
from evalkit.compare.results import (
    NAN,
    NAN_CI,
    CompareWarning,
    ConfidenceInterval,
    DegenerateDataWarning,
    PairedResult,
    SmallSampleWarning,
)

__all__ = ["wilcoxon"]

_NAMES = {  # the part in parentheses names the p-value's distribution (as before issue 15), the rest the CI
    "exact": "Wilcoxon signed-rank (exact), exact CI, zeros dropped",
    "permutation": "Wilcoxon signed-rank (exact, conditional on ties), asymptotic CI, zeros dropped",
    "asymptotic": (
        "Wilcoxon signed-rank (normal approximation{cc}), tie-corrected variance, asymptotic CI, zeros dropped"
    ),
}


def _hl_all_differences(d: np.ndarray, exact: bool, level: float, alternative: str) -> tuple[float, ConfidenceInterval]:
    """The classical shift: median of the Walsh averages of *all* differences (zeros kept) and its
    order-statistic interval (exact ``qsignrank`` rank, or Hollander & Wolfe's large-sample rank)."""
    n = d.size
    total = n * (n + 1) // 2
    alpha = 1.0 - level
    tail = alpha / 2.0 if alternative == "two-sided" else alpha
    if exact:
        k = max(_signrank.exact_lower_quantile(n, tail), 1)
    else:
        _, ties = np.unique(np.abs(d), return_counts=True)
        var = n * (n + 1) * (2.0 * n + 1) / 24.0 - float(np.sum(ties.astype(float) ** 3 - ties)) / 48.0
        k = max(int(math.floor(n * (n + 1) / 4.0 - stats.norm.isf(tail) * math.sqrt(max(var, 0.0)))), 1)
    return _rankshift.order_statistic_interval(
        lambda ks: walsh_order_statistics(d, ks), total, min(k, total), alternative
    )


def wilcoxon(
    pre: Any,
    post: Any,
    *,
    method: Literal["auto", "exact", "asymptotic", "permutation"] = "auto",
    zero_method: Literal["wilcox", "pratt", "zsplit"] | None = None,
    correction: bool | None = None,
    estimator: Literal["r", "all_differences"] | None = None,
    alternative: str = "two-sided",
    confidence_level: float | None = None,
) -> PairedResult:
    r"""Wilcoxon signed-rank test of *post - pre*, with the Hodges-Lehmann shift and rank-biserial r.

    Parameters
    ----------
    pre, post
        The two waves (see :func:`evalkit.compare.paired_t`).
    method
        ``"auto"`` (default, R's rule): the exact null distribution when fewer than
        ``wilcoxon.exact_max_n`` (50) non-zero differences remain and there are neither ties nor
        zeros, otherwise the normal approximation. ``"exact"`` asks for the exact distribution; as
        in R it falls back to the normal approximation (with a warning) when there are ties or
        zeros. ``"permutation"``: the exact distribution *conditional* on the observed (tied)
        ranks; ``"asymptotic"`` forces the normal approximation.
    zero_method
        ``"wilcox"`` (drop zero differences, R), ``"pratt"`` or ``"zsplit"`` (scipy's options, for
        the p-value); default from ``compare.yaml``.
    correction
        Continuity correction of the normal approximation and of the asymptotic interval; default
        from ``compare.yaml`` (True, R's ``correct = TRUE``).
    estimator
        ``"r"`` (default, ``wilcoxon.estimator`` in compare.yaml): the shift and interval of R's
        ``wilcox.test(conf.int = TRUE)``, zeros dropped: with the exact method the median of the
        Walsh averages and the exact order-statistic interval; otherwise the root of the normal
        statistic and the interval that inverts the corrected test (Brent root finding,
        ``tol.root = 1e-4``), with the level lowered when the requested one is not achievable
        (``estimate_ci_level``). ``"all_differences"``: the classical median of the Walsh averages
        of *all* differences, zeros kept, with the order-statistic interval.
    alternative, confidence_level
        As in :func:`evalkit.compare.paired_t`; the interval follows the alternative.

    Returns
    -------
    PairedResult
        ``statistic`` = V = W+, the rank sum of the positive differences (R's ``V``); ``z`` = the
        normal statistic (NaN when exact); ``estimate`` = the Hodges-Lehmann shift with its
        interval; ``effect_size`` = matched-pairs rank-biserial :math:`r = (W_+ - W_-)/(W_+ + W_-)`
        with a Fisher-z interval. ``p_method_code``, ``estimate_code``, ``estimate_ci_code``,
        ``zero_handling_code`` and ``tie_handling_code`` say what was computed.

    Notes
    -----
    Normal approximation: :math:`z = (W_+ - n(n+1)/4 \mp 0.5) / \sqrt{n(n+1)(2n+1)/24 - \sum (t^3 - t)/48}`
    over the n non-zero differences (R; scipy's ``zero_method="wilcox"``). The r interval is
    :math:`\tanh(\operatorname{atanh} r \pm z\,se)`, :math:`se = \sqrt{(2n^3 + 3n^2 + n)/6}/(n(n+1)/2)`
    (R ``effectsize::rank_biserial``; Kerby 2014). Checked against R 4.2.2 ``wilcox.test`` (stored
    values in ``tests/compare/r_reference``), ``scipy.stats.wilcoxon`` and exact enumeration.

    Examples
    --------
    >>> x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    >>> y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    >>> r = wilcoxon(y, x)          # R: wilcox.test(x, y, paired = TRUE, conf.int = TRUE)
    >>> r.method, r.statistic, round(r.p_value, 6)
    ('Wilcoxon signed-rank (exact), exact CI, zeros dropped', 40.0, 0.039062)
    >>> round(r.estimate, 3), [round(v, 3) for v in r.estimate_ci], r.estimate_ci_code
    (0.46, [0.01, 0.786], 'ci_exact_inverted')
    """
    rules = compare_rules()["wilcoxon"]
    alternative = check_alternative(alternative)
    level = check_confidence_level(confidence_level)
    zero_method = zero_method or rules["zero_method"]
    estimator = estimator or rules["estimator"]
    if zero_method not in ("wilcox", "pratt", "zsplit"):
        raise ValueError(f"`zero_method` must be 'wilcox', 'pratt' or 'zsplit', got {zero_method!r}")
    if method not in ("auto", "exact", "asymptotic", "permutation"):
        raise ValueError(f"`method` must be 'auto', 'exact', 'asymptotic' or 'permutation', got {method!r}")
    if estimator not in ("r", "all_differences"):
        raise ValueError(f"`estimator` must be 'r' or 'all_differences', got {estimator!r}")
    correction = rules["continuity_correction"] if correction is None else bool(correction)
    a, b, n_dropped = paired_floats(pre, post)
    d = b - a
    n = d.size
    stat = _signrank.signed_rank_statistic(d, zero_method)
    n_nonzero, n_zero, has_ties = int(stat["n_nonzero"]), int(stat["n_zero"]), bool(stat["has_ties"])
    limit = rules["exact_max_n"]
    below_limit = n_nonzero <= limit["max"] if limit.get("include_max", False) else n_nonzero < limit["max"]
    if method == "auto":
        method = "exact" if below_limit and not has_ties and n_zero == 0 else "asymptotic"
    elif method == "exact" and (has_ties or n_zero):
        warnings.warn("wilcoxon: cannot compute an exact p-value with ties or zeros; normal approximation used (as R)",
                      CompareWarning, stacklevel=2)
        method = "asymptotic"
    if method in ("exact", "permutation") and n_nonzero > 2000:
        raise ValueError(f"method={method!r} enumerates 2**n sign patterns by recursion; with {n_nonzero} non-zero "
                         "differences use method='asymptotic'")
    p_codes = {
        "exact": "p_exact",
        "permutation": "p_exact_conditional",
        "asymptotic": "p_normal_cc" if correction else "p_normal",
    }
    ties_code = (
        "ties_none"
        if not has_ties
        else ("ties_midrank_conditional" if method == "permutation" else "ties_midrank_variance")
    )
    if estimator == "r":
        est_code = "hl_shift_post_pre" if method == "exact" else "hl_root_post_pre"
        ci_code = "ci_exact_inverted" if method == "exact" else "ci_asymptotic_inverted"
    else:
        est_code = "hl_shift_all_post_pre"
        ci_code = "ci_exact_inverted" if method == "exact" else "ci_asymptotic_order_statistics"
    common: dict[str, Any] = dict(
        method=_NAMES[method].format(cc=", continuity-corrected" if correction else ""),
        test_code="wilcoxon_signed_rank",
        n=n,
        n_dropped=n_dropped,
        statistic_name="V",
        effect_size_name="r_rb",
        effect_size_code="r_rb_paired",
        effect_size_ci_code="ci_fisher_z",
        estimate_code=est_code,
        estimate_name="Hodges-Lehmann shift (post - pre), zeros " + ("dropped" if estimator == "r" else "kept"),
        estimate_ci_code=ci_code,
        zero_handling_code={"wilcox": "zeros_dropped", "pratt": "zeros_pratt", "zsplit": "zeros_zsplit"}[zero_method],
        tie_handling_code=ties_code,
        alternative=alternative,
        confidence_level=level,
        n_zero=n_zero,
    )
    if n == 0:
        warnings.warn("wilcoxon: no complete pairs", SmallSampleWarning, stacklevel=2)
        return PairedResult(**common, statistic=NAN, p_value=None, effect_size=NAN, effect_size_ci=NAN_CI,
                            status="too_small", reason="no complete pairs")
    if n_nonzero == 0:
        warnings.warn("wilcoxon: every difference is zero", DegenerateDataWarning, stacklevel=2)
        est, est_ci = (0.0, NAN_CI) if estimator == "r" else _hl_all_differences(d, False, level, alternative)
        return PairedResult(**common, statistic=stat["w_plus"], p_value=None, effect_size=NAN, effect_size_ci=NAN_CI,
                            estimate=est, estimate_ci=est_ci, status="no_nonzero_differences",
                            reason="every difference is zero, so there is nothing to rank")
    z = NAN
    if method == "exact":
        p = _signrank.tail_p(_signrank.signrank_pmf(n_nonzero), int(round(stat["w_plus"])), alternative)
    elif method == "permutation":
        p = _signrank.permutation_p(stat, zero_method, alternative)
    else:
        z, p = _signrank.normal_p(stat["w_plus"], stat["mean"], stat["sd"], alternative, correction)
    ci_level = level
    if estimator == "all_differences":
        est, est_ci = _hl_all_differences(d, method == "exact", level, alternative)
    elif method == "exact":
        est, est_ci, ci_level = _rankshift.signrank_exact(d[d != 0], level, alternative)
    else:
        est, est_ci, ci_level = _rankshift.signrank_asymptotic(d[d != 0], level, alternative, correction)
    w_sum = stat["w_plus"] + stat["w_minus"]
    r = (stat["w_plus"] - stat["w_minus"]) / w_sum if w_sum > 0 else NAN
    m = n_nonzero
    se = math.sqrt((2.0 * m**3 + 3.0 * m**2 + m) / 6.0) / (m * (m + 1) / 2.0)
    return PairedResult(**common, statistic=stat["w_plus"], p_value=float(p), z=float(z), p_method_code=p_codes[method],
                        estimate=est, estimate_ci=est_ci, estimate_ci_level=ci_level, effect_size=float(r),
                        effect_size_ci=fisher_z_ci(r, se, level, alternative))
