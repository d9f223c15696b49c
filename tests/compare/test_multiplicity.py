"""Holm / BH / BY / Bonferroni against statsmodels.multipletests."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from evalkit.compare import adjust_pvalues, paired_t

METHODS = {"holm": "holm", "bh": "fdr_bh", "by": "fdr_by", "bonferroni": "bonferroni"}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=40), st.sampled_from(sorted(METHODS)))
def test_matches_statsmodels(p, method) -> None:
    ours = adjust_pvalues(p, method).p_adjusted
    ref = multipletests(np.array(p), method=METHODS[method])[1]
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-15)
    assert np.all((ours >= np.array(p) - 1e-15) & (ours <= 1.0))


def test_holm_is_the_default_and_the_family_is_stated() -> None:
    r = adjust_pvalues(
        pd.Series([0.01, 0.04, 0.03], index=["personlig", "naere", "social"]), family="TEM trivsel k=1 vs k=12"
    )
    assert r.method == "Holm (1979) step-down" and r.m == 3
    frame = r.to_frame()
    assert frame["family"].unique().tolist() == ["TEM trivsel k=1 vs k=12"]
    # Holm by hand: sorted 0.01, 0.03, 0.04 -> 3*0.01, max(0.03, 2*0.03), max(0.06, 1*0.04)
    assert frame.set_index("test")["p_adjusted"].to_dict() == pytest.approx(
        {"personlig": 0.03, "social": 0.06, "naere": 0.06}
    )
    assert frame["reject"].tolist() == [True, False, False]


def test_missing_p_values_leave_the_family_and_are_counted() -> None:
    r = adjust_pvalues({"a": 0.01, "b": None, "c": 0.02, "d": float("nan")}, "bh")
    assert (r.m, r.n_dropped) == (2, 2)
    assert math.isnan(r.p_adjusted[1]) and math.isnan(r.p_adjusted[3])
    np.testing.assert_allclose(r.p_adjusted[[0, 2]], multipletests([0.01, 0.02], method="fdr_bh")[1])


def test_accepts_comparison_results() -> None:
    rng = np.random.default_rng(1)
    results = {f"item{i}": paired_t(rng.normal(size=30), rng.normal(0.3 * i, 1, 30)) for i in range(4)}
    r = adjust_pvalues(results, "holm", family="items")
    ref = multipletests([res.p_value for res in results.values()], method="holm")[1]
    np.testing.assert_allclose(r.p_adjusted, ref, rtol=1e-12)
    assert list(r.as_series().index) == list(results)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="method"):
        adjust_pvalues([0.1], "sidak-ish")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        adjust_pvalues([1.5])
