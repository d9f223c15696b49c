"""Shared building blocks of the synthetic-export generators in :mod:`evalkit.synth`.

Every generator here is *constructive*: it draws plausible values from a seeded
:class:`numpy.random.Generator`, then repairs them with small integer moves until the
group totals equal the design's targets exactly (``repair_sum``). Counts are split with
largest-remainder rounding (``apportion``), so a design scaled to any size keeps its
proportions. Frames are built with the canonical dtypes of the data dictionary
(``canonical_frame``, dictionary in ``evalkit/io/dictionary/*.yaml``): ids and strings as
``pd.ArrowDtype(pa.string())``, whole numbers ``int64[pyarrow]``, decimals
``double[pyarrow]``, booleans ``bool[pyarrow]``, dates ``date32[pyarrow]`` and categories as
pandas ``Categorical`` over the dictionary codes (ordered where the dictionary says so).

No function here loops over persons in Python; all of them are vectorised over numpy arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.io.schema import ColumnSpec, TableSpec, dataset

__all__ = [
    "apportion",
    "beta_days",
    "canonical_frame",
    "make_ids",
    "overdispersed_counts",
    "repair_sum",
    "scale_half_up",
    "split_first",
    "split_total",
    "streams",
    "tilted_pmf",
]


def streams(seed: int, names: Sequence[str]) -> dict[str, np.random.Generator]:
    """Independent, reproducible random streams, one per name.

    The streams are spawned from ``numpy.random.SeedSequence(seed)`` in the order of
    ``names``, so adding a stream at the end of the list leaves the earlier ones unchanged.

    Parameters
    ----------
    seed : int
        Non-negative seed of the whole generator run.
    names : sequence of str
        One name per independent block of the generator (structure, ages, outcomes, ...).

    Returns
    -------
    dict of str to numpy.random.Generator

    Examples
    --------
    >>> a = streams(7, ["x", "y"])
    >>> b = streams(7, ["x", "y"])
    >>> int(a["y"].integers(1000)) == int(b["y"].integers(1000))
    True
    """
    if seed < 0:
        raise ValueError(f"`seed` must be a non-negative integer, got {seed}")
    children = np.random.SeedSequence(seed).spawn(len(names))
    return {name: np.random.default_rng(child) for name, child in zip(names, children, strict=True)}


def apportion(total: int, weights: Sequence[float] | np.ndarray) -> np.ndarray:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder).

    Each part gets ``floor(total * w_i / sum(w))``; the units still missing go to the parts
    with the largest fractional remainders, ties to the earlier part (Hamilton's method).
    The parts always sum to ``total``, and integer weights that already sum to ``total``
    come back unchanged.

    Parameters
    ----------
    total : int
        Non-negative whole number to split.
    weights : sequence of float
        Non-negative weights, at least one positive.

    Returns
    -------
    numpy.ndarray of int64

    Examples
    --------
    >>> apportion(405, [124, 281]).tolist()
    [124, 281]
    >>> apportion(10, [124, 281]).tolist()
    [3, 7]
    >>> apportion(7, [1, 1, 1]).tolist()
    [3, 2, 2]
    """
    w = np.asarray(weights, dtype=float)
    if total < 0 or (w < 0).any() or not w.sum() > 0:
        raise ValueError("`total` must be >= 0 and `weights` non-negative with a positive sum")
    # exact rational quotas for integer weights avoid float ties at .5
    if np.all(np.equal(np.mod(w, 1), 0)):
        wi = w.astype(np.int64)
        num = np.int64(total) * wi
        den = wi.sum()
        base = num // den
        rem = num - base * den
        order = np.lexsort((np.arange(w.size), -rem))
    else:
        quota = total * w / w.sum()
        base = np.floor(quota).astype(np.int64)
        order = np.lexsort((np.arange(w.size), -(quota - base)))
    parts = base.astype(np.int64)
    missing = int(total - parts.sum())
    parts[order[:missing]] += 1
    return parts


def repair_sum(
    values: np.ndarray,
    target: int,
    lo: np.ndarray | int,
    hi: np.ndarray | int,
    rng: np.random.Generator,
    *,
    strict: bool = True,
) -> np.ndarray:
    """Move integer values by one unit at a time until their sum equals ``target``.

    In each pass every member that can still move in the needed direction without leaving
    ``[lo, hi]`` is a candidate; ``min(|gap|, #candidates)`` of them, drawn without
    replacement, move by one. The result keeps every value inside its bounds.

    Parameters
    ----------
    values : numpy.ndarray of int
        Starting values (a copy is changed, not the input).
    target : int
        Required sum.
    lo, hi : int or numpy.ndarray of int
        Per-member bounds (inclusive); the starting values must lie inside them.
    rng : numpy.random.Generator
        Chooses which members move.
    strict : bool, default True
        If the target cannot be reached inside the bounds, raise ``ValueError`` (True) or
        return the closest reachable values (False, used by scaled designs with tiny groups).

    Returns
    -------
    numpy.ndarray of int64

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> out = repair_sum(np.array([1, 1, 1]), 7, 0, 3, rng)
    >>> int(out.sum()), int(out.min()) >= 0, int(out.max()) <= 3
    (7, True, True)
    """
    v = np.asarray(values, dtype=np.int64).copy()
    lo_a = np.broadcast_to(np.asarray(lo, dtype=np.int64), v.shape)
    hi_a = np.broadcast_to(np.asarray(hi, dtype=np.int64), v.shape)
    if ((v < lo_a) | (v > hi_a)).any():
        raise ValueError("starting values must lie inside [lo, hi]")
    gap = int(target) - int(v.sum())
    while gap:
        step = 1 if gap > 0 else -1
        movable = np.flatnonzero(v < hi_a) if step > 0 else np.flatnonzero(v > lo_a)
        if movable.size == 0:
            if strict:
                raise ValueError(f"target {target} is out of reach inside the bounds (gap {gap})")
            break
        k = min(abs(gap), movable.size)
        pick = movable if k == movable.size else rng.choice(movable, size=k, replace=False)
        v[pick] += step
        gap -= step * k
    return v


def scale_half_up(value: int, new: int, old: int) -> int:
    """``value * new / old`` rounded half-up, in exact integer arithmetic (0 when ``old`` is 0).

    Examples
    --------
    >>> scale_half_up(4962, 1000, 333), scale_half_up(1, 1, 2)
    (14901, 1)
    """
    return (2 * value * new + old) // (2 * old) if old else 0


def split_first(total: int, part: int, whole: int) -> int:
    """The first share of ``total`` when split ``part : whole - part`` by :func:`apportion`.

    Examples
    --------
    >>> split_first(124, 105, 124), split_first(10, 105, 124)
    (105, 8)
    """
    return int(apportion(total, [part, whole - part])[0]) if whole else 0


def beta_days(n: int, mean: float, top: int, rng: np.random.Generator, conc: float = 1.6) -> np.ndarray:
    """Day counts in ``1..top`` from ``ceil(top x Beta)`` with the given mean and concentration.

    A low concentration gives the U-shaped spread typical of days-of-use items (many near-daily
    users and many occasional ones). The mean is approximate; callers meet exact sums with
    :func:`repair_sum`.

    Examples
    --------
    >>> x = beta_days(20000, 15.0, 30, np.random.default_rng(3))
    >>> int(x.min()) >= 1, int(x.max()) <= 30, abs(float(x.mean()) - 15.5) < 0.5
    (True, True, True)
    """
    m = float(np.clip(mean / top, 0.02, 0.98))
    return np.ceil(rng.beta(m * conc, (1 - m) * conc, n) * top).astype(np.int64)


def overdispersed_counts(n: int, mean: float, top: int, rng: np.random.Generator, shape: float = 0.9) -> np.ndarray:
    """Gamma-Poisson (negative binomial) counts with the given mean, capped at ``top``.

    Examples
    --------
    >>> x = overdispersed_counts(20000, 2.0, 14, np.random.default_rng(4))
    >>> int(x.max()) <= 14, abs(float(x.mean()) - 2.0) < 0.1, float((x == 0).mean()) > 0.3
    (True, True, True)
    """
    lam = rng.gamma(shape, max(mean, 1e-9) / shape, n)
    return np.minimum(rng.poisson(lam), top).astype(np.int64)


def tilted_pmf(pmf: np.ndarray, values: np.ndarray, mean: float) -> np.ndarray:
    """``pmf`` exponentially tilted, :math:`q_a \\propto p_a e^{\\theta a}`, to have the given mean.

    Tilting keeps the shape's mode region and moves the mean through the tails; theta is found
    by bisection (the tilted mean increases with theta). Means outside the support are clipped.

    Examples
    --------
    >>> q = tilted_pmf(np.array([0.25, 0.5, 0.25]), np.array([0, 1, 2]), 1.5)
    >>> round(float((q * np.array([0, 1, 2])).sum()), 6), bool(q[2] > q[0])
    (1.5, True)
    """
    mean = float(np.clip(mean, values[0] + 0.01, values[-1] - 0.01))
    lo, hi = -20.0, 20.0
    centred = values - values.mean()
    for _ in range(80):
        theta = (lo + hi) / 2
        q = pmf * np.exp(theta * centred)
        q /= q.sum()
        lo, hi = (theta, hi) if (q * values).sum() < mean else (lo, theta)
    return q


def split_total(totals: np.ndarray, n_parts: int, part_max: int, rng: np.random.Generator,
                shuffles: int = 4) -> np.ndarray:
    """Split whole-number totals into ``n_parts`` items, each in ``0..part_max``.

    Starts from the most even split (the remainder goes to randomly chosen items), then makes
    ``shuffles`` rounds of random one-unit transfers between two items of the same row where
    bounds allow. Row sums never change. Used to turn a WHO-5 raw score (0-25) into the five
    0-5 items.

    Parameters
    ----------
    totals : numpy.ndarray of int
        One total per row, each in ``0..n_parts * part_max``.
    n_parts, part_max : int
        Items per row and the maximum of one item.
    rng : numpy.random.Generator
    shuffles : int, default 4
        Rounds of random transfers (more rounds, more spread between items).

    Returns
    -------
    numpy.ndarray of int64, shape ``(len(totals), n_parts)``

    Examples
    --------
    >>> items = split_total(np.array([0, 13, 25]), 5, 5, np.random.default_rng(1))
    >>> items.sum(axis=1).tolist(), int(items.min()), int(items.max())
    ([0, 13, 25], 0, 5)
    """
    t = np.asarray(totals, dtype=np.int64)
    if ((t < 0) | (t > n_parts * part_max)).any():
        raise ValueError("every total must lie in 0..n_parts*part_max")
    n = t.size
    base = t // n_parts
    extra = t - base * n_parts
    rank = np.argsort(rng.random((n, n_parts)), axis=1)
    items = base[:, None] + (rank < extra[:, None])
    rows = np.arange(n)
    for _ in range(shuffles):
        src = rng.integers(0, n_parts, n)
        dst = rng.integers(0, n_parts, n)
        ok = (src != dst) & (items[rows, src] > 0) & (items[rows, dst] < part_max)
        items[rows[ok], src[ok]] -= 1
        items[rows[ok], dst[ok]] += 1
    return items.astype(np.int64)


def make_ids(prefix: str, n: int, width: int | None = None, start: int = 1) -> pa.Array:
    """Sequential string ids ``prefix`` + zero-padded number, built with pyarrow kernels.

    Parameters
    ----------
    prefix : str
        Leading letters, e.g. ``"U"``.
    n : int
        How many ids.
    width : int, optional
        Digits; default the digits of the largest number, at least 4.
    start : int, default 1
        First number.

    Returns
    -------
    pyarrow.Array of string

    Examples
    --------
    >>> make_ids("U", 3).to_pylist()
    ['U0001', 'U0002', 'U0003']
    """
    last = start + max(n, 1) - 1
    width = max(4, len(str(last))) if width is None else width
    digits = pc.utf8_lpad(pc.cast(pa.array(np.arange(start, start + n, dtype=np.int64)), pa.string()),
                          width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def _arrow_column(spec: ColumnSpec, values: Any, n: int) -> Any:
    """One column in the canonical dtype of ``spec``; ``values=None`` gives an all-missing column."""
    if spec.dtype == "category":
        if values is None:
            codes = np.full(n, -1, dtype=np.int64)
        else:
            codes = np.asarray(values)
            if codes.dtype.kind not in "iu":
                raise TypeError(f"category column {spec.name!r} takes integer codes (-1 = missing)")
        if codes.size and (codes.max() >= len(spec.codes) or codes.min() < -1):
            raise ValueError(f"column {spec.name!r}: code out of range")
        return pd.Categorical.from_codes(codes, categories=spec.codes, ordered=spec.ordered)
    typ = {"id": pa.string(), "string": pa.string(), "int": pa.int64(), "float": pa.float64(),
           "bool": pa.bool_(), "date": pa.date32()}[spec.dtype]
    if values is None:
        arr = pa.nulls(n, type=typ)
    elif isinstance(values, (pa.Array, pa.ChunkedArray)):
        arr = values.cast(typ)
    elif isinstance(values, np.ma.MaskedArray):
        arr = pa.array(np.ma.getdata(values), mask=np.ma.getmaskarray(values)).cast(typ)
    else:
        arr = pa.array(np.asarray(values), from_pandas=True).cast(typ)
    return pd.Series(pd.arrays.ArrowExtensionArray(arr))


def canonical_frame(dataset_name: str, table: str, columns: Mapping[str, Any]) -> pd.DataFrame:
    """A DataFrame with exactly the dictionary's columns, in its order and canonical dtypes.

    Parameters
    ----------
    dataset_name : str
        Dictionary dataset (``"udgaaende"``, ``"hcs"``, ``"ung-rusmidler"``).
    table : str
        Canonical table name.
    columns : mapping of str to array-like
        Values per column. Categories are integer codes into the dictionary's code list
        (-1 = missing); other columns are numpy arrays (NaN/NaT = missing), numpy masked arrays
        or pyarrow arrays. Optional columns left out become all-missing; a required column left
        out, or a name the dictionary does not know, is an error.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> f = canonical_frame("udgaaende", "omkostninger",
    ...                     {"kommune": np.array(["Odense"]), "projektaar": np.array([1]),
    ...                      "beloeb_kr": np.array([100.0])})
    >>> [str(t) for t in f.dtypes]
    ['string[pyarrow]', 'int64[pyarrow]', 'double[pyarrow]', 'int64[pyarrow]']
    """
    spec: TableSpec = dataset(dataset_name).table(table)
    unknown = set(columns) - set(spec.column_names)
    if unknown:
        raise KeyError(f"table {table!r} has no column(s) {sorted(unknown)}")
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"table {table!r}: columns differ in length {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    data = {}
    for col in spec.columns:
        if col.name not in columns and col.required:
            raise KeyError(f"table {table!r}: required column {col.name!r} not generated")
        data[col.name] = _arrow_column(col, columns.get(col.name), n)
    return pd.DataFrame(data)
