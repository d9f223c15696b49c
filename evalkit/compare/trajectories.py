"""LOCF trajectories of repeated registrations (UNG Rusmidler's TEM), counts of forms, first/last summaries.

UNG Rusmidler (Socialstyrelsen) computes every TEM chart by *last observation carried forward* up to
the 12th registration (footnotes 4 and 8: "den sidste besvarelse foeres videre, hvis vaerdierne er
ukendte"; footnote 23, section 6.5: "alle opgoerelser er lavet ved 12. TEM-registrering").
:func:`locf` implements exactly that reading:

1. one unit per id (youth / episode); the cohort is every id with a form, or ``cohort=``;
2. each id's forms are ordered by ``order`` (the form date, tie-broken by further columns) and
   numbered k = 1, 2, ...;
3. forms after the ``upto``-th (12th) are ignored -- the youth with 39 forms counts with 12;
4. for k = 2..upto a missing value is the value at k-1 (per value column, so a missing item on a
   form is carried too); nothing is carried *backwards*: before an id's first observed value the
   value stays missing;
5. "first" = k = 1, "last" = k = upto after LOCF, the denominator at every k is the cohort;
6. the counts tables (figures 6.23, 6.24, 6.25, 6.29 and 6.32) count ids with an *observed* form at k.

LOCF is reproduced because the legacy reports use it; the National Research Council (2010) and
Lachin (2016) advise against it as a primary analysis. :func:`trajectory_summary` therefore also summarises
observed cases and completers, and :func:`evalkit.compare.model_means` fits a mixed model.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from evalkit.compare._form_order import (
    FormPositions,
    SortedForms,
    _as_list,
    _id_codes,
    _order_codes,
    sort_forms,
    sort_registrations,
)
from evalkit.compare._inputs import as_float
from evalkit.compare._rules import compare_rules
from evalkit.compare._trajectory_engine import Events, Strata, Summary, Trajectories, _expand, trajectory_stats
from evalkit.compare.results import DataQualityWarning

__all__ = ["FormPositions", "SortedForms", "Strata", "Summary", "Trajectories", "first_last", "form_counts", "locf",
           "sort_forms", "sort_registrations", "trajectory_stats", "trajectory_summary"]

REGISTRATION = "registration"
OBSERVED = "observed"
N_FORMS = "n_forms"


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


def locf(
    registrations: pd.DataFrame,
    *,
    id: str,
    order: str | Sequence[str],
    values: str | Sequence[str],
    upto: int | None = None,
    cohort: Any = None,
) -> pd.DataFrame:
    """Last observation carried forward to registration ``upto`` (UNG Rusmidler, footnotes 4, 8, 23).

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
        Last registration kept; default ``locf.upto`` in ``compare.yaml`` (12, UNG Rusmidler, footnote 23).
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
    """The counts-of-forms table (UNG Rusmidler, figures 6.23-6.25, 6.29, 6.32) from a :func:`locf` result.

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
