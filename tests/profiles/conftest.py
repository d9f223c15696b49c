"""Shared fixtures: build the same test frame with numpy, nullable and pyarrow dtypes (C13)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

BACKENDS = ("numpy", "nullable", "pyarrow")


def _kind(values: list) -> str:
    present = [v for v in values if v is not None and not (isinstance(v, float) and np.isnan(v))]
    if present and all(isinstance(v, bool | np.bool_) for v in present):
        return "bool"
    if all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in present):
        return "int"
    if all(isinstance(v, int | float | np.integer | np.floating) for v in present):
        return "float"
    return "str"


def make_frame(columns: dict[str, list], backend: str) -> pd.DataFrame:
    """A DataFrame whose columns carry the dtypes a reader (pyarrow) or a notebook (numpy) would give."""
    out = {}
    for name, values in columns.items():
        values = list(values)
        kind = _kind(values)
        has_na = any(v is None or (isinstance(v, float) and np.isnan(v)) for v in values)
        clean = [None if (v is None or (isinstance(v, float) and np.isnan(v))) else v for v in values]
        if backend == "numpy":
            if kind in ("int", "float"):
                out[name] = np.array([np.nan if v is None else v for v in clean], dtype="float64") if has_na or kind == "float" else np.array(clean, dtype="int64")
            elif kind == "bool":
                out[name] = pd.Series(clean, dtype=object) if has_na else np.array(clean, dtype=bool)
            else:
                out[name] = pd.Series(clean, dtype=object)
        elif backend == "nullable":
            dtype = {"int": "Int64", "float": "Float64", "bool": "boolean", "str": "string"}[kind]
            out[name] = pd.array(clean, dtype=dtype)
        elif backend == "pyarrow":
            dtype = {"int": "int64[pyarrow]", "float": "double[pyarrow]", "bool": "bool[pyarrow]",
                     "str": pd.ArrowDtype(pa.string())}[kind]
            out[name] = pd.array(clean, dtype=dtype)
        else:
            raise ValueError(backend)
    return pd.DataFrame(out)


@pytest.fixture(params=BACKENDS)
def frame_constructor(request):
    """Call as frame_constructor({"col": [...], ...}) to get the frame in the current backend."""
    return lambda columns: make_frame(columns, request.param)
