"""WHO-5 Well-Being Index: raw and percentage scores, bands, cut-offs and change.

Scoring follows the WHO-5 scoring instructions (five items scored 0-5; raw = sum, 0-25; percent = raw x 4,
0-100); the bands, cut-offs and change rules are data in ``evalkit/rules/who5.yaml``. Because the
percentage moves in steps of 4, every boundary is stated and tested on both scales: raw 7/8 is
28/32 %, raw 12/13 is 48/52 %.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from evalkit.io.schema import dataset
from evalkit.measures._common import (
    aligned_index,
    as_float,
    bool_series,
    category_series,
    check_range,
    float_series,
    resolve_columns,
)
from evalkit.measures._ledger import MeasureLedger, record
from evalkit.rules import interval_mask, load_rule, rule_id

__all__ = ["who5_raw", "who5_percent", "who5_band", "who5_below_cutoff", "who5_change"]

MissingPolicy = Literal["complete", "prorate"]


def _item_columns(items: pd.DataFrame) -> list[str]:
    """The five item columns: canonical names (or dictionary aliases), else a 5-column frame as is."""
    rule = load_rule("who5")
    wanted = list(rule["items"]["columns"])
    table = dataset("udgaaende").table("registreringer")
    aliases = {c: table.column(c).aliases for c in wanted}
    try:
        return resolve_columns(items, wanted, aliases, what="WHO-5 items")
    except KeyError:
        if isinstance(items, pd.DataFrame) and items.shape[1] == len(wanted):
            return list(items.columns)
        raise


def _who5_raw(items: pd.DataFrame, missing: str, ledger: MeasureLedger | None, measure: str) -> np.ndarray:
    rule = load_rule("who5")
    policies = rule["missing_policies"]
    if missing not in policies:
        raise ValueError(f"`missing` must be one of {', '.join(map(repr, policies))}, got {missing!r}")
    max_missing = int(policies[missing]["max_missing"])
    cols = _item_columns(items)
    lo, hi = rule["items"]["min"], rule["items"]["max"]
    total = np.zeros(len(items), dtype="float64")
    n_missing = np.zeros(len(items), dtype="int64")
    for col in cols:
        v = as_float(items[col], str(col))
        check_range(v, lo, hi, str(col))
        nan = np.isnan(v)
        n_missing += nan
        total += np.where(nan, 0.0, v)
    k = len(cols)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where(n_missing == 0, total, total * k / (k - n_missing))
    raw[n_missing > max_missing] = np.nan
    counts = {"scored": int((n_missing == 0).sum())}
    if max_missing > 0:
        counts["prorated"] = int(((n_missing > 0) & (n_missing <= max_missing)).sum())
    counts["missing_items"] = int((n_missing > max_missing).sum())
    record(ledger, measure, counts, policy=f"missing={missing}", rule=rule_id(rule))
    return raw


def who5_raw(
    items: pd.DataFrame, *, missing: MissingPolicy = "complete", ledger: MeasureLedger | None = None
) -> pd.Series:
    """WHO-5 raw score (0-25): the sum of the five items.

    Parameters
    ----------
    items
        One row per registration. Columns ``who5_1`` ... ``who5_5`` (or their dictionary aliases), or
        any frame with exactly five columns. Items are whole numbers 0-5; missing is NaN/<NA>/None.
        Values outside 0-5 raise :class:`ValueError`.
    missing
        ``"complete"`` (default): all five items are required, otherwise the score is NaN.
        ``"prorate"``: with one item missing, raw = mean(answered items) x 5, not rounded (a multiple of
        0.25); two or more missing give NaN. The WHO-5 scoring instructions give no missing-item rule.
    ledger
        Optional :class:`~evalkit.measures.MeasureLedger`; receives counts of ``scored``, ``prorated`` (only
        with ``"prorate"``) and ``missing_items``.

    Returns
    -------
    pandas.Series
        float64 on the items' index, NaN where no score.

    Notes
    -----
    .. math:: \\text{raw} = \\sum_{i=1}^{5} x_i, \\qquad x_i \\in \\{0, \\dots, 5\\}

    Source: the WHO-5 scoring instructions ("The raw score is calculated by totaling the figures of
    the five answers"); rule file ``who5.yaml``. Validated against a plain per-row reference and the
    boundaries raw 7/8 and 12/13 on both scales, and end to end against Udgående indsatser (Socialstyrelsen
    2017), table "Deltagernes progression i projektet", p. 26 (means 52,5 / 71 / 72).

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"who5_1": [3, 5, 3], "who5_2": [3, 5, None], "who5_3": [2, 5, 2],
    ...                       "who5_4": [2, 5, 2], "who5_5": [2, 5, 2]})
    >>> who5_raw(items).tolist()
    [12.0, 25.0, nan]
    >>> who5_raw(items, missing="prorate").tolist()
    [12.0, 25.0, 11.25]
    """
    return float_series(_who5_raw(items, missing, ledger, "who5_raw"), items.index, "who5_raw")


def who5_percent(
    items: pd.DataFrame, *, missing: MissingPolicy = "complete", ledger: MeasureLedger | None = None
) -> pd.Series:
    """WHO-5 percentage score (0-100): the raw score x 4.

    Parameters are those of :func:`who5_raw`. With complete items the result is a multiple of 4;
    a prorated score is 5 x (sum of the four answered items), a multiple of 5.

    Returns
    -------
    pandas.Series
        float64 on the items' index, NaN where no score.

    Notes
    -----
    .. math:: \\text{percent} = 4 \\cdot \\text{raw}

    Source: the WHO-5 scoring instructions ("the raw score is multiplied by 4"); Udgående indsatser,
    footnote 14, p. 30 ("Scoren fra 0 - 100 point"); rule file ``who5.yaml``.

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"who5_1": [3, 3], "who5_2": [3, 3], "who5_3": [2, 3],
    ...                       "who5_4": [2, 2], "who5_5": [2, 2]})
    >>> who5_percent(items).tolist()   # raw 12 and 13
    [48.0, 52.0]
    """
    rule = load_rule("who5")
    raw = _who5_raw(items, missing, ledger, "who5_percent")
    return float_series(raw * rule["percent_multiplier"], items.index, "who5_percent")


def _percent_array(percent: pd.Series, name: str) -> np.ndarray:
    v = as_float(percent, name)
    check_range(v, 0, 100, name, integer=False)
    return v


def who5_band(
    percent: pd.Series, *, scheme: Literal["seed000", "standard"] = "seed000", ledger: MeasureLedger | None = None
) -> pd.Series:
    """Classify WHO-5 percentage scores into the bands of a scheme from ``who5.yaml``.

    Parameters
    ----------
    percent
        WHO-5 percentage scores (0-100), e.g. from :func:`who5_percent`; NaN gives NaN.
    scheme
        ``"seed000"`` (default): the bands of Udgående indsatser, footnote 14, p. 30, printed "0 - 35",
        "36 - 50", "Over 50". On the 4-step scale these hold 0-32 (raw 0-8), 36-48 (raw 9-12) and 52-100 (raw 13-25).
        ``"standard"``: <= 28 likely depression, 29-50 poor well-being, over 50 (the ≤ 28 cut-off as
        commonly attributed to Topp et al. 2015; ≤ 50 from the WHO-5 scoring instructions).
    ledger
        Optional ledger; receives counts per band code plus ``missing_score`` and ``no_band`` (a
        non-integer score in a gap between printed bands, e.g. 35.5 under ``"seed000"``).

    Returns
    -------
    pandas.Series
        Ordered categorical with the scheme's band codes, lowest band first.

    Notes
    -----
    Intervals are read literally from the rule file with explicit ``include_min``/``include_max``.
    Sources: Udgående indsatser, footnote 14, p. 30; Topp et al. 2015; the WHO-5 scoring instructions.

    Examples
    --------
    >>> import pandas as pd
    >>> who5_band(pd.Series([32.0, 36.0, 48.0, 52.0])).tolist()
    ['0-35', '36-50', '36-50', 'over_50']
    >>> who5_band(pd.Series([28.0, 32.0, 48.0, 52.0]), scheme="standard").tolist()
    ['likely_depression', 'poor_wellbeing', 'poor_wellbeing', 'not_indicated']
    """
    rule = load_rule("who5")
    schemes = rule["band_schemes"]
    if scheme not in schemes:
        raise ValueError(f"`scheme` must be one of {', '.join(map(repr, schemes))}, got {scheme!r}")
    bands = schemes[scheme]["bands"]
    v = _percent_array(percent, "percent")
    codes = np.full(len(v), -1, dtype="int64")
    for i, band in enumerate(bands):
        codes[interval_mask(v, band) & (codes == -1)] = i
    labels = [b["code"] for b in bands]
    counts = {code: int((codes == i).sum()) for i, code in enumerate(labels)}
    nan = np.isnan(v)
    counts["missing_score"] = int(nan.sum())
    counts["no_band"] = int(((codes == -1) & ~nan).sum())
    record(ledger, "who5_band", counts, policy=f"scheme={scheme}", rule=rule_id(rule))
    index = aligned_index(percent)
    return category_series(codes, labels, index, f"who5_band_{scheme}", ordered=True)


def who5_below_cutoff(
    percent: pd.Series, *, cutoff: Literal["poor_wellbeing", "likely_depression"], ledger: MeasureLedger | None = None
) -> pd.Series:
    """Flag WHO-5 percentage scores at or below a standard cut-off.

    Parameters
    ----------
    percent
        WHO-5 percentage scores (0-100); NaN gives <NA>.
    cutoff
        ``"poor_wellbeing"``: percent <= 50 (raw <= 12; "< 50" is the same on the 4-step scale).
        ``"likely_depression"``: percent <= 28 (raw <= 7).
    ledger
        Optional ledger; receives counts ``below``, ``not_below``, ``missing_score``.

    Returns
    -------
    pandas.Series
        Nullable boolean.

    Notes
    -----
    Source: the WHO-5 scoring instructions (raw < 13: poor well-being) and Topp et al. 2015 (≤ 28, as
    commonly attributed); rule file ``who5.yaml`` (``cutoffs``).

    Examples
    --------
    >>> import pandas as pd
    >>> who5_below_cutoff(pd.Series([48.0, 52.0]), cutoff="poor_wellbeing").tolist()
    [True, False]
    >>> who5_below_cutoff(pd.Series([28.0, 32.0, None]), cutoff="likely_depression").tolist()
    [True, False, <NA>]
    """
    rule = load_rule("who5")
    cutoffs = rule["cutoffs"]
    if cutoff not in cutoffs:
        raise ValueError(f"`cutoff` must be one of {', '.join(map(repr, cutoffs))}, got {cutoff!r}")
    v = _percent_array(percent, "percent")
    below = interval_mask(v, {"max": cutoffs[cutoff]["max"], "include_max": cutoffs[cutoff]["include_max"]})
    nan = np.isnan(v)
    record(
        ledger,
        "who5_below_cutoff",
        {"below": int(below.sum()), "not_below": int((~below & ~nan).sum()), "missing_score": int(nan.sum())},
        policy=f"cutoff={cutoff}",
        rule=rule_id(rule),
    )
    return bool_series(below, nan, aligned_index(percent), f"who5_{cutoff}")


def who5_change(
    pre: pd.Series,
    post: pd.Series,
    *,
    rule: Literal["strict_increase", "min_10_points"],
    ledger: MeasureLedger | None = None,
) -> pd.Series:
    """Classify each pre/post pair of WHO-5 percentage scores as improved or not.

    The rule has no default: Udgående indsatser does not define "forbedret trivsel", so the caller
    chooses.

    Parameters
    ----------
    pre, post
        WHO-5 percentage scores (0-100) on the same index (same person per row).
    rule
        ``"strict_increase"``: improved iff post > pre (the reading that reproduces the 251/333
        of Udgående indsatser, table "Antal unge, der oplever forbedret trivsel", p. 31).
        ``"min_10_points"``: improved iff post - pre >= 10 (the WHO-5 scoring instructions: "A 10%
        difference indicates a significant change"; on the 4-step scale a rise of at least 3 raw
        points, since 2 raw points is only 8).
    ledger
        Optional ledger; receives counts ``improved``, ``not_improved``, ``missing_pre_or_post``.

    Returns
    -------
    pandas.Series
        Nullable boolean, <NA> where pre or post is missing.

    Notes
    -----
    .. math:: \\Delta = \\text{post} - \\text{pre}; \\quad \\text{improved} = \\Delta > 0
              \\;\\text{or}\\; \\Delta \\ge 10

    Examples
    --------
    >>> import pandas as pd
    >>> pre, post = pd.Series([48.0, 48.0, 48.0]), pd.Series([52.0, 56.0, 60.0])
    >>> who5_change(pre, post, rule="strict_increase").tolist()
    [True, True, True]
    >>> who5_change(pre, post, rule="min_10_points").tolist()
    [False, False, True]
    """
    spec = load_rule("who5")
    rules = spec["change_rules"]
    if rule not in rules:
        raise ValueError(f"`rule` must be one of {', '.join(map(repr, rules))}, got {rule!r}")
    index = aligned_index(pre, post)
    a = _percent_array(pre, "pre")
    b = _percent_array(post, "post")
    delta = b - a
    improved = interval_mask(delta, {"min": rules[rule]["min_change"], "include_min": rules[rule]["include_min"]})
    nan = np.isnan(delta)
    record(
        ledger,
        "who5_change",
        {
            "improved": int(improved.sum()),
            "not_improved": int((~improved & ~nan).sum()),
            "missing_pre_or_post": int(nan.sum()),
        },
        policy=f"rule={rule}",
        rule=rule_id(spec),
    )
    return bool_series(improved, nan, index, f"who5_improved_{rule}")
