"""Regressions found by the report engineers."""

import math

from evalkit.compare import paired_t


def test_paired_t_two_pairs_extreme_t_does_not_crash():
    # df = 1 and |t| ~ 21: scipy's nctdtr is NaN far in the tail; the d_z limit it cannot find is NaN
    r = paired_t([0.11794871794871795, 0.09487179487179487], [0.047435897435897434, 0.03076923076923077])
    assert r.n == 2 and 0 < r.p_value < 0.05
    assert math.isnan(r.effect_size_ci.high) or r.effect_size_ci.high < r.effect_size


def test_small_rxc_fisher_fallback_returns_scalars():
    import pytest

    from evalkit.compare import chi_square

    r = chi_square([[0, 1], [1, 0], [0, 1]])
    assert r.method.startswith("Fisher-Freeman-Halton") and isinstance(r.statistic, float)
    # By hand: margins (1, 1, 1) x (1, 2) allow 3 tables, each with probability 1/3, so every table is
    # as likely as the observed one and the exact p-value is 1.
    assert r.p_value == pytest.approx(1.0, abs=1e-9)
