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

import warnings
from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.compare._inputs import as_float
from evalkit.compare._rules import compare_rules
from evalkit.compare.results import DataQualityWarning

__all__ = ["first_last", "form_counts", "locf", "trajectory_summary"]

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
    into one int64 and sorted with numpy's vectorised sort (about 10x faster than ``argsort``).
    """
    n = code.size
    bits_row = max(int(n - 1).bit_length(), 1)
    bits = [max(int(code.max()).bit_length(), 1)] + [max(int(k.max()).bit_length(), 1) for k in keys]
    if sum(bits) + bits_row <= 63:
        packed = code.astype(np.int64, copy=True)
        for k, b in zip(keys, bits[1:]):
            packed <<= b
            packed |= k
        packed <<= bits_row
        packed |= np.arange(n, dtype=np.int64)
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
    is_bool = pd.api.types.is_bool_dtype(dtype) or (isinstance(dtype, pd.ArrowDtype) and pa.types.is_boolean(dtype.pyarrow_dtype))
    return as_float(col, name), ("bool" if is_bool else "float", None)


def _restore(values: np.ndarray, how: tuple[str, Any]) -> Any:
    kind, dtype = how
    if kind == "category":
        codes = np.where(np.isnan(values), -1, values).astype(np.int64)
        return pd.Categorical.from_codes(codes, dtype=dtype)
    if kind == "bool":
        return pd.arrays.BooleanArray(values == 1.0, np.isnan(values))
    return values


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
    # The first order column sorts every row; further columns only break ties (evaluated lazily).
    first_key = _order_codes(registrations[order_cols[0]])
    usable = code >= 0
    n_outside = int(np.sum(code < 0) - registrations[id].isna().sum()) if cohort is not None else 0
    usable &= first_key >= 0
    n_unusable = int((~usable).sum()) - n_outside
    if n_unusable:
        warnings.warn(f"locf: {n_unusable} rows without an id or a `{order_cols[0]}` value were ignored",
                      DataQualityWarning, stacklevel=2)
    rows = np.flatnonzero(usable) if not usable.all() else None
    code_u = code if rows is None else code[rows]
    key_u = first_key if rows is None else first_key[rows]
    converted = [_to_float_codes(registrations[v], v) for v in value_cols]
    vals_u = [c[0] if rows is None else c[0][rows] for c in converted]
    tie_cols = [registrations[c] if rows is None else registrations[c].iloc[rows] for c in order_cols[1:]]
    n_ids = len(uniques)
    if code_u.size:
        perm, sc, ties = _sort_rows(code_u, [key_u])
        perm, n_tied = _break_ties(perm, ties, tie_cols, vals_u)  # re-orders only within (id, key) ties
    else:
        perm, sc, n_tied = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), 0
    if n_tied:
        warnings.warn(f"locf: {n_tied} forms share id and all `order` keys with another form; they were "
                      f"ordered by their values (add a tie-breaker column such as tem_id to `order`)",
                      DataQualityWarning, stacklevel=2)
    counts = np.bincount(sc, minlength=n_ids)
    # Cell of each sorted form on the (ids x upto) grid: cell = k + (id * upto - start of the id's
    # forms); forms past the upto-th go to one spare cell at the end, so nothing is compressed.
    cell_dtype = np.int32 if n_ids * upto + sc.size < 2**31 else np.int64   # bounds every cell before clamping
    end_cell = np.arange(1, n_ids + 1, dtype=cell_dtype) * upto   # first cell after each id's row
    shift = end_cell - upto
    shift[1:] -= np.cumsum(counts[:-1]).astype(cell_dtype)
    target = np.arange(sc.size, dtype=cell_dtype)
    target += shift[sc]
    spare = n_ids * upto
    target[target >= end_cell[sc]] = spare
    n_kept = int(sc.size - np.count_nonzero(target == spare))
    observed = np.zeros(spare + 1, dtype=bool)
    observed[target] = True
    observed = observed[:spare]
    columns: dict[str, Any] = {}
    imputed_cols: dict[str, Any] = {}
    for name, v, (_, how) in zip(value_cols, vals_u, converted):
        cells = np.empty(spare + 1)
        cells[:spare] = np.nan
        cells[target] = v[perm]
        grid = cells[:spare].reshape(n_ids, upto)
        seen = ~np.isnan(grid)
        for k in range(1, upto):  # carry forward, one registration at a time (vectorised over ids)
            np.copyto(grid[:, k], grid[:, k - 1], where=~seen[:, k])
        filled = grid.ravel()
        columns[name] = _restore(filled, how)
        imputed_cols[f"{name}_imputed"] = ~(np.isnan(filled) | seen.ravel())
    index = pd.MultiIndex(levels=[uniques, pd.RangeIndex(1, upto + 1)],
                          codes=[np.repeat(np.arange(n_ids, dtype=np.int32), upto),
                                 np.tile(np.arange(upto, dtype=np.int8 if upto < 128 else np.int32), n_ids)],
                          names=[id, REGISTRATION], verify_integrity=False)
    out = pd.DataFrame({**columns, OBSERVED: observed, **imputed_cols,
                        N_FORMS: np.repeat(counts.astype(np.int64), upto)}, index=index, copy=False)
    out.attrs["locf"] = {
        "upto": upto,
        "n_ids": n_ids,
        "n_rows": n_in,
        "n_rows_used": n_kept,
        "n_rows_beyond_upto": int(sc.size) - n_kept,
        "n_rows_missing_key": n_unusable,
        "n_rows_outside_cohort": n_outside,
        "n_rows_tied": n_tied,
        # ids with an observed k-th form, k = 1..upto: the counts table (004-F6.23 ff.), as form_counts()
        "n_with_form": observed.reshape(n_ids, upto).sum(axis=0).tolist() if n_ids else [0] * upto,
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

