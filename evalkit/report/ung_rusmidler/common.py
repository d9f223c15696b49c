"""Codes, labels and column helpers of the report (episode types, statuses, profiles)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.report.model import T

TYPES = ("anonym_raadgivning", "raadgivning", "behandling")


STATUSES = ("faerdigbehandlet", "udeblevet", "andet")


PROFILES = ("LAV", "SIP", "SEP", "SEIP")


RISKS = ("R0", "R1", "R2", "R3")


SEXES = ("K", "M")


TYPE_LABEL = {
    "anonym_raadgivning": T("Forløb med Anonym rådgivning", "Anonymous counselling episodes"),
    "raadgivning": T("Indskrivningsforløb i Rådgivning", "Counselling episodes"),
    "behandling": T("Indskrivningsforløb i Behandling", "Treatment episodes"),
}


TYPE_SHORT = {
    "anonym_raadgivning": T("Anonyme rådgivningsforløb", "Anonymous counselling"),
    "raadgivning": T("Rådgivningsforløb", "Counselling"),
    "behandling": T("Behandlingsforløb", "Treatment"),
}


STATUS_LABEL = {
    "faerdigbehandlet": T("Færdigbehandlede", "Completed treatment"),
    "udeblevet": T("Udeblevne", "Dropped out (no-show)"),
    "andet": T("Andet", "Other"),
}


PROFILE_LABEL = {p: T(p) for p in PROFILES}


RISK_LABEL = {r: T(f"Risikoprofil {r[1]} ({r})", f"Risk profile {r[1]} ({r})") for r in RISKS}


TOTAL = T("I alt", "Total")


UNKNOWN = T("Ukendt", "Unknown")


def _floats(s: pd.Series | None, n: int) -> np.ndarray:
    """float64 with NaN for missing (booleans 0/1); an absent column is all NaN."""
    if s is None:
        return np.full(n, np.nan)
    if isinstance(s.dtype, pd.CategoricalDtype):
        raise TypeError(f"column {s.name!r} is categorical; a number is needed")
    return s.to_numpy(dtype="float64", na_value=np.nan)


def _col(frame: pd.DataFrame, name: str) -> pd.Series | None:
    return frame[name] if name in frame.columns else None


def _codes(s: pd.Series | None, categories: Sequence[str], n: int) -> np.ndarray:
    """Integer codes into ``categories`` (-1 = missing or unknown value)."""
    if s is None:
        return np.full(n, -1, dtype=np.int64)
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = [str(c) for c in s.cat.categories]
        lookup = np.array([categories.index(c) if c in categories else -1 for c in cats] + [-1], dtype=np.int64)
        return lookup[s.cat.codes.to_numpy()]
    return pd.Categorical(s.astype("object"), categories=list(categories)).codes.astype(np.int64)


def _day_numbers(s: pd.Series | None, n: int) -> np.ndarray:
    """Days since 1970-01-01 as float64 (NaN = missing) from date32[pyarrow], datetime64 or date objects."""
    if s is None:
        return np.full(n, np.nan)
    if isinstance(s.dtype, pd.ArrowDtype) and pa.types.is_date32(s.dtype.pyarrow_dtype):
        arr = pc.cast(pa.chunked_array(s.array._pa_array), pa.int32())
        return arr.to_numpy().astype("float64") if arr.null_count == 0 else \
            pc.fill_null(pc.cast(arr, pa.float64()), float("nan")).to_numpy()
    values = pd.to_datetime(s).to_numpy("datetime64[D]")
    out = values.astype("int64").astype("float64")
    out[np.isnat(values)] = np.nan
    return out


def _positions(keys: pd.Series, lookup: pd.Series) -> np.ndarray:
    """Row position of each key in ``lookup`` (-1 where absent), by an Arrow hash lookup."""
    idx = pc.index_in(_arrow_strings(keys), value_set=_arrow_strings(lookup))
    return pc.fill_null(idx, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _arrow_strings(s: pd.Series) -> pa.Array:
    if isinstance(s.dtype, pd.ArrowDtype):
        arr = s.array._pa_array
    else:
        arr = pa.array(s.astype("string[pyarrow]").array)
    arr = pc.cast(arr, pa.string())
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _by_key(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """``frame`` sorted by its key column (already sorted: unchanged), so that every array, sum and
    test of the report is in one canonical order whatever the row order of the export."""
    arr = _arrow_strings(frame[key])
    if len(arr) < 2 or pc.all(pc.less_equal(arr.slice(0, len(arr) - 1), arr.slice(1))).as_py():
        return frame
    return frame.take(pc.sort_indices(arr).to_numpy()).reset_index(drop=True)


def _slug(name: str) -> str:
    """``"Ringkøbing-Skjern"`` -> ``"ringkoebing_skjern"`` (stable row keys)."""
    s = name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def _days_of(date: str | None) -> float | None:
    if date is None:
        return None
    return float((np.datetime64(str(date), "D") - np.datetime64("1970-01-01", "D")).astype(int))
