"""Keys of person-level exports as integer arrays: dictionary codes, id positions, day numbers.

Shared by the measure and profile modules that join long tables (one row per registration) onto a
person table. Every function is one vectorised pass (pyarrow hash lookups, pandas factorize of the
distinct values only); no Python loop over rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.io.schema import dataset, normalise_name

__all__ = ["code_positions", "day_numbers", "id_strings", "positions_in"]


def code_positions(values: Any, dataset_name: str, table: str, column: str, order: Sequence[str]) -> np.ndarray:
    """Position of each value's dictionary code in ``order`` (-1 = missing or a code not in ``order``).

    Values may be codes, labels or aliases of the data dictionary's category column
    ``dataset_name.table.column``; a value that matches no code raises :class:`ValueError` naming them.
    Only the distinct values are looked up (categorical columns through their categories).

    Examples
    --------
    >>> code_positions(["moedt", "Meldt afbud", None, "ikke_meldt_afbud"], "hcs", "hcs_fremmoede", "status",
    ...                ["moedt", "meldt_afbud"]).tolist()
    [0, 1, -1, -1]
    """
    series = pd.Series(values, copy=False)
    if isinstance(series.dtype, pd.CategoricalDtype):   # the reader's categoricals: int8 codes, no rehash
        idx, uniques = series.cat.codes.to_numpy(), list(series.cat.categories)
    else:
        idx, uniques = pd.factorize(series, use_na_sentinel=True)
    spec = dataset(dataset_name).table(table).column(column)
    lookup = spec.value_lookup()
    mapped = [lookup.get(normalise_name(u)) for u in uniques]
    bad = [str(u) for u, m in zip(uniques, mapped, strict=True) if m is None]
    if bad:
        raise ValueError(f"{table}.{column}: unknown value(s) {', '.join(map(repr, bad))}; "
                         f"expected {', '.join(spec.codes)}")
    where: dict[str | None, int] = {code: i for i, code in enumerate(order)}
    # one entry per distinct value plus a trailing -1 that the missing-value code -1 indexes
    table_ = np.array([where.get(code, -1) for code in mapped] + [-1], dtype="int64")
    return table_[np.asarray(idx)]


def id_strings(values: Any) -> pa.Array:
    """An id column as one Arrow string array, whatever its pandas dtype (missing stays null).

    Examples
    --------
    >>> id_strings(pd.Series(["a", None, "b"])).to_pylist()
    ['a', None, 'b']
    """
    series = pd.Series(values, copy=False)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if isinstance(series.dtype, (pd.ArrowDtype, pd.StringDtype)):
        arr = pa.array(series)
    else:
        arr = pa.array(series.to_numpy(dtype=object), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr if pa.types.is_string(arr.type) else arr.cast(pa.string())


def positions_in(id_set: pa.Array, values: Any) -> np.ndarray:
    """Position of each value in ``id_set`` (-1 if absent or missing): one hash lookup in Arrow.

    Long tables usually come grouped by id (all registrations of a person together): then each run
    of equal ids is looked up once (a neighbour comparison is far cheaper than a hash probe).

    Examples
    --------
    >>> positions_in(id_strings(["a", "b"]), ["b", "c", None, "a"]).tolist()
    [1, -1, -1, 0]
    >>> positions_in(id_strings(["a", "b"]), ["b", "b", "b", "a", "a", "x"]).tolist()
    [1, 1, 1, 0, 0, -1]
    """
    arr = id_strings(values)
    n = len(arr)
    if n > 2 and arr.null_count == 0:
        change = pc.not_equal(arr.slice(1), arr.slice(0, n - 1)).to_numpy(zero_copy_only=False)
        heads = np.flatnonzero(np.r_[True, change])
        if heads.size <= n // 2:
            idx = pc.fill_null(pc.index_in(arr.take(pa.array(heads)), value_set=id_set), -1)
            return np.repeat(idx.to_numpy(zero_copy_only=False).astype("int64"), np.diff(np.r_[heads, n]))
    idx = pc.index_in(arr, value_set=id_set)
    return pc.fill_null(idx, -1).to_numpy(zero_copy_only=False).astype("int64")


def day_numbers(values: Any) -> np.ndarray:
    """Dates (date32[pyarrow], datetime64, date objects or ISO text) as float days since 1970, NaN = missing.

    Examples
    --------
    >>> day_numbers(["1970-01-03", None]).tolist()
    [2.0, nan]
    """
    series = pd.Series(values, copy=False)
    if isinstance(series.dtype, pd.ArrowDtype) and pa.types.is_date(series.dtype.pyarrow_dtype):
        return pa.array(series).cast(pa.int32()).to_numpy(zero_copy_only=False).astype("float64")
    dt = pd.to_datetime(series, errors="raise").to_numpy(dtype="datetime64[D]")
    return np.where(np.isnat(dt), np.nan, dt.astype("int64").astype("float64"))
