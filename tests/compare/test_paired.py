"""Paired t-test, Wilcoxon signed-rank and sign test against scipy and published package examples."""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from evalkit.compare import (
    CompareWarning,
    DegenerateDataWarning,
    SmallSampleWarning,
    paired_t,
    sign_test,
    wilcoxon,
)
from evalkit.compare._rankshift import signed_rank_z

ALTERNATIVES = ["two-sided", "less", "greater"]
TOL = dict(rtol=1e-10, atol=1e-12)

# Hollander & Wolfe (1973), p. 29f: Hamilton depression scale factor IV, first (x) and second (y)
# visit; the paired example on R's ?wilcox.test page.
HW_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
HW_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]


def _with_moments(mean: float, sd: float, n: int, seed: int) -> np.ndarray:
    """n values with exactly the given mean and (ddof=1) SD."""
    z = np.random.default_rng(seed).normal(size=n)
    z = (z - z.mean()) / z.std(ddof=1)
    return mean + sd * z


# ---------------------------------------------------------------- paired t


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_paired_t_matches_scipy(seed: int, alternative: str) -> None:
    rng = np.random.default_rng(seed)
    pre = rng.normal(50, 10, 40)
    post = pre + rng.normal(2, 6, 40)
    r = paired_t(pre, post, alternative=alternative, confidence_level=0.9)
    ref = stats.ttest_rel(post, pre, alternative=alternative)
    ci = ref.confidence_interval(0.9)
    np.testing.assert_allclose([r.statistic, r.p_value, r.df], [ref.statistic, ref.pvalue, ref.df], **TOL)
    np.testing.assert_allclose(r.estimate, np.mean(post - pre), **TOL)
    np.testing.assert_allclose(list(r.estimate_ci), [ci.low, ci.high], **TOL)


def test_d_z_interval_matches_mote_example() -> None:
    # R MOTE::d.dep.t.diff(mdiff = 1.14, sddiff = 2.12, n = 7, a = .05) gives d = 0.5377358,
    # dlow = -0.2791857, dhigh = 1.317321 (doomlab/MOTE tests/testthat/test-d_dep_t_diff.R).
    diff = _with_moments(1.14, 2.12, 7, seed=1)
    pre = np.linspace(3.0, 9.0, 7)
    r = paired_t(pre, pre + diff)
    assert r.effect_size_name == "d_z"
    np.testing.assert_allclose(r.effect_size, 0.5377358, atol=5e-8)
    np.testing.assert_allclose(list(r.effect_size_ci), [-0.2791857, 1.317321], atol=5e-7)


def test_d_av_interval_matches_mote_example() -> None:
    # R MOTE::d.dep.t.avg(m1 = 5.57, m2 = 4.43, sd1 = 1.99, sd2 = 2.88, n = 7, a = .05) gives
    # d = 0.4681725, dlow = -0.3334172, dhigh = 1.2360580 (doomlab/MOTE tests/testthat/test-d_dep_t_avg.R).
    # evalkit reports post - pre, so pre = wave 1 and the signs flip.
    pre = _with_moments(5.57, 1.99, 7, seed=2)
    post = _with_moments(4.43, 2.88, 7, seed=3)
    r = paired_t(pre, post, effect_size="d_av")
    assert r.effect_size_name == "d_av"
    np.testing.assert_allclose(r.effect_size, -0.4681725, atol=5e-8)
    np.testing.assert_allclose(list(r.effect_size_ci), [-1.2360580, 0.3334172], atol=5e-7)


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_d_z_limits_solve_the_noncentral_t_equations(level: float) -> None:
    rng = np.random.default_rng(7)
    d = rng.normal(0.4, 1.0, 25)
    r = paired_t(np.zeros(25), d, confidence_level=level)
    n, t = 25, d.mean() / (d.std(ddof=1) / 5.0)
    alpha = 1 - level
    np.testing.assert_allclose(stats.nct.cdf(t, n - 1, r.effect_size_ci.low * math.sqrt(n)), 1 - alpha / 2, rtol=1e-9)
    np.testing.assert_allclose(stats.nct.cdf(t, n - 1, r.effect_size_ci.high * math.sqrt(n)), alpha / 2, rtol=1e-9)
    np.testing.assert_allclose(r.effect_size, t / math.sqrt(n), rtol=1e-12)


def test_d_z_differs_from_d_av_as_pingouin_does_not_say() -> None:
    # anchors.md 5.1: on correlated data pingouin's "cohen_d" (d_av) is not d_z; both must be named.
    rng = np.random.default_rng(11)
    pre = rng.normal(50, 10, 200)
    post = pre + rng.normal(4, 5, 200)
    dz, dav = paired_t(pre, post).effect_size, paired_t(pre, post, effect_size="d_av").effect_size
    assert dz == pytest.approx(np.mean(post - pre) / np.std(post - pre, ddof=1), rel=1e-12)
    assert dav == pytest.approx(np.mean(post - pre) / ((pre.std(ddof=1) + post.std(ddof=1)) / 2), rel=1e-12)
    assert dz > 1.5 * dav


def test_paired_t_drops_incomplete_pairs_in_every_dtype(frame_constructor) -> None:
    pre = frame_constructor([5, 6, None, 7, 5, 8])
    post = frame_constructor([6, 8, 4, None, 7, 9])
    r = paired_t(pre, post)
    ref = stats.ttest_rel([6.0, 8.0, 7.0, 9.0], [5.0, 6.0, 5.0, 8.0])
    assert (r.n, r.n_dropped) == (4, 2)
    np.testing.assert_allclose([r.statistic, r.p_value], [ref.statistic, ref.pvalue], **TOL)


def test_series_are_aligned_on_their_index() -> None:
    pre = pd.Series([5.0, 6.0, 4.0], index=["a", "b", "c"])
    post = pd.Series([9.0, 7.0, 8.0, 1.0], index=["c", "a", "b", "z"])  # z has no pre value
    r = paired_t(pre, post)
    ref = stats.ttest_rel([7.0, 8.0, 9.0], [5.0, 6.0, 4.0])
    assert (r.n, r.n_dropped) == (3, 1)
    np.testing.assert_allclose(r.statistic, ref.statistic, **TOL)


def test_paired_t_degenerate_inputs_warn_and_return_nan() -> None:
    with pytest.warns(SmallSampleWarning):
        r = paired_t([1.0], [2.0])
    assert r.status == "too_small" and r.p_value is None
    with pytest.warns(DegenerateDataWarning):
        r = paired_t([1.0, 2.0, 3.0], [2.0, 3.0, 4.0])
    assert r.status == "constant_input" and r.estimate == 1.0 and math.isnan(r.statistic)


def test_unordered_categories_are_refused() -> None:
    with pytest.raises(TypeError, match="unordered category"):
        paired_t(pd.Categorical(["a", "b"]), pd.Categorical(["b", "a"]))


# ---------------------------------------------------------------- Wilcoxon


def test_wilcoxon_reproduces_r_on_hollander_wolfe() -> None:
    # R: wilcox.test(x, y, paired = TRUE, alternative = "greater") -> V = 40, p-value = 0.01953
    # (exactly 10/512: 10 subsets of 1..9 sum to at most 5).
    r = wilcoxon(HW_Y, HW_X, alternative="greater")
    assert r.p_method_code == "p_exact" and r.estimate_ci_code == "ci_exact_inverted"
    assert r.statistic == 40.0
    assert r.p_value == pytest.approx(10 / 512, rel=1e-12)
    # R: wilcox.test(x, y, paired = TRUE, conf.int = TRUE) -> (pseudo)median 0.46,
    # 95 percent confidence interval 0.010 0.786 (Hollander & Wolfe's 96.1 % interval).
    r2 = wilcoxon(HW_Y, HW_X)
    assert r2.p_value == pytest.approx(20 / 512, rel=1e-12)
    assert r2.estimate == pytest.approx(0.46, abs=1e-12)
    np.testing.assert_allclose(list(r2.estimate_ci), [0.01, 0.786], atol=1e-12)
    # R: wilcox.test(y - x, alternative = "less", exact = FALSE, correct = FALSE) -> p-value = 0.01908
    r3 = wilcoxon(HW_X, HW_Y, alternative="less", method="asymptotic", correction=False)
    assert r3.statistic == 5.0
    assert r3.p_value == pytest.approx(0.01908, abs=5e-6)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("zero_method", ["wilcox", "pratt", "zsplit"])
@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize("correction", [True, False])
def test_wilcoxon_normal_approximation_matches_scipy(seed, zero_method, alternative, correction) -> None:
    rng = np.random.default_rng(seed)
    pre = rng.integers(0, 11, 60).astype(float)  # TEM-like 0-10 scores: many ties and zeros
    post = np.clip(pre + rng.integers(-3, 5, 60), 0, 10)
    r = wilcoxon(
        pre, post, method="asymptotic", zero_method=zero_method, alternative=alternative, correction=correction
    )
    ref = stats.wilcoxon(post, pre, zero_method=zero_method, alternative=alternative, correction=correction,
                         method="asymptotic")
    np.testing.assert_allclose(r.p_value, ref.pvalue, **TOL)
    d = post - pre
    w_minus = stats.rankdata(np.abs(d[d != 0]))[d[d != 0] < 0].sum()
    if zero_method == "wilcox":
        assert r.statistic + w_minus == pytest.approx(np.sum(np.arange(1, np.sum(d != 0) + 1)))


@pytest.mark.parametrize("n", [1, 2, 5, 10, 20, 35, 50])
@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_wilcoxon_exact_matches_scipy(n: int, alternative: str) -> None:
    rng = np.random.default_rng(n)
    d = rng.permutation(np.arange(1, n + 1)) * rng.choice([-1.0, 1.0], n) / 7.0
    r = wilcoxon(np.zeros(n), d, alternative=alternative)
    ref = stats.wilcoxon(d, alternative=alternative, method="exact")
    assert r.p_method_code == ("p_exact" if n < 50 else "p_normal_cc")  # R: exact only for n < 50
    if n == 50:
        ref = stats.wilcoxon(d, alternative=alternative, method="asymptotic", correction=True)
    np.testing.assert_allclose(r.p_value, ref.pvalue, **TOL)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("zero_method", ["wilcox", "pratt", "zsplit"])
@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_wilcoxon_permutation_matches_scipy_enumeration(seed, zero_method, alternative) -> None:
    # For n <= 13 scipy's PermutationMethod enumerates all 2**n sign patterns: an exact reference.
    rng = np.random.default_rng(100 + seed)
    pre = rng.integers(0, 5, 10).astype(float)
    post = pre + rng.integers(-2, 3, 10)
    if np.all(post == pre):
        post[0] += 1
    r = wilcoxon(pre, post, method="permutation", zero_method=zero_method, alternative=alternative)
    ref = stats.wilcoxon(post, pre, zero_method=zero_method, alternative=alternative, method=stats.PermutationMethod())
    assert r.p_method_code == "p_exact_conditional"
    np.testing.assert_allclose(r.p_value, ref.pvalue, **TOL)


def test_wilcoxon_auto_uses_exact_only_without_ties_or_zeros() -> None:
    assert wilcoxon([0, 0, 0], [1, 2, -3]).p_method_code == "p_exact"
    assert "normal approximation" in wilcoxon([0, 0, 0, 0], [1, 1, 2, -3]).method  # tie
    assert "normal approximation" in wilcoxon([0, 0, 0, 0], [0, 1, 2, -3]).method  # zero
    assert wilcoxon(np.zeros(49), np.arange(1, 50.0)).p_method_code == "p_exact"
    assert wilcoxon(np.zeros(50), np.arange(1, 51.0)).p_method_code == "p_normal_cc"  # R: exact only for n < 50
    with pytest.warns(CompareWarning, match="ties or zeros"):  # R falls back to the normal approximation
        r = wilcoxon([0, 0, 0, 0], [1, 1, 2, -3], method="exact")
    assert r.p_method_code == "p_normal_cc"


def _walsh(d: np.ndarray) -> np.ndarray:
    i, j = np.triu_indices(d.size)
    return np.sort((d[i] + d[j]) / 2.0)


@pytest.mark.parametrize("n,kind", [(60, "int"), (400, "float"), (2500, "float"), (3000, "int")])
def test_hodges_lehmann_matches_brute_force_walsh_averages(n: int, kind: str) -> None:
    # Brute force: all n(n+1)/2 Walsh averages, the interval of Hollander & Wolfe (2014, eq. 3.28):
    # k = floor(n(n+1)/4 - z sqrt(var)) with the tie-corrected variance of W+.
    rng = np.random.default_rng(n)
    pre = rng.integers(0, 11, n).astype(float) if kind == "int" else rng.normal(size=n)
    post = pre + (rng.integers(-3, 4, n) if kind == "int" else rng.normal(0.2, 1, n))
    d = post - pre
    r = wilcoxon(pre, post, method="asymptotic", estimator="all_differences")
    assert r.estimate_code == "hl_shift_all_post_pre" and r.zero_handling_code == "zeros_dropped"
    w = _walsh(d)
    assert r.estimate == np.median(w)
    _, counts = np.unique(np.abs(d), return_counts=True)
    var = n * (n + 1) * (2 * n + 1) / 24 - np.sum(counts**3.0 - counts) / 48
    k = int(np.floor(n * (n + 1) / 4 - stats.norm.isf(0.025) * np.sqrt(var)))
    assert list(r.estimate_ci) == [w[k - 1], w[w.size - k]]


def test_rank_biserial_and_its_interval() -> None:
    # Kerby (2014) simple difference r = (W+ - W-)/(W+ + W-); interval tanh(atanh r -/+ z se),
    # se = sqrt((2n^3 + 3n^2 + n)/6)/(n(n+1)/2) as in R effectsize::rank_biserial(paired = TRUE).
    d = np.array([0.952, -0.147, 1.022, 0.43, 0.62, 0.59, 0.49, -0.08, 0.01])
    r = wilcoxon(np.zeros(9), d)
    assert r.effect_size == pytest.approx((40 - 5) / 45, rel=1e-12)
    se = math.sqrt((2 * 9**3 + 3 * 9**2 + 9) / 6) / 45
    z = stats.norm.isf(0.025)
    np.testing.assert_allclose(
        list(r.effect_size_ci), np.tanh(np.arctanh(35 / 45) + np.array([-z, z]) * se), rtol=1e-12
    )


def test_wilcoxon_all_zero_differences() -> None:
    with pytest.warns(DegenerateDataWarning):
        r = wilcoxon([1, 2, 3], [1, 2, 3])
    assert r.status == "no_nonzero_differences" and r.p_value is None and r.estimate == 0.0


def test_wilcoxon_on_ordered_bands() -> None:
    bands = ["lav", "middel", "hoej"]
    pre = pd.Categorical(["lav", "lav", "middel", "hoej", "lav", "middel"], categories=bands, ordered=True)
    post = pd.Categorical(["middel", "hoej", "middel", "hoej", "middel", None], categories=bands, ordered=True)
    r = wilcoxon(pre, post)
    # compare.yaml's default continuity correction is on (as R); scipy's default is off
    ref = stats.wilcoxon([1, 2, 1, 2, 1], [0, 0, 1, 2, 0], method="asymptotic", correction=True)
    assert (r.n, r.n_dropped, r.n_zero) == (5, 1, 2)
    np.testing.assert_allclose(r.p_value, ref.pvalue, **TOL)


# ---------------------------------------------------------------- sign test


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_sign_test_matches_binomtest(alternative: str) -> None:
    rng = np.random.default_rng(5)
    pre = rng.integers(0, 6, 30).astype(float)
    post = pre + rng.integers(-1, 3, 30)
    d = post - pre
    r = sign_test(pre, post, alternative=alternative)
    ref = stats.binomtest(int(np.sum(d > 0)), int(np.sum(d != 0)), 0.5, alternative=alternative)
    np.testing.assert_allclose(r.p_value, ref.pvalue, **TOL)
    ci = ref.proportion_ci(0.95, method="exact")
    np.testing.assert_allclose(list(r.effect_size_ci), [2 * ci.low - 1, 2 * ci.high - 1], **TOL)
    assert r.n_zero == int(np.sum(d == 0)) and r.estimate == np.median(d)


def test_sign_test_median_interval_has_binomial_coverage() -> None:
    # Order-statistic interval [d_(k), d_(n-k+1)] with k the smallest integer with P(B <= k) >= 2.5 %.
    d = np.arange(20, dtype=float) - 5.0
    r = sign_test(np.zeros(20), d)
    k = next(k for k in range(1, 21) if stats.binom.cdf(k, 20, 0.5) >= 0.025)
    assert list(r.estimate_ci) == [d[k - 1], d[20 - k]]
    assert 1 - 2 * stats.binom.cdf(k - 1, 20, 0.5) >= 0.95


# ---------------------------------------------------------------- properties

pairs = st.lists(
    st.tuples(st.one_of(st.none(), st.integers(0, 10)), st.one_of(st.none(), st.integers(0, 10))),
    min_size=0, max_size=40,
)


def _split(data: list) -> tuple[list, list]:
    return [a for a, _ in data], [b for _, b in data]


@settings(max_examples=80, deadline=None)
@given(pairs)
def test_swapping_waves_flips_effects_and_keeps_p(data) -> None:
    pre, post = _split(data)
    pre_f = np.array([np.nan if v is None else v for v in pre], dtype=float)
    post_f = np.array([np.nan if v is None else v for v in post], dtype=float)
    classical_wilcoxon = functools.partial(wilcoxon, estimator="all_differences")
    for fn in (paired_t, classical_wilcoxon, sign_test, wilcoxon):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a, b = fn(pre_f, post_f), fn(post_f, pre_f)
        assert a.n == b.n and a.n_dropped == b.n_dropped
        if fn is wilcoxon and a.estimate_code == "hl_root_post_pre":
            # R's root finding is not symmetric: each estimate is *a* root of its own statistic
            # (within uniroot's tolerance), and the p-values agree
            if a.p_value is None or b.p_value is None:   # degenerate data: both report a status, no p
                assert a.p_value is None and b.p_value is None and a.status == b.status
                continue
            assert a.p_value == pytest.approx(b.p_value, rel=1e-9, abs=1e-15)
            for res, d in ((a, post_f - pre_f), (b, pre_f - post_f)):
                d = d[~np.isnan(d) & (d != 0)]
                values, counts = np.unique(d, return_counts=True)
                z = [
                    signed_rank_z(values, counts.astype(float), res.estimate + s, False, "two-sided")
                    for s in (-1e-3, 1e-3)
                ]
                assert z[0] >= 0 >= z[1] or all(math.isnan(v) for v in z)
            continue
        assert (a.p_value is None and b.p_value is None) or a.p_value == pytest.approx(b.p_value, rel=1e-9, abs=1e-15)
        if a.p_value is not None:
            assert 0.0 <= a.p_value <= 1.0
        for x, y in ((a.effect_size, b.effect_size), (a.estimate, b.estimate)):
            assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(-y, abs=1e-12)
        for x, y in zip(a.estimate_ci, reversed(b.estimate_ci), strict=True):
            assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(-y, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(pairs, st.sampled_from(ALTERNATIVES))
def test_p_values_lie_in_unit_interval(data, alternative) -> None:
    pre, post = _split(data)
    for fn in (paired_t, wilcoxon, sign_test):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = fn(pre, post, alternative=alternative)
        assert r.p_value is None or 0.0 <= r.p_value <= 1.0
        assert r.n + r.n_dropped == len(data)
