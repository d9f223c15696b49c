"""Value conversion: Danish numbers, dates (impossible ones refused), booleans, CPR pseudonyms."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from evalkit.io.convert import to_bool, to_date, to_float, to_int
from evalkit.io.cpr import is_cpr_like, mask_cpr, pseudonymise


def test_danish_numbers():
    conv = to_float(pa.array(["1.234,5", "12", "-0,25", "", None, "1,2,3", "nan", "inf", "1.23"]), ",", ".")
    assert conv.values.to_pylist()[:5] == [1234.5, 12.0, -0.25, None, None]
    bad = conv.invalid()
    assert bad.tolist() == [False, False, False, False, False, True, True, True, True]


def test_international_numbers():
    conv = to_float(pa.array(["1234.5", "1,234.5"]), ".", None)
    assert conv.values.to_pylist()[0] == 1234.5
    assert conv.invalid().tolist() == [False, True]


def test_int_refuses_fractions_but_accepts_zero_fraction():
    conv = to_int(pa.array(["3", "3,0", "3,5"]), ",", ".")
    assert conv.values.to_pylist() == [3, 3, None]
    assert [f.code for f in conv.failures] == ["not-whole"]


@pytest.mark.parametrize("text,expected", [
    ("31-12-2019", dt.date(2019, 12, 31)), ("31.12.2019", dt.date(2019, 12, 31)), ("1/2/2020", dt.date(2020, 2, 1)),
    ("2019-12-31", dt.date(2019, 12, 31)), ("29-02-2020", dt.date(2020, 2, 29)),
    ("31-12-2019 00:00:00", dt.date(2019, 12, 31)),
])
def test_dates(text, expected):
    conv = to_date(pa.array([text]))
    assert conv.values.to_pylist() == [expected]
    assert not conv.failures


@pytest.mark.parametrize("text,code", [("31-02-2020", "impossible-date"), ("29-02-2019", "impossible-date"),
                                       ("13-13-2020", "impossible-date"), ("tomorrow", "not-a-date"),
                                       ("01-01-1850", "implausible-date")])
def test_bad_dates(text, code):
    conv = to_date(pa.array([text]))
    assert conv.values.to_pylist() == [None]
    assert [f.code for f in conv.failures] == [code]


def test_excel_serial_dates():
    conv = to_date(pa.array([43830, 1.5], pa.float64()))
    assert conv.values.to_pylist()[0] == dt.date(2019, 12, 31)
    assert conv.invalid().tolist() == [False, True]


def test_booleans():
    conv = to_bool(pa.array(["ja", "Nej", "J", "n", "1", "0", "yes", "", "måske"]))
    assert conv.values.to_pylist() == [True, False, True, False, True, False, True, None, None]
    assert conv.invalid().tolist() == [False] * 8 + [True]


def test_cpr_detection_uses_date_not_modulus_11():
    values = pa.array(["0102031234", "010203-1235", "3102031234", "2902001234", "2902011234", "A12", None])
    assert is_cpr_like(values).tolist() == [True, True, False, True, False, False, False]


def test_pseudonyms_are_keyed_and_format_independent():
    values = pa.array(["010203-1234", "0102031234", "A5"])
    mask = is_cpr_like(values)
    a = pseudonymise(values, b"key-1", mask).to_pylist()
    b = pseudonymise(values, b"key-2", mask).to_pylist()
    assert a[0] == a[1] and a[0].startswith("P") and "1234" not in a[0]
    assert a[0] != b[0]
    assert a[2] == "A5"


def test_mask_cpr():
    # The whole number is masked: its first six digits are a date of birth (issue 16).
    assert mask_cpr("cpr 010203-1234, 0102031234; 9999999999") == "cpr XXXXXX-XXXX, XXXXXX-XXXX; 9999999999"
    assert np.all(is_cpr_like(pa.array(["0101001234"])))
