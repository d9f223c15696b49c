"""One report per level (``--by``) or per period (``--period``), and the comparison across them.

:func:`split_report` builds the report once per level of a column of the report's unit table
(municipality, school type, ...) or per period of its intake date, each as the same report filtered
to that level (so each is exactly the report of an export holding only that level's rows), plus a
comparison report: the report's key figures for every level side by side, with a test of the
differences across levels for every share (Pearson's chi-square test, Fisher's exact test when
expected counts are small). Levels with fewer units than the disclosure threshold get no report of
their own and are named as left out.

>>> period_bounds("year", [16071.0, 16500.0])[0]
('2014', '2014-01-01', '2015-01-01')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from evalkit.report._build.cells import count, count_column, share
from evalkit.report._build.subset import evaluate, subset_export
from evalkit.report._build.testrows import quiet, test_row
from evalkit.report._build.values import day_numbers, slug
from evalkit.report._build.where import WhereError, parse_where
from evalkit.report.model import Cell, Column, Report, T, Table, Text

__all__ = ["PERIODS", "Split", "period_bounds", "split_report"]

PERIODS = ("year", "halfyear", "quarter", "month")


@dataclass
class Split:
    """The reports per level (level text -> report), the comparison report and the levels left out."""

    by: str
    reports: dict[str, Report] = field(default_factory=dict)
    comparison: Report | None = None
    left_out: dict[str, int] = field(default_factory=dict)

    def file_stem(self, level: str) -> str:
        """A file name part for a level, safe for any text (``"Tårnby"`` -> ``"taarnby"``)."""
        return slug(level)[:60]


def _quote(value: str) -> str:
    return '"' + value.replace('"', "") + '"'


def period_bounds(period: str, days: Sequence[float]) -> list[tuple[str, str, str]]:
    """(label, first day, day after the last) of every period holding a date (days since 1970)."""
    if period not in PERIODS:
        raise WhereError(f"--period: {period!r} is not one of {', '.join(PERIODS)}")
    finite = np.asarray([d for d in days if np.isfinite(d)], dtype="float64")
    if not finite.size:
        return []
    epoch = dt.date(1970, 1, 1)
    months = {"year": 12, "halfyear": 6, "quarter": 3, "month": 1}[period]
    seen: dict[str, tuple[str, str, str]] = {}
    for d in np.unique(finite.astype(np.int64)):
        day = epoch + dt.timedelta(days=int(d))
        first_month = (day.month - 1) // months * months + 1
        start = dt.date(day.year, first_month, 1)
        end_month = first_month + months
        end = dt.date(day.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
        label = {
            "year": f"{day.year}",
            "halfyear": f"{day.year}-H{(first_month - 1) // 6 + 1}",
            "quarter": f"{day.year}-Q{(first_month - 1) // 3 + 1}",
            "month": f"{day.year}-{first_month:02d}",
        }[period]
        seen.setdefault(label, (label, start.isoformat(), end.isoformat()))
    return [seen[k] for k in sorted(seen)]


def _levels(export: Any, population: Any, by: str | None, period: str | None) -> tuple[str, list[tuple[str, str]]]:
    """The column split on and (level, filter expression) pairs."""
    unit = export[population.unit]
    if period is not None:
        column = population.intake_date
        if column is None:
            raise WhereError("--period: this report declares no intake date to split on")
        return column, [(label, f"{column} >= {start} and {column} < {end}")
                        for label, start, end in period_bounds(period, day_numbers(unit[column]).tolist())]
    assert by is not None
    if by not in unit.columns:
        import difflib

        close = difflib.get_close_matches(by, list(unit.columns), n=1, cutoff=0.5)
        raise WhereError(f"--by: unknown column {by!r}" + (f"; did you mean {close[0]!r}?" if close else
                                                            f"; one of: {', '.join(unit.columns)}"))
    values = unit[by]
    if pd.api.types.is_float_dtype(values.dtype) or values.nunique() > 200:
        raise WhereError(f"--by: {by!r} has {values.nunique()} different values; split by a category")
    levels = sorted({str(v) for v in values.dropna().tolist()})
    return by, [(lv, f"{by} == {_quote(lv)}") for lv in levels]


def split_report(export: Any, name: str | None, options: Any, *, by: str | None = None,
                 period: str | None = None) -> Split:
    """Build report ``name`` once per level of ``by`` (or per ``period`` of the intake date) and the
    comparison across levels; ``options.where`` filters apply to every level."""
    from evalkit.report.spec import build_report, finish_report, get_spec, report_for_dataset

    if (by is None) == (period is None):
        raise WhereError("give one of --by and --period")
    name = name or report_for_dataset(export.dataset)
    spec = get_spec(name)
    if spec.population is None:
        raise WhereError(f"report {name!r} declares no population, so it cannot be split")
    base, _ = subset_export(export, spec.population, options.where)
    column, levels = _levels(base, spec.population, by, period)
    out = Split(by=column if by else f"{period} ({column})")
    sizes: dict[str, int] = {}
    unit = base[spec.population.unit]
    for level, expr in levels:
        # the level's size from its unit rows alone (build_report subsets every linked table itself)
        n = int(evaluate(parse_where(expr), unit).sum())
        sizes[level] = n
        if options.disclosure and n < options.min_cell:
            out.left_out[level] = n
            continue
        out.reports[level] = build_report(export, name, replace(options, where=tuple(options.where) + (expr,)))
    out.comparison = finish_report(_comparison(spec, out, sizes, options), base, options)
    return out


def _comparison(spec: Any, split: Split, sizes: dict[str, int], options: Any) -> Report:
    levels = list(split.reports)
    columns: list[Column] = []
    for i, lv in enumerate(levels):
        columns.append(Column(f"l{i}", Text(lv, lv)))
        columns.append(count_column(f"l{i}_n", Text(f"n, {lv}", f"n, {lv}")))
    unit_name = spec.population.unit_name
    table = Table(id="comparison", source="", title=Text(f"Nøgletal efter {split.by}", f"Key figures by {split.by}"),
                  columns=columns)
    table.add_row("units", Text(f"Antal {unit_name.da}", f"Number of {unit_name.en}"),
                  {f"l{i}": count(sizes[lv]) for i, lv in enumerate(levels)})
    for table_id, row_key, col_key in getattr(spec, "key_figures", ()) or ():
        cells: dict[str, Cell] = {}
        ks: list[int] = []
        ns: list[int] = []
        label: Text | None = None
        for i, lv in enumerate(levels):
            rep = split.reports[lv]
            try:
                t = rep.table(table_id)
                cell = t.cell(row_key, col_key)
            except KeyError:
                continue
            label = label or Text(f"{t.title.da}: {t.row(row_key).label.da}, {_col_label(t, col_key).da}",
                                  f"{t.title.en}: {t.row(row_key).label.en}, {_col_label(t, col_key).en}")
            if cell.kind == "percent" and cell.n is not None and cell.value is not None and not cell.suppressed:
                k = int(round(cell.value * cell.n / 100.0))
                cells[f"l{i}"] = share(k, cell.n, decimals=cell.decimals or 1)
                cells[f"l{i}_n"] = count(cell.n)
                ks.append(k)
                ns.append(cell.n)
            elif not cell.suppressed and cell.value is not None:
                cells[f"l{i}"] = Cell(cell.value, cell.kind, decimals=cell.decimals, n=cell.n)
                if cell.n is not None:
                    cells[f"l{i}_n"] = count(cell.n)
        if label is None:
            continue
        key = f"{table_id}__{row_key}__{col_key}"
        for i in range(len(levels)):
            if f"l{i}" in cells and f"l{i}_n" in cells:
                cells[f"l{i}"].count_of = f"{key}|l{i}_n"
        table.add_row(key, label, cells)
        if len(ks) >= 2 and len(ks) == len(levels):
            from evalkit import compare

            counts = np.array([[k, n - k] for k, n in zip(ks, ns, strict=True)], dtype=np.int64)
            over = [f"{key}|l{i}_n" for i in range(len(levels))]
            table.tests.append(test_row(key, label, quiet(compare.chi_square, counts), over=over))
    if split.left_out:
        names = ", ".join(split.left_out)
        table.notes.append(Text(f"Uden egen rapport (færre end {options.min_cell} {unit_name.da}): {names}.",
                                f"No report of their own (fewer than {options.min_cell} {unit_name.en}): {names}."))
    return Report(name=f"{spec.name}-comparison", title=Text(f"{spec.title.da}: sammenligning",
                                                             f"{spec.title.en}: comparison"),
                  tables=[table], lang=options.lang, settings={**options.to_dict(), "by": split.by})


def _col_label(table: Table, key: str) -> Text:
    for c in table.columns:
        if c.key == key:
            return c.label
    return T(key)
