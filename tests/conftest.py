"""Shared fixtures: small canonical frames built in code (no sample files needed)."""

from __future__ import annotations

import datetime as dt

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
