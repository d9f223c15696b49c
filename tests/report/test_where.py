"""The --where filter language: parsing, evaluation against an independent pandas computation, errors."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.report._build.subset import evaluate
from evalkit.report._build.where import Comparison, WhereError, parse_where

FRAME = pd.DataFrame({
    "kommune": pd.Series(["Odense", "Tårnby", None, "Odense", "Lolland"], dtype="string[pyarrow]"),
    "alder": pd.Series([17, 19, 18, None, 21], dtype="Int64"),
    "dato": pd.Series(pd.to_datetime(["2014-01-01", "2013-12-31", "2015-06-01", None, "2014-07-01"])).astype(
        "date32[pyarrow]"),
})


@pytest.mark.parametrize("expr, expected", [
    ('kommune == "Odense"', [True, False, False, True, False]),
    ("kommune == Odense", [True, False, False, True, False]),
    ("kommune != Odense", [False, True, False, False, True]),          # missing never matches
    ("kommune in [Tårnby, Lolland]", [False, True, False, False, True]),
    ("kommune not in [Tårnby, Lolland]", [True, False, False, True, False]),
    ("alder >= 18", [False, True, True, False, True]),
    ("alder < 18 or alder > 20", [True, False, False, False, True]),
    ("dato >= 2014-01-01", [True, False, True, False, True]),
    ("dato >= 1.1.2014 og dato < 01-01-2015", [True, False, False, False, True]),
    ("not (kommune == Odense) and alder > 0", [False, True, True, False, True]),
    ("kommune == odense", [True, False, False, True, False]),          # case folded to the value in the data
])
def test_filters_select_the_expected_rows(expr: str, expected: list[bool]) -> None:
    assert evaluate(parse_where(expr), FRAME).tolist() == expected


def test_and_binds_tighter_than_or() -> None:
    e = parse_where("alder > 20 or kommune == Odense and alder < 18")
    assert str(e) == "alder > 20 or kommune == 'Odense' and alder < 18"
    assert evaluate(e, FRAME).tolist() == [True, False, False, False, True]


@pytest.mark.parametrize("expr, message", [
    ("alder >", "ends too early"),
    ("alder >= 18 18", "unexpected"),
    ("dato >= 2014-02-30", "not a date"),
    ("(alder > 1", "ends too early"),
    ("(alder > 1 alder", "expected ')'"),
    ("", "empty"),
])
def test_unreadable_filters_are_usage_errors(expr: str, message: str) -> None:
    with pytest.raises(WhereError, match=re.escape(message)):
        parse_where(expr)


@pytest.mark.parametrize("expr, message", [
    ("kommune == Odnese", "did you mean 'Odense'"),
    ("alder >= abc", "holds numbers"),
    ("dato >= 18", "holds dates"),
    ("kommune < Odense", "holds text"),
])
def test_filters_that_do_not_fit_the_data_name_the_fix(expr: str, message: str) -> None:
    with pytest.raises(WhereError, match=message):
        evaluate(parse_where(expr), FRAME)


@given(st.integers(10, 30), st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
@settings(max_examples=60, deadline=None)
def test_numeric_comparisons_agree_with_pandas(value: int, op: str) -> None:
    ages = FRAME["alder"].astype("float64")
    expected = {"<": ages < value, "<=": ages <= value, ">": ages > value, ">=": ages >= value,
                "==": ages == value, "!=": (ages != value) & ages.notna()}[op].fillna(False).to_numpy()
    assert np.array_equal(evaluate(Comparison("alder", op, value), FRAME), expected)


def test_dates_compare_as_dates() -> None:
    got = evaluate(Comparison("dato", "<", dt.date(2014, 1, 1)), FRAME)
    assert got.tolist() == [False, True, False, False, False]
