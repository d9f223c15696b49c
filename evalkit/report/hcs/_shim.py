"""Stand-ins for the shared report toolkit (``evalkit.report._build``) until it lands on main.

TODO(issue 14): delete this module when main has the toolkit; import the same names from
``evalkit.report._build`` instead.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import numpy as np
import yaml

from evalkit.report.model import Cell, TestRow, Text
from evalkit.report.spec import Context

P = TypeVar("P")


def finite(x: Any) -> float | None:
    """``float(x)``, or None for None / NaN / inf."""
    return None if x is None or not math.isfinite(float(x)) else float(x)


def count(value: int, *, link: str | None = None) -> Cell:
    return Cell(int(value), "count", link=link)


def share(k: int, n: int, *, count_of: str | None = None, decimals: int | None = None) -> Cell:
    return Cell(100.0 * k / n if n else None, "percent", n=int(n), count_of=count_of, decimals=decimals)


def mean_cell(values: np.ndarray, *, decimals: int = 1, kind: str = "mean", count_of: str | None = None) -> Cell:
    v = values[~np.isnan(values)]
    stat = (float(np.mean(v)) if kind == "mean" else float(np.median(v))) if v.size else None
    return Cell(stat, kind, decimals=decimals, n=int(v.size), count_of=count_of)  # type: ignore[arg-type]


def number(value: Any, *, decimals: int = 2, n: int | None = None, count_of: str | None = None) -> Cell:
    return Cell(finite(value), "number", decimals=decimals, n=n, count_of=count_of)


def quiet(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def prepared(ctx: Context, cls: type[P]) -> P:
    obj = ctx.data[cls.__name__]
    if not isinstance(obj, cls):
        raise TypeError(f"ctx.data[{cls.__name__!r}] is {type(obj).__name__}")
    return obj


def store_prepared(ctx: Context, obj: Any) -> None:
    ctx.data[type(obj).__name__] = obj


@cache
def _text_tree(package: str) -> dict[str, Any]:
    return yaml.safe_load((resources.files(package) / "text.yaml").read_text(encoding="utf-8"))


def report_text(package: str) -> Callable[[str], Text]:
    def txt(key: str) -> Text:
        node: Any = _text_tree(package)
        for part in key.split("."):
            node = node[part]
        return Text(node["da"], node["en"])
    return txt


def test_row(row: str, outcome: Text, result: Any, *, decimals: int | None = None) -> TestRow:
    """A :class:`TestRow` from an :mod:`evalkit.compare` result (NaN becomes None; status in the note)."""

    return TestRow(row=row, outcome=outcome, method=result.method, n=int(result.n),
                   statistic=finite(result.statistic), p_value=finite(result.p_value),
                   effect_size=finite(result.effect_size), effect_size_name=result.effect_size_name,
                   effect_size_ci=(finite(result.effect_size_ci[0]), finite(result.effect_size_ci[1])),
                   estimate=finite(result.estimate), estimate_name=result.estimate_name or None,
                   estimate_ci=(finite(result.estimate_ci[0]), finite(result.estimate_ci[1])),
                   note=None if result.status == "ok" else result.status, decimals=decimals)
