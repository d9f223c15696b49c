"""Fixtures for the comparison tests: the same numbers in every dtype a reader or user may deliver."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest


def _numpy(values: list) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _nullable(values: list) -> pd.Series:
    return pd.Series(pd.array(values, dtype="Float64"))


def _pyarrow(values: list) -> pd.Series:
    return pd.Series(values, dtype=pd.ArrowDtype(pa.float64()))


def _pyarrow_int(values: list) -> pd.Series:
    ints = [None if v is None else int(v) for v in values]
    return pd.Series(ints, dtype=pd.ArrowDtype(pa.int64()))


def _object(values: list) -> pd.Series:
    return pd.Series(values, dtype=object)


CONSTRUCTORS: dict[str, Callable[[list], object]] = {
    "numpy": _numpy,
    "nullable": _nullable,
    "pyarrow": _pyarrow,
    "pyarrow_int": _pyarrow_int,
    "object": _object,
}


@pytest.fixture(params=sorted(CONSTRUCTORS))
def frame_constructor(request: pytest.FixtureRequest) -> Callable[[list], object]:
    """Build a numeric column (integers, None = missing) as numpy, nullable, pyarrow or object dtype."""
    return CONSTRUCTORS[request.param]
