"""ASI composite scores (McGahan et al. 1986) and the HCS model's "samlet ASI score" threshold.

Composites follow the VA VistA Mental Health package's implementation (``YSASCSB.m`` labels
CSD and CSA, ``YSASCSC.m`` label CSPS); weights are data in ``evalkit/rules/asi.yaml``. Items are found
by *content*: each ASI-5 item id (D3, P11, ...) is looked up in the data dictionary
(``evalkit/io/dictionary/hcs.yaml``, table ``hcs_asi``, key ``asi_item``), never by column position.
Missing data are all-or-nothing: any missing item gives no composite, as in VistA ("No Composite
Score") and McGahan et al. 1986.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import pandas as pd

from evalkit.io.schema import ColumnSpec, all_tables
from evalkit.measures._common import (
    aligned_index,
    as_bool,
    as_float,
    bool_series,
    check_range,
    float_series,
    resolve_columns,
)
from evalkit.measures._keys import code_positions, id_strings, positions_in
from evalkit.measures._ledger import MeasureLedger, record
from evalkit.rules import load_rule, rule_id

__all__ = [
    "AsiScores",
    "asi_alcohol",
    "asi_composite",
    "asi_drug",
    "asi_item_columns",
    "asi_psychiatric",
    "asi_samlet_eligible",
    "asi_scores",
]

Domain = Literal["drug", "psychiatric", "alcohol"]


def _item_specs() -> dict[str, ColumnSpec]:
    table = all_tables()[load_rule("asi")["table"]]
    return {c.asi_item: c for c in table.columns if c.asi_item}


def asi_item_columns(domain: Domain) -> dict[str, str]:
    """The dictionary's column for each ASI item of a composite, in the rule file's order.

    Examples
    --------
    >>> cols = asi_item_columns("drug")
    >>> cols["D10"], cols["D29"], len(cols)
    ('asi_d_cannabis_dage', 'asi_d_bekymret', 13)
    """
    comps = load_rule("asi")["composites"]
    if domain not in comps:
        raise ValueError(f"`domain` must be one of {', '.join(map(repr, comps))}, got {domain!r}")
    specs = _item_specs()
    out: dict[str, str] = {}
    for item in comps[domain]["items"]:
        spec = specs.get(item["item"])
        if spec is None:
            raise KeyError(f"ASI item {item['item']} has no column with `asi_item: {item['item']}` "
                           "in the data dictionary")
        out[item["item"]] = spec.name
    return out


def asi_composite(
    asi: pd.DataFrame,
    domain: Domain,
    *,
    item_columns: Mapping[str, str] | None = None,
    ledger: MeasureLedger | None = None,
) -> pd.Series:
    """ASI composite score of one domain (McGahan 1986), all-or-nothing on missing items.

    Parameters
    ----------
    asi
        One row per assessment (``hcs_asi``), with the domain's item columns under their dictionary
        names (or dictionary aliases).
    domain
        ``"drug"`` (13 items), ``"psychiatric"`` (11 items) or ``"alcohol"`` (6 items).
    item_columns
        Optional override ``{ASI item id: column in asi}`` for exports that name items differently;
        items not listed are found through the dictionary.
    ledger
        Optional ledger; receives ``scored`` and ``missing_items``, plus ``missing_item_<id>`` for
        each item that is missing in at least one row.

    Returns
    -------
    pandas.Series
        float64 on the input index, NaN where any item is missing. Drug and psychiatric range 0-1;
        alcohol stays within 0-1 only for money <= e^(22/3), about 1530 (it contains ln(money)/44, so it
        depends on the currency).

    Notes
    -----
    Drug (YSASCSB.m CSD): :math:`\\sum_{D3..D11, D13, D27} d/390 + (D29 + D31)/52`.
    Psychiatric (YSASCSC.m CSPS): :math:`\\sum_{P3..P10} y/11 + P11/330 + (P12 + P13)/44`, yes = 1.
    Alcohol (YSASCSB.m CSA): :math:`(D1 + D2 + D26)/180 + (D28 + D30)/24 + \\ln(D23)/44`, the log term
    0 when D23 = 0. The integer items are summed with integer weights over their common denominator
    and divided once, so drug and psychiatric composites are correctly rounded.
    Validated against a hand calculation with exact fractions.

    Examples
    --------
    >>> import pandas as pd
    >>> row = {c: 0 for c in asi_item_columns("drug").values()}
    >>> row["asi_d_cannabis_dage"] = 30     # D10: 30/390
    >>> row["asi_d_bekymret"] = 4           # D29: 4/52
    >>> df = pd.DataFrame([row, {**row, "asi_d_kokain_dage": None}])
    >>> asi_composite(df, "drug").round(4).tolist()   # 30/390 + 4/52 = 0.1538
    [0.1538, nan]
    """
    rule = load_rule("asi")
    comps = rule["composites"]
    if domain not in comps:
        raise ValueError(f"`domain` must be one of {', '.join(map(repr, comps))}, got {domain!r}")
    canonical = asi_item_columns(domain)
    specs = _item_specs()
    override = dict(item_columns or {})
    items = comps[domain]["items"]
    linear = [it for it in items if "transform" not in it]
    common = math.lcm(*(int(it["divisor"]) for it in linear))
    numerator = np.zeros(len(asi), dtype="int64")
    extra = np.zeros(len(asi), dtype="float64")
    any_missing = np.zeros(len(asi), dtype=bool)
    per_item: dict[str, int] = {}
    for it in items:
        item = it["item"]
        spec = specs[item]
        if item in override:
            col = override[item]
            if col not in asi.columns:
                raise KeyError(f"`item_columns` maps {item} to `{col}`, which is not a column of the frame")
        else:
            col = resolve_columns(asi, [canonical[item]], {canonical[item]: spec.aliases},
                                  what=f"ASI {domain} composite")[0]
        if spec.dtype == "bool":
            data, nan = as_bool(asi[col], str(col))
            values = data.astype("float64")
        else:
            values = as_float(asi[col], str(col))
            hi = spec.max if spec.max is not None else np.inf
            # an integer column holds whole numbers already: only its range is checked
            whole = pd.api.types.is_integer_dtype(asi[col].dtype)
            check_range(values, spec.min or 0, hi, str(col), integer=spec.dtype == "int" and not whole)
            nan = np.isnan(values)
        any_missing |= nan
        if nan.any():
            per_item[f"missing_item_{item}"] = int(nan.sum())
        clean = np.where(nan, 0.0, values)
        transform = it.get("transform")
        if transform is None:
            numerator += (common // int(it["divisor"])) * clean.astype("int64")
        elif transform == "ln_if_positive":
            with np.errstate(divide="ignore", invalid="ignore"):
                extra += np.where(clean > 0, np.log(np.where(clean > 0, clean, 1.0)), 0.0) / float(it["divisor"])
        else:
            raise ValueError(f"asi.yaml: unknown transform {transform!r} for item {item}")
    score = numerator / common + extra
    score[any_missing] = np.nan
    counts = {"scored": int((~any_missing).sum()), "missing_items": int(any_missing.sum()), **per_item}
    record(ledger, f"asi_composite[{domain}]", counts, policy="missing=all_or_nothing", rule=rule_id(rule))
    return float_series(score, asi.index, comps[domain]["column"])


def asi_drug(asi: pd.DataFrame, *, item_columns: Mapping[str, str] | None = None,
             ledger: MeasureLedger | None = None) -> pd.Series:
    """ASI drug composite ("ASI stof"); see :func:`asi_composite`.

    Examples
    --------
    >>> import pandas as pd
    >>> row = {c: 0 for c in asi_item_columns("drug").values()}
    >>> asi_drug(pd.DataFrame([row])).tolist()
    [0.0]
    """
    return asi_composite(asi, "drug", item_columns=item_columns, ledger=ledger)


def asi_psychiatric(asi: pd.DataFrame, *, item_columns: Mapping[str, str] | None = None,
                    ledger: MeasureLedger | None = None) -> pd.Series:
    """ASI psychiatric composite ("ASI psykisk"); see :func:`asi_composite`.

    Examples
    --------
    >>> import pandas as pd
    >>> row = {c: 0 for c in asi_item_columns("psychiatric").values()}
    >>> row.update(asi_p_depression=True, asi_p_problemdage=30, asi_p_bekymret=4, asi_p_behandling_vigtig=4)
    >>> float(asi_psychiatric(pd.DataFrame([row])).iloc[0])   # 1/11 + 30/330 + 8/44 = 4/11
    0.36363636363636365
    """
    return asi_composite(asi, "psychiatric", item_columns=item_columns, ledger=ledger)


def asi_alcohol(asi: pd.DataFrame, *, item_columns: Mapping[str, str] | None = None,
                ledger: MeasureLedger | None = None) -> pd.Series:
    """ASI alcohol composite ("ASI alkohol"); see :func:`asi_composite`.

    Examples
    --------
    >>> import pandas as pd
    >>> row = {c: 0 for c in asi_item_columns("alcohol").values()}
    >>> row.update(asi_a_alkohol_dage=18, asi_a_bekymret=2)
    >>> float(asi_alcohol(pd.DataFrame([row])).iloc[0])   # 18/180 + 2/24
    0.18333333333333332
    """
    return asi_composite(asi, "alcohol", item_columns=item_columns, ledger=ledger)


def asi_samlet_eligible(
    asi_samlet: pd.Series,
    *,
    max_score: float | str | None = None,
    include_max: bool | None = None,
    ledger: MeasureLedger | None = None,
) -> pd.Series:
    """The HCS model's second inclusion criterion: "en samlet ASI score på maks. 0,35".

    Parameters
    ----------
    asi_samlet
        The overall ASI score (0-1) as delivered by the export. The HCS model never defines how it
        is formed, so evalkit does not compute it.
    max_score
        Upper bound; default ``"0.35"`` from ``asi.yaml``.
    include_max
        Whether the bound itself passes; default ``True`` ("maks.").
    ledger
        Optional ledger; receives ``within``, ``above`` and ``missing_score``.

    Returns
    -------
    pandas.Series
        Nullable boolean: True = meets the criterion, <NA> where the score is missing.

    Notes
    -----
    A value within 1e-12 of the bound counts as equal to it (``float_tolerance`` in the rule file), so a
    score stored as 0.35000000000000003 after arithmetic is treated as 0,35. Source: HCS model (Socialstyrelsen),
    chapter 3, "Visitering" ("er grænsen for deltagelse sat ved en samlet ASI score på maks. 0,35") and
    "Inklusionskriterier"; the score is named nowhere else in the document.

    Examples
    --------
    >>> import pandas as pd
    >>> asi_samlet_eligible(pd.Series([0.34, 0.35, 0.05 * 7, 0.36, None])).tolist()
    [True, True, True, False, <NA>]
    """
    rule = load_rule("asi")
    spec = rule["samlet_threshold"]
    bound = float(Fraction(str(spec["max"] if max_score is None else max_score)))
    inclusive = spec["include_max"] if include_max is None else bool(include_max)
    tol = float(spec["float_tolerance"])
    v = as_float(asi_samlet, "asi_samlet")
    check_range(v, 0, 1, "asi_samlet", integer=False)
    nan = np.isnan(v)
    with np.errstate(invalid="ignore"):
        ok = v <= bound + tol if inclusive else v < bound - tol
    ok &= ~nan
    record(
        ledger,
        "asi_samlet_eligible",
        {"within": int(ok.sum()), "above": int((~ok & ~nan).sum()), "missing_score": int(nan.sum())},
        policy=f"max={bound}, include_max={inclusive}",
        rule=rule_id(rule),
    )
    return bool_series(ok, nan, aligned_index(asi_samlet), "asi_inc2")


#: The two composites of the seed-002 report: export column -> (domain, composite function).
_SCORED: dict[str, Domain] = {"asi_stof": "drug", "asi_psykisk": "psychiatric"}


@dataclass(frozen=True)
class AsiScores:
    """ASI stof / ASI psykisk per person (rows) and time point (columns); see :func:`asi_scores`."""

    scores: dict[str, np.ndarray]
    present: np.ndarray
    time_points: list[str]
    sources: dict[str, dict[str, int]]


def asi_scores(
    asi: pd.DataFrame,
    ids: Sequence[Any] | pd.Index,
    *,
    time_points: Sequence[str] | None = None,
    tolerance: float = 0.0005,
) -> AsiScores:
    """ASI stof and ASI psykisk (McGahan 1986) per person and time point, from items or the export.

    Parameters
    ----------
    asi
        ``hcs_asi`` rows: ``deltager_id``, ``tidspunkt`` and either the ASI items (composites computed
        by :func:`asi_drug` / :func:`asi_psychiatric`) or the delivered ``asi_stof`` / ``asi_psykisk``
        columns, or both.
    ids
        The persons (``hcs_deltagere.deltager_id``); row order of the result. Rows of other ids are
        ignored.
    time_points
        Column order (``hcs_asi.tidspunkt`` codes); default every code of the data dictionary.
    tolerance
        A composite computed from the items and the export's composite *disagree* when they differ by
        more than this (the export rounds to 4 decimals; the report's constants set 0.0005).

    Returns
    -------
    AsiScores
        ``scores``: ``{"asi_stof": array, "asi_psykisk": array}`` (persons x time points, NaN = no
        score); ``present``: boolean (persons x time points), an ASI row exists; ``time_points``;
        ``sources``: per composite the number of rows scored ``from_items``, ``from_export`` (items
        incomplete or absent, the export's composite used), ``missing`` and ``disagree`` (both present
        and further apart than ``tolerance``; the item-based value is used).

    Notes
    -----
    Per row: the composite from the items when every item is present (all-or-nothing, as in
    VistA); otherwise the export's composite column; otherwise missing. More than one row for a person
    and time point raises :class:`ValueError`. Source: HCS model (Socialstyrelsen),
    chapter 4, "Resultater" ("ASI stof", "ASI psykisk").

    Examples
    --------
    >>> asi = pd.DataFrame({"deltager_id": ["a", "a", "b"], "tidspunkt": ["indskrivning", "afslutning", "intake"],
    ...                     "asi_stof": [0.25, 0.125, None], "asi_psykisk": [0.5, None, 0.2]})
    >>> out = asi_scores(asi, ["a", "b"], time_points=["indskrivning", "afslutning"])
    >>> out.scores["asi_stof"].tolist()
    [[0.25, 0.125], [nan, nan]]
    >>> out.present.tolist(), out.sources["asi_psykisk"]
    ([[True, True], [True, False]], {'from_items': 0, 'from_export': 2, 'missing': 1, 'disagree': 0})
    """
    tps = list(all_tables()["hcs_asi"].column("tidspunkt").codes if time_points is None else time_points)
    id_set = id_strings(ids)
    n_ids = len(id_set)
    pid = positions_in(id_set, asi["deltager_id"])
    tpi = code_positions(asi["tidspunkt"], "hcs", "hcs_asi", "tidspunkt", tps)
    use = (pid >= 0) & (tpi >= 0)
    cell = pid[use] * len(tps) + tpi[use]
    if len(cell) and np.bincount(cell, minlength=n_ids * len(tps)).max() > 1:
        raise ValueError("hcs_asi: more than one row for a participant and time point")
    present = np.zeros(n_ids * len(tps), dtype=bool)
    present[cell] = True
    scores: dict[str, np.ndarray] = {}
    sources: dict[str, dict[str, int]] = {}
    for key, domain in _SCORED.items():
        has_items = all(col in asi.columns for col in asi_item_columns(domain).values())
        from_items = asi_composite(asi, domain).to_numpy(dtype="float64") if has_items else np.full(len(asi), np.nan)
        export = as_float(asi[key], key) if key in asi.columns else np.full(len(asi), np.nan)
        value = np.where(np.isnan(from_items), export, from_items)
        grid = np.full(n_ids * len(tps), np.nan)
        grid[cell] = value[use]
        scores[key] = grid.reshape(n_ids, len(tps))
        items_u, export_u = from_items[use], export[use]
        sel_items = ~np.isnan(items_u)
        sel_export = ~sel_items & ~np.isnan(export_u)
        with np.errstate(invalid="ignore"):
            disagree = sel_items & ~np.isnan(export_u) & (np.abs(items_u - export_u) > tolerance)
        sources[key] = {"from_items": int(sel_items.sum()), "from_export": int(sel_export.sum()),
                        "missing": int((~sel_items & ~sel_export).sum()), "disagree": int(disagree.sum())}
    return AsiScores(scores=scores, present=present.reshape(n_ids, len(tps)), time_points=tps, sources=sources)
