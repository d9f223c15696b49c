"""Cell and column factories: every published number of a table is made here.

A share or a mean names the count it is computed from through its *column*
(:func:`share_column`), so the disclosure links of a table are derived from the declaration.

>>> from evalkit.report.model import T, Table
>>> t = Table("demo", "", T("Demo"), [count_column("n", T("Antal")), share_column("pct", T("Pct."), count_of="n")])
>>> _ = t.add_row("mand", T("Mænd"), {"n": count(3), "pct": share(3, 12)})
>>> t.cell("mand", "pct").value, t.cell("mand", "pct").count_of, t.cell("mand", "pct").n
(25.0, 'mand|n', 12)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evalkit.report._build.values import finite
from evalkit.report.model import Cell, Column, Text

__all__ = ["count", "count_column", "mean_cell", "mean_column", "money", "number", "share", "share_column"]


def count(value: int, *, link: str | None = None) -> Cell:
    """A count of persons (or institutions); ``link`` marks the same count shown in other tables."""
    return Cell(int(value), "count", link=link)


def share(k: float, n: float, *, decimals: int = 1, link: str | None = None,
          count_of: str | None = None) -> Cell:
    """``100 * k / n`` as a percent cell with its base ``n`` (``None`` when ``n`` is 0).

    >>> share(1, 3).value, share(0, 0).value
    (33.333333333333336, None)
    """
    value = 100.0 * float(k) / float(n) if n else None
    return Cell(value, "percent", decimals=decimals, n=int(n), count_of=count_of, link=link)


def mean_cell(values: np.ndarray, *, decimals: int | None = 1, kind: str = "mean",
              count_of: str | None = None) -> Cell:
    """The mean (or ``kind="median"``) of the finite values, with their number as ``n``.

    >>> c = mean_cell(np.array([1.0, np.nan, 4.0]))
    >>> c.value, c.n
    (2.5, 2)
    """
    v = np.asarray(values, dtype="float64")
    v = v[np.isfinite(v)]
    if kind not in ("mean", "median"):
        raise ValueError(f"kind must be 'mean' or 'median', not {kind!r}")
    stat = (float(v.mean()) if kind == "mean" else float(np.median(v))) if v.size else None
    return Cell(stat, kind, decimals=decimals, n=int(v.size), count_of=count_of)  # type: ignore[arg-type]


def number(value: Any, *, decimals: int = 2, n: int | None = None, kind: str = "number") -> Cell:
    """Any other number (a score, a ratio); ``None`` for missing or non-finite values."""
    return Cell(finite(value), kind, decimals=decimals, n=n)  # type: ignore[arg-type]


def money(value: Any, *, decimals: int = 0) -> Cell:
    """An amount of money (kroner)."""
    return Cell(finite(value), "money", decimals=decimals)


def count_column(key: str, label: Text, *, is_total: bool = False) -> Column:
    """A column of counts."""
    return Column(key, label, is_total=is_total)


def share_column(key: str, label: Text, *, count_of: str | None = None, is_total: bool = False) -> Column:
    """A column of shares (or means) whose cells are computed from the count in column ``count_of``."""
    return Column(key, label, is_total=is_total, count_of=count_of)


mean_column = share_column
