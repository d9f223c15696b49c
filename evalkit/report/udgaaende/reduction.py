"""Chapter 7.2 of seed 000, cannabis: table 7.2b (stopped or halved, footnote 11).

>>> from evalkit.report.udgaaende.prepare import sample_context
>>> cannabis_reduction(sample_context()).cell("total", "n").value
312
"""

from __future__ import annotations

import numpy as np

from evalkit.report._build import (
    count_column,
    quiet,
    share,
    share_column,
    test_row,
)
from evalkit.report.model import Table
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

__all__ = ["CANNABIS_REDUCTION", "cannabis_reduction"]

CANNABIS_REDUCTION = Declared("cannabis_reduction", "000-T7.2b-cannabis-ophoer",
                              "stopped / halved by school type, eligibility explicit")

_PARTS = ("stoppet", "halveret", "total", "ingen")


def cannabis_reduction(ctx: Context) -> Table:
    """000-T7.2b-cannabis-ophoer: stopped / halved cannabis use by school type (footnote 11).

    Eligible (constants ``cannabis_reduction.eligibility``; default ``used_at_intake``, assumption
    A1): completers with cannabis days at Indskrivning and Afslutning and more than 0 days at
    Indskrivning. Stopped: :math:`T_1 = 0`; halved: :math:`0 < T_1` and :math:`2 T_1 \\le T_0`
    (:func:`evalkit.measures.cannabis_reduction`). Printed "Total" = stopped + halved; percentages
    of the eligible (207 / 105 / 312 in seed 000).

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``produktionsskole``, ``erhvervsskole``, ``total`` (printed order); columns ``stoppet``,
        ``halveret``, ``total`` (= stopped + halved), ``ingen``, ``n`` (eligible) and their
        percentages. Tests: exact McNemar of any use (> 0 days) Indskrivning vs Afslutning among
        completers (hidden when a discordant count is below the disclosure threshold), and
        chi-square of reduction by school type (estimate: share stopped or halved, PS - ES).

    Examples
    --------
    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> t = cannabis_reduction(sample_context())
    >>> t.cell("produktionsskole", "stoppet").value, t.cell("produktionsskole", "n").value
    (57, 207)
    >>> round(t.cell("total", "total_pct").value, 2)
    61.86
    """
    from evalkit.compare import mcnemar

    p = prep(ctx)
    red = p.reduction
    columns = []
    for part in _PARTS:
        columns += [count_column(part, TXT(f"cannabis_reduction.{part}")),
                    share_column(f"{part}_pct", TXT(f"cannabis_reduction.{part}_pct"))]
    columns.append(count_column("n", TXT("cannabis_reduction.n"), is_total=True))
    table = CANNABIS_REDUCTION.table(columns, additive=True,
                                     row_lines=(("stoppet", "halveret", "total"), ("total", "ingen", "n")),
                                     plot="grouped", plot_columns=("stoppet_pct", "halveret_pct"))
    for key, sel, label in school_rows(p, order=("produktionsskole", "erhvervsskole")):
        n = int((red.eligible & sel).sum())
        k_st, k_hv = int((red.stopped & sel).sum()), int((red.halved & sel).sum())
        counts = dict(zip(_PARTS, (k_st, k_hv, k_st + k_hv, n - k_st - k_hv), strict=True))
        cells = {part: persons(k, "completers") for part, k in counts.items()}
        cells.update({f"{part}_pct": share(k, n, count_of=joined(key, part, "n")) for part, k in counts.items()})
        cells["n"] = persons(n, "completers")
        table.add_row(key, label, cells, is_total=key == "total")
    const = constants()["cannabis_reduction"]
    a, b = tp_label(const["from"]), tp_label(const["to"])
    table.notes += [txt("cannabis_reduction.note", a=a, b=b, rule=TXT(f"rule.eligibility.{const['eligibility']}")),
                    TXT("cannabis_reduction.note_denominator")]
    v = p.values["hash"]
    i, j = TP.index(const["from"]), TP.index(const["to"])
    both = p.completer & (p.school >= 0) & ~np.isnan(v[:, i]) & ~np.isnan(v[:, j])
    r = quiet(mcnemar, v[both, i] > 0, v[both, j] > 0)
    # The discordant counts follow from the estimate, the odds ratio and n: a small one hides the test.
    opts = ctx.options
    small = bool(opts.disclosure and any(0 < k < opts.min_cell for k in (r.n_before_only, r.n_after_only)))
    table.tests.append(test_row("total", txt("cannabis_reduction.test_use", a=a, b=b), r, suppressed=small))
    reduced = two_by_two(red.stopped | red.halved, p.school, red.eligible)
    table.tests.append(chi_square_row("cannabis_reduction", reduced,
                                      ("total", "ingen")))
    return table
