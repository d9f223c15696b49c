"""Descriptive statistics with intervals, by group, in one pass: the cells of a custom table.

:func:`describe` summarises a numeric variable per group (n, missing, mean with a t interval, sd,
median and quartiles); :func:`frequencies` gives counts and shares of a categorical variable per
group with Wilson intervals. The conventions are R's defaults, so a user can check any cell:

- mean interval: ``t.test(x)$conf.int`` (Student t with n - 1 degrees of freedom);
- sd: ``sd(x)`` (n - 1 denominator);
- median and quartiles: ``quantile(x, type = 7)`` (linear interpolation, numpy's default);
- share interval: Wilson score interval, ``prop.test(k, n, correct = FALSE)$conf.int``.

>>> import numpy as np
>>> d = describe(np.array([1.0, 2, 3, 4, np.nan]), np.array(["a", "a", "b", "b", "b"]))
>>> d[["group", "n", "n_missing", "mean", "median"]].to_dict("records")
[{'group': 'a', 'n': 2, 'n_missing': 0, 'mean': 1.5, 'median': 1.5}, {'group': 'b', 'n': 2, 'n_missing': 1, 'mean': 3.5, 'median': 3.5}]
>>> p = frequencies(np.array(["ja", "nej", "ja", None], dtype=object))
>>> p[["level", "count", "n", "share"]].to_dict("records")
[{'level': 'ja', 'count': 2, 'n': 3, 'share': 0.6666666666666666}, {'level': 'nej', 'count': 1, 'n': 3, 'share': 0.3333333333333333}]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.compare.effect_sizes import wilson_ci

__all__ = ["describe", "frequencies"]


def _groups(groups: Any, n: int, order: Sequence[Any] | None) -> tuple[np.ndarray, list[Any]]:
    if groups is None:
        return np.zeros(n, dtype=np.int64), ["all"]
    series = pd.Series(groups).astype(object)
    levels = list(order) if order is not None else sorted(pd.unique(series.dropna()).tolist(), key=str)
    return _codes(series, levels), levels


def _codes(series: pd.Series, levels: Sequence[Any]) -> np.ndarray:
    """Position of each value in ``levels`` (-1 = missing or another value), without a Python loop."""
    return np.asarray(pd.Categorical(series, categories=list(levels)).codes, dtype=np.int64)


def describe(values: Any, groups: Any = None, *, order: Sequence[Any] | None = None,
             confidence_level: float = 0.95) -> pd.DataFrame:
    """One row per group: ``n``, ``n_missing``, ``mean``, ``mean_ci_low/high`` (t), ``sd``,
    ``median``, ``q1``, ``q3`` (R's ``quantile`` type 7), ``min``, ``max``.

    Rows whose group is missing are left out; a group with no values has NaN statistics.
    """
    x = pd.Series(values).to_numpy(dtype="float64", na_value=np.nan)
    codes, levels = _groups(groups, x.size, order)
    rows = []
    for i, level in enumerate(levels):
        v = x[codes == i]
        finite = v[~np.isnan(v)]
        k = finite.size
        mean = float(finite.mean()) if k else np.nan
        sd = float(finite.std(ddof=1)) if k > 1 else np.nan
        if k > 1:
            half = float(stats.t.ppf(0.5 + confidence_level / 2, k - 1)) * sd / np.sqrt(k)
            lo, hi = mean - half, mean + half
        else:
            lo = hi = np.nan
        q1, med, q3 = (np.quantile(finite, [0.25, 0.5, 0.75]).tolist() if k else [np.nan] * 3)
        rows.append({"group": level, "n": int(k), "n_missing": int(v.size - k), "mean": mean,
                     "mean_ci_low": lo, "mean_ci_high": hi, "sd": sd, "median": float(med), "q1": float(q1),
                     "q3": float(q3), "min": float(finite.min()) if k else np.nan,
                     "max": float(finite.max()) if k else np.nan})
    return pd.DataFrame(rows)


def frequencies(values: Any, groups: Any = None, *, levels: Sequence[Any] | None = None,
                order: Sequence[Any] | None = None, confidence_level: float = 0.95) -> pd.DataFrame:
    """One row per (group, level): ``count``, ``n`` (known values in the group), ``share`` and its
    Wilson interval ``share_ci_low/high``, and ``n_missing`` of the group.

    >>> frequencies(["a", "b", "b"], ["g", "g", "h"])[["group", "level", "count", "n"]].values.tolist()
    [['g', 'a', 1, 2], ['g', 'b', 1, 2], ['h', 'a', 0, 1], ['h', 'b', 1, 1]]
    """
    series = pd.Series(values).astype(object)
    lv = list(levels) if levels is not None else sorted(pd.unique(series.dropna()).tolist(), key=str)
    vcodes = _codes(series, lv)
    gcodes, glevels = _groups(groups, len(series), order)
    rows = []
    for gi, g in enumerate(glevels):
        in_group = gcodes == gi
        known = in_group & (vcodes >= 0)
        n = int(known.sum())
        counts = np.bincount(vcodes[known], minlength=len(lv))
        for li, level in enumerate(lv):
            k = int(counts[li])
            ci = wilson_ci(k, n, confidence_level) if n else (np.nan, np.nan)
            rows.append({"group": g, "level": level, "count": k, "n": n, "share": k / n if n else np.nan,
                         "share_ci_low": ci[0], "share_ci_high": ci[1],
                         "n_missing": int(in_group.sum()) - n})
    return pd.DataFrame(rows)
