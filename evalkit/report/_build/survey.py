"""Survey table builders: the results of :mod:`evalkit.compare.survey` as report tables.

Every builder prints the count, the base and the percentage together, with the 95 % interval, and
declares how its counts add up so that disclosure control can protect them:

- :func:`share_table` yes/no items and multi-response options ("% of cases"): columns ``n`` (yes),
  ``n_no`` (the rest of the base), ``base``, ``pct``, ``ci_low``, ``ci_high``; each row is one additive
  line ``n + n_no = base``;
- :func:`frequency_table` a single-choice item: one row per level, ``missing`` and ``total``; columns
  ``n``, ``pct`` (of those who answered), ``ci_low``, ``ci_high`` and optionally ``pct_all`` (of a wider base);
- :func:`ordinal_table` ordinal/Likert items side by side: a count per level (``n_<level>``), ``base``,
  ``missing``, ``asked`` and the boxes ``top``, ``top_two`` and ``bottom`` (count, percentage, interval);
- :func:`crosstab_table` counts of one variable by another with a share of one column and the tests.

Shares are "% of cases" (never normalised to 100); a table over a filtered base says which filter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from evalkit.compare.survey import Share, SurveyTable
from evalkit.report.model import Cell, Column, T, Table, TestRow, Text

__all__ = [
    "PCT",
    "N",
    "crosstab_table",
    "frequency_table",
    "ordinal_table",
    "share_cells",
    "share_columns",
    "share_table",
]

N = T("Antal", "Number")
PCT = T("Pct.", "%")
CI_LOW = T("95 %-KI, nedre", "95% CI, lower")
CI_HIGH = T("95 %-KI, øvre", "95% CI, upper")
BASE = T("Base (n)", "Base (n)")
REST = T("Øvrige", "Others")
MISSING = T("Ikke besvaret", "No answer")
TOTAL = T("I alt", "Total")
BOX_LABELS = {"top": T("Øverste kategori", "Top box"), "top_two": T("To øverste", "Top two"),
              "bottom": T("Nederste", "Bottom box")}


def share_columns() -> list[Column]:
    """The columns of a share table: yes, the rest, the base, the percentage and its interval."""
    return [Column("n", N), Column("n_no", REST), Column("base", BASE, is_total=True), Column("pct", PCT),
            Column("ci_low", CI_LOW), Column("ci_high", CI_HIGH)]


def share_cells(key: str, s: Share, count_col: str = "n") -> dict[str, Cell]:
    """Cells of one share row (``key`` is the row key: percentages point at ``key|n``)."""
    of = f"{key}|{count_col}"
    return {"n": Cell(s.count, "count"), "n_no": Cell(s.base - s.count, "count"), "base": Cell(s.base, "count"),
            "pct": Cell(s.percent, "percent", n=s.base, count_of=of),
            "ci_low": Cell(s.ci_low, "percent", n=s.base, count_of=of),
            "ci_high": Cell(s.ci_high, "percent", n=s.base, count_of=of)}


def share_table(table_id: str, source: str, title: Text, rows: Sequence[tuple[str, Text, Share]],
                notes: Sequence[Text] = ()) -> Table:
    """One row per yes/no item or multi-response option, each over its own base.

    >>> from evalkit.compare.survey import share
    >>> t = share_table("t", "s", T("x"), [("a", T("A"), share(30, 44))])
    >>> t.cell("a", "n_no").value, round(t.cell("a", "pct").value, 2)
    (14, 68.18)
    """
    table = Table(table_id, source, title, share_columns(), notes=list(notes), additive=True,
                  row_lines=(("n", "n_no", "base"),))
    for key, label, s in rows:
        table.add_row(key, label, share_cells(key, s))
    return table


def frequency_table(table_id: str, source: str, title: Text, item: SurveyTable, labels: Mapping[str, Text],
                    notes: Sequence[Text] = (), wider_base: int | None = None) -> Table:
    """A single-choice item: levels, ``missing`` and ``total`` (all chosen); shares of those who answered.

    ``wider_base`` adds ``pct_all``: the same counts over a wider base (e.g. every respondent when the
    table is filtered), to show what the shares would be without the filter.

    >>> from evalkit.compare.survey import frequency
    >>> t = frequency_table("t", "s", T("x"), frequency(["a", "b", "a", None], ["a", "b"]), {"a": T("A"), "b": T("B")})
    >>> [r.key for r in t.rows], t.cell("total", "n").value, round(t.cell("a", "pct").value, 1)
    (['a', 'b', 'missing', 'total'], 4, 66.7)
    """
    cols = [Column("n", N), Column("pct", PCT), Column("ci_low", CI_LOW), Column("ci_high", CI_HIGH)]
    if wider_base is not None:
        cols.append(Column("pct_all", T("Pct. af alle", "% of all")))
    table = Table(table_id, source, title, cols, notes=list(notes), additive=True)
    for rec in item.rows.itertuples(index=False):
        of = f"{rec.key}|n"
        cells = {"n": Cell(int(rec.count), "count"),
                 "pct": Cell(rec.percent, "percent", n=item.base, count_of=of),
                 "ci_low": Cell(rec.ci_low, "percent", n=item.base, count_of=of),
                 "ci_high": Cell(rec.ci_high, "percent", n=item.base, count_of=of)}
        if wider_base is not None:
            cells["pct_all"] = Cell(100.0 * rec.count / wider_base if wider_base else None, "percent", n=wider_base,
                                    count_of=of)
        table.add_row(str(rec.key), labels[str(rec.key)], cells)
    table.add_row("missing", MISSING, {"n": Cell(item.n_missing, "count")})
    table.add_row("total", TOTAL, {"n": Cell(item.base + item.n_missing, "count")}, is_total=True)
    return table


def ordinal_table(table_id: str, source: str, title: Text, items: Sequence[tuple[str, Text, SurveyTable]],
                  levels: Sequence[str], level_labels: Mapping[str, Text], notes: Sequence[Text] = (),
                  boxes: Sequence[str] = ("top", "top_two", "bottom")) -> Table:
    """Ordinal/Likert items side by side (levels listed from the highest), with their boxes.

    ``boxes`` chooses the boxes shown (``top``, ``top_two``, ``bottom``): count, percentage and interval each.

    >>> from evalkit.compare.survey import ordinal_summary
    >>> lv = ["ingen", "nogle", "alle"]
    >>> t = ordinal_table("t", "s", T("x"), [("q", T("Q"), ordinal_summary(["alle", "nogle", None], lv))],
    ...                   lv, {k: T(k) for k in lv})
    >>> t.cell("q", "top_two_n").value, t.cell("q", "missing").value, t.cell("q", "asked").value
    (2, 1, 3)
    """
    shown = list(reversed(levels))
    cols = [Column(f"n_{lv}", level_labels[lv]) for lv in shown]
    cols += [Column("base", BASE), Column("missing", MISSING), Column("asked", TOTAL, is_total=True)]
    for box in boxes:
        cols += [Column(f"{box}_n", T(f"{BOX_LABELS[box].da}, antal", f"{BOX_LABELS[box].en}, number")),
                 Column(f"{box}_pct", T(f"{BOX_LABELS[box].da}, pct.", f"{BOX_LABELS[box].en}, %")),
                 Column(f"{box}_ci_low", CI_LOW), Column(f"{box}_ci_high", CI_HIGH)]
    box_lines = {"top": (f"n_{levels[-1]}", "top_n"), "top_two": (f"n_{levels[-1]}", f"n_{levels[-2]}", "top_two_n"),
                 "bottom": (f"n_{levels[0]}", "bottom_n")}
    lines = ((*[f"n_{lv}" for lv in shown], "base"), ("base", "missing", "asked"), *(box_lines[b] for b in boxes))
    table = Table(table_id, source, title, cols, notes=list(notes), additive=True, row_lines=lines)
    for key, label, item in items:
        counts = dict(zip(item.rows["key"], item.rows["count"]))
        cells = {f"n_{lv}": Cell(int(counts[lv]), "count") for lv in shown}
        cells.update(base=Cell(item.base, "count"), missing=Cell(item.n_missing, "count"),
                     asked=Cell(item.base + item.n_missing, "count"))
        for box, s in item.boxes.items():
            if box not in boxes:
                continue
            of = f"{key}|{box}_n"
            cells.update({f"{box}_n": Cell(s.count, "count"),
                          f"{box}_pct": Cell(s.percent, "percent", n=s.base, count_of=of),
                          f"{box}_ci_low": Cell(s.ci_low, "percent", n=s.base, count_of=of),
                          f"{box}_ci_high": Cell(s.ci_high, "percent", n=s.base, count_of=of)})
        table.add_row(key, label, cells)
    return table


def crosstab_table(table_id: str, source: str, title: Text, counts: Sequence[Sequence[int]],
                   row_keys: Sequence[tuple[str, Text]], col_keys: Sequence[tuple[str, Text]],
                   share_of: str, tests: Sequence[TestRow] = (), notes: Sequence[Text] = ()) -> Table:
    """Counts of rows x columns with a total, and the share of column ``share_of`` in each row.

    >>> t = crosstab_table("t", "s", T("x"), [[3, 1], [1, 3]], [("a", T("A")), ("b", T("B"))],
    ...                    [("yes", T("Ja")), ("no", T("Nej"))], "yes")
    >>> t.cell("total", "yes").value, t.cell("a", "pct").value
    (4, 75.0)
    """
    cols = [Column(k, label) for k, label in col_keys] + [Column("total", TOTAL, is_total=True), Column("pct", PCT)]
    table = Table(table_id, source, title, cols, notes=list(notes), tests=list(tests), additive=True,
                  row_lines=(tuple(k for k, _ in col_keys) + ("total",),))
    col_index = [k for k, _ in col_keys].index(share_of)
    totals = [0] * len(col_keys)
    for (key, label), row in zip(row_keys, counts):
        n = int(sum(row))
        cells = {k: Cell(int(v), "count") for (k, _), v in zip(col_keys, row)}
        cells["total"] = Cell(n, "count")
        cells["pct"] = Cell(100.0 * row[col_index] / n if n else None, "percent", n=n, count_of=f"{key}|{share_of}")
        table.add_row(key, label, cells)
        totals = [a + int(b) for a, b in zip(totals, row)]
    grand = sum(totals)
    cells = {k: Cell(v, "count") for (k, _), v in zip(col_keys, totals)}
    cells["total"] = Cell(grand, "count")
    cells["pct"] = Cell(100.0 * totals[col_index] / grand if grand else None, "percent", n=grand,
                        count_of=f"total|{share_of}")
    table.add_row("total", TOTAL, cells, is_total=True)
    return table
