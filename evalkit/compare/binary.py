"""Paired categorical comparisons: McNemar (binary) and Stuart-Maxwell / Bhapkar (k ordered bands).

UNG Rusmidler (Socialstyrelsen), section 6.5, reports drug-free youths ("stoffri") rising from 39,6 % to
47,6 % (figure 6.28), and the same within each Ungeprofil and Risikoprofil (figures 6.34 and 6.37): the
same youths at the first and last TEM registration, a paired 2x2 table, tested by McNemar's test on the discordant
pairs -- exact (binomial) by default, since subgroups are small. Paired bands (WHO-5 bands before/after,
risk profile at intake/discharge) are tested for marginal homogeneity by Stuart-Maxwell or Bhapkar.

Table convention (Agresti 2013, section 11.1; statsmodels ``mcnemar``): rows are *before*, columns
*after*, and for binary data the first row/column is "yes": ``[[yes-yes, yes-no], [no-yes, no-no]]``.
A DataFrame with boolean or 0/1 labels is read by its labels, whatever their order.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.compare._inputs import align, check_alternative, check_confidence_level, paired_binary
from evalkit.compare.effect_sizes import newcombe_paired_ci
from evalkit.compare.results import (
    NAN,
    NAN_CI,
    ConfidenceInterval,
    DegenerateDataWarning,
    MarginalHomogeneityResult,
    McNemarResult,
    SmallSampleWarning,
)

__all__ = ["mcnemar", "stuart_maxwell"]

_MCNEMAR_NAMES = {
    "exact": "McNemar (exact binomial)",
    "mid-p": "McNemar (exact mid-p)",
    "asymptotic": "McNemar (chi-square)",
    "asymptotic_cc": "McNemar (chi-square, continuity-corrected unless b = c)",
}


_MCNEMAR_P_CODES = {
    "exact": "p_exact_binomial",
    "mid-p": "p_mid_p",
    "asymptotic": "p_chi2",
    "asymptotic_cc": "p_chi2_cc",
}


def _table_2x2(table: Any) -> tuple[int, int, int, int]:
    """(both, before_only, after_only, neither) from a 2x2 table (see module docstring)."""
    if isinstance(table, pd.DataFrame) and table.shape == (2, 2):
        labels = [list(table.index), list(table.columns)]
        rows_truthy, cols_truthy = (
            [bool(v) for v in lab] if all(v in (0, 1, True, False) for v in lab) else None for lab in labels
        )
        if (
            rows_truthy is not None
            and cols_truthy is not None
            and len(set(rows_truthy)) == 2
            and len(set(cols_truthy)) == 2
        ):
            ri = {t: i for i, t in enumerate(rows_truthy)}
            ci = {t: i for i, t in enumerate(cols_truthy)}
            arr = table.to_numpy()
            return (
                int(arr[ri[True], ci[True]]),
                int(arr[ri[True], ci[False]]),
                int(arr[ri[False], ci[True]]),
                int(arr[ri[False], ci[False]]),
            )
    arr = np.asarray(table)
    if arr.shape != (2, 2):
        raise ValueError(
            f"mcnemar needs a 2x2 table, got shape {arr.shape}; for k x k paired categories use stuart_maxwell"
        )
    if np.any(arr < 0) or np.any(arr != np.round(arr)):
        raise ValueError("the 2x2 table must hold non-negative whole counts")
    return int(arr[0, 0]), int(arr[0, 1]), int(arr[1, 0]), int(arr[1, 1])


def mcnemar(
    before: Any,
    after: Any = None,
    *,
    method: Literal["exact", "mid-p", "asymptotic", "asymptotic_cc"] = "exact",
    ci_method: Literal["newcombe", "wald"] = "newcombe",
    alternative: str = "two-sided",
    confidence_level: float | None = None,
) -> McNemarResult:
    r"""McNemar's test for paired binary data, exact (binomial) by default.

    Parameters
    ----------
    before, after
        Two boolean (or 0/1) inputs for the same persons, aligned as in :func:`evalkit.compare.paired_t`;
        or ``before`` a 2x2 table and ``after=None``.
    method
        ``"exact"`` (default): two-sided binomial test of ``n_after_only`` out of the discordant pairs
        with p = 1/2. ``"mid-p"``: the exact p minus the point probability (Fagerland et al. 2013).
        ``"asymptotic"``: :math:`\chi^2 = (b - c)^2/(b + c)`; ``"asymptotic_cc"`` with Edwards'
        continuity correction :math:`(|b - c| - 1)^2/(b + c)`, none when :math:`b = c` (then
        :math:`\chi^2 = 0`, p = 1), as R ``mcnemar.test(x)``'s default ``correct = TRUE``.
    ci_method
        Interval for the difference in proportions: ``"newcombe"`` (method 10, default) or ``"wald"``.
    alternative
        ``"greater"``: "yes" is more frequent after; exact methods only for one-sided tests. Both
        intervals follow it: a one-sided test gets a lower (``greater``) or upper (``less``) bound,
        the finite limit being that of the two-sided interval at level :math:`2L - 1`.
    confidence_level
        Default from ``compare.yaml`` (0.95).

    Returns
    -------
    McNemarResult
        the four counts, ``p_before`` / ``p_after``; ``estimate`` = :math:`p_{after} - p_{before} = (c - b)/n`
        with its interval; ``effect_size`` = paired odds ratio :math:`c / b` with the exact conditional
        interval (Clopper-Pearson limits :math:`\pi` of :math:`c/(b+c)` mapped by :math:`\pi/(1-\pi)`).
        ``statistic`` is ``n_after_only`` for the exact methods, :math:`\chi^2` otherwise. With no
        discordant pairs, statistics are NaN and ``status`` is ``"no_discordant_pairs"``.

    Notes
    -----
    :math:`b` = yes before, no after; :math:`c` = no before, yes after. Pairs with a missing value
    are dropped (``n_dropped``). Validated against ``statsmodels...mcnemar`` and ``scipy.stats.binomtest``
    (p-values), Agresti (2013, Table 11.1, presidential approval) for the Wald interval and R
    ``contingencytables`` (Fagerland, Lydersen & Laake 2017, ch. 8) for the Newcombe interval.
    Source: UNG Rusmidler, section 6.5, figures 6.28, 6.34 and 6.37 (drug-free at the first and
    last TEM registration).

    Examples
    --------
    >>> r = mcnemar([[794, 150], [86, 570]], ci_method="wald")   # Agresti (2013), Table 11.1
    >>> r.method, r.n_before_only, r.n_after_only, round(r.estimate, 4)
    ('McNemar (exact binomial)', 150, 86, -0.04)
    >>> [round(v, 3) for v in r.estimate_ci]
    [-0.059, -0.021]
    """
    alternative = check_alternative(alternative)
    level = check_confidence_level(confidence_level)
    if method not in _MCNEMAR_NAMES:
        raise ValueError(f"`method` must be one of {tuple(_MCNEMAR_NAMES)}, got {method!r}")
    if ci_method not in ("newcombe", "wald"):
        raise ValueError(f"`ci_method` must be 'newcombe' or 'wald', got {ci_method!r}")
    if method.startswith("asymptotic") and alternative != "two-sided":
        raise ValueError("the chi-square McNemar test is two-sided; use method='exact' for a one-sided test")
    if after is None:
        n11, n10, n01, n00 = _table_2x2(before)
        n_dropped = 0
    else:
        a, b, n_dropped = paired_binary(before, after)
        n11 = int(np.sum((a == 1) & (b == 1)))
        n10 = int(np.sum((a == 1) & (b == 0)))
        n01 = int(np.sum((a == 0) & (b == 1)))
        n00 = int(a.size - n11 - n10 - n01)
    n = n11 + n10 + n01 + n00
    disc = n10 + n01
    common: dict[str, Any] = dict(
        method=_MCNEMAR_NAMES[method],
        test_code="mcnemar",
        n=n,
        n_dropped=n_dropped,
        statistic_name="n_after_only" if method in ("exact", "mid-p") else "chi2",
        effect_size_name="or_paired (after only / before only)",
        effect_size_code="or_paired",
        effect_size_ci_code="ci_clopper_pearson_odds",
        estimate_name="p_after - p_before",
        estimate_code="prop_diff_after_before",
        estimate_ci_code="ci_newcombe_paired" if ci_method == "newcombe" else "ci_wald",
        alternative=alternative,
        confidence_level=level,
        n_both=n11,
        n_before_only=n10,
        n_after_only=n01,
        n_neither=n00,
        p_before=(n11 + n10) / n if n else NAN,
        p_after=(n11 + n01) / n if n else NAN,
    )
    if n == 0:
        warnings.warn("mcnemar: no complete pairs", SmallSampleWarning, stacklevel=2)
        return McNemarResult(**common, statistic=NAN, p_value=None, effect_size=NAN, effect_size_ci=NAN_CI,
                             status="too_small", reason="no complete pairs")
    diff = (n01 - n10) / n
    # A one-sided result gets a one-sided interval: one limit of the two-sided interval at level 2L - 1.
    two_sided_level = level if alternative == "two-sided" else 2.0 * level - 1.0
    if ci_method == "newcombe":
        diff_ci = newcombe_paired_ci(n11, n10, n01, n00, two_sided_level)
    else:
        z = float(stats.norm.isf((1.0 - two_sided_level) / 2.0))
        se = math.sqrt(max(disc - (n01 - n10) ** 2 / n, 0.0)) / n
        diff_ci = ConfidenceInterval(diff - z * se, diff + z * se)
    if alternative == "greater":
        diff_ci = ConfidenceInterval(diff_ci.low, 1.0)
    elif alternative == "less":
        diff_ci = ConfidenceInterval(-1.0, diff_ci.high)
    if disc == 0:
        warnings.warn("mcnemar: no discordant pairs, nothing changed", DegenerateDataWarning, stacklevel=2)
        return McNemarResult(**common, statistic=NAN, p_value=None, effect_size=NAN, effect_size_ci=NAN_CI,
                             estimate=diff, estimate_ci=diff_ci, status="no_discordant_pairs",
                             reason="no pair changed, so there is nothing to test")
    binom = stats.binomtest(n01, disc, 0.5, alternative=alternative)
    if method == "exact":
        statistic, df, p = float(n01), NAN, float(binom.pvalue)
    elif method == "mid-p":  # exact p minus half the point probability on each tail counted
        statistic, df = float(n01), NAN
        point = float(stats.binom.pmf(n01, disc, 0.5))
        if alternative == "two-sided":
            tail = min(float(stats.binom.cdf(n01, disc, 0.5)), float(stats.binom.sf(n01 - 1, disc, 0.5)))
            p = min(2.0 * tail - point, 1.0)
        else:
            p = float(binom.pvalue) - 0.5 * point
    else:
        # as R mcnemar.test: (|b - c| - 1)^2 / (b + c), and no correction when b = c (R corrects only
        # when the table is not symmetric), so b = c gives 0 and p = 1
        num = abs(n01 - n10) - (1.0 if method == "asymptotic_cc" and n01 != n10 else 0.0)
        statistic = num**2 / disc
        df, p = 1.0, float(stats.chi2.sf(statistic, 1))
    ci = binom.proportion_ci(level, method="exact")
    to_or = lambda pi: pi / (1.0 - pi) if pi < 1.0 else math.inf  # noqa: E731
    return McNemarResult(**common, statistic=statistic, df=df, p_value=min(max(p, 0.0), 1.0),
                         p_method_code=_MCNEMAR_P_CODES[method],
                         estimate=diff, estimate_ci=diff_ci,
                         effect_size=n01 / n10 if n10 else math.inf,
                         effect_size_ci=ConfidenceInterval(to_or(float(ci.low)), to_or(float(ci.high))))


def _square_table(before: Any, after: Any, categories: Any) -> tuple[np.ndarray, list[Any], int, bool]:
    """k x k counts (rows before, columns after), the category order, pairs dropped, orderedness."""
    before, after = align(before, after, ("before", "after"))
    b_cat = isinstance(getattr(before, "dtype", None), pd.CategoricalDtype)
    a_cat = isinstance(getattr(after, "dtype", None), pd.CategoricalDtype)
    s_before = pd.Series(np.asarray(before, dtype=object) if not b_cat else before).reset_index(drop=True)
    s_after = pd.Series(np.asarray(after, dtype=object) if not a_cat else after).reset_index(drop=True)
    missing = s_before.isna().to_numpy() | s_after.isna().to_numpy()
    s_before, s_after = s_before[~missing], s_after[~missing]
    ordered = False
    if categories is None:
        if b_cat:
            categories = list(pd.Categorical(before).categories)
            ordered = bool(pd.Categorical(before).ordered)
            if a_cat:
                categories += [c for c in pd.Categorical(after).categories if c not in categories]
        else:
            values = pd.unique(pd.concat([s_before, s_after]).astype(object))
            numeric = all(
                isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values
            )
            categories = sorted(values, key=(float if numeric else str))
            ordered = numeric
    else:
        categories = list(categories)
        ordered = True
    lookup = pd.Index(categories, dtype=object)
    rows = lookup.get_indexer(s_before.astype(object)).astype(np.int64)
    cols = lookup.get_indexer(s_after.astype(object)).astype(np.int64)
    outside = (rows < 0) | (cols < 0)  # missing values were removed above: -1 means "not a category"
    if outside.any():
        unknown = sorted({str(v) for v in pd.concat([s_before[rows < 0], s_after[cols < 0]])})
        raise ValueError(f"values outside `categories`: {unknown[:10]}; add them to `categories` or recode them")
    k = len(categories)
    table = np.bincount(rows * k + cols, minlength=k * k).reshape(k, k)
    return table, categories, int(missing.sum()), ordered


def stuart_maxwell(
    before: Any,
    after: Any = None,
    *,
    method: Literal["stuart_maxwell", "bhapkar"] = "stuart_maxwell",
    categories: Any = None,
    ordered: bool | None = None,
    confidence_level: float | None = None,
) -> MarginalHomogeneityResult:
    r"""Marginal homogeneity of paired categories (Stuart 1955, Maxwell 1970; Bhapkar 1966).

    Parameters
    ----------
    before, after
        Paired category labels (Categorical, strings or numbers, missing allowed), or a k x k table
        (rows before, columns after) as ``before`` with ``after=None``.
    method
        ``"stuart_maxwell"`` (default) or ``"bhapkar"``.
    categories
        The category order; default the Categorical's categories (union of both waves) or the
        sorted values. Values outside it raise ``ValueError`` rather than being dropped.
    ordered
        Whether the categories are ordered bands (enables the net-shift effect size). Default: an
        ordered Categorical, numeric values, an explicit ``categories`` or a table are ordered.
    confidence_level
        For the net-shift interval; default from ``compare.yaml``.

    Returns
    -------
    MarginalHomogeneityResult
        ``statistic`` = :math:`\chi^2` with ``df = k' - 1``; ``effect_size`` = net shift
        :math:`(n_{up} - n_{down})/n` (pairs moving to a later band minus pairs moving to an earlier
        one) with a Wald interval :math:`\sqrt{(p_{up} + p_{down} - (p_{up} - p_{down})^2)/n}`; NaN when
        the categories are not ordered.

    Notes
    -----
    With :math:`d_i = n_{i+} - n_{+i}` and :math:`S_{ii} = n_{i+} + n_{+i} - 2n_{ii}`,
    :math:`S_{ij} = -(n_{ij} + n_{ji})` over the first :math:`k'-1` categories,
    :math:`X^2_{SM} = d^\top S^{-1} d` and :math:`X^2_B = X^2_{SM} / (1 - X^2_{SM}/n)`.
    Categories whose off-diagonal row and column are all zero carry no information and make
    :math:`S` singular; they are left out (:math:`k'` is the number kept), as in R
    ``DescTools::StuartMaxwellTest``. For k = 2, Stuart-Maxwell equals the uncorrected McNemar
    :math:`\chi^2`. Validated against ``statsmodels SquareTable.homogeneity`` and the R ``nonpar``
    package example.

    Examples
    --------
    >>> r = stuart_maxwell([[12, 7, 3], [30, 70, 20], [13, 34, 32]])   # R nonpar::stuart.maxwell example
    >>> round(r.statistic, 6), r.df, f"{r.p_value:.4e}"
    (23.570932, 2.0, '7.6144e-06')
    """
    level = check_confidence_level(confidence_level)
    if method not in ("stuart_maxwell", "bhapkar"):
        raise ValueError(f"`method` must be 'stuart_maxwell' or 'bhapkar', got {method!r}")
    if after is None:
        table = np.asarray(before)
        if table.ndim != 2 or table.shape[0] != table.shape[1]:
            raise ValueError(f"stuart_maxwell needs a square table, got shape {table.shape}")
        if np.any(table < 0) or np.any(table != np.round(table)):
            raise ValueError("the table must hold non-negative whole counts")
        table = table.astype(np.int64)
        cats: list[Any] = list(before.index) if isinstance(before, pd.DataFrame) else list(range(table.shape[0]))
        n_dropped, inferred = 0, True
    else:
        table, cats, n_dropped, inferred = _square_table(before, after, categories)
    ordered = inferred if ordered is None else bool(ordered)
    k = table.shape[0]
    n = int(table.sum())
    n_up = int(np.triu(table, 1).sum())
    n_down = int(np.tril(table, -1).sum())
    name = "Stuart-Maxwell marginal homogeneity" if method == "stuart_maxwell" else "Bhapkar marginal homogeneity"
    common: dict[str, Any] = dict(
        method=name, test_code=method, n=n, n_dropped=n_dropped, statistic_name="chi2",
        effect_size_name="net shift (P up - P down)", effect_size_code="net_shift" if ordered else "",
        effect_size_ci_code="ci_wald" if ordered else "",
        confidence_level=level, k=k, n_up=n_up, n_down=n_down, categories=tuple(cats),
        table=tuple(tuple(int(v) for v in row) for row in table),
    )
    if ordered and n:
        p_up, p_down = n_up / n, n_down / n
        shift = p_up - p_down
        z = float(stats.norm.isf((1.0 - level) / 2.0))
        se = math.sqrt(max(p_up + p_down - shift**2, 0.0) / n)
        effect, effect_ci = shift, ConfidenceInterval(shift - z * se, shift + z * se)
    else:
        effect, effect_ci = NAN, NAN_CI
    off = table - np.diag(np.diag(table))
    informative = (off.sum(axis=0) + off.sum(axis=1)) > 0
    kept = table[np.ix_(informative, informative)]
    if kept.shape[0] < 2:
        warnings.warn("stuart_maxwell: no pair changed category", DegenerateDataWarning, stacklevel=2)
        return MarginalHomogeneityResult(**common, statistic=NAN, p_value=None, effect_size=effect,
                                         effect_size_ci=effect_ci, status="no_discordant_pairs",
                                         reason="no pair changed category, so there is nothing to test")
    row, col = kept.sum(axis=1), kept.sum(axis=0)
    d = (row - col)[:-1].astype(float)
    s = -(kept + kept.T).astype(float)
    np.fill_diagonal(s, row + col - 2 * np.diag(kept))
    s = s[:-1, :-1]
    # A generalised inverse: when the categories that changed fall apart into groups that never
    # exchange pairs, S is singular and the statistic is the sum over the groups, on rank(S) df.
    rank = int(np.linalg.matrix_rank(s))
    chi2 = float(d @ (np.linalg.solve(s, d) if rank == s.shape[0] else np.linalg.pinv(s) @ d))
    if method == "bhapkar":
        if chi2 >= n:
            warnings.warn("bhapkar: the statistic is undefined (X2 >= n)", DegenerateDataWarning, stacklevel=2)
            return MarginalHomogeneityResult(
                **common,
                statistic=NAN,
                p_value=None,
                effect_size=effect,
                effect_size_ci=effect_ci,
                status="too_small",
                reason="Bhapkar's statistic is undefined when the Stuart-Maxwell statistic reaches n",
            )
        chi2 = chi2 / (1.0 - chi2 / n)
    df = float(rank)
    return MarginalHomogeneityResult(**common, statistic=chi2, df=df, p_value=float(stats.chi2.sf(chi2, df)),
                                     p_method_code="p_chi2",
                                     effect_size=effect, effect_size_ci=effect_ci)
