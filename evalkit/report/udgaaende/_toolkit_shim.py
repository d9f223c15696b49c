"""TEMPORARY stand-in for ``evalkit.report._build`` (TOOLKIT.md) until the toolkit lands on main.

Deleted when main is merged: every import of it becomes ``from evalkit.report._build import ...`` and
``from evalkit.report.model import Column, Table, TestRow``. Only the part of the contract this report
uses, with the contract's signatures.

>>> slug("Tårnby"), finite(float("nan"))
('taarnby', None)
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import yaml

from evalkit.report import model
from evalkit.report.model import Cell, Text

P = TypeVar("P")


def codes(values: Any, categories: Sequence[str]) -> np.ndarray:
    cats = [str(c) for c in categories]
    where = {c: i for i, c in enumerate(cats)}
    series = values if isinstance(values, pd.Series) else pd.Series(values, copy=False)
    if isinstance(series.dtype, pd.CategoricalDtype):
        idx = series.cat.codes.to_numpy(dtype=np.int64)
        uniques = [str(c) for c in series.cat.categories]
    else:
        raw, found = pd.factorize(series, use_na_sentinel=True)
        idx = np.asarray(raw, dtype=np.int64)
        uniques = [str(u) for u in found]
    lookup = np.array([where.get(u, -1) for u in uniques] + [-1], dtype=np.int64)
    return lookup[np.where(idx < 0, len(uniques), idx)]


def floats(values: Any) -> np.ndarray:
    series = values if isinstance(values, pd.Series) else pd.Series(values, copy=False)
    return series.to_numpy(dtype="float64", na_value=np.nan)


def slug(text: str) -> str:
    s = str(text).strip().lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_") or "x"


def danish_sort_key(text: str) -> str:
    return str(text).lower().translate(str.maketrans({"æ": "{", "ø": "|", "å": "}"}))


def finite(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


# --- model additions of the contract ------------------------------------------------------


@dataclass
class Column(model.Column):
    count_of: str | None = None


class Table(model.Table):
    def add_row(self, key: str, label: Text, cells: dict[str, Cell], is_total: bool = False) -> model.Row:
        for column in self.columns:
            cell = cells.get(column.key)
            of = getattr(column, "count_of", None)
            if cell is not None and of and cell.count_of is None and of in cells:
                cell.count_of = f"{key}|{of}"
        return super().add_row(key, label, cells, is_total)


@dataclass
class TestRow(model.TestRow):
    result: Any = None
    status: str = "ok"
    reason: Text | None = None


# --- cells ------------------------------------------------------------------------------------


def count(value: int, *, link: str | None = None) -> Cell:
    return Cell(int(value), "count", link=link)


def share(k: float, n: float, *, decimals: int = 1, link: str | None = None, count_of: str | None = None) -> Cell:
    return Cell(100.0 * float(k) / float(n) if n else None, "percent", decimals=decimals, n=int(n),
                count_of=count_of, link=link)


def mean_cell(values: np.ndarray, *, decimals: int | None = 1, kind: str = "mean", count_of: str | None = None) -> Cell:
    v = np.asarray(values, dtype="float64")
    v = v[np.isfinite(v)]
    return Cell(float(v.mean()) if v.size else None, kind, decimals=decimals, n=int(v.size),  # type: ignore[arg-type]
                count_of=count_of)


def number(value: Any, *, decimals: int = 2, n: int | None = None, kind: str = "number") -> Cell:
    return Cell(finite(value), kind, decimals=decimals, n=n)  # type: ignore[arg-type]


def money(value: Any, *, decimals: int = 0) -> Cell:
    return Cell(finite(value), "money", decimals=decimals)


def count_column(key: str, label: Text, *, is_total: bool = False) -> Column:
    return Column(key, label, is_total=is_total)


def share_column(key: str, label: Text, *, count_of: str | None = None, is_total: bool = False) -> Column:
    return Column(key, label, is_total=is_total, count_of=count_of)


mean_column = share_column


# --- tests ------------------------------------------------------------------------------------


def quiet(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def cells_of(rows: Iterable[str], cols: Iterable[str]) -> list[str]:
    cols = list(cols)
    return [f"{r}|{c}" for r in rows for c in cols]


def _pair(ci: Any) -> tuple[float | None, float | None]:
    if ci is None:
        return (None, None)
    lo, hi = tuple(ci)[:2]
    return (finite(lo), finite(hi))


def test_row(row: str, outcome: Text, result: Any, *, over: Sequence[str] | str = (), decimals: int | None = None,
             note: str | None = None, suppressed: bool = False) -> TestRow:
    status = str(getattr(result, "status", "ok") or "ok")
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
        suppressed=suppressed, note=note, decimals=decimals,
        count_of=over if isinstance(over, str) else ("+".join(over) or None),
        result=result, status=status)


# --- text and prepared data -------------------------------------------------------------------


class ReportText:
    def __init__(self, entries: dict[str, Any], source: str) -> None:
        self._entries, self._source = entries, source

    def __call__(self, key: str, **fill: Any) -> Text:
        try:
            entry = self._entries[key]
        except KeyError:
            raise KeyError(f"{self._source}: no text {key!r}") from None
        da, en = (entry, entry) if isinstance(entry, str) else (entry["da"], entry["en"])
        if fill:
            da, en = da.format(**fill), en.format(**fill)
        return Text(da, en)

    def has(self, key: str) -> bool:
        return key in self._entries


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict) and set(value) != {"da", "en"}:
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


@cache
def report_text(package: str) -> ReportText:
    raw = (resources.files(package) / "text.yaml").read_text(encoding="utf-8")
    return ReportText(_flatten(yaml.safe_load(raw) or {}), package)


def store_prepared(ctx: Any, value: Any) -> None:
    ctx.data[type(value).__name__] = value


def prepared(ctx: Any, kind: type[P]) -> P:
    value = ctx.data[kind.__name__]
    if not isinstance(value, kind):
        raise TypeError(f"prepared {kind.__name__} has type {type(value).__name__}")
    return value
