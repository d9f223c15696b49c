"""Multiplicity adjustment over a report's family of tests: Holm (default), Bonferroni, BH, BY.

UNG Rusmidler (Socialstyrelsen), section 6.5, says the rise in trivsel is significant "på alle
parametre" -- three or four paired tests at once; figures 6.34 and 6.37 repeat the drug-free
comparison per Ungeprofil/Risikoprofil. evalkit adjusts each such
family and prints which family and how many tests the adjustment covered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evalkit.compare._rules import compare_rules
from evalkit.compare.results import ComparisonResult

__all__ = ["AdjustedPValues", "adjust_pvalues"]

_METHODS = {
    "holm": "Holm (1979) step-down",
    "bonferroni": "Bonferroni",
    "bh": "Benjamini-Hochberg (1995) FDR",
    "by": "Benjamini-Yekutieli (2001) FDR",
}
_ALIASES = {"fdr_bh": "bh", "fdr_by": "by", "benjamini-hochberg": "bh", "benjamini-yekutieli": "by"}


@dataclass(frozen=True)
class AdjustedPValues:
    """Adjusted p-values of one family of tests.

    ``m`` is the family size (tests with a p-value); tests whose p-value is missing are listed with
    NaN and counted in ``n_dropped``. ``to_frame()`` gives one row per test.
    """

    family: str
    method: str
    m: int
    n_dropped: int
    alpha: float
    labels: tuple[Any, ...] = field(repr=False)
    p_values: np.ndarray = field(repr=False)
    p_adjusted: np.ndarray = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per test: family, test, p_value, p_adjusted, reject, method, m."""
        return pd.DataFrame({
            "family": self.family,
            "test": list(self.labels),
            "p_value": self.p_values,
            "p_adjusted": self.p_adjusted,
            "reject": self.p_adjusted <= self.alpha,
            "method": self.method,
            "m": self.m,
        })

    def as_series(self) -> pd.Series:
        """The adjusted p-values indexed by test label."""
        return pd.Series(self.p_adjusted, index=list(self.labels), name="p_adjusted")


def _adjust(p: np.ndarray, method: str) -> np.ndarray:
    m = p.size
    order = np.argsort(p, kind="stable")
    ps = p[order]
    if method == "bonferroni":
        adj = np.minimum(ps * m, 1.0)
    elif method == "holm":
        adj = np.minimum(np.maximum.accumulate((m - np.arange(m)) * ps), 1.0)
    else:
        factor = 1.0 if method == "bh" else float(np.sum(1.0 / np.arange(1, m + 1)))
        raw = ps * m * factor / np.arange(1, m + 1)
        adj = np.minimum(np.minimum.accumulate(raw[::-1])[::-1], 1.0)
    out = np.empty(m)
    out[order] = adj
    return out


def adjust_pvalues(
    p: Any,
    method: str | None = None,
    *,
    family: str = "unnamed family",
    alpha: float | None = None,
) -> AdjustedPValues:
    r"""Adjust the p-values of one family of tests for multiplicity.

    Parameters
    ----------
    p
        p-values as a sequence, a Series (index = test labels), a mapping ``label -> p``, or
        comparison results (a sequence or mapping of :class:`~evalkit.compare.ComparisonResult`,
        whose ``p_value`` is used). Missing p-values (NaN) are left out of the family and reported.
    method
        ``"holm"`` (default, from ``compare.yaml``), ``"bonferroni"``, ``"bh"`` (Benjamini-Hochberg;
        alias ``"fdr_bh"``) or ``"by"`` (Benjamini-Yekutieli).
    family
        A name for the family, printed with the results (e.g. "TEM trivsel items, k=1 vs k=12").
    alpha
        Level for the ``reject`` column; default from ``compare.yaml`` (0.05).

    Returns
    -------
    AdjustedPValues
        ``p_adjusted`` in the input order; ``m`` tests adjusted.

    Notes
    -----
    With ordered :math:`p_{(1)} \le \dots \le p_{(m)}`: Holm
    :math:`\tilde p_{(i)} = \max_{j \le i} \min(1, (m - j + 1) p_{(j)})`; BH
    :math:`\tilde p_{(i)} = \min_{j \ge i} \min(1, m p_{(j)}/j)`; BY multiplies BH by
    :math:`\sum_{k=1}^m 1/k`. Validated against ``statsmodels.stats.multitest.multipletests``.

    Examples
    --------
    >>> r = adjust_pvalues({"personlig": 0.01, "naere": 0.04, "social": 0.03}, family="TEM trivsel")
    >>> r.method, r.m, r.as_series().round(4).to_dict()
    ('Holm (1979) step-down', 3, {'personlig': 0.03, 'naere': 0.06, 'social': 0.06})
    """
    rules = compare_rules()["multiplicity"]
    method = (method or rules["default_method"]).lower()
    method = _ALIASES.get(method, method)
    if method not in _METHODS:
        raise ValueError(f"`method` must be one of {tuple(_METHODS)} (or fdr_bh / fdr_by), got {method!r}")
    alpha = float(rules["alpha"] if alpha is None else alpha)
    if isinstance(p, pd.Series):
        labels, values = list(p.index), list(p.to_numpy())
    elif isinstance(p, Mapping):
        labels, values = list(p.keys()), list(p.values())
    else:
        values = list(p)
        labels = list(range(len(values)))
    values = [v.p_value if isinstance(v, ComparisonResult) else v for v in values]
    arr = np.array([np.nan if v is None or v is pd.NA else float(v) for v in values], dtype=float)
    finite = ~np.isnan(arr)
    if np.any((arr[finite] < 0) | (arr[finite] > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    adjusted = np.full(arr.size, np.nan)
    if finite.any():
        adjusted[finite] = _adjust(arr[finite], method)
    return AdjustedPValues(family=family, method=_METHODS[method], m=int(finite.sum()), n_dropped=int((~finite).sum()),
                           alpha=alpha, labels=tuple(labels), p_values=arr, p_adjusted=adjusted)
