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
   bracket [lo, hi] around the k-th value is started from the sums of a thinned, evenly spaced
   subsample, narrowed by Illinois false position on the counting function until it holds O(n)
   sums, which are then gathered and partitioned. Adjacent ranks (an even median) share one search.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

_UNIQUE_PAIRS_MAX = 4_000_000
_DIRECT_PAIRS_MAX = 2_000_000
_THIN = 384


@lru_cache(maxsize=8)
def _triu(m: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(m)


def _count_le(a: np.ndarray, b: np.ndarray, t: float, triangular: bool) -> int:
    """Number of pairs with ``a_i + b_j <= t`` (``j >= i`` when ``triangular``); a, b sorted.

    The queries ``t - a_i`` are passed in ascending order (``a`` reversed), which numpy's
    ``searchsorted`` answers about a quarter faster than descending ones.
    """
    idx = np.searchsorted(b, t - a[::-1], side="right")
    if triangular:
        idx -= np.arange(a.size - 1, -1, -1)
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


def _neighbours(a: np.ndarray, b: np.ndarray, t: float, triangular: bool) -> tuple[float, float]:
    """The largest sum <= t and the smallest sum > t (used when t falls between two wanted ranks)."""
    n = a.size
    j = np.searchsorted(b, t - a, side="right")  # first j with a_i + b_j > t
    rows = np.arange(n)
    lower = j - 1
    ok_low = lower >= (rows if triangular else 0)
    ok_high = j < b.size
    if triangular:
        j = np.maximum(j, rows)
        ok_high = j < b.size
    below = (a[ok_low] + b[lower[ok_low]]).max()
    above = (a[ok_high] + b[j[ok_high]]).min()
    return float(below), float(above)


def _select(
    a: np.ndarray, b: np.ndarray, ks: np.ndarray, total: int, triangular: bool, pilot: np.ndarray
) -> np.ndarray:
    """Exact ``ks``-th sums (one rank, or two adjacent ranks) by counting selection."""
    n = a.size
    k_min, k_max = int(ks.min()), int(ks.max())
    lo = float(a[0] + b[0]) - 1.0 - abs(float(a[0] + b[0]))  # strictly below every sum
    hi = float(a[-1] + b[-1])
    c_lo, c_hi = 0, total
    # A pilot bracket from the sums of a thinned, evenly spaced subsample of m points per sample:
    # its quantiles are within about 1/m (in probability) of the full set's.
    margin = 3.0 / _THIN
    for q in ((k_min - 1) / total - margin, k_max / total + margin):
        if 0.0 < q < 1.0:
            t = float(pilot[int(q * (pilot.size - 1))])  # pilot is sorted
            c = _count_le(a, b, t, triangular)
            if c < k_min and t > lo:
                lo, c_lo = t, c
            elif c >= k_max and t < hi:
                hi, c_hi = t, c
    band_max = 2 * (n + b.size) + 1024
    target = (k_min + k_max) / 2.0
    weight_lo = weight_hi = 1.0
    last_side = 0
    while c_hi - c_lo > band_max:
        f_lo, f_hi = (c_lo - target) * weight_lo, (c_hi - target) * weight_hi
        t = (lo * f_hi - hi * f_lo) / (f_hi - f_lo)  # Illinois false position on the counting function
        width = hi - lo
        t = min(max(t, lo + 1e-3 * width), hi - 1e-3 * width)
        if not lo < t < hi:  # the bracket cannot shrink: every sum inside equals hi
            return np.full(ks.size, hi)
        c = _count_le(a, b, t, triangular)
        if c >= k_max:
            hi, c_hi = t, c
            weight_hi = 1.0
            weight_lo = weight_lo / 2.0 if last_side == 1 else 1.0
            last_side = 1
        elif c < k_min:
            lo, c_lo = t, c
            weight_lo = 1.0
            weight_hi = weight_hi / 2.0 if last_side == -1 else 1.0
            last_side = -1
        else:  # k_min <= c < k_max: t separates two adjacent wanted ranks
            below, above = _neighbours(a, b, t, triangular)
            return np.array([below if k == k_min else above for k in ks])
    # Gather every sum in a slightly widened (lo, hi] and pick the wanted ones exactly: pairs left of
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
    band = a[rows] + b[start[rows] + offsets]
    r = ks - below
    if r.min() < 1 or r.max() > band.size:  # floating-point bracket failure: count everything
        return _direct(a, b, ks, triangular)
    part = np.partition(band, r - 1)
    return part[r - 1]


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
    m = min(a.size, _THIN)
    thin_a = a[np.linspace(0, a.size - 1, m).round().astype(np.int64)]
    if triangular:
        i, j = _triu(m)
        pilot = thin_a[i] + thin_a[j]
    else:
        thin_b = b[np.linspace(0, b.size - 1, min(b.size, _THIN)).round().astype(np.int64)]
        pilot = np.add.outer(thin_a, thin_b).ravel()
    pilot.sort()
    out = np.empty(ks.size)
    order = np.argsort(ks)
    sorted_ks = ks[order]
    first = 0
    while first < sorted_ks.size:  # adjacent ranks (the two middle ones of an even count) share one search
        stop = first + 1
        while stop < sorted_ks.size and sorted_ks[stop] - sorted_ks[first] <= 1:
            stop += 1
        out[order[first:stop]] = _select(a, b, sorted_ks[first:stop], total, triangular, pilot)
        first = stop
    return out


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
