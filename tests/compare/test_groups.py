"""Independent-group tests against scipy/statsmodels and the illustrative values of seed004 section 6."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep

from evalkit.compare import chi_square, kruskal_wallis, mann_whitney, welch_t
from evalkit.compare._fisher import conditional_odds_ratio

TOL = dict(rtol=1e-10, atol=1e-14)


def test_chi_square_matches_scipy_and_cramers_v() -> None:
    table = np.array([[35, 37], [38, 60], [45, 34], [25, 29]])
    r = chi_square(table)
    ref = stats.chi2_contingency(table, correction=False)
    np.testing.assert_allclose([r.statistic, r.p_value, r.df], [ref.statistic, ref.pvalue, ref.dof], **TOL)
    assert r.effect_size == pytest.approx(stats.contingency.association(table, method="cramer"), rel=1e-12)


def test_cramers_v_interval_inverts_noncentral_chi_square() -> None:
    table = np.array([[30, 10, 12], [14, 25, 20]])
    r = chi_square(table, confidence_level=0.9)
    n, chi2 = table.sum(), stats.chi2_contingency(table, correction=False).statistic
    lam_low, lam_high = (v**2 * n * 1 for v in r.effect_size_ci)  # V = sqrt(lambda / (n (min(r, c) - 1)))
    np.testing.assert_allclose(stats.ncx2.cdf(chi2, 2, lam_low), 0.95, rtol=1e-8)
    np.testing.assert_allclose(stats.ncx2.cdf(chi2, 2, lam_high), 0.05, rtol=1e-8)


@pytest.mark.parametrize(
    "table,chi2,p,df",
    [
        # seed004_figures.md section 6.2, C3: 004-F6.34 inferred (drug-free of n) LAV 35/72, SIP 38/98,
        # SEP 45/79, SEIP 25/54 -> chi2(3) = 5,89, p = 0,12
        ([[35, 37], [38, 60], [45, 34], [25, 29]], 5.89, 0.12, 3),
        # C8: 004-F6.31 inferred faerdig 47/68, udeblevet 11/35, andet 21/52 -> chi2(2) = 16,6, p = 0,0002
        ([[47, 21], [11, 24], [21, 31]], 16.6, 0.0002, 2),
        # C6: faerdigbehandlede UNG 85/216 vs SMDB 567/1936 -> chi2(1) = 9,32, p = 0,002
        ([[85, 131], [567, 1369]], 9.32, 0.002, 1),
        # C9: stoffri at intake UNG 61/390 vs Metodeprogrammet 10/460 -> chi2(1) = 50,0
        ([[61, 329], [10, 450]], 50.0, None, 1),
    ],
)
def test_seed004_illustrative_chi_squares(table, chi2, p, df) -> None:
    r = chi_square(table)
    assert r.method == "Pearson chi-square" and r.df == df
    assert r.statistic == pytest.approx(chi2, abs=0.05)
    if p is not None:
        assert r.p_value == pytest.approx(p, abs=0.5 * 10 ** math.floor(math.log10(p)))


def test_small_expected_counts_fall_back_to_fisher() -> None:
    # C7: 004-F6.21 faerdigbehandlet by R0..R3 (34/67, 32/80, 11/33, 2/8): R3's expected counts are
    # 3.4 and 4.6 < 5. The chi-square alone gives chi2(3) = 4,20, p = 0,24 (seed004 section 6.2).
    table = [[34, 33], [32, 48], [11, 22], [2, 6]]
    plain = chi_square(table, fallback=False)
    assert plain.statistic == pytest.approx(4.20, abs=0.005) and plain.p_value == pytest.approx(0.24, abs=0.005)
    r = chi_square(table)
    assert r.method.startswith("Fisher-Freeman-Halton (Monte Carlo, 100000 tables, seed")
    again = chi_square(table)
    assert r.p_value == again.p_value  # seeded: byte-identical reruns
    assert r.p_value == pytest.approx(plain.p_value, abs=0.03)
    assert r.effect_size == plain.effect_size  # Cramer's V always from the uncorrected chi-square


def test_two_by_two_fallback_is_fishers_exact_with_newcombe_difference() -> None:
    table = [[8, 2], [1, 5]]
    r = chi_square(table)
    ref = stats.fisher_exact(table)
    assert r.method == "Fisher's exact test"
    np.testing.assert_allclose([r.sample_odds_ratio, r.p_value], [ref.statistic, ref.pvalue], **TOL)
    # the printed statistic is R's conditional MLE; scipy solves the same equation more precisely,
    # R's uniroot(tol = eps^0.25) works on 1/OR in (0, 1], an absolute error of about 1e-4 there
    cmle = stats.contingency.odds_ratio(table, kind="conditional")
    assert r.statistic == r.odds_ratio == pytest.approx(cmle.statistic, rel=2e-3)
    assert r.odds_ratio_code == "or_conditional_mle" and r.statistic_name == "odds ratio (conditional MLE)"
    ref_ci = cmle.confidence_interval(0.95)
    assert r.odds_ratio_ci.low == pytest.approx(ref_ci.low, abs=2.5e-4)
    assert 1 / r.odds_ratio_ci.high == pytest.approx(1 / ref_ci.high, abs=2.5e-4)  # R solves for 1/OR in (0, 1]
    lo, hi = confint_proportions_2indep(5, 6, 2, 10, method="newcomb")
    assert r.estimate == pytest.approx(5 / 6 - 2 / 10)
    np.testing.assert_allclose(list(r.estimate_ci), [lo, hi], **TOL)


def test_fisher_odds_ratio_is_r_fisher_test() -> None:
    # R ?fisher.test: fisher.test(TeaTasting) -> p-value = 0.4857, odds ratio 6.408309,
    # 95 percent confidence interval 0.2117329 621.9337505 (the sample odds ratio is 9)
    r = chi_square([[3, 1], [1, 3]])
    assert round(r.p_value, 4) == 0.4857 and r.sample_odds_ratio == 9.0
    assert round(r.odds_ratio, 6) == 6.408309
    assert r.odds_ratio_ci == pytest.approx((0.2117329, 621.9337505), rel=1e-7)
    greater = conditional_odds_ratio(np.array([[3, 1], [1, 3]]), alternative="greater")[1]
    assert greater.low == pytest.approx(0.3135693, rel=1e-6)   # fisher.test(TeaTasting, alternative = "greater")
    # R ?fisher.test: fisher.test(Convictions, alternative = "less") -> CI 0 0.2849601, odds ratio 0.04693661
    est, ci = conditional_odds_ratio(np.array([[2, 15], [10, 3]]), alternative="less")
    assert round(est, 8) == 0.04693661 and ci == pytest.approx((0.0, 0.2849601), abs=5e-8)


def test_yates_correction_on_request() -> None:
    table = [[40, 20], [25, 35]]
    r = chi_square(table, correction=True)
    ref = stats.chi2_contingency(table, correction=True)
    assert r.method == "Pearson chi-square (Yates-corrected)"
    np.testing.assert_allclose([r.statistic, r.p_value], [ref.statistic, ref.pvalue], **TOL)


def test_label_columns_are_cross_tabulated_with_missing_dropped() -> None:
    group = pd.Categorical(["R0", "R1", "R0", None, "R1", "R0"] * 10, categories=["R0", "R1", "R2"])
    outcome = pd.Series([True, False, True, True, None, False] * 10, dtype="bool[pyarrow]")
    r = chi_square(group, outcome)
    assert (r.n, r.n_dropped) == (40, 20)
    assert r.group_sizes == (30, 10, 0)  # the empty category R2 is kept in the table, left out of the test
    ref = stats.chi2_contingency([[10, 20], [10, 0]], correction=False)
    assert r.statistic == pytest.approx(ref.statistic, **dict(rel=1e-10))


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
@pytest.mark.parametrize("method", ["auto", "asymptotic"])
def test_mann_whitney_matches_scipy(alternative: str, method: str) -> None:
    rng = np.random.default_rng(4)
    x, y = rng.integers(0, 8, 30).astype(float), rng.integers(1, 9, 25).astype(float)
    r = mann_whitney(x, y, alternative=alternative, method=method)
    ref = stats.mannwhitneyu(y, x, alternative=alternative, method="asymptotic")
    np.testing.assert_allclose([r.statistic, r.p_value], [ref.statistic, ref.pvalue], **TOL)
    assert r.effect_size == pytest.approx(2 * ref.statistic / (30 * 25) - 1, rel=1e-12)
    se = math.sqrt((30 + 25 + 1) / (3 * 30 * 25))
    z = stats.norm.isf(0.025 if alternative == "two-sided" else 0.05)
    expected = np.tanh(np.arctanh(r.effect_size) + np.array([-z, z]) * se)
    if alternative == "greater":
        expected[1] = 1.0
    elif alternative == "less":
        expected[0] = -1.0
    np.testing.assert_allclose(list(r.effect_size_ci), expected, rtol=1e-12)


def test_mann_whitney_reproduces_r_example_and_resolves_exact() -> None:
    # R ?wilcox.test two-sample example (Hollander & Wolfe 1973, p. 69f):
    # wilcox.test(x, y, alternative = "g") -> W = 35, p-value = 0.1272 (exact).
    x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    y = [1.15, 0.88, 0.90, 0.74, 1.21]
    r = mann_whitney(y, x, alternative="greater")
    assert r.method == "Mann-Whitney U (exact), exact CI" and r.p_method_code == "p_exact"
    assert r.statistic == 35.0 and r.p_value == pytest.approx(0.1272, abs=5e-5)


def test_two_sample_hodges_lehmann_matches_brute_force() -> None:
    rng = np.random.default_rng(9)
    x, y = rng.normal(0, 1, 120), rng.normal(0.5, 1, 90)
    r = mann_whitney(x, y, estimator="all_differences")
    diffs = np.sort(np.subtract.outer(y, x).ravel())
    assert r.estimate == pytest.approx(np.median(diffs), abs=1e-15)
    total = diffs.size
    k = int(np.floor(total / 2 - stats.norm.isf(0.025) * np.sqrt(total * (120 + 90 + 1) / 12)))
    assert list(r.estimate_ci) == [diffs[k - 1], diffs[total - k]]


def test_kruskal_wallis_matches_scipy_and_epsilon_squared() -> None:
    rng = np.random.default_rng(2)
    groups = np.repeat(["LAV", "SIP", "SEP", "SEIP"], [30, 25, 20, 15])
    values = rng.integers(0, 11, 90).astype(float) + (groups == "SEP")
    values[[3, 40]] = np.nan
    r = kruskal_wallis(values, groups, n_resamples=200)
    keep = ~np.isnan(values)
    arrays = [values[keep & (groups == g)] for g in sorted(set(groups))]
    ref = stats.kruskal(*arrays)
    np.testing.assert_allclose([r.statistic, r.p_value, r.df], [ref.statistic, ref.pvalue, 3], **TOL)
    assert (r.n, r.n_dropped, r.n_groups) == (88, 2, 4)
    assert r.effect_size == pytest.approx(ref.statistic * (88 + 1) / (88**2 - 1), rel=1e-12)
    assert r.effect_size_ci.low <= r.effect_size <= r.effect_size_ci.high
    again = kruskal_wallis(values, groups, n_resamples=200)
    assert again.effect_size_ci == r.effect_size_ci  # seeded bootstrap


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(-40, 40), min_size=1, max_size=25), min_size=2, max_size=5),
       st.sampled_from([1.0, 0.5, 1 / 3]))
def test_kruskal_counting_ranks_match_scipy(samples: list[list[int]], step: float) -> None:
    # whole numbers take the counting path, halves and thirds scipy's; both must give scipy's H and p
    arrays = [np.array(a, dtype=float) * step for a in samples]
    pooled = np.concatenate(arrays)
    assume(pooled.min() < pooled.max())
    r = kruskal_wallis(arrays, n_resamples=0)
    ref = stats.kruskal(*arrays)
    np.testing.assert_allclose([r.statistic, r.p_value], [ref.statistic, ref.pvalue], rtol=1e-10, atol=1e-13)


def test_kruskal_counting_ranks_at_registry_scale() -> None:
    rng = np.random.default_rng(11)
    groups = rng.integers(0, 4, 400_000)
    values = np.clip(rng.poisson(2.0 + 0.05 * groups), 0, 7).astype(float)  # TEM days: 8 values, huge ties
    r = kruskal_wallis(values, groups, n_resamples=0)
    ref = stats.kruskal(*[values[groups == g] for g in range(4)])
    np.testing.assert_allclose([r.statistic, r.p_value], [ref.statistic, ref.pvalue], rtol=1e-10, atol=1e-300)


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_welch_t_matches_scipy(alternative: str) -> None:
    rng = np.random.default_rng(8)
    x, y = rng.normal(18.9, 1.5, 22), rng.normal(20.1, 3.0, 31)
    r = welch_t(x, y, alternative=alternative, confidence_level=0.9)
    ref = stats.ttest_ind(y, x, equal_var=False, alternative=alternative)
    ci = ref.confidence_interval(0.9)
    np.testing.assert_allclose([r.statistic, r.df, r.p_value], [ref.statistic, ref.df, ref.pvalue], **TOL)
    np.testing.assert_allclose(list(r.estimate_ci), [ci.low, ci.high], **TOL)


def test_welch_cohens_d_s_interval_solves_noncentral_t() -> None:
    x = np.array([18.9, 17.5, 19.2, 20.1, 18.0, 19.7])
    y = np.array([20.4, 21.3, 19.9, 22.0, 20.8, 21.5, 19.1])
    r = welch_t(x, y)
    sp = math.sqrt((5 * x.var(ddof=1) + 6 * y.var(ddof=1)) / 11)
    assert r.effect_size == pytest.approx((y.mean() - x.mean()) / sp, rel=1e-12)
    scale = math.sqrt(1 / 6 + 1 / 7)
    t_s = r.effect_size / scale
    np.testing.assert_allclose(stats.nct.cdf(t_s, 11, r.effect_size_ci.low / scale), 0.975, rtol=1e-9)
    np.testing.assert_allclose(stats.nct.cdf(t_s, 11, r.effect_size_ci.high / scale), 0.025, rtol=1e-9)
