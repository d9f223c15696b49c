"""Progression measures of the outreach group courses: day counts and cannabis reduction.

Udgående indsatser (Socialstyrelsen 2017), section 7.2: the table "Deltagernes progression i
projektet" (p. 26) reports mean cannabis days (last 30), days using more than one illegal drug (last
30) and days of unauthorised absence (last 14) at Indskrivning, Afslutning and Opfølgning; the table
"Antal unge, der helt stopper med at indtage cannabis" (pp. 27-28) counts those who stopped ("Helt
stoppet") or at least halved ("Halveret forbrug") their cannabis days, footnote 11 (p. 24). Who can
stop or halve is an explicit choice (``eligibility``), because the report does not state it and the
printed denominators (about 312 of 333) imply excluding those with 0 days at intake.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from evalkit.measures._common import aligned_index, as_float, bool_series, category_series, check_range, float_series
from evalkit.measures._ledger import MeasureLedger, record
from evalkit.rules import load_rule, rule_id

__all__ = ["progression_days", "cannabis_reduction", "poly_drug_users", "REDUCTION_CATEGORIES"]

REDUCTION_CATEGORIES = ("stopped", "halved", "neither")

Measure = Literal["cannabis_days_30", "multidrug_days_30", "absence_days_14"]


def progression_days(values: pd.Series, measure: Measure, *, ledger: MeasureLedger | None = None) -> pd.Series:
    """An Udgående indsatser day count, validated against its window, as float64 (NaN = missing).

    Parameters
    ----------
    values
        One time point's column: ``hash_dage_30`` (``"cannabis_days_30"``), ``flere_stoffer_dage_30``
        (``"multidrug_days_30"``) or ``ulovligt_fravaer_dage_14`` (``"absence_days_14"``).
        Whole numbers within 0-30 (0-14 for absence); others raise :class:`ValueError`.
    measure
        Which measure, naming the window.
    ledger
        Optional ledger; receives ``observed`` and ``missing``.

    Returns
    -------
    pandas.Series
        float64 on the input index.

    Notes
    -----
    Source: Udgående indsatser, table "Deltagernes progression i projektet", p. 26, rows 1-3; rule
    file ``progression.yaml`` (``measures``).

    Examples
    --------
    >>> import pandas as pd
    >>> progression_days(pd.Series([0, 14, None]), "absence_days_14").tolist()
    [0.0, 14.0, nan]
    """
    rule = load_rule("progression")
    measures = rule["measures"]
    if measure not in measures:
        raise ValueError(f"`measure` must be one of {', '.join(map(repr, measures))}, got {measure!r}")
    spec = measures[measure]
    v = as_float(values, spec["column"])
    check_range(v, spec["min"], spec["max"], spec["column"])
    nan = np.isnan(v)
    record(ledger, f"progression_days[{measure}]", {"observed": int((~nan).sum()), "missing": int(nan.sum())},
           policy="", rule=rule_id(rule))
    return float_series(v, aligned_index(values), measure)


def cannabis_reduction(
    t0: pd.Series,
    t1: pd.Series,
    *,
    eligibility: Literal["used_at_intake", "all_observed"],
    ledger: MeasureLedger | None = None,
) -> pd.DataFrame:
    """Stopped / halved cannabis use between two time points (Udgående indsatser, footnote 11).

    Parameters
    ----------
    t0, t1
        Cannabis days in the last 30 days (0-30) at intake and at the later time point, same index.
    eligibility
        No default; the choice is reported in the ledger.
        ``"used_at_intake"``: t0 and t1 observed and t0 > 0 (someone with 0 days at intake can neither
        stop nor halve); reproduces the table's implied denominators (about 312 of 333).
        ``"all_observed"``: t0 and t1 observed; those with t0 = 0 are eligible but never counted as
        stopped or halved (the text's "62 pct. af de unge, som gennemfører" reading, 193/333).
    ledger
        Optional ledger; receives ``stopped``, ``halved``, ``neither``, ``zero_at_intake``
        (not eligible, with ``"used_at_intake"``) and ``missing_t0_or_t1``.

    Returns
    -------
    pandas.DataFrame
        On the input index, columns:

        ``eligible`` (bool): in the denominator.
        ``stopped`` (boolean): t1 == 0 (and t0 > 0); <NA> if not eligible.
        ``halved`` (boolean): 0 < t1 and 2 * t1 <= t0 ("Halveret forbrug", excludes stopped); <NA> if
        not eligible.
        ``at_least_halved`` (boolean): stopped or halved ("betydelig reduktion", footnote 11).
        ``category`` (ordered categorical): stopped < halved < neither; NaN if not eligible.

    Notes
    -----
    Udgående indsatser, footnote 11, p. 24: "minimum en halvering af antallet af dage med forbrug af
    hash i seneste måned, inklusiv dem som har reduceret til 0 dage". Halving is decided on integers,
    :math:`2 t_1 \\le t_0`, so exactly half counts (t0 = 7, t1 = 3 is halved; t1 = 4 is not).
    Source: Udgående indsatser, table "Antal unge, der helt stopper med at indtage cannabis",
    pp. 27-28; rule file ``progression.yaml``. Validated against footnote 11 applied per row and the
    printed 84 / 109 / 193 (27 / 35 / 62 pct.) of about 312.

    Examples
    --------
    >>> import pandas as pd
    >>> t0 = pd.Series([10, 10, 10, 7, 0, None])
    >>> t1 = pd.Series([0, 5, 6, 3, 0, 2])
    >>> out = cannabis_reduction(t0, t1, eligibility="used_at_intake")
    >>> out["category"].tolist()
    ['stopped', 'halved', 'neither', 'halved', nan, nan]
    >>> int(out["eligible"].sum()), int(out["at_least_halved"].sum())
    (4, 3)
    """
    rule = load_rule("progression")
    spec = rule["cannabis_reduction"]
    rules = spec["eligibility"]
    if eligibility not in rules:
        raise ValueError(f"`eligibility` must be one of {', '.join(map(repr, rules))}, got {eligibility!r}")
    index = aligned_index(t0, t1)
    a = as_float(t0, "t0")
    b = as_float(t1, "t1")
    hi = rule["measures"]["cannabis_days_30"]["max"]
    check_range(a, 0, hi, "t0")
    check_range(b, 0, hi, "t1")
    observed = ~np.isnan(a) & ~np.isnan(b)
    ai = np.where(observed, a, 0).astype("int64")
    bi = np.where(observed, b, 0).astype("int64")
    eligible = observed & (ai >= int(rules[eligibility]["min_t0"]))
    used = ai > 0
    stopped = eligible & used & (bi == 0)
    halved = eligible & used & (bi > 0) & (int(spec["halving_factor"]) * bi <= ai)
    neither = eligible & ~stopped & ~halved
    codes = np.select([stopped, halved, neither], [0, 1, 2], default=-1)
    counts = {
        "stopped": int(stopped.sum()),
        "halved": int(halved.sum()),
        "neither": int(neither.sum()),
        "zero_at_intake": int((observed & ~eligible).sum()),
        "missing_t0_or_t1": int((~observed).sum()),
    }
    record(ledger, "cannabis_reduction", counts, policy=f"eligibility={eligibility}", rule=rule_id(rule))
    out = pd.DataFrame(
        {
            "eligible": pd.Series(eligible, index=index),
            "stopped": bool_series(stopped, ~eligible, index, "stopped"),
            "halved": bool_series(halved, ~eligible, index, "halved"),
            "at_least_halved": bool_series(stopped | halved, ~eligible, index, "at_least_halved"),
            "category": category_series(codes, REDUCTION_CATEGORIES, index, "category", ordered=True),
        },
        index=index,
    )
    return out


def poly_drug_users(*time_points: pd.Series, ledger: MeasureLedger | None = None) -> pd.Series:
    """Persons with more than 0 poly-drug days at one or more time points (the subset of 146 in Udgående indsatser).

    Parameters
    ----------
    *time_points
        ``flere_stoffer_dage_30`` at each time point (e.g. T0, T1, T2), same index.
    ledger
        Optional ledger; receives ``user``, ``non_user`` and ``all_missing``.

    Returns
    -------
    pandas.Series
        Nullable boolean: True if any time point is > 0; False if none is and at least one is observed
        (a missing time point counts as not reported); <NA> if all are missing.

    Notes
    -----
    Source: Udgående indsatser, table "Deltagernes progression i projektet", p. 26, the note to the
    poly-drug row ("de 146 elever ... som ved indskrivning, afslutning og/eller
    ved opfølgning har angivet at have haft et forbrug af mere end ét stof"); the table's means are
    over this subset, not over all completers.

    Examples
    --------
    >>> import pandas as pd
    >>> poly_drug_users(pd.Series([0, 0, None]), pd.Series([2, 0, None])).tolist()
    [True, False, <NA>]
    """
    if not time_points:
        raise ValueError("give at least one time point")
    index = aligned_index(*time_points)
    hi = load_rule("progression")["measures"]["multidrug_days_30"]["max"]
    any_pos = np.zeros(len(index), dtype=bool)
    any_obs = np.zeros(len(index), dtype=bool)
    for i, tp in enumerate(time_points):
        v = as_float(tp, f"time point {i}")
        check_range(v, 0, hi, f"time point {i}")
        with np.errstate(invalid="ignore"):
            any_pos |= v > 0
        any_obs |= ~np.isnan(v)
    rule = load_rule("progression")
    record(
        ledger,
        "poly_drug_users",
        {"user": int(any_pos.sum()), "non_user": int((any_obs & ~any_pos).sum()), "all_missing": int((~any_obs).sum())},
        policy="missing time point = not reported",
        rule=rule_id(rule),
    )
    return bool_series(any_pos, ~any_obs, index, "poly_drug_user")
