"""TEM (Trivsels- og EffektMonitorering) measures of UNG Rusmidler, one value per TEM form.

TEM items as UNG Rusmidler (Socialstyrelsen) reports them in sections 6.1 and 6.5: three well-being items 0-10
(personlig trivsel, nære relationer, social trivsel) and their overall "samlet trivsel";
koncentration and planlægning 0-10; days with cannabis and with other drugs in the last week;
alcohol units per week; drug-free last week. Forms with a 30-day recall (TEM 30, footnote 9) are flagged
by ``recall_window_days``; how their day counts enter a weekly measure is an explicit policy.
LOCF to the 12th registration is not done here (that is a trajectory step, footnote 23).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from evalkit.measures._common import (
    as_bool,
    as_float,
    bool_series,
    check_range,
    float_series,
    resolve_columns,
)
from evalkit.measures._ledger import MeasureLedger, record
from evalkit.rules import load_rule, rule_id

__all__ = [
    "TEM_MEASURE_NAMES",
    "alcohol_units_week",
    "drug_free_last_week",
    "samlet_trivsel",
    "tem_drug_days_week",
    "tem_measure",
    "tem_measures",
    "tem_scale_item",
]

Tem30Policy = Literal["exclude", "scale", "as_is"]


def _column(tem: pd.DataFrame, name: str) -> np.ndarray:
    col = resolve_columns(tem, [name], what="TEM")[0]
    return as_float(tem[col], name)


def samlet_trivsel(
    tem: pd.DataFrame,
    *,
    method: Literal["mean_of_three", "own_item"] = "mean_of_three",
    missing: Literal["complete", "available"] = "complete",
    ledger: MeasureLedger | None = None,
) -> pd.Series:
    """Samlet trivsel (overall well-being, 0-10) per TEM form.

    Parameters
    ----------
    tem
        TEM forms with ``personlig_trivsel``, ``naere_relationer``, ``social_trivsel`` (0-10), or
        ``samlet_trivsel_item`` for ``method="own_item"``.
    method
        ``"mean_of_three"`` (default): the mean of the three items. The report writes "personlig
        trivsel + nære relationer + social trivsel" but prints a 0-10 scale, so it is the mean.
        ``"own_item"``: the separately asked overall item, if the export has one.
    missing
        ``"complete"`` (default): all three items needed. ``"available"``: mean of the answered items
        (at least one). Ignored for ``"own_item"``.
    ledger
        Optional ledger; receives ``scored``, ``partial`` (with ``"available"``) and ``missing_items``.

    Returns
    -------
    pandas.Series
        float64, NaN where no score.

    Notes
    -----
    .. math:: \\text{samlet} = (\\text{personlig} + \\text{nære} + \\text{social}) / 3

    Source: UNG Rusmidler, section 6.5, figure 6.26 ("samlede trivsel (personlig trivsel + nære
    relationer + social trivsel)", scale 0-10), and section 6.6; rule file ``tem.yaml``.

    Examples
    --------
    >>> import pandas as pd
    >>> tem = pd.DataFrame({"personlig_trivsel": [6, 5, None], "naere_relationer": [7, 5, 8],
    ...                     "social_trivsel": [5, 6, 6]})
    >>> samlet_trivsel(tem).round(4).tolist()
    [6.0, 5.3333, nan]
    >>> samlet_trivsel(tem, missing="available").round(4).tolist()
    [6.0, 5.3333, 7.0]
    """
    rule = load_rule("tem")
    lo, hi = rule["scale"]["min"], rule["scale"]["max"]
    if method not in rule["samlet_trivsel"]["methods"]:
        raise ValueError(f"`method` must be one of {', '.join(map(repr, rule['samlet_trivsel']['methods']))}, got "
                         f"{method!r}")
    if missing not in rule["samlet_trivsel"]["missing_policies"]:
        raise ValueError("`missing` must be one of "
                         f"{', '.join(map(repr, rule['samlet_trivsel']['missing_policies']))}, got {missing!r}")
    if method == "own_item":
        v = _column(tem, "samlet_trivsel_item")
        check_range(v, lo, hi, "samlet_trivsel_item")
        nan = np.isnan(v)
        record(ledger, "samlet_trivsel", {"scored": int((~nan).sum()), "missing_items": int(nan.sum())},
               policy="method=own_item", rule=rule_id(rule))
        return float_series(v, tem.index, "samlet_trivsel")
    total = np.zeros(len(tem))
    answered = np.zeros(len(tem), dtype="int64")
    items = list(rule["wellbeing_items"])
    for name in items:
        v = _column(tem, name)
        check_range(v, lo, hi, name)
        ok = ~np.isnan(v)
        answered += ok
        total += np.where(ok, v, 0.0)
    k = len(items)
    need = k if missing == "complete" else 1
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(answered >= need, total / answered, np.nan)
    counts = {"scored": int((answered == k).sum())}
    if missing == "available":
        counts["partial"] = int(((answered >= 1) & (answered < k)).sum())
    counts["missing_items"] = int((answered < need).sum())
    record(ledger, "samlet_trivsel", counts, policy=f"method={method}, missing={missing}", rule=rule_id(rule))
    return float_series(score, tem.index, "samlet_trivsel")


def tem_scale_item(
    tem: pd.DataFrame, item: Literal["koncentration", "planlaegning"], *, ledger: MeasureLedger | None = None
) -> pd.Series:
    """A 0-10 TEM item (koncentration or planlægning), validated, as float64.

    Source: UNG Rusmidler, section 6.5, figure 6.27 ("koncentration ... evne til planlægning ... på en
    skala fra 0-10, hvor 10 er bedst").

    Examples
    --------
    >>> import pandas as pd
    >>> tem_scale_item(pd.DataFrame({"koncentration": [4, None, 10]}), "koncentration").tolist()
    [4.0, nan, 10.0]
    """
    rule = load_rule("tem")
    if item not in rule["scale_items"]:
        raise ValueError(f"`item` must be one of {', '.join(map(repr, rule['scale_items']))}, got {item!r}")
    v = _column(tem, item)
    check_range(v, rule["scale"]["min"], rule["scale"]["max"], item)
    nan = np.isnan(v)
    record(ledger, item, {"scored": int((~nan).sum()), "missing_items": int(nan.sum())}, policy="", rule=rule_id(rule))
    return float_series(v, tem.index, item)


def _recall(tem: pd.DataFrame) -> np.ndarray | None:
    rule = load_rule("tem")
    col = rule["recall"]["column"]
    if col not in tem.columns:
        return None
    r = as_float(tem[col], col)
    bad = ~np.isnan(r) & (r != 7) & (r != 30)
    if bad.any():
        raise ValueError(f"column `{col}` must be 7 or 30; {int(bad.sum())} other value(s)")
    return r


def tem_drug_days_week(
    tem: pd.DataFrame,
    item: Literal["cannabis_days", "other_drug_days"],
    *,
    tem30: Tem30Policy = "exclude",
    ledger: MeasureLedger | None = None,
) -> pd.Series:
    """Days with cannabis (or other drugs) in the last 7 days, per TEM form.

    Parameters
    ----------
    tem
        TEM forms with the item column and optionally ``recall_window_days`` (7 or 30; a form without
        it is taken as TEM 7). On a TEM 7 form the count must be 0-7, on a TEM 30 form 0-30.
    item
        ``"cannabis_days"`` or ``"other_drug_days"``.
    tem30
        How a TEM 30 form (30-day recall, footnote 9) enters: ``"exclude"`` (default, NaN), ``"scale"``
        (days x 7/30, assuming even use over the month) or ``"as_is"`` (the 30-day count unchanged).
    ledger
        Optional ledger; receives ``tem7``, ``tem30_excluded`` / ``tem30_scaled`` / ``tem30_as_is`` and
        ``missing_item``.

    Returns
    -------
    pandas.Series
        float64 days per week (0-7 except under ``"as_is"``), NaN where missing or excluded.

    Notes
    -----
    Source: UNG Rusmidler, section 6.5 ("Fra 2,4 dage på en uge til 2,1 dag på en uge"); TEM 7 vs
    TEM 30 in section 6.1 and footnote 9; rule file ``tem.yaml``.

    Examples
    --------
    >>> import pandas as pd
    >>> tem = pd.DataFrame({"cannabis_days": [3, 0, 15], "recall_window_days": [7, 7, 30]})
    >>> tem_drug_days_week(tem, "cannabis_days").tolist()
    [3.0, 0.0, nan]
    >>> tem_drug_days_week(tem, "cannabis_days", tem30="scale").tolist()
    [3.0, 0.0, 3.5]
    """
    rule = load_rule("tem")
    if item not in rule["drug_day_items"]:
        raise ValueError(f"`item` must be one of {', '.join(map(repr, rule['drug_day_items']))}, got {item!r}")
    if tem30 not in rule["recall"]["tem30_policies"]:
        raise ValueError(
            f"`tem30` must be one of {', '.join(map(repr, rule['recall']['tem30_policies']))}, got {tem30!r}"
        )
    week = rule["recall"]["week_days"]
    v = _column(tem, rule["drug_day_items"][item]["column"])
    recall = _recall(tem)
    is30 = np.zeros(len(v), dtype=bool) if recall is None else (recall == 30)
    check_range(np.where(is30, np.nan, v), 0, week, item)
    check_range(np.where(is30, v, np.nan), 0, 30, f"{item} (TEM 30 forms)")
    nan = np.isnan(v)
    out = v.copy()
    if tem30 == "exclude":
        out[is30] = np.nan
    elif tem30 == "scale":
        out[is30] = v[is30] * week / 30
    tem30_status = {"exclude": "tem30_excluded", "scale": "tem30_scaled", "as_is": "tem30_as_is"}[tem30]
    counts = {"tem7": int((~is30 & ~nan).sum()), tem30_status: int((is30 & ~nan).sum()), "missing_item": int(nan.sum())}
    record(ledger, f"tem_drug_days_week[{item}]", counts, policy=f"tem30={tem30}", rule=rule_id(rule))
    return float_series(out, tem.index, f"{item}_week")


def alcohol_units_week(tem: pd.DataFrame, *, ledger: MeasureLedger | None = None) -> pd.Series:
    """Alcohol units (genstande) per week, per TEM form, validated non-negative.

    Source: UNG Rusmidler, section 6.5 ("genstande pr. uge").

    Examples
    --------
    >>> import pandas as pd
    >>> alcohol_units_week(pd.DataFrame({"alcohol_units_week": [8.5, None]})).tolist()
    [8.5, nan]
    """
    rule = load_rule("tem")
    col = rule["alcohol"]["column"]
    v = _column(tem, col)
    check_range(v, rule["alcohol"]["min"], np.inf, col, integer=False)
    nan = np.isnan(v)
    record(
        ledger,
        "alcohol_units_week",
        {"scored": int((~nan).sum()), "missing_item": int(nan.sum())},
        policy="",
        rule=rule_id(rule),
    )
    return float_series(v, tem.index, col)


def drug_free_last_week(
    tem: pd.DataFrame,
    *,
    method: Literal["item", "derived", "item_else_derived"] = "item_else_derived",
    tem30: Tem30Policy = "exclude",
    ledger: MeasureLedger | None = None,
) -> pd.Series:
    """Drug-free in the last week ("stoffri den seneste uge"), per TEM form.

    Parameters
    ----------
    tem
        TEM forms with ``drug_free_last_week`` and/or ``cannabis_days`` and ``other_drug_days``.
    method
        ``"item"``: the drug-free item. ``"derived"``: cannabis days = 0 and other-drug days = 0 (weekly
        counts from :func:`tem_drug_days_week` under ``tem30``). ``"item_else_derived"`` (default): the
        item where answered, else derived. UNG Rusmidler does not say which the report used.
    tem30
        Passed to :func:`tem_drug_days_week` for the derived value.
    ledger
        Optional ledger; receives ``from_item``, ``derived`` and ``missing``.

    Returns
    -------
    pandas.Series
        Nullable boolean.

    Notes
    -----
    Derived: :math:`\\text{free} = (c = 0) \\wedge (o = 0)`; missing if either count is missing, unless
    the other is positive (then not drug-free). Source: UNG Rusmidler, section 6.5,
    figure 6.28; rule file ``tem.yaml``.

    Examples
    --------
    >>> import pandas as pd
    >>> tem = pd.DataFrame({"drug_free_last_week": [True, None, None],
    ...                     "cannabis_days": [0, 0, 2], "other_drug_days": [0, 0, None]})
    >>> drug_free_last_week(tem).tolist()
    [True, True, False]
    """
    rule = load_rule("tem")
    methods = rule["drug_free"]["methods"]
    if method not in methods:
        raise ValueError(f"`method` must be one of {', '.join(map(repr, methods))}, got {method!r}")
    n = len(tem)
    item_val = np.zeros(n, dtype=bool)
    item_nan = np.ones(n, dtype=bool)
    if method in ("item", "item_else_derived"):
        col = rule["drug_free"]["column"]
        if col in tem.columns:
            item_val, item_nan = as_bool(tem[col], col)
        elif method == "item":
            resolve_columns(tem, [col], what="TEM drug-free")
    der_val = np.zeros(n, dtype=bool)
    der_nan = np.ones(n, dtype=bool)
    if method in ("derived", "item_else_derived") and (method == "derived" or item_nan.any()):
        c = tem_drug_days_week(tem, "cannabis_days", tem30=tem30).to_numpy(dtype="float64", na_value=np.nan)
        o = tem_drug_days_week(tem, "other_drug_days", tem30=tem30).to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            used = (c > 0) | (o > 0)
            clean = (c == 0) & (o == 0)
        der_val = clean
        der_nan = ~(used | clean)
    if method == "item":
        val, nan = item_val, item_nan
        counts = {"from_item": int((~nan).sum()), "derived": 0}
    elif method == "derived":
        val, nan = der_val, der_nan
        counts = {"from_item": 0, "derived": int((~nan).sum())}
    else:
        use_item = ~item_nan
        val = np.where(use_item, item_val, der_val)
        nan = item_nan & der_nan
        counts = {"from_item": int(use_item.sum()), "derived": int((~use_item & ~der_nan).sum())}
    counts["missing"] = int(nan.sum())
    record(ledger, "drug_free_last_week", counts, policy=f"method={method}, tem30={tem30}", rule=rule_id(rule))
    return bool_series(val & ~nan, nan, tem.index, "drug_free_last_week")


def tem_measures(
    tem: pd.DataFrame,
    *,
    samlet_method: Literal["mean_of_three", "own_item"] = "mean_of_three",
    samlet_missing: Literal["complete", "available"] = "complete",
    tem30: Tem30Policy = "exclude",
    drug_free_method: Literal["item", "derived", "item_else_derived"] = "item_else_derived",
    ledger: MeasureLedger | None = None,
) -> pd.DataFrame:
    """All seven TEM measures of UNG Rusmidler for each form, as one DataFrame on the input index.

    Columns: ``samlet_trivsel``, ``koncentration``, ``planlaegning``, ``cannabis_days_week``,
    ``other_drug_days_week``, ``alcohol_units_week``, ``drug_free_last_week``. Options are passed to
    :func:`samlet_trivsel`, :func:`tem_drug_days_week` and :func:`drug_free_last_week`.

    Examples
    --------
    >>> import pandas as pd
    >>> tem = pd.DataFrame({"personlig_trivsel": [6], "naere_relationer": [7], "social_trivsel": [5],
    ...     "koncentration": [4], "planlaegning": [6], "cannabis_days": [2], "other_drug_days": [0],
    ...     "alcohol_units_week": [10.0], "drug_free_last_week": [None]})
    >>> tem_measures(tem).T[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'samlet_trivsel': 6.0, 'koncentration': 4.0, 'planlaegning': 6.0, 'cannabis_days_week': 2.0,
     'other_drug_days_week': 0.0, 'alcohol_units_week': 10.0, 'drug_free_last_week': False}
    """
    return pd.DataFrame(
        {
            "samlet_trivsel": samlet_trivsel(tem, method=samlet_method, missing=samlet_missing, ledger=ledger),
            "koncentration": tem_scale_item(tem, "koncentration", ledger=ledger),
            "planlaegning": tem_scale_item(tem, "planlaegning", ledger=ledger),
            "cannabis_days_week": tem_drug_days_week(tem, "cannabis_days", tem30=tem30, ledger=ledger),
            "other_drug_days_week": tem_drug_days_week(tem, "other_drug_days", tem30=tem30, ledger=ledger),
            "alcohol_units_week": alcohol_units_week(tem, ledger=ledger),
            "drug_free_last_week": drug_free_last_week(tem, method=drug_free_method, tem30=tem30, ledger=ledger),
        },
        index=tem.index,
    )


#: The names :func:`tem_measure` computes: the seven measures of :func:`tem_measures` and the three
#: well-being items.
TEM_MEASURE_NAMES = (
    "samlet_trivsel",
    "personlig_trivsel",
    "naere_relationer",
    "social_trivsel",
    "koncentration",
    "planlaegning",
    "cannabis_days_week",
    "other_drug_days_week",
    "alcohol_units_week",
    "drug_free_last_week",
)


def tem_measure(
    tem: pd.DataFrame,
    name: str,
    *,
    samlet_method: Literal["mean_of_three", "own_item"] = "mean_of_three",
    samlet_missing: Literal["complete", "available"] = "complete",
    tem30: Tem30Policy = "exclude",
    drug_free_method: Literal["item", "derived", "item_else_derived"] = "item_else_derived",
    times: int = 1,
    ledger: MeasureLedger | None = None,
    chunk: int = 1 << 20,
) -> np.ndarray:
    """One TEM measure per form as float64 (NaN = missing; drug-free as 1/0): the trajectory input.

    Parameters
    ----------
    tem
        One row per TEM form.
    name
        One of :data:`TEM_MEASURE_NAMES` (the column names of :func:`tem_measures`, and the three
        well-being items ``personlig_trivsel``, ``naere_relationer``, ``social_trivsel``, each 0-10).
    samlet_method, samlet_missing, tem30, drug_free_method
        As for :func:`tem_measures`.
    times
        Return ``round(value * times)``: with ``times=3`` the mean of the three well-being items is
        their integer sum, so that sums over a million forms are exact (divide by 3 after summing).
    chunk
        Rows computed at a time when no ``ledger`` is kept: the working arrays of the measure (three
        items for samlet trivsel) stay this long, not as long as the export (12M forms at 1M youths).

    Returns
    -------
    numpy.ndarray
        float64, one value per row of ``tem``. Computed one measure at a time, so that only one
        per-form array is alive at once at registry scale.

    Examples
    --------
    >>> import pandas as pd
    >>> tem = pd.DataFrame({"personlig_trivsel": [6, 5], "naere_relationer": [7, None], "social_trivsel": [5, 5]})
    >>> tem_measure(tem, "samlet_trivsel", times=3).tolist(), tem_measure(tem, "naere_relationer").tolist()
    ([18.0, nan], [7.0, nan])
    """
    if name not in TEM_MEASURE_NAMES:
        raise KeyError(f"unknown TEM measure {name!r}; one of {', '.join(TEM_MEASURE_NAMES)}")
    options: dict[str, Any] = {
        "samlet_method": samlet_method,
        "samlet_missing": samlet_missing,
        "tem30": tem30,
        "drug_free_method": drug_free_method,
        "times": times,
    }
    if ledger is None and len(tem) > chunk:
        out = np.empty(len(tem))
        for start in range(0, len(tem), chunk):
            out[start : start + chunk] = _tem_measure(tem.iloc[start : start + chunk], name, None, **options)
        return out
    return _tem_measure(tem, name, ledger, **options)


def _tem_measure(
    tem: pd.DataFrame,
    name: str,
    ledger: MeasureLedger | None,
    *,
    samlet_method: Any,
    samlet_missing: Any,
    tem30: Any,
    drug_free_method: Any,
    times: int,
) -> np.ndarray:
    if name == "samlet_trivsel":
        series = samlet_trivsel(tem, method=samlet_method, missing=samlet_missing, ledger=ledger)
    elif name in ("personlig_trivsel", "naere_relationer", "social_trivsel"):
        values = _column(tem, name)  # 0-10 integers (the data dictionary's range, checked when read)
        return np.rint(values * times) if times != 1 else values
    elif name in ("koncentration", "planlaegning"):
        series = tem_scale_item(tem, name, ledger=ledger)  # type: ignore[arg-type]
    elif name in ("cannabis_days_week", "other_drug_days_week"):
        item = "cannabis_days" if name == "cannabis_days_week" else "other_drug_days"
        series = tem_drug_days_week(tem, item, tem30=tem30, ledger=ledger)  # type: ignore[arg-type]
    elif name == "alcohol_units_week":
        series = alcohol_units_week(tem, ledger=ledger)
    else:  # drug_free_last_week
        series = drug_free_last_week(tem, method=drug_free_method, tem30=tem30, ledger=ledger)
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    return np.rint(values * times) if times != 1 else values
