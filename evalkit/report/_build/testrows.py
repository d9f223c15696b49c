"""Test rows: the significance tests a table prints, each holding its :mod:`evalkit.compare` result.

There is one warning policy (:func:`quiet`) and no exception handling: compare returns a result with
a ``status`` on degenerate data, and the row prints that status instead of a p-value.

>>> import numpy as np
>>> from evalkit.compare import paired_t
>>> from evalkit.report.model import T
>>> r = test_row("hash", T("Hash"), quiet(paired_t, np.array([1., 2, 3, 4]), np.array([2., 2, 5, 7])),
...              over=cells_of(["hash"], ["n_pre", "n_post"]))
>>> r.status, r.n, r.count_of, round(r.p_value, 4)
('ok', 4, 'hash|n_pre+hash|n_post', 0.1027)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from evalkit.report._build.values import finite
from evalkit.report.model import TestRow, Text

__all__ = ["cells_of", "quiet", "test_row"]

R = TypeVar("R")


def quiet(fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """Call a compare function without its small-sample and degenerate-data warnings.

    The report prints ``n`` and the result's status instead; warnings from anywhere else still show.
    """
    from evalkit.compare.results import CompareWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args, **kwargs)


def cells_of(rows: Iterable[str], cols: Iterable[str]) -> list[str]:
    """``["row|col", ...]`` for every row and column: the count cells a test is computed over.

    >>> cells_of(["a"], ["x", "y"])
    ['a|x', 'a|y']
    """
    cols = list(cols)
    return [f"{r}|{c}" for r in rows for c in cols]


def _pair(ci: Any) -> tuple[float | None, float | None]:
    if ci is None:
        return (None, None)
    lo, hi = tuple(ci)[:2]
    return (finite(lo), finite(hi))


def test_row(row: str, outcome: Text, result: Any, *, over: Sequence[str] | str = (),
             decimals: int | None = None, note: str | None = None, suppressed: bool = False) -> TestRow:
    """A :class:`TestRow` holding ``result`` (an :mod:`evalkit.compare` result).

    Parameters
    ----------
    row
        The key of the table row the test belongs to.
    outcome
        What is compared, in both languages.
    result
        The compare result; its status, df, alternative and dropped counts stay on the row.
    over
        The count cells (``"row|col"``) the test is computed over: disclosure control suppresses the
        test when any of them is suppressed.
    decimals
        Printed precision of the estimate and its interval (default 2).
    """
    status = str(getattr(result, "status", "ok") or "ok")
    count_of = over if isinstance(over, str) else ("+".join(over) or None)
    n = getattr(result, "n", None)
    return TestRow(
        row=row, outcome=outcome, method=str(result.method), n=None if n is None else int(n),
        statistic=finite(getattr(result, "statistic", None)), p_value=finite(getattr(result, "p_value", None)),
        effect_size=finite(getattr(result, "effect_size", None)),
        effect_size_name=getattr(result, "effect_size_name", None) or None,
        effect_size_ci=_pair(getattr(result, "effect_size_ci", None)),
        estimate=finite(getattr(result, "estimate", None)),
        estimate_name=getattr(result, "estimate_name", None) or None,
        estimate_ci=_pair(getattr(result, "estimate_ci", None)),
        suppressed=suppressed, note=note, decimals=decimals, count_of=count_of,
        result=result, status=status, reason=_reason(result, status),
    )


def _reason(result: Any, status: str) -> Text | None:
    """The printed reason for a status other than ``ok`` (from compare's label codes where it has them)."""
    if status == "ok":
        return None
    from evalkit.report._build.text import status_text

    return status_text(status, getattr(result, "reason", None))


test_row.__test__ = False  # type: ignore[attr-defined]  # a builder, not a pytest test
