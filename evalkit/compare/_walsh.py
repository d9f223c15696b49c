"""Order statistics of pairwise sums without materialising all of them.

The Hodges-Lehmann estimators and their distribution-free confidence limits are order statistics of

* the Walsh averages ``(d_i + d_j) / 2, i <= j`` of n paired differences (n(n+1)/2 values), and
* the pairwise differences ``y_j - x_i`` of two samples (n_x * n_y values).

For n = 10,000 pairs that is 50 million values, too many to build for every stratum of a report.
:func:`kth_pairwise_sums` finds the k-th smallest sum in three ways, all exact:

1. *few distinct values* (registry scores are integers 0-10, WHO-5 steps of 4): the sums of the
   distinct values, weighted by how often each pair occurs, are sorted and cumulated;
2. *small n*: all sums are built and partitioned;
3. otherwise a *counting selection*: ``#{sums <= t}`` costs one ``searchsorted`` (O(n log n)); a
   bracket [lo, hi] around the k-th value is narrowed by interpolation/bisection until it holds
   O(n) sums, which are then gathered and partitioned.
"""

from __future__ import annotations

import numpy as np

_UNIQUE_PAIRS_MAX = 4_000_000
_DIRECT_PAIRS_MAX = 2_000_000


def _count_le(a: np.ndarray, b: np.ndarray, t: float, triangular: bool) -> int:
    """Number of pairs with ``a_i + b_j <= t`` (``j >= i`` when ``triangular``); a, b sorted."""
    idx = np.searchsorted(b, t - a, side="right")
    if triangular:
        idx = idx - np.arange(a.size)
        np.clip(idx, 0, None, out=idx)
    return int(idx.sum())


def _by_unique_values(a: np.ndarray, b: np.ndarray, ks: np.ndarray, triangular: bool) -> np.ndarray:
    ua, ca = np.unique(a, return_counts=True)
    if triangular:
        i, j = np.triu_indices(ua.size)
        sums = ua[i] + ua[j]
        weight = np.where(i == j, ca[i] * (ca[i] + 1) // 2, ca[i] * ca[j])
    else:
        ub, cb = np.unique(b, return_counts=True)
        sums = np.add.outer(ua, ub).ravel()
        weight = np.multiply.outer(ca, cb).ravel()
    order = np.argsort(sums, kind="stable")
    cum = np.cumsum(weight[order])
    return sums[order][np.searchsorted(cum, ks, side="left")]


def _direct(a: np.ndarray, b: np.ndarray, ks: np.ndarray, triangular: bool) -> np.ndarray:
    if triangular:
        i, j = np.triu_indices(a.size)
        sums = a[i] + a[j]
    else:
        sums = np.add.outer(a, b).ravel()
    part = np.partition(sums, ks - 1)
    return part[ks - 1]


def _select_one(a: np.ndarray, b: np.ndarray, k: int, total: int, triangular: bool) -> float:
    n = a.size
    lo = float(a[0] + b[0]) - 1.0 - abs(float(a[0] + b[0]))  # strictly below every sum
    hi = float(a[-1] + b[-1])
    c_lo, c_hi = 0, total
    band_max = 8 * (n + b.size) + 1024
    step = 0
    while c_hi - c_lo > band_max:
        width = hi - lo
        if step % 2 == 0:  # interpolation, kept away from the ends
            frac = (k - c_lo) / (c_hi - c_lo)
            t = lo + width * min(max(frac, 0.02), 0.98)
        else:
            t = lo + width / 2.0
        step += 1
        if not lo < t < hi:  # the bracket cannot shrink: all sums inside are equal to hi
            return hi
        c = _count_le(a, b, t, triangular)
        if c >= k:
            hi, c_hi = t, c
        else:
            lo, c_lo = t, c
    # Gather every sum in a slightly widened (lo, hi] and pick the right one exactly: pairs left of
    # the band sum to at most lo - tol (< the k-th sum), pairs right of it to more than hi + tol.
    tol = 8 * np.finfo(float).eps * max(abs(lo), abs(hi), 1.0)
    start = np.searchsorted(b, (lo - tol) - a, side="right")
    stop = np.searchsorted(b, (hi + tol) - a, side="right")
    if triangular:
        base = np.arange(n)
        start = np.maximum(start, base)
        stop = np.maximum(stop, base)
    below = int(start.sum() - (np.arange(n).sum() if triangular else 0))
    lengths = stop - start
    rows = np.repeat(np.arange(n), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    cols = start[rows] + offsets
    band = a[rows] + b[cols]
    r = k - below
    if not 1 <= r <= band.size:  # floating-point bracket failure: fall back to a full count
        return float(_direct(a, b, np.array([k]), triangular)[0])
    return float(np.partition(band, r - 1)[r - 1])


def kth_pairwise_sums(a: np.ndarray, b: np.ndarray | None, ks: np.ndarray) -> np.ndarray:
    """The ``ks``-th smallest (1-based) of ``a_i + b_j``; with ``b=None`` of ``a_i + a_j, i <= j``.

    Parameters
    ----------
    a, b
        Finite float arrays (any order). ``b=None`` selects the triangular (Walsh) set.
    ks
        1-based ranks, each in ``1 .. number of sums``.

    Examples
    --------
    >>> kth_pairwise_sums(np.array([1.0, 3.0, 2.0]), None, np.array([1, 3, 6]))
    array([2., 4., 6.])
    >>> kth_pairwise_sums(np.array([0.0, 10.0]), np.array([1.0, 2.0]), np.array([2, 4]))
    array([ 2., 12.])
    """
    triangular = b is None
    a = np.sort(np.asarray(a, dtype=float))
    b = a if triangular else np.sort(np.asarray(b, dtype=float))
    ks = np.asarray(ks, dtype=np.int64)
    total = a.size * (a.size + 1) // 2 if triangular else a.size * b.size
    if ks.size == 0:
        return np.empty(0)
    if ks.min() < 1 or ks.max() > total:
        raise ValueError(f"`ks` must lie in 1..{total}")
    n_ua = np.unique(a).size
    n_unique = n_ua * (n_ua if triangular else np.unique(b).size)
    if n_unique <= _UNIQUE_PAIRS_MAX and n_unique * 4 <= total:
        return _by_unique_values(a, b, ks, triangular)
    if total <= _DIRECT_PAIRS_MAX:
        return _direct(a, b, ks, triangular)
    return np.array([_select_one(a, b, int(k), total, triangular) for k in ks])


def walsh_order_statistics(d: np.ndarray, ks: np.ndarray) -> np.ndarray:
    """The ``ks``-th smallest Walsh averages ``(d_i + d_j)/2, i <= j`` (1-based ranks).

    >>> walsh_order_statistics(np.array([0.952, -0.147, 1.022]), np.array([1, 6]))
    array([-0.147,  1.022])
    """
    return kth_pairwise_sums(d, None, ks) / 2.0


def median_rank_pair(total: int) -> np.ndarray:
    """The 1-based ranks whose mean is the median of ``total`` ordered values.

    >>> median_rank_pair(45), median_rank_pair(4)
    (array([23, 23]), array([2, 3]))
    """
    if total % 2:
        return np.array([total // 2 + 1] * 2)
    return np.array([total // 2, total // 2 + 1])
