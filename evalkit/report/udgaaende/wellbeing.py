"""Chapter 7.2 of seed 000, well-being: table 7.2e (improved WHO-5), its 10-point sensitivity, the bands.

>>> from evalkit.report.udgaaende.prepare import sample_context
>>> ctx = sample_context()
>>> who5_improved(ctx).cell("total", "forbedret").value, who5_bands(ctx).cell("total", "opfoelgning").value
(251, 290)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.report._build import (
    cells_of,
    count_column,
    quiet,
    share,
    share_column,
    slug,
    test_row,
)
from evalkit.report.model import Cell, Table
from evalkit.report.spec import Context
from evalkit.report.udgaaende.common import (
    Declared,
    chi_square_row,
    joined,
    persons,
    prep,
    school_rows,
    two_by_two,
)
from evalkit.report.udgaaende.vocabulary import TP, TXT, constants, tp_label, txt

__all__ = ["WHO5_BANDS", "WHO5_IMPROVED", "WHO5_IMPROVED_10", "who5_bands", "who5_improved", "who5_improved_10"]

WHO5_IMPROVED = Declared("who5_improved", "000-T7.2e-forbedret-trivsel",
                         "WHO-5 improved (strict increase) by school type")
WHO5_IMPROVED_10 = Declared("who5_improved_10", "000-T7.2e-forbedret-trivsel",
                            "WHO-5 improved by >= 10 points (sensitivity)")
WHO5_BANDS = Declared("who5_bands", "000-WHO5-scoring", "WHO-5 bands 0-35 / 36-50 / over 50 per time point")


def _improved_table(ctx: Context, declared: Declared, rule: str) -> Table:
    p = prep(ctx)
    change = p.improved[rule]
    columns = [count_column("ikke_forbedret", TXT("who5_improved.ikke_forbedret")),
               share_column("ikke_forbedret_pct", TXT("who5_improved.ikke_forbedret_pct")),
               count_column("forbedret", TXT("who5_improved.forbedret")),
               share_column("forbedret_pct", TXT("who5_improved.forbedret_pct")),
               count_column("total", TXT("total"), is_total=True),
               share_column("total_pct", TXT("who5_improved.total_pct"), count_of="total")]
    table = declared.table(columns, additive=True)
    for key, sel, label in school_rows(p):
        n = int((change.valid & sel).sum())
        k = int((change.improved & sel).sum())
        table.add_row(key, label, {
            "ikke_forbedret": persons(n - k, "completers"), "forbedret": persons(k, "completers"),
            "total": persons(n, "completers"),
            "ikke_forbedret_pct": share(n - k, n, count_of=joined(key, "ikke_forbedret", "total")),
            "forbedret_pct": share(k, n, count_of=joined(key, "forbedret", "total")),
            "total_pct": share(n, n)}, is_total=key == "total")
    table.notes.append(txt(f"{declared.id}.note", rule=TXT(f"rule.who5_change.{rule}")))
    table.tests.append(chi_square_row("who5_improved", two_by_two(change.improved, p.school, change.valid),
                                      ("ikke_forbedret", "forbedret")))
    return table


def who5_improved(ctx: Context) -> Table:
    """000-T7.2e-forbedret-trivsel: completers whose WHO-5 improved from Indskrivning to Afslutning.

    "Forbedret trivsel" is not defined in seed 000; the default rule (constants
    ``who5.improved_rule``, assumption A3) is a strict increase :math:`W_{T1} > W_{T0}`
    (:func:`evalkit.measures.who5_change`), which reproduces 251/333. Row percentages; chi-square
    test by school type (estimate: share improved, PS - ES).

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``erhvervsskole``, ``produktionsskole``, ``total``; columns ``ikke_forbedret``,
        ``forbedret``, ``total`` and their percentages.

    Examples
    --------
    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> t = who5_improved(sample_context())
    >>> t.cell("total", "forbedret").value, round(t.cell("produktionsskole", "forbedret_pct").value, 2)
    (251, 76.32)
    """
    return _improved_table(ctx, WHO5_IMPROVED, constants()["who5"]["improved_rule"])


def who5_improved_10(ctx: Context) -> Table:
    """000-T7.2e sensitivity: WHO-5 improved by at least 10 points (anchors.md 1.4), same layout.

    Rule ``constants.who5.sensitivity_rule`` (default ``min_10_points``: :math:`W_{T1} - W_{T0} \\ge 10`).

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        As :func:`who5_improved`.

    Examples
    --------
    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> who5_improved_10(sample_context()).cell("total", "total").value
    333
    """
    return _improved_table(ctx, WHO5_IMPROVED_10, constants()["who5"]["sensitivity_rule"])


def band_key(code: str) -> str:
    """Row key of a WHO-5 band: ``"0-35"`` -> ``"band_0_35"``.

    >>> band_key("over_50")
    'band_over_50'
    """
    return "band_" + slug(code)


def who5_bands(ctx: Context) -> Table:
    """000-WHO5-scoring (footnote 14): completers in the WHO-5 bands 0-35, 36-50 and over 50 per time point.

    Never tabulated in seed 000; the bands are the footnote's (``evalkit/rules/who5.yaml``, scheme
    from the constants). Column percentages per time point. Paired before/after tests of the band
    distribution (Stuart-Maxwell) for each configured change.

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        One row per band (``band_0_35``, ``band_36_50``, ``band_over_50``: ``band_`` + the rule
        file's code in snake_case) and ``total``; columns
        ``indskrivning``, ``afslutning``, ``opfoelgning`` (counts) and ``<time point>_pct``.

    Examples
    --------
    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> t = who5_bands(sample_context())
    >>> [t.cell("total", tp).value for tp in ("indskrivning", "afslutning", "opfoelgning")]
    [333, 333, 290]
    """
    from evalkit.compare import stuart_maxwell

    p = prep(ctx)
    C = p.completer
    columns = []
    for tp in TP:
        columns += [count_column(tp, tp_label(tp)),
                    share_column(f"{tp}_pct", txt("who5_bands.pct", tp=tp_label(tp)), count_of=tp)]
    rows = [band_key(c) for c in p.band_codes]
    table = WHO5_BANDS.table(columns, additive=True, row_lines=(), plot="grouped",
                             plot_columns=tuple(f"{tp}_pct" for tp in TP), plot_rows=tuple(rows))
    totals = {tp: int((C & (p.who5_band[:, i] >= 0)).sum()) for i, tp in enumerate(TP)}
    for b, (code, key) in enumerate(zip(p.band_codes, rows, strict=True)):
        cells: dict[str, Cell] = {}
        for i, tp in enumerate(TP):
            k = int((C & (p.who5_band[:, i] == b)).sum())
            cells[tp] = persons(k, "completers")
            cells[f"{tp}_pct"] = share(k, totals[tp], count_of=joined(key, tp, total_row="total"))
        table.add_row(key, p.band_labels[code], cells)
    table.add_row("total", TXT("total"), {**{tp: persons(totals[tp], "completers") for tp in TP},
                                          **{f"{tp}_pct": share(totals[tp], totals[tp]) for tp in TP}}, is_total=True)
    table.notes.append(TXT("who5_bands.note"))
    labels = np.asarray(p.band_codes, dtype=object)
    for a, b in constants()["tests"]["changes"]:
        i, j = TP.index(a), TP.index(b)
        both = C & (p.who5_band[:, i] >= 0) & (p.who5_band[:, j] >= 0)
        before = pd.Categorical(labels[p.who5_band[both, i]], categories=p.band_codes, ordered=True)
        after = pd.Categorical(labels[p.who5_band[both, j]], categories=p.band_codes, ordered=True)
        table.tests.append(test_row("total", txt("who5_bands.test", a=tp_label(a), b=tp_label(b)),
                                    quiet(stuart_maxwell, before, after), over=cells_of(rows, (a, b))))
    return table
