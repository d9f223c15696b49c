"""McNemar and Stuart-Maxwell/Bhapkar against statsmodels, scipy and published examples."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.contingency_tables import SquareTable
from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar

from evalkit.compare import DegenerateDataWarning, mcnemar, stuart_maxwell

TOL = dict(rtol=1e-10, atol=1e-14)
APPROX = dict(rel=1e-10, abs=1e-14)
TABLES = [[[794, 150], [86, 570]], [[59, 6], [16, 80]], [[1, 1], [7, 12]], [[10, 0], [3, 2]], [[0, 5], [5, 0]]]


def _expand(table) -> tuple[np.ndarray, np.ndarray]:
    """Person-level before/after booleans for a [[yes-yes, yes-no], [no-yes, no-no]] table."""
    (a, b), (c, d) = table
    before = np.repeat([True, True, False, False], [a, b, c, d])
    after = np.repeat([True, False, True, False], [a, b, c, d])
    return before, after


@pytest.mark.parametrize("table", TABLES)
def test_mcnemar_p_values_match_statsmodels(table) -> None:
    arr = np.array(table)
    assert mcnemar(table).p_value == pytest.approx(sm_mcnemar(arr, exact=True).pvalue, **APPROX)
    chi = mcnemar(table, method="asymptotic")
    ref = sm_mcnemar(arr, exact=False, correction=False)
    np.testing.assert_allclose([chi.statistic, chi.p_value], [ref.statistic, ref.pvalue], **TOL)
    cc = mcnemar(table, method="asymptotic_cc")
    if arr[0, 1] == arr[1, 0]:  # R mcnemar.test applies no correction when b = c; statsmodels does
        assert (cc.statistic, cc.p_value) == (0.0, 1.0)
        return
    ref = sm_mcnemar(arr, exact=False, correction=True)
    np.testing.assert_allclose([cc.statistic, cc.p_value], [ref.statistic, ref.pvalue], **TOL)


@pytest.mark.parametrize("table", TABLES)
def test_person_level_input_gives_the_table_result(table) -> None:
    before, after = _expand(table)
    a, b = mcnemar(before, after), mcnemar(table)
    assert (a.n_both, a.n_before_only, a.n_after_only, a.n_neither) == (b.n_both, b.n_before_only, b.n_after_only, b.n_neither)
    assert a.p_value == b.p_value and a.estimate == b.estimate


def test_agresti_presidential_approval() -> None:
    # Agresti (2013), Categorical Data Analysis 3rd ed., Table 11.1 / section 11.1.1: approval at
    # two surveys, 794 / 150 / 86 / 570. Published: difference -0.04, Wald 95 % CI (-0.06, -0.02),
    # McNemar z = (86 - 150)/sqrt(86 + 150) = -4.17.
    r = mcnemar([[794, 150], [86, 570]], method="asymptotic", ci_method="wald")
    assert r.estimate == pytest.approx(-0.04, abs=1e-12)
    assert [round(v, 2) for v in r.estimate_ci] == [-0.06, -0.02]
    assert math.sqrt(r.statistic) == pytest.approx(4.17, abs=5e-3)
    assert (r.p_before, r.p_after) == (pytest.approx(944 / 1600), pytest.approx(880 / 1600))


def test_newcombe_interval_matches_contingencytables() -> None:
    # R contingencytables::Newcombe_square_and_add_CI_paired_2x2 on Cavo et al. (2012), matrix(c(59,
    # 6, 16, 80), 2, byrow = TRUE): "estimate = -0.0621 (95% CI -0.1186 to -0.0046)" (first - second;
    # ocbe-uio/contingencytables tests/testthat/test-ch8.R). evalkit reports second - first.
    r = mcnemar([[59, 6], [16, 80]])
    assert r.estimate == pytest.approx(0.0621, abs=5e-5)
    assert [round(v, 4) for v in r.estimate_ci] == [0.0046, 0.1186]


def test_paired_odds_ratio_and_exact_interval() -> None:
    r = mcnemar([[59, 6], [16, 80]])
    assert r.effect_size == pytest.approx(16 / 6)
    ci = stats.binomtest(16, 22).proportion_ci(0.95, method="exact")
    np.testing.assert_allclose(list(r.effect_size_ci), [ci.low / (1 - ci.low), ci.high / (1 - ci.high)], **TOL)


def test_mid_p_is_exact_p_minus_point_probability() -> None:
    # Fagerland, Lydersen & Laake (2013): mid-p = 2 * [P(X <= b - 1) + P(X = b)/2], X ~ Bin(n12 + n21, 1/2).
    r = mcnemar([[1, 1], [7, 12]], method="mid-p")
    expected = 2 * (stats.binom.cdf(0, 8, 0.5) + 0.5 * stats.binom.pmf(1, 8, 0.5))
    assert r.p_value == pytest.approx(expected, **APPROX)
    assert mcnemar([[3, 4], [4, 3]], method="mid-p").p_value == 1.0


def test_dataframe_tables_are_read_by_label() -> None:
    # pd.crosstab orders False before True: the labels, not the positions, say which cell is which.
    before, after = _expand([[59, 6], [16, 80]])
    tab = pd.crosstab(before, after)
    assert list(tab.index) == [False, True]
    assert mcnemar(tab).n_after_only == 16


def test_no_discordant_pairs() -> None:
    with pytest.warns(DegenerateDataWarning):
        r = mcnemar([True, False, True], [True, False, True])
    assert r.status == "no_discordant_pairs" and r.p_value is None and r.estimate == 0.0


def test_pyarrow_booleans_with_missing_and_numeric_codes() -> None:
    before = pd.Series([True, True, None, False, False, True], dtype="bool[pyarrow]")
    after = pd.Series([1, 0, 1, None, 1, 1], dtype="int64[pyarrow]")
    r = mcnemar(before, after)
    assert (r.n, r.n_dropped, r.n_both, r.n_before_only, r.n_after_only, r.n_neither) == (4, 2, 2, 1, 1, 0)
    with pytest.raises(ValueError, match="0/1"):
        mcnemar([0, 1, 2], [1, 1, 1])


def test_bad_tables_and_options_are_refused() -> None:
    with pytest.raises(ValueError, match="stuart_maxwell"):
        mcnemar(np.ones((3, 3)))
    with pytest.raises(ValueError, match="one-sided"):
        mcnemar([[1, 2], [3, 4]], method="asymptotic", alternative="greater")


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 60), st.integers(0, 60))
def test_exact_p_equals_binomial_p_on_discordant_pairs(a, b, c, d) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = mcnemar([[a, b], [c, d]])
        swapped = mcnemar([[a, c], [b, d]])  # before <-> after
    if b + c == 0:
        assert r.status in ("no_discordant_pairs", "too_small")
        return
    assert r.p_value == pytest.approx(stats.binomtest(c, b + c, 0.5).pvalue, **APPROX)
    assert 0.0 <= r.p_value <= 1.0
    assert swapped.p_value == pytest.approx(r.p_value, **APPROX)
    assert swapped.estimate == pytest.approx(-r.estimate, abs=1e-15)
    assert swapped.estimate_ci.low == pytest.approx(-r.estimate_ci.high, abs=1e-12)
    if b and c:
        assert math.log(swapped.effect_size) == pytest.approx(-math.log(r.effect_size), abs=1e-12)
    low, high = r.estimate_ci
    assert -1.0 - 1e-12 <= low <= r.estimate <= high <= 1.0 + 1e-12


# ---------------------------------------------------------------- Stuart-Maxwell / Bhapkar

VISION = np.array([[1520, 266, 124, 66], [234, 1512, 432, 78], [117, 362, 1772, 205], [36, 82, 179, 492]])


def test_stuart_maxwell_matches_nonpar_example() -> None:
    # R nonpar::stuart.maxwell(matrix(c(12, 30, 13, 7, 70, 34, 3, 20, 32), 3, 3)) prints
    # "Test Statistic = 23.5709322524609", df = 2, "p-value is 7.61442467334117e-06".
    r = stuart_maxwell(np.array([12, 30, 13, 7, 70, 34, 3, 20, 32]).reshape(3, 3, order="F"))
    assert r.statistic == pytest.approx(23.5709322524609, rel=1e-12)
    assert r.df == 2.0
    assert r.p_value == pytest.approx(7.61442467334117e-06, rel=1e-10)


@pytest.mark.parametrize("method", ["stuart_maxwell", "bhapkar"])
def test_marginal_homogeneity_matches_statsmodels(method: str) -> None:
    rng = np.random.default_rng(3)
    tables = [VISION] + [rng.integers(1, 40, (k, k)) for k in (2, 3, 4, 5) for _ in range(3)]
    for table in tables:
        r = stuart_maxwell(table, method=method)
        ref = SquareTable(table, shift_zeros=False).homogeneity(method=method)
        np.testing.assert_allclose([r.statistic, r.p_value, r.df], [ref.statistic, ref.pvalue, ref.df], **TOL)
    # Stuart's (1955) unaided-vision data: 11.96 on 3 df (Agresti 2013, section 11.3).
    assert stuart_maxwell(VISION).statistic == pytest.approx(11.957, abs=5e-4)


def test_two_categories_reduce_to_mcnemar() -> None:
    table = [[59, 6], [16, 80]]
    assert stuart_maxwell(table).statistic == pytest.approx(mcnemar(table, method="asymptotic").statistic, **APPROX)


def test_bands_from_categoricals_keep_empty_categories_and_order() -> None:
    bands = ["0-28", "29-49", "50-100"]
    before = pd.Categorical(["0-28", "0-28", "29-49", "29-49", "0-28", None, "0-28"], categories=bands, ordered=True)
    after = pd.Categorical(["29-49", "0-28", "29-49", "0-28", "29-49", "29-49", "29-49"], categories=bands, ordered=True)
    r = stuart_maxwell(before, after)
    assert r.categories == tuple(bands) and r.k == 3
    assert r.table == ((1, 3, 0), (1, 1, 0), (0, 0, 0))
    assert (r.n, r.n_dropped, r.n_up, r.n_down) == (6, 1, 3, 1)
    # only two informative categories remain: the test is McNemar's chi-square on 3 vs 1
    assert r.df == 1.0 and r.statistic == pytest.approx((3 - 1) ** 2 / 4)
    assert r.effect_size == pytest.approx((3 - 1) / 6)
    se = math.sqrt((3 / 6 + 1 / 6 - (2 / 6) ** 2) / 6)
    np.testing.assert_allclose(list(r.effect_size_ci), [2 / 6 - 1.959963984540054 * se, 2 / 6 + 1.959963984540054 * se], rtol=1e-12)


def test_values_outside_categories_are_reported_not_dropped() -> None:
    with pytest.raises(ValueError, match="outside"):
        stuart_maxwell(["a", "b", "x"], ["a", "a", "b"], categories=["a", "b"])


def test_unordered_labels_have_no_net_shift() -> None:
    r = stuart_maxwell(["x", "y", "y", "z", "x"], ["y", "y", "z", "x", "z"])
    assert math.isnan(r.effect_size) and not math.isnan(r.statistic)


def test_reader_string_columns_with_missing() -> None:
    before = pd.Series(["lav", "middel", None, "hoej", "lav"], dtype="string[pyarrow]")
    after = pd.Series(["middel", "middel", "lav", "hoej", "middel"], dtype="string[pyarrow]")
    r = stuart_maxwell(before, after, categories=["lav", "middel", "hoej"])
    assert (r.n, r.n_dropped) == (4, 1)
    assert r.table == ((0, 2, 0), (0, 1, 0), (0, 0, 1))
    assert r.effect_size == pytest.approx(2 / 4)
