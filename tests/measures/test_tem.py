"""TEM measures of seed 004 (issue 4). Independent checks: hand calculations and per-row references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.measures import (
    MeasureLedger,
    alcohol_units_week,
    drug_free_last_week,
    samlet_trivsel,
    tem_drug_days_week,
    tem_measures,
    tem_scale_item,
)


def test_samlet_trivsel_is_the_mean_of_three(frame_constructor):
    df = frame_constructor({"personlig_trivsel": [6, 0, 10, None], "naere_relationer": [7, 0, 10, 4],
                            "social_trivsel": [5, 1, 10, 8]})
    out = samlet_trivsel(df)
    np.testing.assert_allclose(out.to_numpy()[:3], [6.0, 1 / 3, 10.0], rtol=0, atol=1e-15)
    assert np.isnan(out.iloc[3])
    ledger = MeasureLedger()
    avail = samlet_trivsel(df, missing="available", ledger=ledger)
    assert avail.iloc[3] == 6.0
    assert ledger.to_frame().set_index("status")["n"].to_dict() == {"scored": 3, "partial": 1, "missing_items": 0}


def test_samlet_trivsel_own_item():
    df = pd.DataFrame({"samlet_trivsel_item": [7, None]})
    assert samlet_trivsel(df, method="own_item").tolist()[0] == 7.0
    with pytest.raises(KeyError):
        samlet_trivsel(pd.DataFrame({"personlig_trivsel": [1]}), method="own_item")


def test_scale_items_validated():
    assert tem_scale_item(pd.DataFrame({"planlaegning": [0, 10]}), "planlaegning").tolist() == [0.0, 10.0]
    with pytest.raises(ValueError, match="koncentration"):
        tem_scale_item(pd.DataFrame({"koncentration": [11]}), "koncentration")


def test_tem30_policies():
    df = pd.DataFrame({"cannabis_days": [7, 30, 0, None], "recall_window_days": [7, 30, 30, 7]})
    assert tem_drug_days_week(df, "cannabis_days").isna().tolist() == [False, True, True, True]
    scaled = tem_drug_days_week(df, "cannabis_days", tem30="scale")
    assert scaled.iloc[1] == 7.0 and scaled.iloc[2] == 0.0
    assert tem_drug_days_week(df, "cannabis_days", tem30="as_is").iloc[1] == 30.0
    with pytest.raises(ValueError):  # 8 days in a 7-day window
        tem_drug_days_week(pd.DataFrame({"cannabis_days": [8]}), "cannabis_days")
    with pytest.raises(ValueError):
        tem_drug_days_week(pd.DataFrame({"cannabis_days": [1], "recall_window_days": [14]}), "cannabis_days")


def test_drug_free_methods(frame_constructor):
    df = frame_constructor({"drug_free_last_week": [True, False, None, None, None],
                            "cannabis_days": [3, 0, 0, 2, None], "other_drug_days": [0, 0, 0, None, None]})
    assert drug_free_last_week(df, method="item").tolist() == [True, False, pd.NA, pd.NA, pd.NA]
    # derived: 0 and 0 -> free; any positive -> not free even if the other is missing
    assert drug_free_last_week(df, method="derived").tolist() == [False, True, True, False, pd.NA]
    assert drug_free_last_week(df).tolist() == [True, False, True, False, pd.NA]


def test_alcohol_and_the_combined_frame():
    df = pd.DataFrame({"personlig_trivsel": [6], "naere_relationer": [6], "social_trivsel": [9],
                       "koncentration": [5], "planlaegning": [6], "cannabis_days": [2], "other_drug_days": [1],
                       "alcohol_units_week": [8.6]})
    out = tem_measures(df)
    assert list(out.columns) == ["samlet_trivsel", "koncentration", "planlaegning", "cannabis_days_week",
                                 "other_drug_days_week", "alcohol_units_week", "drug_free_last_week"]
    assert out.iloc[0]["samlet_trivsel"] == 7.0
    assert bool(out.iloc[0]["drug_free_last_week"]) is False
    with pytest.raises(ValueError):
        alcohol_units_week(pd.DataFrame({"alcohol_units_week": [-1.0]}))


score = st.one_of(st.none(), st.integers(0, 10))


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.lists(score, min_size=3, max_size=3), min_size=1, max_size=30), seed=st.integers(0, 2**16))
def test_samlet_reference_range_and_permutation(rows, seed):
    df = pd.DataFrame(rows, columns=["personlig_trivsel", "naere_relationer", "social_trivsel"], dtype="float64")
    out = samlet_trivsel(df, missing="available")
    for value, r in zip(out, rows, strict=False):
        answered = [v for v in r if v is not None]
        if answered:
            assert value == pytest.approx(sum(answered) / len(answered), abs=1e-12)
            assert 0 <= value <= 10
        else:
            assert np.isnan(value)
    perm = np.random.default_rng(seed).permutation(len(df))
    pd.testing.assert_series_equal(out.iloc[perm], samlet_trivsel(df.iloc[perm], missing="available"))


def test_tem_measure_is_the_column_of_tem_measures():
    from evalkit.measures.tem import TEM_MEASURE_NAMES, tem_measure, tem_measures

    rng = np.random.default_rng(2)
    n = 300
    tem = pd.DataFrame({c: pd.array([None if rng.random() < 0.1 else int(rng.integers(0, 11)) for _ in range(n)],
                                    dtype="Int64")
                        for c in ("personlig_trivsel", "naere_relationer", "social_trivsel", "koncentration",
                                  "planlaegning")})
    tem["cannabis_days"] = pd.array(rng.integers(0, 8, n), dtype="Int64")
    tem["other_drug_days"] = pd.array(rng.integers(0, 8, n), dtype="Int64")
    tem["alcohol_units_week"] = rng.random(n) * 20
    tem["drug_free_last_week"] = pd.array([None] * n, dtype="boolean")
    wide = tem_measures(tem)
    for name in TEM_MEASURE_NAMES:
        got = tem_measure(tem, name)
        ref = wide[name] if name in wide.columns else tem[name]
        np.testing.assert_array_equal(got, ref.to_numpy(dtype="float64", na_value=np.nan))
        np.testing.assert_array_equal(tem_measure(tem, name, chunk=7), got)   # computed 7 rows at a time
    thirds = tem_measure(tem, "samlet_trivsel", times=3)
    np.testing.assert_array_equal(thirds, np.rint(wide["samlet_trivsel"].to_numpy(dtype=float, na_value=np.nan) * 3))
    with pytest.raises(KeyError, match="unknown TEM measure"):
        tem_measure(tem, "cannabis_dage")
