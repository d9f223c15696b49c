"""Input coercion shared by the comparison functions.

Readers deliver pyarrow-backed columns (``double[pyarrow]``, ``int64[pyarrow]``, ``bool[pyarrow]``,
missing values ``<NA>``), category columns as pandas ``Categorical``; users pass numpy arrays with
NaN, nullable pandas dtypes or plain lists. Everything is turned into float64 numpy arrays with NaN
for missing, and pairs with a missing member are dropped and counted.

Two pandas Series with different indexes are aligned on their index (an outer join, so a person
present in only one wave counts as a dropped pair); otherwise inputs pair by position.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa


def _kind(values: Any) -> str:
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if isinstance(dtype, pd.ArrowDtype):
        t = dtype.pyarrow_dtype
        if pa.types.is_boolean(t):
            return "bool"
        if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
            return "number"
        return "other"
    if dtype is None:
        return "object"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if pd.api.types.is_object_dtype(dtype):
        return "object"
    return "other"


def as_float(values: Any, name: str, *, allow_ordered_category: bool = True) -> np.ndarray:
    """A float64 copy of ``values`` with NaN for missing.

    Booleans become 0/1; an *ordered* Categorical becomes its category position (0, 1, ...), which
    is what rank tests on ordinal bands need; other categories, strings and dates raise TypeError.

    >>> as_float(pd.Series([1, None, 3], dtype="int64[pyarrow]"), "pre")
    array([ 1., nan,  3.])
    >>> as_float(pd.Categorical(["lav", "hoej", None], categories=["lav", "hoej"], ordered=True), "band")
    array([ 0.,  1., nan])
    """
    kind = _kind(values)
    if kind == "category":
        cat = pd.Categorical(values)
        if not (cat.ordered and allow_ordered_category):
            raise TypeError(
                f"`{name}` is an unordered category; compare categories with mcnemar/stuart_maxwell "
                "or chi_square, or make the Categorical ordered to use its category positions"
            )
        codes = cat.codes.astype(float)
        codes[codes < 0] = np.nan
        return codes
    if kind in {"number", "bool"}:
        if isinstance(getattr(values, "dtype", None), pd.ArrowDtype):  # cast in Arrow: nulls become NaN
            arr = (values.array if isinstance(values, (pd.Series, pd.Index)) else values).__arrow_array__()
            return np.asarray(arr.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")
        return pd.Series(values).to_numpy(dtype="float64", na_value=np.nan)
    if kind == "object":
        series = pd.Series(values, dtype=object)
        try:
            return pd.to_numeric(series, errors="raise").to_numpy(dtype="float64", na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"`{name}` must be numeric, boolean or an ordered category; {exc}") from exc
    raise TypeError(
        f"`{name}` has dtype {getattr(values, 'dtype', type(values))}; "
        "expected numbers, booleans or an ordered category"
    )


def as_binary(values: Any, name: str) -> np.ndarray:
    """Float 0/1 with NaN for missing; accepts booleans (any dtype) or numbers that are 0 or 1.

    >>> as_binary(pd.Series([True, None, False], dtype="bool[pyarrow]"), "before")
    array([ 1., nan,  0.])
    """
    kind = _kind(values)
    if kind == "object":
        out = np.empty(len(values), dtype=float)
        for i, v in enumerate(values):
            if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
                out[i] = np.nan
            elif isinstance(v, (bool, np.bool_, int, float, np.integer, np.floating)):
                out[i] = float(v)
            else:
                raise TypeError(f"`{name}` must be boolean or 0/1; found {v!r}")
        values, kind = out, "number"
    if kind == "category":
        raise TypeError(f"`{name}` is a category; pass a boolean (e.g. `series == 'ja'`) or use stuart_maxwell")
    out = as_float(values, name, allow_ordered_category=False)
    bad = ~np.isnan(out) & (out != 0.0) & (out != 1.0)
    if bad.any():
        raise ValueError(f"`{name}` must hold only 0/1 or booleans; found {np.unique(out[bad])[:5].tolist()}")
    return out


def align(first: Any, second: Any, names: tuple[str, str]) -> tuple[Any, Any]:
    """Pair two inputs: Series with different indexes are outer-joined on the index.

    >>> a, b = align(pd.Series([1.0, 2.0], index=["x", "y"]), pd.Series([5.0], index=["y"]), ("pre", "post"))
    >>> a.tolist(), b.tolist()
    ([1.0, 2.0], [nan, 5.0])
    """
    if isinstance(first, pd.Series) and isinstance(second, pd.Series) and not first.index.equals(second.index):
        for s, n in zip((first, second), names, strict=True):
            if not s.index.is_unique:
                raise ValueError(
                    f"`{n}` has a duplicated index; pass one value per person, or two arrays in the same order"
                )
        first, second = first.align(second, join="outer")
        return first, second
    if len(first) != len(second):
        raise ValueError(
            f"`{names[0]}` and `{names[1]}` have different lengths ({len(first)} and {len(second)}); "
            "pass Series indexed by person to align them"
        )
    return first, second


def paired_floats(
    first: Any, second: Any, names: tuple[str, str] = ("pre", "post")
) -> tuple[np.ndarray, np.ndarray, int]:
    """Complete pairs of two numeric inputs and the number of pairs dropped for a missing value.

    >>> paired_floats([1.0, None, 3.0], [2.0, 5.0, None])
    (array([1.]), array([2.]), 2)
    """
    first, second = align(first, second, names)
    a = as_float(first, names[0])
    b = as_float(second, names[1])
    keep = ~(np.isnan(a) | np.isnan(b))
    return a[keep], b[keep], int(keep.size - keep.sum())


def paired_binary(
    first: Any, second: Any, names: tuple[str, str] = ("before", "after")
) -> tuple[np.ndarray, np.ndarray, int]:
    """Complete pairs of two binary inputs (0/1 floats) and the number of pairs dropped."""
    first, second = align(first, second, names)
    a = as_binary(first, names[0])
    b = as_binary(second, names[1])
    keep = ~(np.isnan(a) | np.isnan(b))
    return a[keep], b[keep], int(keep.size - keep.sum())


def sample(values: Any, name: str) -> tuple[np.ndarray, int]:
    """A numeric sample without its missing values, and how many were missing.

    >>> sample(pd.Series([1.5, None], dtype="double[pyarrow]"), "x")
    (array([1.5]), 1)
    """
    x = as_float(values, name)
    keep = ~np.isnan(x)
    return x[keep], int(keep.size - keep.sum())


def check_alternative(alternative: str) -> str:
    """Validate ``alternative``."""
    allowed = ("two-sided", "less", "greater")
    if alternative not in allowed:
        raise ValueError(f"`alternative` must be one of {allowed}, got {alternative!r}")
    return alternative


def check_confidence_level(confidence_level: float | None) -> float:
    """Validate ``confidence_level``; ``None`` takes the default from compare.yaml."""
    from evalkit.compare._rules import default_confidence_level

    if confidence_level is None:
        return default_confidence_level()
    level = float(confidence_level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"`confidence_level` must lie strictly between 0 and 1, got {confidence_level!r}")
    return level
