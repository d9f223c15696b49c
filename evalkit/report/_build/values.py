"""Arrays from export columns, whatever their dtype (numpy, pandas nullable, pyarrow, categorical).

Every report turns canonical export columns into plain numpy arrays once, in its ``prepare`` step;
these are the only converters it uses, so that a missing value means the same thing everywhere:
``-1`` in a code array, ``NaN`` in a float array.

>>> import pandas as pd
>>> codes(pd.Series(["mand", None, "kvinde", "andet"]), ("kvinde", "mand")).tolist()
[1, -1, 0, -1]
>>> floats(pd.Series([1, None, 3], dtype="Int64")).tolist()
[1.0, nan, 3.0]
>>> slug("Ringkøbing-Skjern"), slug("Tårnby")
('ringkoebing_skjern', 'taarnby')
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["arrow_strings", "codes", "danish_sort_key", "day_numbers", "finite", "floats", "positions", "slug"]


def codes(values: Any, categories: Sequence[str]) -> np.ndarray:
    """Position of each value in ``categories`` as int64 (-1 = missing or not one of them).

    A categorical column is read through its integer codes, anything else is factorized once, so
    only the distinct values are compared.

    >>> codes(pd.Series(["b", "a", "b"], dtype="category"), ["a", "b"]).tolist()
    [1, 0, 1]
    """
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
    """float64 with NaN for missing (booleans become 0/1).

    >>> floats(pd.Series([True, False, None], dtype="boolean")).tolist()
    [1.0, 0.0, nan]
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values, copy=False)
    if isinstance(series.dtype, pd.CategoricalDtype):
        raise TypeError(f"column {series.name!r} is categorical; a number is needed")
    return series.to_numpy(dtype="float64", na_value=np.nan)


def day_numbers(values: Any) -> np.ndarray:
    """Dates as float days since 1970-01-01 (NaN = missing), from date32, datetime64, dates or ISO text.

    >>> day_numbers(pd.Series(["1970-01-02", None])).tolist()
    [1.0, nan]
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values, copy=False)
    if isinstance(series.dtype, pd.ArrowDtype) and pa.types.is_date32(series.dtype.pyarrow_dtype):
        arr = pc.cast(pa.chunked_array(series.array._pa_array), pa.int32())  # noqa: SLF001 (no copy)
        if arr.null_count == 0:
            return arr.to_numpy().astype("float64")
        return pc.fill_null(pc.cast(arr, pa.float64()), float("nan")).to_numpy()
    dt = pd.to_datetime(series, errors="raise").to_numpy(dtype="datetime64[D]")
    return np.where(np.isnat(dt), np.nan, dt.astype("int64").astype("float64"))


def arrow_strings(values: Any) -> pa.Array:
    """A key column (ids) as one Arrow string array, whatever its pandas dtype."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, copy=False)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if isinstance(series.dtype, pd.ArrowDtype):
        arr: Any = series.array._pa_array  # noqa: SLF001 (the Arrow data, no copy)
    elif isinstance(series.dtype, pd.StringDtype):
        arr = pa.array(series)
    else:
        arr = pa.array(series.to_numpy(dtype=object), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr if pa.types.is_string(arr.type) else arr.cast(pa.string())


def positions(keys: Any, index_values: Any) -> np.ndarray:
    """Row position of each key in ``index_values`` as int64 (-1 where absent or missing): one hash lookup.

    >>> positions(pd.Series(["b", "x", None]), pd.Series(["a", "b"])).tolist()
    [1, -1, -1]
    """
    idx = pc.index_in(arrow_strings(keys), value_set=arrow_strings(index_values))
    return pc.fill_null(idx, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def slug(text: str) -> str:
    """A stable snake_case key for any text (Danish letters transliterated): ``"Tårnby"`` -> ``"taarnby"``."""
    s = str(text).strip().lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_") or "x"


_DANISH_ORDER = str.maketrans({"æ": "{", "ø": "|", "å": "}"})


def danish_sort_key(text: str) -> str:
    """Sort key in the Danish alphabet's order (æ, ø, å after z).

    >>> sorted(["Århus", "Odense", "Ærø"], key=danish_sort_key)
    ['Odense', 'Ærø', 'Århus']
    """
    return str(text).lower().translate(_DANISH_ORDER)


def finite(x: Any) -> float | None:
    """``float(x)``, or ``None`` for None, NaN, infinities and values that are not numbers.

    >>> finite(2), finite(float("nan")), finite(None)
    (2.0, None, None)
    """
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None
