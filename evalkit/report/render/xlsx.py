"""XLSX: one sheet per table with numbers stored as numbers (with display formats), plus report sheets.

Strings are stored as strings: each passes :func:`~evalkit.report.render.neutral.neutral` and is
written with data type ``s`` and the quote prefix, so a label such as ``=HYPERLINK(...)`` or
``@SUM(A1)`` is never a formula. Numbers are written rounded to their printed precision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evalkit.io.atomic import atomic_path, normalise_zip
from evalkit.report.labels import DEFAULT_DECIMALS, pack, word
from evalkit.report.model import Cell, Report
from evalkit.report.render.common import (
    disclosure_note,
    ledger_rows,
    published_value,
    settings_lines,
    test_cells,
    test_header,
)
from evalkit.report.render.neutral import formula_like, neutral


def _fmt(decimals: int) -> str:
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals


def _append(ws: Any, values: list[Any], formats: Sequence[str | None] | None = None) -> None:
    """Append a row: strings neutral and typed as text (never a formula), numbers with their format."""
    ws.append([neutral(v) if isinstance(v, str) else v for v in values])
    for j, cell in enumerate(ws[ws.max_row] if values else (), start=1):
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if formula_like(cell.value):
                cell.quotePrefix = True
        elif formats and j <= len(formats) and formats[j - 1]:
            cell.number_format = formats[j - 1]


def _cell_value(cell: Cell | None, lang: str) -> tuple[Any, str | None]:
    if cell is None or cell.value is None:
        return None, None
    if cell.suppressed:
        return pack(lang)["suppressed"], None
    value = published_value(cell)
    if isinstance(value, str) or value is None:
        return value, None
    if cell.kind == "p":
        return value, "0.000"
    decimals = cell.decimals if cell.decimals is not None else DEFAULT_DECIMALS.get(cell.kind, 2)
    return value, _fmt(max(decimals, 0))


def write_xlsx(report: Report, path: Path) -> None:
    import openpyxl
    from openpyxl.styles import Font

    lang = report.lang
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    wb.properties.creator = "evalkit"
    bold = Font(bold=True)
    for t in report.tables:
        ws = wb.create_sheet(title=t.id[:31])
        _append(ws, [t.title(lang)])
        ws["A1"].font = bold
        _append(ws, [f"{word('source', lang)}: {t.source}"])
        _append(ws, [""] + [c.label(lang) for c in t.columns])
        for cell in ws[3]:
            cell.font = bold
        for r in t.rows:
            pairs = [_cell_value(r.cells.get(c.key), lang) for c in t.columns]
            _append(ws, [r.label(lang)] + [v for v, _ in pairs], [None] + [f for _, f in pairs])
        for note in t.notes:
            _append(ws, [note(lang)])
        if t.tests:
            _append(ws, [])
            _append(ws, [word("tests", lang)])
            _append(ws, test_header(lang))
            for x in t.tests:
                _append(ws, test_cells(x, lang))
        ws.column_dimensions["A"].width = 48
    about = wb.create_sheet(title=word("report", lang)[:31], index=0)
    _append(about, [report.title(lang)])
    about["A1"].font = bold
    _append(about, [word("disclosure", lang), disclosure_note(report)])
    _append(about, [])
    _append(about, [word("ledger", lang)])
    _append(about, ["", word("ledger_read", lang), word("ledger_kept", lang), word("ledger_excluded", lang),
                    word("reason", lang)])
    for row in ledger_rows(report):
        _append(about, list(row))
    _append(about, [])
    _append(about, [word("settings", lang)])
    for s in settings_lines(report):
        _append(about, [s])
    for n in report.notes:
        _append(about, [n(lang)])
    about.column_dimensions["A"].width = 40
    with atomic_path(path) as tmp:
        wb.save(tmp)
        normalise_zip(tmp)
