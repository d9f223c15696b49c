"""Null distributions and statistics of the Wilcoxon signed-rank test (no scipy internals).

All distributions are probability vectors over integer-valued statistics built by the classic
subset-sum recursion: adding a score s with a random sign maps a pmf ``p`` to ``(p + shift(p, s))/2``.
Average ranks of tied values are half-integers, so the permutation distribution works on doubled
ranks, which are integers.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from scipy import stats


def subset_sum_pmf(scores: np.ndarray) -> np.ndarray:
    """pmf of ``sum(s_i * B_i)`` for independent fair coins ``B_i`` and non-negative integer scores.

    >>> subset_sum_pmf(np.array([1, 2]))
    array([0.25, 0.25, 0.25, 0.25])
    """
    scores = np.asarray(scores, dtype=np.int64)
    pmf = np.zeros(int(scores.sum()) + 1)
    pmf[0] = 1.0
    top = 0
    for s in np.sort(scores):
        if s == 0:
            continue
        top += int(s)
        head = pmf[: top + 1 - s].copy()
        pmf[: top + 1] *= 0.5
        pmf[s : top + 1] += 0.5 * head
    return pmf


@lru_cache(maxsize=64)
def signrank_pmf(n: int) -> np.ndarray:
    """Exact null pmf of W+ for n untied, non-zero differences (ranks 1..n).

    >>> signrank_pmf(3) * 8
    array([1., 1., 1., 2., 1., 1., 1.])
    """
    pmf = subset_sum_pmf(np.arange(1, n + 1))
    pmf.setflags(write=False)
    return pmf


def tail_p(pmf: np.ndarray, observed: int, alternative: str) -> float:
    """p-value of an integer statistic under ``pmf`` (``greater``: P(W >= w); two-sided: 2 min tail)."""
    upper = float(pmf[observed:].sum())
    lower = float(pmf[: observed + 1].sum())
    if alternative == "greater":
        return min(upper, 1.0)
    if alternative == "less":
        return min(lower, 1.0)
    return min(2.0 * min(upper, lower), 1.0)


def ranks_with_ties(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average ranks of ``values`` and the sizes of the tie groups (size >= 1)."""
    order = np.argsort(values, kind="stable")
    sorted_v = values[order]
    n = values.size
    if n == 0:
        return np.empty(0), np.empty(0, dtype=np.int64)
    new_group = np.empty(n, dtype=bool)
    new_group[0] = True
    np.not_equal(sorted_v[1:], sorted_v[:-1], out=new_group[1:])
    starts = np.flatnonzero(new_group)
    sizes = np.diff(np.append(starts, n))
    avg = starts + (sizes + 1) / 2.0  # 1-based average rank of each group
    ranks = np.empty(n)
    ranks[order] = np.repeat(avg, sizes)
    return ranks, sizes


def signed_rank_statistic(d: np.ndarray, zero_method: str) -> dict[str, Any]:
    """W+, W-, the normal-approximation mean and SD, and bookkeeping for a difference vector.

    Follows scipy.stats.wilcoxon (1.17): ``wilcox`` drops zeros before ranking; ``pratt`` ranks
    zeros with the rest but gives them no sign and removes them from mean, variance and tie
    correction (Cureton 1967); ``zsplit`` gives half of each zero's rank to each sign.
    """
    zeros = d == 0
    n_zero = int(zeros.sum())
    work = d[~zeros] if zero_method == "wilcox" else d
    ranks, tie_sizes = ranks_with_ties(np.abs(work))
    count = work.size
    w_plus = float(ranks[work > 0].sum())
    w_minus = float(ranks[work < 0].sum())
    mean = count * (count + 1) / 4.0
    var24 = count * (count + 1) * (2.0 * count + 1)
    ties = tie_sizes.astype(float)
    if zero_method == "pratt" and n_zero:
        mean -= n_zero * (n_zero + 1) / 4.0
        var24 -= n_zero * (n_zero + 1) * (2.0 * n_zero + 1)
        ties = ties[1:]  # the zeros form the first (smallest |d|) tie group
    if zero_method == "zsplit" and n_zero:
        half = float(ranks[work == 0].sum()) / 2.0
        w_plus += half
        w_minus += half
    tie_term = float(np.sum(ties**3 - ties))
    sd = float(np.sqrt(max(var24 - tie_term / 2.0, 0.0) / 24.0))
    nonzero_abs = np.sort(np.abs(d[~zeros]))
    has_ties = bool(nonzero_abs.size > 1 and (nonzero_abs[1:] == nonzero_abs[:-1]).any())
    return {
        "w_plus": w_plus,
        "w_minus": w_minus,
        "mean": mean,
        "sd": sd,
        "count": float(count),
        "n_zero": float(n_zero),
        "n_nonzero": float(count - (0 if zero_method == "wilcox" else n_zero)),
        "has_ties": float(has_ties),
        "ranks": ranks,
        "work": work,
    }


def normal_p(w_plus: float, mean: float, sd: float, alternative: str, correction: bool) -> tuple[float, float]:
    """z statistic (with continuity correction as scipy) and its p-value."""
    z = (w_plus - mean) / sd
    if correction:
        sign = {"greater": 1.0, "less": -1.0}.get(alternative, float(np.sign(z)))
        z -= sign * 0.5 / sd
    if alternative == "greater":
        return z, float(stats.norm.sf(z))
    if alternative == "less":
        return z, float(stats.norm.cdf(z))
    return z, float(min(2.0 * stats.norm.sf(abs(z)), 1.0))


def permutation_p(stat: dict, zero_method: str, alternative: str) -> float:
    """Exact p-value conditional on the observed ranks (ties and zeros allowed).

    Signs of the non-zero differences are exchangeable under H0; zeros keep their fixed
    contribution. Computed on doubled ranks so every score is an integer.
    """
    work, ranks = stat["work"], stat["ranks"]
    nonzero = work != 0
    scores = np.rint(2.0 * ranks[nonzero]).astype(np.int64)
    # Zeros (zsplit) add the same amount to W+ under every sign pattern, so both the observed
    # statistic and its distribution leave them out.
    observed = int(np.rint(2.0 * ranks[work > 0].sum()))
    pmf = subset_sum_pmf(scores)
    return tail_p(pmf, observed, alternative)


def exact_lower_quantile(n: int, prob: float) -> int:
    """Smallest q with P(W+ <= q) >= prob under the untied null (R ``qsignrank``).

    >>> exact_lower_quantile(9, 0.025)
    6
    """
    cdf = np.cumsum(signrank_pmf(n))
    return int(np.searchsorted(cdf, prob * (1 - 1e-12), side="left"))
