"""ASI composites (McGahan 1986) and the seed-002 'samlet ASI score' threshold (issue 4).

Independent check: the VistA formulas quoted in anchors.md 2.2 (YSASCSB.m CSD/CSA, YSASCSC.m CSPS)
written out here item by item with exact fractions, and the item list read from the data dictionary.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.io.schema import dataset
from evalkit.measures import (
    MeasureLedger,
    asi_alcohol,
    asi_composite,
    asi_drug,
    asi_item_columns,
    asi_psychiatric,
    asi_samlet_eligible,
)

# anchors.md 2.2, verbatim divisors
DRUG = {**{f"D{i}": 390 for i in (3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 27)}, "D29": 52, "D31": 52}
PSYCH = {**{f"P{i}": 11 for i in range(3, 11)}, "P11": 330, "P12": 44, "P13": 44}
ALCOHOL = {"D1": 180, "D2": 180, "D26": 180, "D28": 24, "D30": 24}


def column_of(item):
    table = dataset("hcs").table("hcs_asi")
    return next(c.name for c in table.columns if c.asi_item == item)


def hand_drug(values):
    return float(sum(Fraction(int(values[i]), d) for i, d in DRUG.items()))


def hand_psych(values):
    return float(sum(Fraction(int(values[i]), d) for i, d in PSYCH.items()))


def hand_alcohol(values):
    linear = sum(Fraction(int(values[i]), d) for i, d in ALCOHOL.items())
    money = values["D23"]
    return float(linear) + (math.log(money) / 44 if money > 0 else 0.0)


def row(values):
    return {column_of(i): v for i, v in values.items()}


EXAMPLE_DRUG = {"D3": 0, "D4": 0, "D5": 2, "D6": 0, "D7": 1, "D8": 4, "D9": 0, "D10": 30, "D11": 0, "D13": 3, "D27": 20,
                "D29": 3, "D31": 4}
EXAMPLE_PSYCH = {"P3": True, "P4": True, "P5": False, "P6": True, "P7": False, "P8": False, "P9": False, "P10": False,
                 "P11": 12, "P12": 2, "P13": 3}


def test_item_map_follows_the_dictionary_content_keys():
    assert list(asi_item_columns("drug")) == list(DRUG)
    assert list(asi_item_columns("psychiatric")) == list(PSYCH)
    assert set(asi_item_columns("alcohol")) == set(ALCOHOL) | {"D23"}
    # D12 (inhalants) is not in the drug composite
    assert "D12" not in asi_item_columns("drug")


def test_drug_and_psychiatric_equal_the_hand_calculation(frame_constructor):
    data = {**row(EXAMPLE_DRUG), **row(EXAMPLE_PSYCH)}
    df = frame_constructor({k: [v] for k, v in data.items()})
    # by hand: drug = (2+1+4+30+3+20)/390 + (3+4)/52 = 60/390 + 7/52
    assert asi_drug(df).iloc[0] == float(Fraction(60, 390) + Fraction(7, 52)) == hand_drug(EXAMPLE_DRUG)
    # psych = 3/11 + 12/330 + 5/44
    assert asi_psychiatric(df).iloc[0] == float(Fraction(3, 11) + Fraction(12, 330) + Fraction(5, 44))


def test_alcohol_with_and_without_money():
    base = {"D1": 10, "D2": 4, "D26": 3, "D28": 2, "D30": 1}
    df = pd.DataFrame([row({**base, "D23": 0.0}), row({**base, "D23": 250.0})])
    got = asi_alcohol(df).to_numpy()
    assert got[0] == pytest.approx(hand_alcohol({**base, "D23": 0.0}), abs=1e-15)
    assert got[1] == pytest.approx(hand_alcohol({**base, "D23": 250.0}), abs=1e-15)
    assert got[1] - got[0] == pytest.approx(math.log(250) / 44)


@pytest.mark.parametrize("domain, example", [("drug", EXAMPLE_DRUG), ("psychiatric", EXAMPLE_PSYCH)])
def test_missing_any_single_item_gives_no_composite(domain, example):
    rows = []
    for item in example:
        values = row(example)
        values[column_of(item)] = None
        rows.append(values)
    rows.append(row(example))
    df = pd.DataFrame(rows)
    ledger = MeasureLedger()
    out = asi_composite(df, domain, ledger=ledger)
    assert out.iloc[:-1].isna().all()
    assert out.iloc[-1] >= 0
    counts = ledger.to_frame().set_index("status")["n"]
    assert counts["scored"] == 1 and counts["missing_items"] == len(example)
    assert all(counts[f"missing_item_{i}"] == 1 for i in example)


def test_items_found_by_content_not_position():
    df = pd.DataFrame([row(EXAMPLE_DRUG)])
    reversed_cols = df[df.columns[::-1]]
    assert asi_drug(reversed_cols).iloc[0] == asi_drug(df).iloc[0]
    # an export with its own names: map ASI item ids to its columns
    renamed = df.rename(columns={column_of(i): f"q_{i}" for i in EXAMPLE_DRUG})
    mapping = {i: f"q_{i}" for i in EXAMPLE_DRUG}
    assert asi_drug(renamed, item_columns=mapping).iloc[0] == hand_drug(EXAMPLE_DRUG)
    with pytest.raises(KeyError):
        asi_drug(renamed)


def test_invalid_values_raise():
    bad = row(EXAMPLE_DRUG)
    bad[column_of("D29")] = 5  # rating is 0-4
    with pytest.raises(ValueError, match="bekymret"):
        asi_drug(pd.DataFrame([bad]))
    badp = row(EXAMPLE_PSYCH)
    badp[column_of("P3")] = 2  # yes/no item
    with pytest.raises(ValueError):
        asi_psychiatric(pd.DataFrame([badp]))


def test_samlet_threshold_boundary():
    s = pd.Series([0.34, 0.35, 0.05 * 7, 0.3500000001, 0.36, None])
    assert 0.05 * 7 != 0.35  # the float trap the tolerance absorbs
    assert asi_samlet_eligible(s).tolist() == [True, True, True, False, False, pd.NA]
    assert asi_samlet_eligible(s, include_max=False).tolist() == [True, False, False, False, False, pd.NA]


days = st.integers(0, 30)
rating = st.integers(0, 4)


@settings(max_examples=100, deadline=None)
@given(
    d=st.lists(st.lists(st.one_of(st.none(), days), min_size=11, max_size=11), min_size=1, max_size=20),
    r=st.lists(st.lists(rating, min_size=2, max_size=2), min_size=20, max_size=20),
    seed=st.integers(0, 2**16),
)
def test_drug_composite_properties(d, r, seed):
    items = list(DRUG)
    recs = [dict(zip(items, di + ri, strict=True)) for di, ri in zip(d, r, strict=False)]   # r may be longer
    df = pd.DataFrame([{column_of(k): v for k, v in rec.items()} for rec in recs])
    out = asi_drug(df)
    for value, rec in zip(out, recs, strict=True):
        if any(v is None for v in rec.values()):
            assert np.isnan(value)
        else:
            assert value == hand_drug(rec)  # exact: one correctly rounded division
            assert 0 <= value <= 1
    perm = np.random.default_rng(seed).permutation(len(df))
    pd.testing.assert_series_equal(out.iloc[perm], asi_drug(df.iloc[perm]))


@settings(max_examples=100, deadline=None)
@given(base=st.fixed_dictionaries({i: (days if d in (390, 330) else rating if d in (52, 44) else st.booleans())
                                   for i, d in {**DRUG, **PSYCH}.items()}),
       which=st.sampled_from(list(DRUG) + list(PSYCH)))
def test_monotone_in_every_item(base, which):
    domain = "drug" if which in DRUG else "psychiatric"
    top = 1 if which in PSYCH and PSYCH[which] == 11 else 4 if (DRUG.get(which) == 52 or PSYCH.get(which) == 44) else 30
    if int(base[which]) >= top:
        base[which] = top - 1 if top > 1 else False
    higher = dict(base)
    higher[which] = True if top == 1 else base[which] + 1
    df = pd.DataFrame([row(base), row(higher)])
    out = asi_composite(df, domain).to_numpy()
    assert out[1] > out[0]


def test_asi_scores_grid_from_items_and_export():
    from evalkit.measures.asi import asi_scores

    drug_cols = list(asi_item_columns("drug").values())
    rows = pd.DataFrame({c: [0, 0, None] for c in drug_cols})
    rows["deltager_id"] = ["a", "a", "b"]
    rows["tidspunkt"] = ["indskrivning", "Afslutning", "indskrivning"]
    rows["asi_stof"] = [0.5, 0.0, 0.25]           # a/intake disagrees with its items (0.0); b has no items
    out = asi_scores(rows, ["b", "a", "c"], time_points=["indskrivning", "afslutning"])
    assert out.time_points == ["indskrivning", "afslutning"]
    expected = np.array([[0.25, np.nan], [0.0, 0.0], [np.nan, np.nan]])
    assert np.array_equal(out.scores["asi_stof"], expected, equal_nan=True)
    assert out.present.tolist() == [[True, False], [True, True], [False, False]]
    assert out.sources["asi_stof"] == {"from_items": 2, "from_export": 1, "missing": 0, "disagree": 1}
    assert np.isnan(out.scores["asi_psykisk"]).all()
    assert out.sources["asi_psykisk"]["missing"] == 3
    with pytest.raises(ValueError, match="more than one row"):
        asi_scores(pd.concat([rows, rows.iloc[:1]]), ["a"])
