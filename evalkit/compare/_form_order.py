"""How the forms of each unit are put in order and numbered: the first half of the trajectory engine.

Forms are sorted by (unit, date), ties broken by further order columns (e.g. ``tem_id``), then by
their values, then kept in input order (counted); the k-th form of a unit is its k-th in that order
and only the first ``upto`` are kept (UNG Rusmidler, footnote 23). :mod:`evalkit.compare.trajectories` holds the
public functions; this module is private to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["FormPositions", "SortedForms", "sort_forms", "sort_registrations"]

_MISSING = np.iinfo(np.int64).min


def _as_list(cols: str | Sequence[str]) -> list[str]:
    return [cols] if isinstance(cols, str) else list(cols)


def _arrow(col: pd.Series) -> pa.ChunkedArray:
    """The pyarrow data behind an Arrow-backed Series (via the ``__arrow_array__`` protocol)."""
    arr = col.array.__arrow_array__()
    return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])


def _order_codes(col: pd.Series) -> np.ndarray:
    """Non-negative int64 codes that sort like ``col`` (-1 = missing)."""
    dtype = col.dtype
    raw: np.ndarray | None = None   # integers in sort order; missing values marked by the int64 minimum
    if isinstance(dtype, pd.ArrowDtype):
        t = dtype.pyarrow_dtype
        if pa.types.is_date(t) or pa.types.is_timestamp(t) or pa.types.is_integer(t):
            arr = _arrow(col)
            target = pa.int32() if pa.types.is_date32(t) else pa.int64()
            arr = arr.cast(target) if not pa.types.is_integer(t) else arr
            if arr.null_count:
                mask = arr.is_null().to_numpy(zero_copy_only=False)
                raw = arr.fill_null(0).to_numpy().astype(np.int64)
                raw[mask] = _MISSING
            else:  # the usual case: no mask and no int64 copy before the one below
                raw = arr.to_numpy()
    elif np.issubdtype(getattr(dtype, "type", object), np.datetime64):
        raw = col.to_numpy().view(np.int64)  # NaT is int64 min
    elif pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_extension_array_dtype(dtype):
        raw = col.to_numpy()
    if raw is not None:
        if raw.size == 0:
            return np.zeros(0, dtype=np.int64)
        low, high = int(raw.min()), int(raw.max())
        missing = None
        if low == _MISSING:   # only then is an element-wise mask needed (each 12M-row temporary costs)
            missing = raw == _MISSING
            if missing.all():
                return np.full(raw.size, -1, dtype=np.int64)
            valid = raw[~missing]
            low, high = int(valid.min()), int(valid.max())
        if high - low < 2**40:
            out = raw.astype(np.int64)
            out -= low
            if missing is not None:
                out[missing] = -1
            return out
    codes, _ = pd.factorize(col, sort=True)
    return codes.astype(np.int64)


def _id_codes(ids: pd.Series, cohort: Any) -> tuple[np.ndarray, pd.Index]:
    """Codes 0..n_ids-1 in sorted-id order (-1 = missing / outside the cohort) and the sorted ids."""
    if cohort is not None:
        uniques = pd.Index(pd.unique(pd.Series(cohort).dropna()))
        uniques = uniques.take(uniques.argsort())
        return uniques.get_indexer(ids).astype(np.int64), uniques
    if isinstance(ids.dtype, pd.ArrowDtype):  # pyarrow's hash encoder is the fastest route
        arr = _arrow(ids)
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
        encoded = pc.dictionary_encode(arr)  # int32 indices: half the memory traffic of int64 codes
        indices = encoded.indices if encoded.indices.null_count == 0 else encoded.indices.fill_null(-1)
        codes = indices.to_numpy(zero_copy_only=False)
        order = pc.sort_indices(encoded.dictionary).to_numpy()
        uniques = pd.Index(pd.arrays.ArrowExtensionArray(encoded.dictionary.take(pa.array(order))))
    else:
        codes, raw_uniques = pd.factorize(ids, sort=False)
        raw_uniques = raw_uniques if isinstance(raw_uniques, pd.Index) else pd.Index(raw_uniques)
        order = raw_uniques.argsort()
        uniques = raw_uniques.take(order)
    small = order.size < 2**31 - 1
    rank = np.empty(order.size + 1, dtype=np.int32 if small else np.int64)
    rank[order] = np.arange(order.size)
    rank[-1] = -1  # code -1 (missing id) indexes the last slot and stays -1
    return rank[codes], uniques


def _sort_rows(code: np.ndarray, keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row permutation sorting by (code, *keys), the sorted codes, and which sorted rows tie with the next.

    Rows are numbered 0..n-1; when everything fits in 63 bits the (code, keys, row) tuple is packed
    into one int64 and sorted with numpy's vectorised sort (about 10x faster than ``argsort``), or
    not at all when one pass finds it in order already (an export sorted by id and date).
    """
    n = code.size
    bits_row = max(int(n - 1).bit_length(), 1)
    bits = [max(int(code.max()).bit_length(), 1)] + [max(int(k.max()).bit_length(), 1) for k in keys]
    if sum(bits) + bits_row <= 63:
        packed = code.astype(np.int64, copy=True)
        for k, b in zip(keys, bits[1:], strict=True):
            packed <<= b
            packed |= k
        packed <<= bits_row
        packed |= np.arange(n, dtype=np.int64)
        if n > 1 and not bool(np.all(packed[1:] >= packed[:-1])):   # exports often come sorted: one pass
            packed.sort()
        high = packed >> bits_row
        ties = high[1:] == high[:-1]
        high >>= sum(bits[1:])
        packed &= (1 << bits_row) - 1
        return packed, high, ties
    perm = np.lexsort([*reversed(keys), code])
    sorted_code = code[perm]
    ties = sorted_code[1:] == sorted_code[:-1]
    for k in keys:
        ks = k[perm]
        ties &= ks[1:] == ks[:-1]
    return perm, sorted_code, ties


def _break_ties(
    perm: np.ndarray, ties: np.ndarray, tie_keys: list[pd.Series], values: list[np.ndarray]
) -> tuple[np.ndarray, int]:
    """Order rows whose (id, first order key) tie by the remaining order columns, then by their values.

    ``tie_keys`` are the further ``order`` columns restricted to the rows being sorted (in ``perm``'s
    numbering); they are only evaluated on the tied rows, which keeps a string tie-breaker such as
    ``tem_id`` cheap. A missing tie-breaker sorts last. Returns the new permutation and the number of
    rows still tied after the tie-breakers (ordered by value, so input row order cannot matter).
    """
    if not ties.any():
        return perm, 0
    tied = np.zeros(perm.size, dtype=bool)
    tied[1:] |= ties
    tied[:-1] |= ties
    pos = np.flatnonzero(tied)
    starts = np.ones(pos.size, dtype=bool)
    starts[1:] = ~ties[pos[1:] - 1]
    group = np.cumsum(starts)
    rows = perm[pos]
    secondary = []
    for col in tie_keys:
        codes = _order_codes(col.iloc[rows].reset_index(drop=True))
        secondary.append(np.where(codes < 0, np.iinfo(np.int64).max, codes))
    value_keys = [np.where(np.isnan(v[rows]), np.inf, v[rows]) for v in values]
    order = np.lexsort([*reversed(value_keys), *reversed(secondary), group])
    perm[pos] = rows[order]  # in place: perm is locf's own array
    # rows still tied once the tie-breaker columns are used
    still = np.ones(pos.size - 1, dtype=bool) if pos.size > 1 else np.zeros(0, dtype=bool)
    for key in [group, *secondary]:
        ks = key[order]
        still &= ks[1:] == ks[:-1]
    unresolved = np.zeros(pos.size, dtype=bool)
    unresolved[1:] |= still
    unresolved[:-1] |= still
    return perm, int(unresolved.sum())


@dataclass(frozen=True)
class SortedForms:
    """Every usable form, sorted by (unit, date, tie-breakers, tie rule): :func:`sort_forms`.

    ``rows`` are input row numbers, ``unit`` the unit code of each (ascending). ``n_rows_unplaced``
    counts rows without a unit or a date; ``n_rows_tied`` rows still tied after every order key.
    """

    rows: np.ndarray
    unit: np.ndarray
    n_units: int
    n_rows: int
    n_rows_unplaced: int
    n_rows_tied: int

    def place(self, upto: int, where: np.ndarray | None = None) -> FormPositions:
        """Number each unit's forms k = 0, 1, ... and keep the first ``upto`` (optionally of a subset).

        ``where`` (one bool per input row) selects forms first, e.g. only group-course forms: their
        registration is then their rank among the selected forms of the unit.

        >>> s = sort_forms(np.array([1, 0, 1, 1]), np.array([5, 3, 2, 9]), n_units=2)
        >>> p = s.place(2)
        >>> p.rows.tolist(), p.unit.tolist(), p.k.tolist(), p.n_forms.tolist()
        ([1, 2, 0], [0, 1, 1], [0, 0, 1], [1, 3])
        """
        if upto < 1:
            raise ValueError(f"`upto` must be a positive integer, got {upto}")
        rows, unit = self.rows, self.unit
        if where is not None:
            sel = np.asarray(where, dtype=bool)[rows]
            rows, unit = rows[sel], unit[sel]
        m = unit.size
        n_forms = np.bincount(unit, minlength=self.n_units).astype(np.int64)
        # k = position in the sorted run of the unit: arange minus the run's start
        small = np.int32 if m < 2**31 - 1 else np.int64
        starts = (np.cumsum(n_forms) - n_forms).astype(small)
        k: np.ndarray = np.arange(m, dtype=small)
        k -= np.repeat(starts, n_forms)
        keep = k < upto
        n_beyond = int(m - np.count_nonzero(keep))
        if n_beyond:
            rows, unit, k = rows[keep], unit[keep], k[keep]
        identity = bool(rows.size == self.n_rows and (rows.size == 0 or (rows[0] == 0 and
                                                                          bool(np.all(np.diff(rows) == 1)))))
        return FormPositions(upto=upto, n_units=self.n_units, rows=rows, unit=unit,
                             k=k.astype(np.int16 if upto < 2**15 else np.int64), n_forms=n_forms,
                             n_rows_beyond_upto=n_beyond, in_input_order=identity)


@dataclass(frozen=True)
class FormPositions:
    """The kept forms (the first ``upto`` of each unit) in (unit, k) order: :meth:`SortedForms.place`.

    ``rows[i]`` is the input row of kept form i, ``unit[i]`` its unit, ``k[i]`` its registration
    (0-based); ``n_forms`` counts each unit's forms before truncation (the counts tables).
    """

    upto: int
    n_units: int
    rows: np.ndarray
    unit: np.ndarray
    k: np.ndarray
    n_forms: np.ndarray
    n_rows_beyond_upto: int
    in_input_order: bool = False

    def n_with_form(self, units: np.ndarray | None = None) -> np.ndarray:
        """Units (of a bool mask ``units``) with at least k forms, k = 1..upto: "Antal unge".

        The counts of UNG Rusmidler, figures 6.23 ff.

        >>> sort_forms(np.array([0, 0, 1]), np.array([1, 2, 1]), n_units=3).place(3).n_with_form().tolist()
        [2, 1, 0]
        """
        nf = np.minimum(self.n_forms if units is None else self.n_forms[units], self.upto)
        return np.cumsum(np.bincount(nf, minlength=self.upto + 1)[::-1])[::-1][1:].astype(np.int64)

    def sorted_values(self, values: np.ndarray) -> np.ndarray:
        """One value per input row -> one per kept form, in (unit, k) order (float64)."""
        v = np.asarray(values, dtype=np.float64)
        return v if self.in_input_order else v[self.rows]


def sort_forms(unit: np.ndarray, first_key: np.ndarray, *, n_units: int,
               tie_breakers: Sequence[pd.Series] = (), tie_values: Sequence[np.ndarray] = ()) -> SortedForms:
    """Sort forms by (unit, first order key), ties by ``tie_breakers``, then by ``tie_values``, then row.

    Parameters
    ----------
    unit
        Unit code of each input row, 0..n_units-1; -1 = no unit (missing id, outside the cohort).
    first_key
        Non-negative integer codes that sort like the form date (-1 = missing: the row is not placed).
    n_units
        Number of units.
    tie_breakers
        Further order columns (e.g. ``tem_id``), evaluated only on rows that tie on (unit, date); a
        missing tie-breaker sorts last.
    tie_values
        Value arrays (NaN last) ordering rows still tied, so the order never depends on the input row
        order. Rows tied on everything keep their input order and are counted in ``n_rows_tied``.

    Examples
    --------
    >>> s = sort_forms(np.array([1, 0, 1, -1]), np.array([5, 3, 2, 1]), n_units=2)
    >>> s.rows.tolist(), s.unit.tolist(), s.n_rows_unplaced
    ([1, 2, 0], [0, 1, 1], 1)
    """
    unit = np.asarray(unit)
    first_key = np.asarray(first_key, dtype=np.int64)
    n_in = unit.size
    usable = (unit >= 0) & (first_key >= 0)
    rows_u = None if usable.all() else np.flatnonzero(usable)
    code_u = unit if rows_u is None else unit[rows_u]
    key_u = first_key if rows_u is None else first_key[rows_u]
    if code_u.size == 0:
        return SortedForms(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), n_units, n_in, n_in, 0)
    perm, sorted_unit, ties = _sort_rows(code_u, [key_u])
    n_placed = int(code_u.size)
    del key_u, code_u
    rows = perm if rows_u is None else rows_u[perm]
    rows, n_tied = _break_ties(rows, ties, list(tie_breakers), list(tie_values))
    del perm, ties
    small = np.int32 if max(n_in, n_units) < 2**31 - 1 else np.int64   # half the memory of every per-form array
    rows, sorted_unit = rows.astype(small), sorted_unit.astype(small)
    return SortedForms(rows=rows, unit=sorted_unit, n_units=n_units, n_rows=n_in,
                       n_rows_unplaced=n_in - n_placed, n_rows_tied=n_tied)


def sort_registrations(registrations: pd.DataFrame, unit: np.ndarray, order: str | Sequence[str], *,
                       n_units: int) -> SortedForms:
    """:func:`sort_forms` on the columns of a frame: ``order[0]`` (the date) sorts, the rest break ties.

    ``unit`` holds the caller's unit code of every row (-1 = none). Rows tied on every order column
    keep their input order (counted in ``n_rows_tied``); for TEM, ``["tem_date", "tem_id"]`` leaves no
    ties (tem_id is the table's key; the dictionary's rule for ``seq``).

    >>> tem = pd.DataFrame({"tem_date": [3, 1, 1], "tem_id": ["t3", "t2", "t1"]})
    >>> sort_registrations(tem, np.array([0, 0, 0]), ["tem_date", "tem_id"], n_units=1).rows.tolist()
    [2, 1, 0]
    """
    cols = _as_list(order)
    return sort_forms(unit, _order_codes(registrations[cols[0]]), n_units=n_units,
                      tie_breakers=[registrations[c] for c in cols[1:] if c in registrations.columns])
