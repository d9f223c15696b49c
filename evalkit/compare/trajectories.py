"""LOCF trajectories of repeated registrations (seed 004 TEM), counts of forms, first/last summaries.

Seed 004 computes every TEM chart by *last observation carried forward* up to the 12th registration
(fn 4/8: "den sidste besvarelse foeres videre, hvis vaerdierne er ukendte"; fn 23: "alle opgoerelser er
lavet ved 12. TEM-registrering"). :func:`locf` implements exactly that reading
(seed004_figures.md section 3.4):

1. one unit per id (youth / episode); the cohort is every id with a form, or ``cohort=``;
2. each id's forms are ordered by ``order`` (the form date, tie-broken by further columns) and
   numbered k = 1, 2, ...;
3. forms after the ``upto``-th (12th) are ignored -- the youth with 39 forms counts with 12;
4. for k = 2..upto a missing value is the value at k-1 (per value column, so a missing item on a
   form is carried too); nothing is carried *backwards*: before an id's first observed value the
   value stays missing;
5. "first" = k = 1, "last" = k = upto after LOCF, the denominator at every k is the cohort;
6. the counts tables (004-F6.23, 6.24, 6.25, 6.29, 6.32) count ids with an *observed* form at k.

LOCF is reproduced because the legacy reports use it; NRC (2010) and Lachin (2016) advise against it
as a primary analysis (anchors.md section 4). :func:`trajectory_summary` therefore also summarises
observed cases and completers, and :func:`evalkit.compare.model_means` fits a mixed model.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.compare._inputs import as_float
from evalkit.compare._rules import compare_rules
from evalkit.compare.results import DataQualityWarning

__all__ = ["FormPositions", "SortedForms", "Strata", "Summary", "Trajectories", "first_last", "form_counts", "locf",
           "sort_forms", "sort_registrations", "trajectory_stats", "trajectory_summary"]

REGISTRATION = "registration"
OBSERVED = "observed"
N_FORMS = "n_forms"
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


def _to_float_codes(col: pd.Series, name: str) -> tuple[np.ndarray, Any]:
    """Float representation of a value column and what is needed to restore its dtype."""
    dtype = col.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = col.cat.codes.to_numpy().astype(float)
        codes[codes < 0] = np.nan
        return codes, ("category", dtype)
    is_bool = pd.api.types.is_bool_dtype(dtype) or (isinstance(dtype, pd.ArrowDtype)
                                                    and pa.types.is_boolean(dtype.pyarrow_dtype))
    return as_float(col, name), ("bool" if is_bool else "float", None)


def _restore(values: np.ndarray, how: tuple[str, Any]) -> Any:
    kind, dtype = how
    if kind == "category":
        codes = np.where(np.isnan(values), -1, values).astype(np.int64)
        return pd.Categorical.from_codes(codes, dtype=dtype)
    if kind == "bool":
        return pd.arrays.BooleanArray(values == 1.0, np.isnan(values))
    return values


# ----------------------------------------------------------------------------------------- the engine
#
# LOCF is defined once, here, as *spans*: after the forms of a unit are sorted and numbered
# k = 0, 1, ..., upto - 1, a form whose value is observed holds that value from its own registration
# up to (not including) the registration of the unit's next form with an observed value, or to
# ``upto``. Before the first observed value nothing is held (leading missing stays missing).
# :func:`trajectory_stats` sums the spans per stratum with difference arrays (O(forms)); :func:`locf`
# expands the same spans onto the per-youth grid (the public view).


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
        """Units (of a bool mask ``units``) with at least k forms, k = 1..upto: "Antal unge" (004-F6.23 ff.).

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


@dataclass(frozen=True)
class Events:
    """The observed values of one measure on the kept forms: LOCF's spans (see the section comment).

    ``unit``, ``k`` and ``value`` of every kept form whose value is observed, in (unit, k) order;
    ``new`` marks the unit's first observed form, ``last`` its last; the span of form i ends at
    ``k[i + 1]`` when ``not last[i]``, else at ``upto``.
    """

    unit: np.ndarray
    k: np.ndarray
    value: np.ndarray
    new: np.ndarray
    last: np.ndarray
    kept: np.ndarray | None   # which kept forms have a value (None: all)

    @property
    def end(self) -> np.ndarray:
        """Registration (0-based, exclusive) up to which each value is carried."""
        return np.where(self.last, -1, np.roll(self.k.astype(np.int64), -1))

    @classmethod
    def of(cls, positions: FormPositions, values: np.ndarray) -> Events:
        """The events of ``values`` (one per input row) on ``positions``."""
        return cls.from_arrays(positions.unit, positions.k, positions.sorted_values(values))

    @classmethod
    def from_arrays(cls, unit: np.ndarray, k: np.ndarray, v: np.ndarray) -> Events:
        """Events from kept forms in (unit, k) order (``v``: their values, NaN = missing)."""
        ok = ~np.isnan(v)
        if ok.all():
            kept = None
        else:
            kept, unit, k, v = ok, unit[ok], k[ok], v[ok]
        new = np.ones(unit.size, dtype=bool)
        np.not_equal(unit[1:], unit[:-1], out=new[1:])
        last = np.ones(unit.size, dtype=bool)
        last[:-1] = new[1:]
        return cls(unit, k, v, new, last, kept)


def _unit_chunks(unit: np.ndarray, size: int) -> list[tuple[int, int]]:
    """Slices of about ``size`` kept forms that never split a unit (``unit`` is sorted)."""
    m = unit.size
    if m <= size:
        return [(0, m)]
    cuts = np.unique(np.searchsorted(unit, unit[np.arange(size, m, size)], side="left"))
    bounds = [0, *[int(c) for c in cuts if 0 < c < m], m]
    return list(itertools.pairwise(bounds))


def _expand(events: Events, upto: int, n_units: int) -> tuple[np.ndarray, np.ndarray]:
    """LOCF onto the dense (units x upto) grid: every value written over its span (for :func:`locf`)."""
    end = events.end
    end[end < 0] = upto
    start = events.unit.astype(np.int64) * upto + events.k
    length = end - events.k
    total = int(length.sum())
    cell = np.arange(total, dtype=np.int64)
    cell += np.repeat(start - (np.cumsum(length) - length), length)
    grid = np.full(n_units * upto, np.nan)
    grid[cell] = np.repeat(events.value, length)
    seen = np.zeros(n_units * upto, dtype=bool)
    seen[start] = True
    return grid, seen


class Strata:
    """Groupings of the units (per unit a group code, -1 = not in the grouping), prepared once per
    :class:`FormPositions` for :func:`trajectory_stats`.

    The units are partitioned into *cells* (the distinct combinations of the groupings' codes); the
    engine sums per cell and registration, and each grouping's groups are sums of cells.

    >>> pos = sort_forms(np.array([0, 1, 2]), np.array([0, 0, 0]), n_units=3).place(2)
    >>> strata = Strata(pos, {"sex": np.array([0, 1, 1]), "adult": np.array([-1, 0, 0])})
    >>> strata.n_cells, strata.groups
    (2, {'sex': 2, 'adult': 1})
    """

    def __init__(self, positions: FormPositions, groupings: Mapping[str, np.ndarray],
                 n_groups: Mapping[str, int] | None = None) -> None:
        n = positions.n_units
        self.positions = positions
        self.groups: dict[str, int] = {}
        if not groupings:
            groupings = {"all": np.zeros(n, dtype=np.int64)}
        combined = np.zeros(n, dtype=np.int64)
        for name, codes in groupings.items():
            codes = np.asarray(codes, dtype=np.int64)
            if codes.size != n:
                raise ValueError(f"grouping {name!r} has {codes.size} codes for {n} units")
            g = int((n_groups or {}).get(name, int(codes.max()) + 1 if codes.size else 0))
            self.groups[name] = g
            combined = combined * (g + 1) + (codes + 1)
        uniq, cell = np.unique(combined, return_inverse=True)
        self.n_cells = int(uniq.size)
        self.cell_of_unit = cell.astype(np.int64)
        # each cell's group in every grouping (decode the mixed-radix number)
        self.cell_group: dict[str, np.ndarray] = {}
        rest = uniq.copy()
        for name in reversed(list(groupings)):
            g = self.groups[name]
            self.cell_group[name] = rest % (g + 1) - 1
            rest //= g + 1
        upto = positions.upto
        index_type = np.int32 if self.n_cells * upto < 2**31 else np.int64
        index = self.cell_of_unit.astype(index_type)[positions.unit]
        index *= upto
        index += positions.k
        self.form_index = index    # cell * upto + k of every kept form

    def by_group(self, name: str, per_cell: np.ndarray) -> np.ndarray:
        """(cells x upto) -> (groups x upto) for grouping ``name``."""
        code = self.cell_group[name]
        out = np.zeros((self.groups[name], per_cell.shape[1]), dtype=per_cell.dtype)
        np.add.at(out, code[code >= 0], per_cell[code >= 0])
        return out


@dataclass(frozen=True)
class Summary:
    """One measure over one grouping: per group (rows) and registration (columns), LOCF and observed.

    ``n``/``sum``/``mean``/``sd``: LOCF (every unit of the group with a value, carried or not; for a
    0/1 measure ``mean`` is the share); ``n_observed``/``sum_observed``/...: observed cases only (the
    unit's k-th form has the value). ``n_imputed = n - n_observed``. SD with ddof = 1 (NaN when
    n < 2 or not asked for).
    """

    n: np.ndarray
    sum: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    n_observed: np.ndarray
    sum_observed: np.ndarray
    mean_observed: np.ndarray
    sd_observed: np.ndarray

    @property
    def n_imputed(self) -> np.ndarray:
        return self.n - self.n_observed


@dataclass(frozen=True)
class Trajectories:
    """:func:`trajectory_stats` of one measure: ``by[grouping]`` summaries and per-unit first/last.

    ``first``: the value at registration 1 (NaN if the first form lacks it: nothing is carried
    backwards), ``last``: the LOCF value at ``upto``, ``last_observed``: the ``upto``-th form has the
    value itself; one entry per unit.
    """

    by: dict[str, Summary]
    first: np.ndarray
    last: np.ndarray
    last_observed: np.ndarray


def _moments(n: np.ndarray, centred_sum: np.ndarray, centred_sq: np.ndarray | None, shift: float
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        total = centred_sum + n * shift
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        if centred_sq is None:
            sd = np.full(n.shape, np.nan)
        else:
            ss = np.maximum(centred_sq - centred_sum * centred_sum / np.maximum(n, 1), 0.0)
            sd = np.where(n > 1, np.sqrt(ss / np.maximum(n - 1, 1)), np.nan)
    return total, mean, sd


def trajectory_stats(strata: Strata, values: np.ndarray, *, sd: bool = True, chunk: int = 1 << 20) -> Trajectories:
    """LOCF and observed summaries per stratum and registration, and per-unit first/last values.

    Parameters
    ----------
    strata
        The kept forms and the groupings of their units (:class:`Strata`, built once for all measures).
    values
        One value per *input row* (float, NaN = missing; a yes/no measure as 0/1).
    sd
        Also the standard deviations (two more passes over the forms).
    chunk
        Forms handled at a time (whole units): the working memory is a few arrays of this length.

    Returns
    -------
    Trajectories

    Notes
    -----
    O(forms + units): a value observed at registration k of a unit in cell c is carried to every
    registration up to the unit's next observed value (seed 004 fn 4/8/23; spec seed004_figures.md
    3.4). Its contribution to the LOCF sums of cell c is therefore a step: it starts at k and is
    replaced by the next value, so the per-(cell, k) *difference* of the LOCF sums is
    ``value - previous value of the unit`` (count: +1 at the unit's first value), and a cumulative
    sum over k gives the LOCF sums. One ``bincount`` per moment over the forms, no units x upto grid.
    Values are centred on the first observed value (exact for integer data) before the squares.
    :func:`locf` gives the same numbers through its dense per-youth grid (tested equal).

    Examples
    --------
    >>> unit = np.array([0, 0, 1, 1, 1])
    >>> date = np.array([1, 2, 1, 2, 3])
    >>> pos = sort_forms(unit, date, n_units=2).place(3)
    >>> t = trajectory_stats(Strata(pos, {}), np.array([5.0, 7.0, 4.0, np.nan, 9.0]))
    >>> t.by["all"].mean.tolist(), t.by["all"].n_observed.tolist()
    ([[4.5, 5.5, 8.0]], [[2, 1, 1]])
    >>> t.first.tolist(), t.last.tolist(), t.last_observed.tolist()
    ([5.0, 4.0], [7.0, 9.0], [False, True])
    """
    pos = strata.positions
    upto, n_units = pos.upto, pos.n_units
    values = np.asarray(values, dtype=np.float64)
    size = strata.n_cells * upto
    moments = ("n_obs", "s_obs", "n_new", "s_step") + (("q_obs", "q_step") if sd else ())
    acc = {name: np.zeros(size) for name in moments}
    first = np.full(n_units, np.nan)
    last = np.full(n_units, np.nan)
    last_observed = np.zeros(n_units, dtype=bool)
    shift: float | None = None
    for a, b in _unit_chunks(pos.unit, chunk):   # bounded memory: a few arrays of `chunk` forms at a time
        v = values[a:b] if pos.in_input_order else values[pos.rows[a:b]]
        ev = Events.from_arrays(pos.unit[a:b], pos.k[a:b], v)
        if not ev.value.size:
            continue
        index = strata.form_index[a:b] if ev.kept is None else strata.form_index[a:b][ev.kept]
        shift = float(ev.value[0]) if shift is None else shift
        c = ev.value - shift                   # centred values (a new array)
        step = c.copy()                        # step of the unit's LOCF value at this form
        step[1:] -= c[:-1]
        step[ev.new] = c[ev.new]
        acc["n_obs"] += np.bincount(index, minlength=size)
        acc["s_obs"] += np.bincount(index, weights=c, minlength=size)
        acc["n_new"] += np.bincount(index[ev.new], minlength=size)
        acc["s_step"] += np.bincount(index, weights=step, minlength=size)
        if sd:
            acc["q_obs"] += np.bincount(index, weights=c * c, minlength=size)
            step *= 2.0 * c - step             # c^2 - the unit's previous c^2
            acc["q_step"] += np.bincount(index, weights=step, minlength=size)
        at_one = ev.k == 0
        first[ev.unit[at_one]] = ev.value[at_one]
        last[ev.unit[ev.last]] = ev.value[ev.last]
        last_observed[ev.unit[ev.last]] = ev.k[ev.last] == upto - 1
    shift = 0.0 if shift is None else shift

    def grid(name: str) -> np.ndarray:
        return acc[name].reshape(strata.n_cells, upto)

    n_obs, s_obs = grid("n_obs"), grid("s_obs")
    n_loc = np.cumsum(grid("n_new"), axis=1)
    s_loc = np.cumsum(grid("s_step"), axis=1)
    q_obs = grid("q_obs") if sd else None
    q_loc = np.cumsum(grid("q_step"), axis=1) if sd else None
    by = {}
    for name in strata.groups:
        n_l, n_o = strata.by_group(name, n_loc).astype(np.int64), strata.by_group(name, n_obs).astype(np.int64)
        q_l = None if q_loc is None else strata.by_group(name, q_loc)
        q_o = None if q_obs is None else strata.by_group(name, q_obs)
        tl, ml, sl = _moments(n_l, strata.by_group(name, s_loc), q_l, shift)
        to, mo, so = _moments(n_o, strata.by_group(name, s_obs), q_o, shift)
        by[name] = Summary(n=n_l, sum=tl, mean=ml, sd=sl, n_observed=n_o, sum_observed=to, mean_observed=mo,
                           sd_observed=so)
    return Trajectories(by=by, first=first, last=last, last_observed=last_observed)


def locf(
    registrations: pd.DataFrame,
    *,
    id: str,
    order: str | Sequence[str],
    values: str | Sequence[str],
    upto: int | None = None,
    cohort: Any = None,
) -> pd.DataFrame:
    """Last observation carried forward to registration ``upto`` (seed 004 fn 4/8/23).

    Parameters
    ----------
    registrations
        One row per completed form (e.g. ``tem_registrations``), any dtypes (pyarrow-backed or numpy).
    id
        The unit column (``episode_id`` or ``person_key``).
    order
        Column(s) ordering an id's forms: the form date, then tie-breakers (``["tem_date", "tem_id"]``,
        the dictionary's rule for ``seq``). Rows missing the first order column are ignored (counted,
        with a :class:`DataQualityWarning`); a missing tie-breaker sorts last. Rows that tie on every
        order column are ordered by their values (the warning says how many), so the result never
        depends on the input row order.
    values
        Column(s) to carry forward: numeric, boolean or categorical (dtype restored on output;
        numbers come back as float64 with NaN).
    upto
        Last registration kept; default ``locf.upto`` in ``compare.yaml`` (12, seed 004 fn 23).
    cohort
        Ids forming the denominator. Default: every id with a form. Ids without forms get rows of
        missing values; forms of ids outside the cohort are ignored (counted in ``attrs``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``(id, registration)`` with registration = 1..upto for every id (sorted by id);
        one column per value (LOCF-filled), ``observed`` (the id has a form at k),
        ``<value>_imputed`` (the value at k was carried, not observed at k) and ``n_forms`` (forms
        the id has in total, before truncation). ``attrs["locf"]`` records the row bookkeeping and
        ``n_with_form``, the number of ids with an observed form at each registration (the counts
        table; :func:`form_counts` gives it as a frame).

    Notes
    -----
    Vectorised: ids are hash-encoded once (pyarrow), rows are sorted once by a packed
    (id, first order key, row) int64 key, tie-breakers are evaluated only on tied rows, positions
    come from group starts, values are scattered onto an (ids x upto) grid and filled forward one
    registration at a time over all ids. No per-id Python loop; 1M ids / 12M rows take a few
    seconds (``benchmarks/bench_compare.py``).

    Examples
    --------
    >>> tem = pd.DataFrame({"episode_id": ["A", "A", "B", "A"], "tem_date": [3, 1, 5, 2],
    ...                     "trivsel": [7.0, 5.0, 4.0, None]})
    >>> out = locf(tem, id="episode_id", order="tem_date", values="trivsel", upto=4)
    >>> out["trivsel"].tolist()
    [5.0, 5.0, 7.0, 7.0, 4.0, 4.0, 4.0, 4.0]
    >>> out["observed"].tolist()
    [True, True, True, False, True, False, False, False]
    >>> out["trivsel_imputed"].tolist()
    [False, True, False, True, False, True, True, True]
    """
    order_cols, value_cols = _as_list(order), _as_list(values)
    upto = int(compare_rules()["locf"]["upto"] if upto is None else upto)
    if upto < 1:
        raise ValueError(f"`upto` must be a positive integer, got {upto}")
    missing = [c for c in [id, *order_cols, *value_cols] if c not in registrations.columns]
    if missing:
        raise KeyError(f"columns not in `registrations`: {missing}")
    reserved = {OBSERVED, N_FORMS} | {f"{v}_imputed" for v in value_cols}
    if reserved & set(value_cols):
        raise ValueError(f"value columns may not be named {sorted(reserved & set(value_cols))}")
    n_in = len(registrations)
    code, uniques = _id_codes(registrations[id], cohort)
    first_key = _order_codes(registrations[order_cols[0]])
    n_outside = int(np.sum(code < 0) - registrations[id].isna().sum()) if cohort is not None else 0
    converted = [_to_float_codes(registrations[v], v) for v in value_cols]
    n_ids = len(uniques)
    forms = sort_forms(code, first_key, n_units=n_ids, tie_breakers=[registrations[c] for c in order_cols[1:]],
                       tie_values=[c[0] for c in converted])
    n_unusable = forms.n_rows_unplaced - n_outside
    if n_unusable:
        warnings.warn(f"locf: {n_unusable} rows without an id or a `{order_cols[0]}` value were ignored",
                      DataQualityWarning, stacklevel=2)
    if forms.n_rows_tied:
        warnings.warn(f"locf: {forms.n_rows_tied} forms share id and all `order` keys with another form; they "
                      f"were ordered by their values (add a tie-breaker column such as tem_id to `order`)",
                      DataQualityWarning, stacklevel=2)
    pos = forms.place(upto)
    spare = n_ids * upto
    observed = np.zeros(spare, dtype=bool)
    observed[pos.unit.astype(np.int64) * upto + pos.k] = True
    columns: dict[str, Any] = {}
    imputed_cols: dict[str, Any] = {}
    for name, (v, how) in zip(value_cols, converted, strict=True):
        filled, seen = _expand(Events.of(pos, v), upto, n_ids)
        columns[name] = _restore(filled, how)
        imputed_cols[f"{name}_imputed"] = ~(np.isnan(filled) | seen)
    index = pd.MultiIndex(levels=[uniques, pd.RangeIndex(1, upto + 1)],
                          codes=[np.repeat(np.arange(n_ids, dtype=np.int32), upto),
                                 np.tile(np.arange(upto, dtype=np.int8 if upto < 128 else np.int32), n_ids)],
                          names=[id, REGISTRATION], verify_integrity=False)
    out = pd.DataFrame({**columns, OBSERVED: observed, **imputed_cols,
                        N_FORMS: np.repeat(pos.n_forms, upto)}, index=index, copy=False)
    n_kept = int(pos.rows.size)
    out.attrs["locf"] = {
        "upto": upto,
        "n_ids": n_ids,
        "n_rows": n_in,
        "n_rows_used": n_kept,
        "n_rows_beyond_upto": pos.n_rows_beyond_upto,
        "n_rows_missing_key": n_unusable,
        "n_rows_outside_cohort": n_outside,
        "n_rows_tied": forms.n_rows_tied,
        # ids with an observed k-th form, k = 1..upto: the counts table (004-F6.23 ff.), as form_counts()
        "n_with_form": pos.n_with_form().tolist(),
        "source": compare_rules()["locf"]["source"],
    }
    return out


def _grid(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, int]:
    """The (ids x upto) matrix of one column of a :func:`locf` result."""
    upto = len(frame.index.levels[1]) if isinstance(frame.index, pd.MultiIndex) else 0
    if not upto or len(frame) % upto:
        raise ValueError("`frame` must be the output of evalkit.compare.locf")
    col = frame[column]
    if isinstance(col.dtype, pd.CategoricalDtype):
        arr = col.cat.codes.to_numpy().astype(float)
        arr[arr < 0] = np.nan
    else:
        arr = col.to_numpy(dtype=float, na_value=np.nan)
    return arr.reshape(-1, upto), upto


def form_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """The counts-of-forms table (004-F6.23/6.24/6.25/6.29/6.32) from a :func:`locf` result.

    Returns a frame indexed by registration k with ``n_with_form`` (ids with an observed k-th form,
    i.e. at least k forms: the published "Antal unge") and ``n_exactly`` (ids with exactly k forms;
    at k = upto: upto *or more*), plus ``n_cohort``.

    >>> tem = pd.DataFrame({"id": ["A", "A", "B"], "d": [1, 2, 1], "v": [1.0, 2.0, 3.0]})
    >>> form_counts(locf(tem, id="id", order="d", values="v", upto=3))  # doctest: +NORMALIZE_WHITESPACE
                  n_with_form  n_exactly  n_cohort
    registration
    1                       2          1         2
    2                       1          1         2
    3                       0          0         2
    """
    obs, upto = _grid(frame, OBSERVED)
    with_form = obs.sum(axis=0).astype(np.int64)
    forms = np.minimum(obs.sum(axis=1).astype(np.int64), upto)
    exactly = np.bincount(forms, minlength=upto + 1)[1:]
    return pd.DataFrame({"n_with_form": with_form, "n_exactly": exactly, "n_cohort": obs.shape[0]},
                        index=pd.RangeIndex(1, upto + 1, name=REGISTRATION))


def first_last(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """Per id: the LOCF value at registration 1 (``first``) and at ``upto`` (``last``), and ``n_forms``.

    Feed the two columns to :func:`evalkit.compare.paired_t`, :func:`~evalkit.compare.wilcoxon` or
    :func:`~evalkit.compare.mcnemar` for the first-vs-last comparison.

    >>> tem = pd.DataFrame({"id": ["A", "A", "B"], "d": [1, 2, 1], "v": [1.0, 2.0, 3.0]})
    >>> first_last(locf(tem, id="id", order="d", values="v", upto=3), "v")  # doctest: +NORMALIZE_WHITESPACE
        first  last  n_forms
    id
    A     1.0   2.0        2
    B     3.0   3.0        1
    """
    col = frame[value]
    upto = len(frame.index.levels[1])
    n_ids = len(frame) // upto
    ids = frame.index.levels[0].take(frame.index.codes[0][::upto])
    picks_first = np.arange(n_ids) * upto
    picks_last = picks_first + upto - 1
    first = col.iloc[picks_first].reset_index(drop=True)
    last = col.iloc[picks_last].reset_index(drop=True)
    n_forms = frame[N_FORMS].to_numpy()[picks_first]
    out = pd.DataFrame({"first": first.array, "last": last.array, N_FORMS: n_forms}, index=ids)
    out.index.name = frame.index.names[0]
    return out


def trajectory_summary(
    frame: pd.DataFrame,
    value: str,
    *,
    population: Literal["locf", "observed", "completers"] = "locf",
) -> pd.DataFrame:
    r"""Mean (or proportion), SD and counts of ``value`` at each registration.

    Parameters
    ----------
    frame
        A :func:`locf` result.
    value
        One value column (numeric or boolean; a boolean's mean is the proportion ``True``).
    population
        ``"locf"``: every id of the cohort with a (possibly carried) value -- the published figures;
        ``"observed"``: at each k only ids whose k-th form has the value (observed cases, no
        carrying); ``"completers"``: only ids with a form at every registration (``n_forms >= upto``).

    Returns
    -------
    pandas.DataFrame
        Indexed by registration: ``n`` (ids in the mean), ``n_imputed`` (of which carried),
        ``mean``, ``sd`` (ddof = 1) and ``population``.

    Examples
    --------
    >>> tem = pd.DataFrame({"id": ["A", "A", "B"], "d": [1, 2, 1], "v": [1.0, 2.0, 3.0]})
    >>> summary = trajectory_summary(locf(tem, id="id", order="d", values="v", upto=2), "v")
    >>> summary[["n", "n_imputed", "mean"]]  # doctest: +NORMALIZE_WHITESPACE
                  n  n_imputed  mean
    registration
    1             2          0   2.0
    2             2          1   2.5
    """
    if population not in ("locf", "observed", "completers"):
        raise ValueError(f"`population` must be 'locf', 'observed' or 'completers', got {population!r}")
    vals, upto = _grid(frame, value)
    imputed = frame[f"{value}_imputed"].to_numpy().reshape(-1, upto)
    if population == "observed":
        vals = np.where(imputed, np.nan, vals)
    elif population == "completers":
        complete = frame[N_FORMS].to_numpy()[::upto] >= upto
        vals = vals[complete]
        imputed = imputed[complete]
    present = ~np.isnan(vals)
    n = present.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.sum(vals, axis=0, where=present)   # masked reductions: no ids x upto temporaries
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        dev = vals - mean                               # two-pass SD (no cancellation), squared in place
        np.square(dev, out=dev)
        sd = np.where(n > 1, np.sqrt(np.sum(dev, axis=0, where=present) / np.maximum(n - 1, 1)), np.nan)
    return pd.DataFrame({"n": n.astype(np.int64), "n_imputed": (imputed & present).sum(axis=0).astype(np.int64),
                         "mean": mean, "sd": sd, "population": population},
                        index=pd.RangeIndex(1, upto + 1, name=REGISTRATION))

