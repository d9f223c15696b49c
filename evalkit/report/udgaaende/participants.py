"""Chapters 3 and 4 of seed 000: the municipalities' group courses and the participants' age.

>>> from evalkit.report.udgaaende.prepare import sample_context
>>> ctx = sample_context()
>>> organisation(ctx).cell("lolland", "ps_deltagere").value, age(ctx).cell("total", "max").value
(117, 31)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.report._build import (
    count_column,
    danish_sort_key,
    mean_cell,
    mean_column,
    share_column,
    slug,
)
from evalkit.report.model import Cell, T, Table
from evalkit.report.spec import Context
from evalkit.report.udgaaende.common import (
    Declared,
    missing_note,
    persons,
    prep,
    school_rows,
)
from evalkit.report.udgaaende.vocabulary import GENDERS, TXT

__all__ = ["AGE", "ORGANISATION", "age", "organisation"]

ORGANISATION = Declared("organisation", "000-T3-organisering", "participants and courses by municipality x school type",
                        family="enrolled")
AGE = Declared("age", "000-S4.1-alder", "mean, youngest and oldest age by school type and gender", family="enrolled")


def organisation(ctx: Context) -> Table:
    """000-T3-organisering: group courses and participants per municipality and school type.

    Participants are all enrolled persons (completers and dropouts, 405 in seed 000); courses are
    the distinct ``forloeb`` in the same cell. Rows are municipalities (key: the name in
    snake_case, ``"Tårnby"`` -> ``taarnby``), in Danish alphabetical order, then the total. A course
    count carries the participants as n and is hidden with them (it is not a person count).

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Columns ``es_forloeb``, ``es_deltagere``, ``ps_forloeb``, ``ps_deltagere``, ``forloeb``,
        ``deltagere``; participant counts are additive, course counts are numbers (not persons).

    Examples
    --------
    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> t = organisation(sample_context())
    >>> courses = t.cell("lolland", "ps_forloeb")
    >>> t.cell("lolland", "ps_deltagere").value, courses.value, courses.count_of
    (117, 14, 'lolland|ps_deltagere')
    """
    p = prep(ctx)
    columns = []
    for prefix in ("es_", "ps_", ""):
        columns += [share_column(f"{prefix}forloeb", TXT(f"organisation.{prefix}forloeb"),
                                 count_of=f"{prefix}deltagere",
                                 is_total=not prefix),
                    count_column(f"{prefix}deltagere", TXT(f"organisation.{prefix}deltagere"), is_total=not prefix)]
    table = ORGANISATION.table(columns, additive=True, row_lines=(("es_deltagere", "ps_deltagere", "deltagere"),))
    k = len(p.kommune_names)
    people = np.zeros((k, 2), dtype=np.int64)
    courses = np.zeros((k, 2), dtype=np.int64)
    valid = (p.kommune >= 0) & (p.school >= 0)
    np.add.at(people, (p.kommune[valid], p.school[valid]), 1)
    cf = valid & (p.forloeb >= 0)
    pairs = pd.DataFrame({"k": p.kommune[cf], "s": p.school[cf], "f": p.forloeb[cf]}).drop_duplicates()
    np.add.at(courses, (pairs["k"].to_numpy(), pairs["s"].to_numpy()), 1)
    total_courses = pairs.drop_duplicates("f").groupby("s").size().reindex([0, 1], fill_value=0).to_numpy()
    used: set[str] = set()
    for i in sorted(range(k), key=lambda i: danish_sort_key(p.kommune_names[i])):
        key = base = slug(p.kommune_names[i])
        j = 2
        while key in used or key == "total":
            key, j = f"{base}_{j}", j + 1
        used.add(key)
        table.add_row(key, T(p.kommune_names[i]), _organisation_cells(courses[i], people[i]))
    table.add_row("total", TXT("total"), _organisation_cells(total_courses, people.sum(axis=0)), is_total=True)
    table.notes.append(TXT("organisation.note"))
    missing_note(table, int((~valid).sum()), "kommune_or_school")
    return table


def _organisation_cells(courses: np.ndarray, people: np.ndarray) -> dict[str, Cell]:
    es, ps = int(people[0]), int(people[1])
    def courses_cell(value: int, n: int) -> Cell:
        return Cell(int(value), "number", decimals=0, n=n)

    return {"es_forloeb": courses_cell(courses[0], es), "es_deltagere": persons(es, "enrolled"),
            "ps_forloeb": courses_cell(courses[1], ps), "ps_deltagere": persons(ps, "enrolled"),
            "forloeb": courses_cell(courses[0] + courses[1], es + ps), "deltagere": persons(es + ps, "enrolled")}


def age(ctx: Context) -> Table:
    """000-S4.1-alder / 000-F4.1a: mean, youngest and oldest age by school type and gender.

    Over all enrolled persons with a recorded age (``alder``); a missing age is left out and counted
    in the note. ``min`` / ``max`` carry as ``n`` the number of persons who share that age, so that
    disclosure control hides an extreme value fewer than the threshold share (anchors.md 6.1:
    "min, max ... only if at least 5 people share that value").

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``erhvervsskole``, ``produktionsskole``, ``total``; columns ``kvinde_n``,
        ``kvinde_gennemsnit``, ``mand_n``, ``mand_gennemsnit``, ``n``, ``gennemsnit``, ``min``, ``max``.

    Examples
    --------
    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> t = age(sample_context())
    >>> round(t.cell("total", "gennemsnit").value, 1), t.cell("total", "min").value, t.cell("total", "max").value
    (19.8, 16, 31)
    """
    p = prep(ctx)
    columns = []
    for g in GENDERS:
        columns += [count_column(f"{g}_n", TXT(f"age.{g}_n")),
                    mean_column(f"{g}_gennemsnit", TXT(f"age.{g}_gennemsnit"), count_of=f"{g}_n")]
    columns += [count_column("n", TXT("age.n"), is_total=True),
                mean_column("gennemsnit", TXT("age.gennemsnit"), count_of="n", is_total=True),
                share_column("min", TXT("age.min"), count_of="n"), share_column("max", TXT("age.max"), count_of="n")]
    table = AGE.table(columns, additive=True, row_lines=(("kvinde_n", "mand_n", "n"),))
    has = ~np.isnan(p.age)
    for key, sel, label in school_rows(p):
        cells: dict[str, Cell] = {}
        for code, gkey in enumerate(GENDERS):
            x = p.age[sel & (p.gender == code) & has]
            cells[f"{gkey}_n"] = persons(x.size, "enrolled")
            cells[f"{gkey}_gennemsnit"] = mean_cell(x)
        x = p.age[sel & (p.gender >= 0) & has]
        cells["n"] = persons(x.size, "enrolled")
        cells["gennemsnit"] = mean_cell(x)
        for col, extreme in (("min", np.min), ("max", np.max)):
            v = int(extreme(x)) if x.size else None
            cells[col] = Cell(v, "number", decimals=0, n=None if v is None else int((x == v).sum()))
        table.add_row(key, label, cells, is_total=key == "total")
    table.notes.append(TXT("age.note"))
    missing_note(table, int((~has).sum()), "age")
    return table
