"""Shared fixtures: small canonical frames built in code (no sample files needed), and the same test frame
with numpy, nullable and pyarrow dtypes (C13) for the measures and profiles tests."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

A = pd.ArrowDtype


def _s(values, typ):
    return pd.Series(values, dtype=A(typ))


@pytest.fixture
def udgaaende_tables() -> dict[str, pd.DataFrame]:
    """Three students, four registrations, two cost rows: every dtype of the dictionary occurs."""
    deltagere = pd.DataFrame({
        "person_id": _s(["A1", "A2", "A3"], pa.string()),
        "kommune": _s(["Odense", "Lolland", "Tårnby"], pa.string()),
        "skoletype": pd.Categorical(["erhvervsskole", "produktionsskole", "erhvervsskole"],
                                    categories=["erhvervsskole", "produktionsskole"]),
        "skole": _s(["S1", "S2", "S1"], pa.string()),
        "forloeb": _s(["F1", "F2", "F1"], pa.string()),
        "koen": pd.Categorical(["kvinde", "mand", "mand"], categories=["kvinde", "mand"]),
        "alder": _s([18, 19, None], pa.int64()),
        "status": pd.Categorical(["gennemfoert", "frafaldet", "gennemfoert"], categories=["gennemfoert", "frafaldet"]),
        "indskrivningsdato": _s([dt.date(2019, 1, 31), None, dt.date(2020, 2, 29)], pa.date32()),
        "afslutningsdato": _s([dt.date(2019, 3, 1), None, None], pa.date32()),
    })
    registreringer = pd.DataFrame({
        "person_id": _s(["A1", "A1", "A2", "A3"], pa.string()),
        "tidspunkt": pd.Categorical(["indskrivning", "afslutning", "indskrivning", "indskrivning"],
                                    categories=["indskrivning", "afslutning", "opfoelgning"], ordered=True),
        "dato": _s([dt.date(2019, 1, 31), dt.date(2019, 3, 1), None, None], pa.date32()),
        "hash_dage_30": _s([10, 2, None, 30], pa.int64()),
        "flere_stoffer_dage_30": _s([0, 0, 1, 0], pa.int64()),
        "ulovligt_fravaer_dage_14": _s([1, 0, 3, 14], pa.int64()),
    })
    for i in range(1, 6):
        registreringer[f"who5_{i}"] = _s([3, 4, None, i - 1], pa.int64())
    omkostninger = pd.DataFrame({
        "kommune": _s(["Odense", "Odense"], pa.string()),
        "projektaar": _s([1, 2], pa.int64()),
        "beloeb_kr": _s([1234567.5, 98765.25], pa.float64()),
        "raadgivne_elever": _s([40, None], pa.int64()),
    })
    return {"deltagere": deltagere, "registreringer": registreringer, "omkostninger": omkostninger}

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
                if has_na or kind == "float":
                    out[name] = np.array([np.nan if v is None else v for v in clean], dtype="float64")
                else:
                    out[name] = np.array(clean, dtype="int64")
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
