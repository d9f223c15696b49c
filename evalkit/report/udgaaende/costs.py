"""Chapter 8 of seed 000 and the 001 card: average costs.

>>> from evalkit.report.udgaaende.prepare import sample_context
>>> costs(sample_context()).cell("antal", "pr_elev").value
405
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.report._build import count_column, floats, share_column
from evalkit.report.model import Cell, Table
from evalkit.report.spec import Context
from evalkit.report.udgaaende.common import Declared, joined, persons, prep
from evalkit.report.udgaaende.vocabulary import TXT, constants, txt

__all__ = ["COSTS", "costs"]

COSTS = Declared("costs", "000-T8-omkostninger",
                 "cost per municipality-year, school, course, student, counselled student")

#: denominator column -> population of its person count (None: a count of institutions or courses, not persons)
_DENOMINATORS = {"pr_kommune_aar": None, "pr_skole": None, "pr_forloeb": None, "pr_elev": "enrolled",
                 "pr_raadgivet_elev": "counselled"}


def costs(ctx: Context) -> Table:
    """000-T8-omkostninger / 001-omkostninger: average cost per municipality-year, school, course and student.

    :math:`T / d` with :math:`T` = the sum of ``omkostninger.beloeb_kr`` and :math:`d` = distinct
    (kommune, projektaar), distinct schools and courses in ``deltagere``, enrolled students, and the
    sum of ``raadgivne_elever`` (counselled students, an estimate). Printed to the nearest 100 kr.

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``gennemsnit`` (kr.) and ``antal`` (denominators); columns ``pr_kommune_aar``,
        ``pr_skole``, ``pr_forloeb``, ``pr_elev``, ``pr_raadgivet_elev``. Empty when the export has no
        ``omkostninger`` table.

    Examples
    --------
    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> t = costs(sample_context())
    >>> round(t.cell("gennemsnit", "pr_kommune_aar").value, -2), t.cell("antal", "pr_elev").value
    (484300.0, 405)
    """
    from evalkit.report.labels import format_number

    p = prep(ctx)
    decimals = int(constants()["costs"]["decimals"])
    columns = [(count_column if family else share_column)(key, TXT(f"costs.{key}"))
               for key, family in _DENOMINATORS.items()]
    table = COSTS.table(columns)
    c = p.costs
    total: float | None = None
    kommune_aar = counselled = None
    if c is not None and len(c):
        total = float(floats(c["beloeb_kr"]).sum())
        kommune_aar = int(pd.DataFrame({"k": c["kommune"].astype(object), "a": floats(c["projektaar"])})
                          .drop_duplicates().shape[0])
        raw = floats(c["raadgivne_elever"]) if "raadgivne_elever" in c else np.array([np.nan])
        counselled = int(np.nansum(raw)) if (~np.isnan(raw)).any() else None
    denominators = {"pr_kommune_aar": kommune_aar, "pr_skole": int(np.unique(p.skole[p.skole >= 0]).size),
                    "pr_forloeb": int(np.unique(p.forloeb[p.forloeb >= 0]).size), "pr_elev": p.n,
                    "pr_raadgivet_elev": counselled}
    avg, cnt = {}, {}
    for key, d in denominators.items():
        family = _DENOMINATORS[key]
        if family is None:
            cnt[key] = Cell(d, "number", decimals=0)
        else:
            cnt[key] = persons(d, family) if d is not None else Cell(None, "count", decimals=0)
        value = total / d if (total is not None and d) else None
        avg[key] = Cell(value, "money", decimals=decimals,
                        count_of=joined("antal", key) if family else None)
    table.add_row("gennemsnit", TXT("costs.gennemsnit"), avg)
    table.add_row("antal", TXT("costs.antal"), cnt)
    if total is None:
        table.notes.append(TXT("costs.note_missing"))
    else:
        table.notes.append(txt("costs.note", total_da=format_number(total, "da", 0),
                               total_en=format_number(total, "en", 0)))
    return table
