"""Survey table builders: the results of :mod:`evalkit.compare.survey` as report tables.

Every builder prints the count, the base and the percentage together, with the 95 % interval, and
declares what each share is computed from, so that disclosure control can protect it: a share names
its count *and its base* (``count_of`` "row|n+row|base"), because a shown share and a shown count
give away a hidden base.

- :func:`share_table` yes/no items and multi-response options ("% of cases"): columns ``n`` (yes),
  ``n_no`` (the rest of the base), ``base``, ``pct``, ``ci_low``, ``ci_high``; each row is one additive
  line ``n + n_no = base``;
- :func:`frequency_table` a single-choice item: one row per level, ``missing`` and ``total``; columns
  ``n``, ``pct`` (of those who answered), ``ci_low``, ``ci_high`` and optionally ``pct_all`` (of a wider base);
- :func:`ordinal_table` ordinal/Likert items side by side: a count per level (``n_<level>``), ``base``,
  ``missing``, ``asked`` and the chosen boxes ``top``, ``top_two``, ``bottom`` (count, percentage, interval);
- :func:`crosstab_table` counts of one variable by another with the row share of one column and the tests.

Shares are "% of cases" (never normalised to 100); a table over a filtered base says which filter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from evalkit.compare.survey import Share, SurveyTable
from evalkit.report import model
from evalkit.report._build.cells import count, count_column, share, share_column
from evalkit.report._build.tables import TOTAL, crosstab_rows
from evalkit.report._build.values import finite
from evalkit.report.model import Cell, Column, T, Table, Text

__all__ = ["crosstab_table", "frequency_table", "ordinal_table", "share_cells", "share_columns", "share_table"]

N = T("Antal", "Number")
PCT = T("Pct.", "%")
CI_LOW = T("95 %-KI, nedre", "95% CI, lower")
CI_HIGH = T("95 %-KI, øvre", "95% CI, upper")
BASE = T("Base (n)", "Base (n)")
REST = T("Øvrige", "Others")
MISSING = T("Ikke besvaret", "No answer")
PCT_ALL = T("Pct. af alle", "% of all")
BOX_LABELS = {"top": T("Øverste kategori", "Top box"), "top_two": T("To øverste", "Top two"),
              "bottom": T("Nederste", "Bottom box")}


def _ci(value: float, base: int, of: str) -> Cell:
    return Cell(finite(value), "percent", decimals=1, n=base, count_of=of)


def _pct(k: int, base: int, of: str) -> Cell:
    cell = share(k, base)
    cell.count_of = of
    return cell


def share_columns() -> list[Column]:
    """The columns of a share table: yes, the rest, the base, the percentage and its interval."""
    return [count_column("n", N), count_column("n_no", REST), count_column("base", BASE, is_total=True),
            share_column("pct", PCT, count_of="n"), share_column("ci_low", CI_LOW, count_of="n"),
            share_column("ci_high", CI_HIGH, count_of="n")]


def share_cells(key: str, s: Share) -> dict[str, Cell]:
    """Cells of one share row (``key`` is the row key); the share names its count and its base."""
    of = f"{key}|n+{key}|base"
    return {"n": count(s.count), "n_no": count(s.base - s.count), "base": count(s.base),
            "pct": _pct(s.count, s.base, of), "ci_low": _ci(s.ci_low, s.base, of),
            "ci_high": _ci(s.ci_high, s.base, of)}


def share_table(table_id: str, source: str, title: Text, rows: Sequence[tuple[str, Text, Share]],
                notes: Sequence[Text] = ()) -> Table:
    """One row per yes/no item or multi-response option, each over its own base.

    >>> from evalkit.compare.survey import share as s
    >>> t = share_table("t", "s", T("x"), [("a", T("A"), s(30, 44))])
    >>> t.cell("a", "n_no").value, round(t.cell("a", "pct").value, 2), t.cell("a", "pct").count_of
    (14, 68.18, 'a|n+a|base')
    """
    table = Table(table_id, source, title, share_columns(), notes=list(notes), additive=True,
                  row_lines=(("n", "n_no", "base"),))
    for key, label, s in rows:
        table.add_row(key, label, share_cells(key, s))
    return table


def frequency_table(table_id: str, source: str, title: Text, item: SurveyTable, labels: Mapping[str, Text],
                    notes: Sequence[Text] = (), wider_base: int | None = None) -> Table:
    """A single-choice item: levels, ``missing`` and ``total`` (all chosen); shares of those who answered.

    A share names its count and the ``missing`` count (with the total shown they give the base).
    ``wider_base`` adds ``pct_all``: the same counts over a wider base (e.g. every respondent when the
    table is filtered), to show what the shares would be without the filter.

    >>> from evalkit.compare.survey import frequency
    >>> t = frequency_table("t", "s", T("x"), frequency(["a", "b", "a", None], ["a", "b"]), {"a": T("A"), "b": T("B")})
    >>> [r.key for r in t.rows], t.cell("total", "n").value, round(t.cell("a", "pct").value, 1)
    (['a', 'b', 'missing', 'total'], 4, 66.7)
    """
    cols = [count_column("n", N), share_column("pct", PCT), share_column("ci_low", CI_LOW),
            share_column("ci_high", CI_HIGH)]
    if wider_base is not None:
        cols.append(share_column("pct_all", PCT_ALL))
    table = Table(table_id, source, title, cols, notes=list(notes), additive=True)
    for rec in item.rows.itertuples(index=False):
        of = f"{rec.key}|n+missing|n"
        cells = {"n": count(int(rec.count)), "pct": _pct(int(rec.count), item.base, of),
                 "ci_low": _ci(rec.ci_low, item.base, of), "ci_high": _ci(rec.ci_high, item.base, of)}
        if wider_base is not None:
            cells["pct_all"] = _pct(int(rec.count), wider_base, f"{rec.key}|n")
        table.add_row(str(rec.key), labels[str(rec.key)], cells)
    table.add_row("missing", MISSING, {"n": count(item.n_missing)})
    table.add_row("total", TOTAL, {"n": count(item.base + item.n_missing)}, is_total=True)
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
    cols = [count_column(f"n_{lv}", level_labels[lv]) for lv in shown]
    cols += [count_column("base", BASE), count_column("missing", MISSING), count_column("asked", TOTAL, is_total=True)]
    for box in boxes:
        label = BOX_LABELS[box]
        cols += [count_column(f"{box}_n", T(f"{label.da}, antal", f"{label.en}, number")),
                 share_column(f"{box}_pct", T(f"{label.da}, pct.", f"{label.en}, %")),
                 share_column(f"{box}_ci_low", CI_LOW), share_column(f"{box}_ci_high", CI_HIGH)]
    box_lines = {"top": (f"n_{levels[-1]}", "top_n"), "top_two": (f"n_{levels[-1]}", f"n_{levels[-2]}", "top_two_n"),
                 "bottom": (f"n_{levels[0]}", "bottom_n")}
    lines = ((*[f"n_{lv}" for lv in shown], "base"), ("base", "missing", "asked"), *(box_lines[b] for b in boxes))
    table = Table(table_id, source, title, cols, notes=list(notes), additive=True, row_lines=lines)
    for key, label, item in items:
        counts = dict(zip(item.rows["key"], item.rows["count"], strict=True))
        cells = {f"n_{lv}": count(int(counts[lv])) for lv in shown}
        cells.update(base=count(item.base), missing=count(item.n_missing), asked=count(item.base + item.n_missing))
        for box in boxes:
            s = item.boxes[box]
            of = f"{key}|{box}_n+{key}|base"
            cells.update({f"{box}_n": count(s.count), f"{box}_pct": _pct(s.count, s.base, of),
                          f"{box}_ci_low": _ci(s.ci_low, s.base, of), f"{box}_ci_high": _ci(s.ci_high, s.base, of)})
        table.add_row(key, label, cells)
    return table


def crosstab_table(table_id: str, source: str, title: Text, counts: Sequence[Sequence[int]],
                   row_keys: Sequence[tuple[str, Text]], col_keys: Sequence[tuple[str, Text]],
                   share_of: str, tests: Sequence[model.TestRow] = (), notes: Sequence[Text] = ()) -> Table:
    """Counts of rows x columns with a total, and each row's share of column ``share_of``.

    >>> t = crosstab_table("t", "s", T("x"), [[3, 1], [1, 3]], [("a", T("A")), ("b", T("B"))],
    ...                    [("yes", T("Ja")), ("no", T("Nej"))], "yes")
    >>> t.cell("total", "yes").value, t.cell("a", "pct").value, t.cell("a", "pct").count_of
    (4, 75.0, 'a|yes+a|total')
    """
    cols = [count_column(k, label) for k, label in col_keys]
    cols += [count_column("total", TOTAL, is_total=True), share_column("pct", PCT)]
    table = Table(table_id, source, title, cols, notes=list(notes), tests=list(tests), additive=True,
                  row_lines=(tuple(k for k, _ in col_keys) + ("total",),))
    keys = [k for k, _ in row_keys]
    crosstab_rows(table, keys, dict(row_keys), np.asarray(counts, dtype=np.int64), [k for k, _ in col_keys],
                  share_cols={"pct": share_of})
    for row in [*keys, "total"]:
        table.cell(row, "pct").count_of = f"{row}|{share_of}+{row}|total"
    return table
