"""Stofscore (drug score) of UNG Rusmidler, footnote 13 (p. 59), and its 12+ classification.

The footnote's formula ``(((hash/30)+(kokain/30)+(amfetamin/30)+(ecstasy/30)+(andre/30))/5)*100``
equals ``100 * total_days / 150``. Evaluated literally in floating point it is not exact at the
boundary (``6/30+6/30+6/30`` gives 12.000000000000002, ``18/30`` gives 12.0), so the 12+ class is
decided in integer arithmetic on the total number of days: ``>= 12`` iff total >= 18,
``> 12`` iff total >= 19. The report's wording is ambiguous ("større end 12 (12+)" in the text,
"12+" and "under 12" in figures 6.15 and 6.16), so ``>= 12`` is the default and ``> 12`` an option.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

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

__all__ = ["any_use_30", "drug_free_30", "stofscore", "stofscore_12plus", "stofscore_total_days"]


def _total_days(
    days: pd.DataFrame, missing: str, ledger: MeasureLedger | None, measure: str
) -> tuple[np.ndarray, np.ndarray]:
    """Total days over the five substances as int64, and a missing mask."""
    rule = load_rule("stofscore")
    if missing not in rule["missing_policies"]:
        raise ValueError(f"`missing` must be one of {', '.join(map(repr, rule['missing_policies']))}, got {missing!r}")
    subs = rule["substances"]
    wanted = [s["column"] for s in subs]
    aliases = {s["column"]: (s["key"], *s["aliases"]) for s in subs}
    cols = resolve_columns(days, wanted, aliases, what="stofscore days")
    total = np.zeros(len(days), dtype="int64")
    n_missing = np.zeros(len(days), dtype="int64")
    for col in cols:
        v = as_float(days[col], str(col))
        check_range(v, 0, rule["window_days"], str(col))
        nan = np.isnan(v)
        n_missing += nan
        total += np.where(nan, 0, v).astype("int64")
    if missing == "complete":
        absent = n_missing > 0
        counts = {"scored": int((~absent).sum()), "missing_days": int(absent.sum())}
    else:
        absent = n_missing == len(cols)
        counts = {
            "scored": int((n_missing == 0).sum()),
            "missing_as_zero": int(((n_missing > 0) & ~absent).sum()),
            "missing_days": int(absent.sum()),
        }
    record(ledger, measure, counts, policy=f"missing={missing}", rule=rule_id(rule))
    return total, absent


def stofscore_total_days(
    days: pd.DataFrame, *, missing: Literal["complete", "zero"] = "complete", ledger: MeasureLedger | None = None
) -> pd.Series:
    """Total days of use over the five substances of the stofscore (0-150).

    Parameters are those of :func:`stofscore`.

    Returns
    -------
    pandas.Series
        Nullable ``Int64`` (exact), <NA> where no total.

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.DataFrame({"hash": [18, 6], "kokain": [0, 6], "amfetamin": [0, 6],
    ...                      "ecstasy": [0, 0], "andre": [0, 0]})
    >>> stofscore_total_days(days).tolist()
    [18, 18]
    """
    total, absent = _total_days(days, missing, ledger, "stofscore_total_days")
    return pd.Series(pd.arrays.IntegerArray(total, absent), index=days.index, name="stofscore_total_days")


def stofscore(
    days: pd.DataFrame, *, missing: Literal["complete", "zero"] = "complete", ledger: MeasureLedger | None = None
) -> pd.Series:
    """Stofscore (0-100) from days of use in the last 30 days per substance (UNG Rusmidler, footnote 13, p. 59).

    Parameters
    ----------
    days
        One row per person (UngMap). Columns for hash, kokain, amfetamin, ecstasy and andre, by their
        dictionary names (``days_hash_30`` ...) or the short names ``hash``, ``kokain``, ``amfetamin``,
        ``ecstasy``, ``andre``. Whole numbers 0-30; values outside raise :class:`ValueError`.
        Opioid days are not part of the formula (the footnote does not name them).
    missing
        ``"complete"`` (default): any missing substance gives NaN. ``"zero"``: a missing substance
        counts as 0 days (only when the export leaves "no use" blank); a row with all five missing
        still gives NaN.
    ledger
        Optional ledger; receives ``scored``, ``missing_as_zero`` (with ``"zero"``) and ``missing_days``.

    Returns
    -------
    pandas.Series
        float64 on the input index; the value nearest to the exact rational score. For the 12+
        class use :func:`stofscore_12plus`, never a float comparison on this value.

    Notes
    -----
    .. math:: \\text{stofscore} = \\frac{1}{5}\\sum_{s} \\frac{d_s}{30} \\cdot 100
              = \\frac{100 \\cdot \\sum_s d_s}{150}

    computed as one division of exact integers, so it is correctly rounded. Source: UNG Rusmidler
    (Socialstyrelsen), footnote 13, p. 59, and figure 6.15 (p. 60); rule file ``stofscore.yaml``.
    Validated against the footnote's formula in exact fractions and the printed 39,7 % of 390 and mean
    9,6.

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.DataFrame({"hash": [18, 6, 30], "kokain": [0, 6, 30], "amfetamin": [0, 6, 30],
    ...                      "ecstasy": [0, 0, 30], "andre": [0, 0, 30]})
    >>> stofscore(days).tolist()
    [12.0, 12.0, 100.0]
    """
    rule = load_rule("stofscore")
    total, absent = _total_days(days, missing, ledger, "stofscore")
    denom = rule["window_days"] * len(rule["substances"])
    score = (total * rule["scale"]) / denom
    score[absent] = np.nan
    return float_series(score, days.index, "stofscore")


def stofscore_12plus(
    days: pd.DataFrame,
    *,
    threshold: float | str | None = None,
    comparison: Literal[">=", ">"] | None = None,
    missing: Literal["complete", "zero"] = "complete",
    ledger: MeasureLedger | None = None,
) -> pd.Series:
    """Stofscore 12+ (UNG Rusmidler's risk factor "Stofbelastning 12+"), decided in integer arithmetic.

    Parameters
    ----------
    days
        As for :func:`stofscore`.
    threshold
        Score threshold; default from ``stofscore.yaml`` (12). Given as a number or decimal string; it
        is turned into an exact fraction (``"12.5"`` is 25/2).
    comparison
        ``">="`` (default from the rule file: "12+" means 12 or more, total days >= 18) or ``">"``
        ("større end 12": total days >= 19).
    missing
        As for :func:`stofscore`.
    ledger
        Optional ledger; receives ``12plus``, ``below`` and ``missing_days`` (policy names the
        threshold and comparison).

    Returns
    -------
    pandas.Series
        Nullable boolean; <NA> where the score is missing.

    Notes
    -----
    With :math:`T = p/q` in lowest terms, window 30 and 5 substances,

    .. math:: \\frac{100 \\cdot D}{150} \\ge T \\iff 100 \\cdot D \\cdot q \\ge 150 \\cdot p

    compared on integers, so an 18-day total classifies the same however it is split. Source: UNG Rusmidler,
    section 6.3, p. 59 ("En stofscore, der er større end 12 (12+), indikerer en meget stor
    stofbelastningsgrad") and figures 6.15 (p. 60), 6.16 and 6.18; the wording allows ``> 12`` as well.

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.DataFrame({"hash": [18, 6, 17], "kokain": [0, 6, 0], "amfetamin": [0, 6, 0],
    ...                      "ecstasy": [0, 0, 0], "andre": [0, 0, 0]})
    >>> stofscore_12plus(days).tolist()
    [True, True, False]
    >>> stofscore_12plus(days, comparison=">").tolist()
    [False, False, False]
    """
    rule = load_rule("stofscore")
    spec = rule["threshold"]
    comparison = comparison if comparison is not None else spec["comparison"]
    if comparison not in spec["allowed_comparisons"]:
        raise ValueError(
            f"`comparison` must be one of {', '.join(map(repr, spec['allowed_comparisons']))}, got {comparison!r}"
        )
    value = spec["value"] if threshold is None else threshold
    try:
        frac = Fraction(str(value))
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"`threshold` must be a number, got {value!r}") from exc
    total, absent = _total_days(days, missing, None, "stofscore_12plus")
    lhs = total * (rule["scale"] * frac.denominator)
    rhs = frac.numerator * rule["window_days"] * len(rule["substances"])
    hit = lhs >= rhs if comparison == ">=" else lhs > rhs
    hit &= ~absent
    record(
        ledger,
        "stofscore_12plus",
        {"12plus": int(hit.sum()), "below": int((~hit & ~absent).sum()), "missing_days": int(absent.sum())},
        policy=f"threshold={frac}, comparison={comparison}, missing={missing}",
        rule=rule_id(rule),
    )
    return bool_series(hit, absent, days.index, "stofscore_12plus")


def _days_or_missing(intake: pd.DataFrame, column: str) -> np.ndarray:
    """Days of one substance (float64, NaN = missing); an absent column is all missing."""
    if column not in intake.columns:
        return np.full(len(intake), np.nan)
    return as_float(intake[column], column)


def any_use_30(intake: pd.DataFrame, columns: Sequence[str], *, recorded: str | None = None) -> pd.Series:
    """Used any of ``columns`` on at least one of the last 30 days (UngMap day counts).

    As in UNG Rusmidler, figure 6.14, p. 59.

    Parameters
    ----------
    intake
        One row per UngMap (``days_hash_30``, ``days_kokain_30``, ...).
    columns
        Day-count columns of the substance group (absent columns count as missing). UNG Rusmidler does
        not define "centralstimulerende"; the report's constants list the columns.
    recorded
        A yes/no column recording the answer itself (e.g. ``used_centralstimulerende_30``): used where
        answered, the day counts elsewhere.

    Returns
    -------
    pandas.Series
        Nullable boolean: True if any day count is > 0, False if every one is 0, <NA> otherwise.

    Examples
    --------
    >>> import pandas as pd
    >>> u = pd.DataFrame({"days_kokain_30": [0, 3, None, 0], "days_amfetamin_30": [0, 0, 0, None]})
    >>> any_use_30(u, ["days_kokain_30", "days_amfetamin_30"]).tolist()
    [False, True, <NA>, <NA>]
    """
    stack = (
        np.column_stack([_days_or_missing(intake, c) for c in columns])
        if columns
        else np.full((len(intake), 1), np.nan)
    )
    with np.errstate(invalid="ignore"):
        used = np.any(stack > 0, axis=1)
        none = np.all(stack == 0, axis=1)
    missing = ~used & ~none
    if recorded is not None and recorded in intake.columns:
        given, given_missing = as_bool(intake[recorded], recorded)
        used = np.where(given_missing, used, given)
        missing = missing & given_missing
    return bool_series(used & ~missing, missing, intake.index, "any_use_30")


def drug_free_30(intake: pd.DataFrame, columns: Sequence[str], *, recorded: str | None = "drug_free_30") -> pd.Series:
    """Drug-free in the last 30 days: zero days of every column (UNG Rusmidler, figure 6.14 "Stoffri",
    p. 59, and figure 6.16).

    ``recorded`` (default ``drug_free_30``) is the answer itself where given; elsewhere the youth is
    drug-free when every day count is 0, not drug-free when any is > 0, unknown otherwise.

    >>> import pandas as pd
    >>> u = pd.DataFrame({"days_hash_30": [0, 2, 0], "days_andre_30": [0, 0, None], "drug_free_30": [None, True, None]})
    >>> drug_free_30(u, ["days_hash_30", "days_andre_30"]).tolist()
    [True, True, <NA>]
    """
    used = any_use_30(intake, columns)
    missing = used.isna().to_numpy()
    free = ~used.fillna(False).to_numpy(dtype=bool)
    if recorded is not None and recorded in intake.columns:
        given, given_missing = as_bool(intake[recorded], recorded)
        free = np.where(given_missing, free, given)
        missing = missing & given_missing
    return bool_series(free & ~missing, missing, intake.index, "drug_free_30")
