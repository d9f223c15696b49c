"""The shared report toolkit (evalkit/report/_build): converters, cells, options, test rows, builders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.compare import paired_t
from evalkit.report._build import (
    Option,
    OptionError,
    cells_of,
    codes,
    count,
    count_column,
    crosstab_rows,
    day_numbers,
    distribution_table,
    floats,
    positions,
    quiet,
    resolve_options,
    share,
    share_column,
    slug,
    test_row,
)
from evalkit.report.model import T, Table

DTYPES = ["object", "string[pyarrow]", "category"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_codes_agree_across_dtypes(dtype: str) -> None:
    s = pd.Series(["b", None, "a", "zz", "b"], dtype=dtype)
    assert codes(s, ["a", "b"]).tolist() == [1, -1, 0, -1, 1]


@given(st.lists(st.sampled_from(["a", "b", "c", None]), max_size=30))
@settings(max_examples=50, deadline=None)
def test_codes_match_a_dictionary_lookup(values: list[str | None]) -> None:
    cats = ["c", "a"]
    expected = [cats.index(v) if v in cats else -1 for v in values]
    assert codes(pd.Series(values, dtype="object"), cats).tolist() == expected


def test_floats_and_days_mark_missing_as_nan() -> None:
    assert np.isnan(floats(pd.Series([1, None], dtype="Int64"))[1])
    days = day_numbers(pd.Series(pd.to_datetime(["2020-01-01", None])).astype("date32[pyarrow]"))
    assert days[0] == 18262.0 and np.isnan(days[1])


def test_positions_finds_keys_and_marks_the_rest() -> None:
    idx = pd.Series(["u1", "u2", "u3"], dtype="string[pyarrow]")
    assert positions(pd.Series(["u3", "u9", None, "u1"]), idx).tolist() == [2, -1, -1, 0]


def test_slug_is_stable_for_danish_names() -> None:
    assert slug("Ringkøbing-Skjern") == "ringkoebing_skjern"
    assert slug("  Ærø  ") == "aeroe"
    assert slug("???") == "x"


def test_share_column_derives_count_of_when_the_row_is_added() -> None:
    t = Table("t", "", T("t"), [count_column("n", T("n")), share_column("pct", T("%"), count_of="n")])
    t.add_row("a", T("a"), {"n": count(2), "pct": share(2, 8)})
    assert t.cell("a", "pct").count_of == "a|n"
    assert t.cell("a", "pct").value == 25.0 and t.cell("a", "pct").n == 8


def test_distribution_table_counts_unknown_and_total() -> None:
    t = distribution_table("d", "", T("d"), ["x", "y"], {"x": T("x"), "y": T("y")}, np.array([0, 0, 1, -1, -1]))
    assert [(r.key, r.cells["antal"].value) for r in t.rows] == [("x", 2), ("y", 1), ("ukendt", 2), ("total", 5)]
    assert t.cell("x", "pct").value == pytest.approx(200 / 3)


def test_crosstab_rows_totals_and_row_shares() -> None:
    t = Table("c", "", T("c"), [count_column("ja", T("ja")), count_column("nej", T("nej")),
                                count_column("total", T("i alt")), share_column("pct_ja", T("%"), count_of="total")],
              additive=True)
    crosstab_rows(t, ["es", "ps"], {"es": T("es"), "ps": T("ps")}, np.array([[3, 1], [2, 6]]), ["ja", "nej"],
                  share_cols={"pct_ja": "ja"})
    assert t.cell("total", "ja").value == 5 and t.cell("ps", "total").value == 8
    assert t.cell("ps", "pct_ja").value == 25.0 and t.cell("ps", "pct_ja").count_of == "ps|total"
    with pytest.raises(ValueError, match="shape"):
        crosstab_rows(t, ["a"], {"a": T("a")}, np.array([[1, 2, 3]]), ["ja", "nej"])


def test_test_row_keeps_the_result_and_its_status() -> None:
    ok = test_row("r", T("r"), quiet(paired_t, np.array([1.0, 2, 3, 4]), np.array([2.0, 2, 5, 7])),
                  over=cells_of(["r"], ["a", "b"]))
    assert ok.result is not None and ok.status == "ok" and ok.count_of == "r|a+r|b"
    assert ok.p_value == pytest.approx(ok.result.p_value)
    bad = test_row("r", T("r"), quiet(paired_t, np.array([1.0]), np.array([2.0])))
    assert bad.status != "ok" and bad.p_value is None
    assert bad.reason is not None and bad.reason("da") and bad.reason("en")


OPTS = (Option("no_show_k", int, 3, "missed sessions in a row", minimum=1),
        Option("sensitivity", str, "off", "model", choices=("off", "mixedlm", "gee")),
        Option("share", float, 0.5, "a share", minimum=0, maximum=1),
        Option("measures", list, ["a"], "measures"),
        Option("flag", bool, False, "a flag"))


def test_options_parse_defaults_and_values() -> None:
    got = resolve_options(OPTS, {"no_show_k": "2", "measures": "x, y", "flag": "ja", "share": 0.25})
    assert got == {"no_show_k": 2, "sensitivity": "off", "share": 0.25, "measures": ["x", "y"], "flag": True}


@pytest.mark.parametrize("given_, key, message", [
    ({"no_show_K": 2}, "no_show_K", "did you mean 'no_show_k'"),
    ({"no_show_k": "2.5"}, "no_show_k", "whole number"),
    ({"no_show_k": 0}, "no_show_k", "below 1"),
    ({"share": float("inf")}, "share", "finite"),
    ({"sensitivity": "lmer"}, "sensitivity", "one of off, mixedlm, gee"),
    ({"flag": "maybe"}, "flag", "true or false"),
])
def test_options_refuse_unknown_keys_and_bad_values(given_: dict, key: str, message: str) -> None:
    with pytest.raises(OptionError, match=message) as info:
        resolve_options(OPTS, given_)
    assert info.value.key == key
