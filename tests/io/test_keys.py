"""The key checks' shortcuts agree with the plain definitions (pandas ``duplicated``, ``isin``)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.io.keys import _has_duplicates, _is_in, _key_array, _strictly_increasing

IDS = st.lists(st.sampled_from(["A1", "A2", "B1", "B10", "B2"]), min_size=0, max_size=12)


def _frame(persons: list[str], times: list[int]) -> pd.DataFrame:
    n = min(len(persons), len(times))
    return pd.DataFrame({
        "person": pd.Series(persons[:n], dtype=pd.ArrowDtype(pa.string())),
        "time": pd.Categorical.from_codes(times[:n], categories=["indskrivning", "afslutning", "opfoelgning"]),
    })


@settings(max_examples=200, deadline=None)
@given(IDS, st.lists(st.integers(0, 2), max_size=12), st.booleans())
def test_composite_key_shortcut_agrees_with_pandas(persons, times, sort):
    frame = _frame(persons, times)
    if sort:
        frame = frame.sort_values(["person", "time"]).reset_index(drop=True)
    duplicated = bool(frame.duplicated(["person", "time"]).any())
    if _strictly_increasing(frame, ("person", "time")):
        assert not duplicated
    assert _has_duplicates(_key_array(frame, ("person", "time"))) == duplicated


def test_time_order_of_a_category_counts_as_increasing():
    frame = _frame(["A1", "A1", "A1", "A2"], [0, 1, 2, 0])   # afslutning after indskrivning: not alphabetical
    assert _strictly_increasing(frame, ("person", "time"))
    assert not _strictly_increasing(_frame(["A1", "A1"], [1, 1]), ("person", "time"))
    assert not _strictly_increasing(frame, ("person",))   # single columns: left to _has_duplicates


@given(IDS, IDS)
def test_foreign_key_probe_agrees_with_isin(child, parent):
    child_arr = pa.array(child + [None], pa.string())
    found = _is_in(child_arr, pa.array(parent, pa.string())).to_pylist()
    assert found[:-1] == pd.Series(child).isin(parent).tolist()
    assert found[-1] is False   # a missing key is never found (the check skips it as not-a-reference)
