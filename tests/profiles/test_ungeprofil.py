"""Ungeprofil LAV/SIP/SEP/SEIP (seed 004, 004-F6.9), issue 4."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.measures import MeasureLedger
from evalkit.profiles import UNGEPROFILER, resolve_ungeprofil, ungeprofil, ungeprofil_from_codes, ungeprofil_from_items
from evalkit.rules import RuleFileError

# spec seed004_figures.md 3.1: LAV = neither, SIP = internalising only, SEP = externalising only, SEIP = both
TABLE = {(False, False): "LAV", (True, False): "SIP", (False, True): "SEP", (True, True): "SEIP"}


def test_two_by_two(frame_constructor):
    keys = list(TABLE) + [(None, True), (True, None)]
    df = frame_constructor({"i": [k[0] for k in keys], "e": [k[1] for k in keys]})
    out = ungeprofil(df["i"], df["e"])
    assert out.tolist()[:4] == list(TABLE.values())
    assert out.isna().tolist()[4:] == [True, True]
    assert list(out.cat.categories) == ["LAV", "SIP", "SEP", "SEIP"] == list(UNGEPROFILER)


def test_codes_and_resolution():
    assert ungeprofil_from_codes(pd.Series(["lav", "Sip", "SEP", "seip", None])).tolist() == [
        "LAV",
        "SIP",
        "SEP",
        "SEIP",
        np.nan,
    ]
    with pytest.raises(ValueError, match="XYZ"):
        ungeprofil_from_codes(pd.Series(["XYZ"]))
    df = pd.DataFrame(
        {
            "ungeprofil": ["LAV", None, None],
            "severe_internalising": [True, False, None],
            "severe_externalising": [True, True, False],
        }
    )
    ledger = MeasureLedger()
    assert resolve_ungeprofil(df, ledger=ledger).tolist() == ["LAV", "SEP", np.nan]
    counts = ledger.to_frame().set_index("status")["n"]
    assert counts["column_flags_disagree"] == 1 and counts["from_flags"] == 1 and counts["missing"] == 1


RULE = """\
rule: ungeprofil_classifier
version: "test-1"
source: "test fixture, not the data owner's thresholds"
valid_from: "2026-01-01"
{extra}
dimensions:
  severe_internalising:
    items: [ip1, ip2, ip3]
    score: sum
    max_missing: 1
    severe_when: {{min: 6, include_min: true}}
  severe_externalising:
    items: [ep1, ep2, ep3]
    score: mean
    max_missing: 0
    severe_when: {{min: 2, include_min: false}}
"""


def test_classifier_runs_only_from_an_owner_rule_file(tmp_path):
    path = tmp_path / "owner.yaml"
    path.write_text(RULE.format(extra=""), encoding="utf-8")
    items = pd.DataFrame(
        {
            "ip1": [2, 2, 4, 0, 3],
            "ip2": [2, 2, None, 0, None],
            "ip3": [1, 2, 0, 0, None],
            "ep1": [0, 3, 3, 2, 1],
            "ep2": [0, 3, 3, 2, 1],
            "ep3": [0, 0, 3, 2, 1],
        }
    )
    # by hand: internalising sums 5, 6, (4+0)/2*3 = 6 (prorated), 0, too many missing
    #          externalising means 0, 2, 3, 2, 1 (severe iff > 2)
    out = ungeprofil_from_items(items, path)
    assert out.tolist() == ["LAV", "SIP", "SEIP", "LAV", np.nan]
    with pytest.raises(TypeError):
        ungeprofil_from_items(items)  # type: ignore[call-arg]


def test_classifier_refuses_placeholders_and_bad_files(tmp_path):
    items = pd.DataFrame({c: [0] for c in ["ip1", "ip2", "ip3", "ep1", "ep2", "ep3"]})
    ph = tmp_path / "ph.yaml"
    ph.write_text(RULE.format(extra="placeholder: true"), encoding="utf-8")
    with pytest.raises(RuleFileError, match="placeholder"):
        ungeprofil_from_items(items, ph)
    assert ungeprofil_from_items(items, ph, allow_placeholder=True).tolist() == ["LAV"]
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(RULE.format(extra="").replace("ungeprofil_classifier", "something_else"), encoding="utf-8")
    with pytest.raises(RuleFileError, match="expected"):
        ungeprofil_from_items(items, wrong)
    nodims = tmp_path / "nodims.yaml"
    nodims.write_text(
        textwrap.dedent("""\
        rule: ungeprofil_classifier
        version: 1
        source: x
        valid_from: "2026-01-01"
        """),
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError, match="dimensions"):
        ungeprofil_from_items(items, nodims)


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.one_of(st.none(), st.booleans()), st.one_of(st.none(), st.booleans())), min_size=1, max_size=30
    ),
    seed=st.integers(0, 2**16),
)
def test_reference_and_permutation(rows, seed):
    i = pd.Series([r[0] for r in rows], dtype=object)
    e = pd.Series([r[1] for r in rows], dtype=object)
    out = ungeprofil(i, e)
    assert [None if pd.isna(v) else v for v in out] == [None if None in r else TABLE[r] for r in rows]
    perm = np.random.default_rng(seed).permutation(len(rows))
    pd.testing.assert_series_equal(out.iloc[perm], ungeprofil(i.iloc[perm], e.iloc[perm]))


def test_reader_categorical_column():
    col = pd.Series(pd.Categorical(["SEP", None, "LAV"], categories=["LAV", "SIP", "SEP", "SEIP"]))
    assert ungeprofil_from_codes(col).tolist() == ["SEP", np.nan, "LAV"]
