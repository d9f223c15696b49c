"""Input normalisation shared by the measure and profile modules.

Readers deliver pyarrow-backed columns (``int64[pyarrow]``, ``bool[pyarrow]``, ...) with ``<NA>``;
notebooks deliver plain numpy columns (``float64`` with NaN, ``object``, ``bool``). These helpers turn
either into numpy arrays (float64 with NaN, or bool data plus a missing mask) without a Python loop
over rows, and build the outputs: scores as ``float64`` (NaN = no score), flags as pandas'
nullable ``boolean``, classes as ``category``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from evalkit.io.schema import normalise_name


def as_float(values: Any, name: str) -> np.ndarray:
    """Convert a column to a float64 numpy array with NaN for missing values.

    Booleans become 0/1. Text raises :class:`TypeError` naming the column.
    """
    if isinstance(values, pd.Series | pd.Index):
        if isinstance(values.dtype, pd.CategoricalDtype):
            raise TypeError(f"column `{name}` is categorical; a number is needed")
        try:
            return values.to_numpy(dtype="float64", na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"column `{name}` must be numeric (dtype {values.dtype})") from exc
    arr = np.asarray(values)
    if arr.dtype.kind in "biuf":
        return arr.astype("float64")
    try:
        return pd.Series(arr, dtype=object).to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"column `{name}` must be numeric (dtype {arr.dtype})") from exc


def as_bool(values: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Convert a column to ``(data, missing)`` boolean numpy arrays.

    Accepts bool, ``boolean``, ``bool[pyarrow]``, object columns of True/False/None and numeric 0/1
    (any other number raises :class:`ValueError`). ``data`` is False where ``missing`` is True.
    """
    num = as_float(values, name)
    missing = np.isnan(num)
    bad = ~missing & (num != 0) & (num != 1)
    if bad.any():
        raise ValueError(f"column `{name}` must be boolean (True/False or 1/0); {int(bad.sum())} other value(s)")
    return (num == 1), missing


def check_range(arr: np.ndarray, lo: float, hi: float, name: str, *, integer: bool = True) -> None:
    """Raise :class:`ValueError` if a non-missing value lies outside [lo, hi] (or is not whole).

    The common case (every value fine) costs two reductions and, for ``integer``, one rounding pass;
    the element-wise mask that counts the offenders is built only when something is wrong.

    >>> check_range(np.array([0.0, np.nan, 7.0]), 0, 7, "days")
    >>> check_range(np.array([0.0, 7.5]), 0, 7, "days")
    Traceback (most recent call last):
    ...
    ValueError: column `days` must hold whole numbers in [0, 7]; 1 value(s) outside
    """
    if arr.size == 0:
        return
    with np.errstate(invalid="ignore"):
        low, high = np.fmin.reduce(arr), np.fmax.reduce(arr)  # NaN-skipping; NaN only if all are NaN
        fine = np.isnan(low) or (low >= lo and high <= hi)
        if fine and integer and not np.isnan(low):
            fine = bool(np.array_equal(np.rint(arr), arr, equal_nan=True))
    if fine:
        return
    with np.errstate(invalid="ignore"):
        bad = (arr < lo) | (arr > hi)
        if integer:
            bad |= arr != np.floor(arr)
    bad &= ~np.isnan(arr)
    if bad.any():
        kind = "whole numbers " if integer else ""
        raise ValueError(f"column `{name}` must hold {kind}in [{lo}, {hi}]; {int(bad.sum())} value(s) outside")


def resolve_columns(
    frame: pd.DataFrame, wanted: Sequence[str], aliases: Mapping[str, Iterable[str]] | None = None, *, what: str
) -> list[str]:
    """Find each wanted canonical column in ``frame`` by name, else by a normalised alias.

    Raises :class:`KeyError` listing the columns that could not be found.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what}: expected a pandas DataFrame, got {type(frame).__name__}")
    by_norm = {normalise_name(c): c for c in frame.columns}
    found: list[str] = []
    missing: list[str] = []
    for col in wanted:
        if col in frame.columns:
            found.append(col)
            continue
        hit = None
        for alias in (col, *((aliases or {}).get(col, ()))):
            hit = by_norm.get(normalise_name(alias))
            if hit is not None:
                break
        if hit is None:
            missing.append(col)
        else:
            found.append(hit)
    if missing:
        raise KeyError(
            f"{what}: column(s) {', '.join(f'`{c}`' for c in missing)} not found; "
            f"the frame has {', '.join(map(str, frame.columns))}"
        )
    return found


def float_series(arr: np.ndarray, index: pd.Index, name: str) -> pd.Series:
    """A float64 Series (NaN = missing) on ``index``."""
    return pd.Series(arr, index=index, name=name, dtype="float64")


def bool_series(data: np.ndarray, missing: np.ndarray, index: pd.Index, name: str) -> pd.Series:
    """A nullable ``boolean`` Series on ``index``."""
    values = pd.arrays.BooleanArray(np.asarray(data, dtype=bool), np.asarray(missing, dtype=bool))
    return pd.Series(values, index=index, name=name)


def category_series(
    codes: np.ndarray, categories: Sequence[str], index: pd.Index, name: str, *, ordered: bool
) -> pd.Series:
    """A categorical Series from integer codes (-1 = missing)."""
    cat = pd.Categorical.from_codes(np.asarray(codes, dtype="int64"), categories=list(categories), ordered=ordered)
    return pd.Series(cat, index=index, name=name)


def aligned_index(*series: Any) -> pd.Index:
    """The common index of several Series (they must share it), or a RangeIndex for arrays."""
    idx = None
    n = None
    for s in series:
        if isinstance(s, pd.Series):
            if idx is None:
                idx = s.index
            elif not s.index.equals(idx):
                raise ValueError("inputs must share the same index (align them first, e.g. with DataFrame columns)")
        length = len(s)
        if n is None:
            n = length
        elif length != n:
            raise ValueError(f"inputs must have the same length, got {n} and {length}")
    return idx if idx is not None else pd.RangeIndex(n or 0)
