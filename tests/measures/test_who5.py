"""WHO-5 scoring, bands, cut-offs and change (issue 4).

Independent checks: the scoring text quoted in anchors.md 1.2 ("raw score ... totaling the figures of
the five answers ... multiplied by 4"), the cut-off table of anchors.md 1.3 and a plain per-row
reference implementation written here.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.measures import MeasureLedger, who5_band, who5_below_cutoff, who5_change, who5_percent, who5_raw

COLS = [f"who5_{i}" for i in range(1, 6)]


def items_for_raw(raw_values):
    """Item rows (0-5 each) summing to each requested raw score, filled greedily."""
    rows = []
    for raw in raw_values:
        row, left = [], raw
        for _ in range(5):
            take = min(5, left)
            row.append(take)
            left -= take
        rows.append(row)
    return pd.DataFrame(rows, columns=COLS)


def reference_raw(row, missing):
    """Plain per-row reference: sum of answered items; prorate one missing as mean x 5."""
    answered = [v for v in row if v is not None and not (isinstance(v, float) and math.isnan(v))]
    k = 5 - len(answered)
    if k == 0:
        return float(sum(answered))
    if missing == "prorate" and k == 1:
        return sum(answered) / 4 * 5
    return float("nan")


# --- boundaries -------------------------------------------------------------------------------

def test_raw_12_13_is_48_52_percent():
    pct = who5_percent(items_for_raw([12, 13]))
    assert pct.tolist() == [48.0, 52.0]


@pytest.mark.parametrize(
    "raw, seed000, standard, poor, depression",
    [
        (7, "0-35", "likely_depression", True, True),
        (8, "0-35", "poor_wellbeing", True, False),
        (9, "36-50", "poor_wellbeing", True, False),
        (12, "36-50", "poor_wellbeing", True, False),
        (13, "over_50", "not_indicated", False, False),
    ],
)
def test_every_band_and_cutoff_at_the_boundaries(raw, seed000, standard, poor, depression):
    # anchors.md 1.3: raw <= 12 <=> % <= 48 (poor); raw <= 7 <=> % <= 28 (likely depression);
    # Danish bands 0-35 / 36-50 / > 50 are raw <= 8 / 9-12 / >= 13.
    pct = who5_percent(items_for_raw([raw]))
    assert pct.iloc[0] == 4 * raw
    assert who5_band(pct, scheme="seed000").iloc[0] == seed000
    assert who5_band(pct, scheme="standard").iloc[0] == standard
    assert bool(who5_below_cutoff(pct, cutoff="poor_wellbeing").iloc[0]) is poor
    assert bool(who5_below_cutoff(pct, cutoff="likely_depression").iloc[0]) is depression


def test_the_public_scoring_note_error_is_not_repeated():
    # rhavekost/clinical-toolkit claims raw <= 13 equals < 50; raw 13 is 52 % (anchors.md 1.3).
    pct = who5_percent(items_for_raw([13]))
    assert pct.iloc[0] == 52.0
    assert not who5_below_cutoff(pct, cutoff="poor_wellbeing").iloc[0]


def test_bands_cover_every_reachable_score_exactly_once():
    pct = who5_percent(items_for_raw(range(26)))
    for scheme in ("seed000", "standard"):
        band = who5_band(pct, scheme=scheme)
        assert band.notna().all()
        assert band.cat.ordered
        # ordered: the band never goes down as the score rises
        assert (np.diff(band.cat.codes.to_numpy()) >= 0).all()


def test_non_integer_score_in_a_printed_gap_gets_no_band():
    ledger = MeasureLedger()
    band = who5_band(pd.Series([35.5, 35.0, 36.0]), scheme="seed000", ledger=ledger)
    assert band.isna().tolist() == [True, False, False]
    counts = ledger.to_frame().set_index("status")["n"]
    assert counts["no_band"] == 1 and counts["missing_score"] == 0


# --- missing items ----------------------------------------------------------------------------

def test_missing_policies(frame_constructor):
    df = frame_constructor({
        "who5_1": [3, None, None, 5],
        "who5_2": [3, 4, None, 5],
        "who5_3": [2, 4, 2, 5],
        "who5_4": [2, 4, 2, 5],
        "who5_5": [2, 3, 2, 5],
    })
    complete = who5_raw(df)
    assert complete.iloc[0] == 12 and np.isnan(complete.iloc[1]) and np.isnan(complete.iloc[2])
    ledger = MeasureLedger()
    prorated = who5_raw(df, missing="prorate", ledger=ledger)
    # one missing: (4+4+4+3)/4*5 = 18.75 by hand; two missing: no score
    assert prorated.iloc[1] == 18.75
    assert np.isnan(prorated.iloc[2])
    assert who5_percent(df, missing="prorate").iloc[1] == 75.0
    counts = ledger.to_frame().set_index("status")["n"].to_dict()
    assert counts == {"scored": 2, "prorated": 1, "missing_items": 1}
    assert set(ledger.to_frame()["policy"]) == {"missing=prorate"}


def test_columns_found_by_name_not_position():
    df = items_for_raw([12])
    shuffled = df[["who5_5", "who5_3", "who5_1", "who5_4", "who5_2"]].assign(other=99)
    assert who5_raw(shuffled).iloc[0] == 12


def test_out_of_range_and_bad_policy_raise():
    df = items_for_raw([12])
    df.loc[0, "who5_1"] = 6
    with pytest.raises(ValueError, match="who5_1"):
        who5_raw(df)
    with pytest.raises(ValueError, match="missing"):
        who5_raw(items_for_raw([1]), missing="mean")
    with pytest.raises(KeyError):
        who5_raw(pd.DataFrame({"a": [1], "b": [2]}))


# --- change -----------------------------------------------------------------------------------

def test_change_rules_differ_exactly_below_ten_points():
    pre = pd.Series([48.0, 48.0, 48.0, 48.0, 48.0, None])
    post = pd.Series([44.0, 48.0, 52.0, 56.0, 60.0, 60.0])
    strict = who5_change(pre, post, rule="strict_increase")
    ten = who5_change(pre, post, rule="min_10_points")
    assert strict.tolist() == [False, False, True, True, True, pd.NA]
    # +4 and +8 (1 and 2 raw points) are below 10; +12 (3 raw points) is the first >= 10
    assert ten.tolist() == [False, False, False, False, True, pd.NA]


def test_change_needs_an_explicit_rule():
    with pytest.raises(TypeError):
        who5_change(pd.Series([1.0]), pd.Series([2.0]))  # type: ignore[call-arg]


def test_change_reproduces_a_published_split():
    # 000-T7.2e: "Forbedret trivsel" 251 of 333 completers (75,38 % -> "75 pct."). Build 333 pairs with
    # 251 rises of 4-40 points, 40 unchanged and 42 falls of 4-12 (pre 12-60, so no clipping).
    rng = np.random.default_rng(4)
    pre = rng.integers(3, 16, 333) * 4
    delta = np.concatenate([rng.integers(1, 11, 251) * 4, np.zeros(40, int), -rng.integers(1, 4, 42) * 4])
    post = pre + delta
    assert post.min() >= 0 and post.max() <= 100
    improved = who5_change(pd.Series(pre, dtype=float), pd.Series(post, dtype=float), rule="strict_increase")
    assert int(improved.sum()) == 251
    assert round(100 * 251 / 333) == 75
    # the 10-point rule counts only rises of >= 12 on the 4-step scale
    ten = who5_change(pd.Series(pre, dtype=float), pd.Series(post, dtype=float), rule="min_10_points")
    assert int(ten.sum()) == int((delta >= 12).sum())


# --- properties -------------------------------------------------------------------------------

item = st.one_of(st.none(), st.integers(0, 5))
rows = st.lists(st.lists(item, min_size=5, max_size=5), min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(rows=rows, missing=st.sampled_from(["complete", "prorate"]))
def test_equals_per_row_reference_and_stays_in_range(rows, missing):
    df = pd.DataFrame(rows, columns=COLS, dtype="float64")
    raw = who5_raw(df, missing=missing).to_numpy()
    ref = np.array([reference_raw(r, missing) for r in rows])
    np.testing.assert_array_equal(raw, ref)
    pct = who5_percent(df, missing=missing).to_numpy()
    ok = ~np.isnan(pct)
    assert ((pct[ok] >= 0) & (pct[ok] <= 100)).all()
    np.testing.assert_array_equal(pct, ref * 4)


@settings(max_examples=150, deadline=None)
@given(row=st.lists(st.integers(0, 5), min_size=5, max_size=5), which=st.integers(0, 4))
def test_monotone_in_every_item(row, which):
    if row[which] == 5:
        row[which] = 4
    higher = list(row)
    higher[which] += 1
    pct = who5_percent(pd.DataFrame([row, higher], columns=COLS)).to_numpy()
    assert pct[1] == pct[0] + 4


@settings(max_examples=100, deadline=None)
@given(rows=rows, seed=st.integers(0, 2**16))
def test_permuting_rows_permutes_outputs(rows, seed):
    df = pd.DataFrame(rows, columns=COLS, dtype="float64")
    perm = np.random.default_rng(seed).permutation(len(df))
    a = who5_percent(df, missing="prorate")
    b = who5_percent(df.iloc[perm], missing="prorate")
    pd.testing.assert_series_equal(a.iloc[perm], b)
    band_a = who5_band(a)
    band_b = who5_band(b)
    pd.testing.assert_series_equal(band_a.iloc[perm], band_b)


def test_all_backends_give_identical_scores(frame_constructor):
    cols = {c: [1, 5, None, 0] for c in COLS}
    cols["who5_2"] = [2, 5, 3, 0]
    out = who5_percent(frame_constructor(cols), missing="prorate")
    expected = [4.0 * (1 + 2 + 1 + 1 + 1), 100.0, np.nan, 0.0]
    np.testing.assert_array_equal(out.to_numpy(), expected)
    assert out.dtype == "float64"
