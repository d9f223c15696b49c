"""XLSX: one sheet per table with numbers stored as numbers (with display formats), plus report sheets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from evalkit.io.atomic import atomic_path, normalise_zip
from evalkit.report.labels import DEFAULT_DECIMALS, pack, word
from evalkit.report.model import Report
from evalkit.report.render.common import disclosure_note, ledger_rows, settings_lines, test_cells, test_header


def _fmt(decimals: int) -> str:
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals


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
        ws.append([t.title(lang)])
        ws["A1"].font = bold
        ws.append([f"{word('source', lang)}: {t.source}"])
        ws.append([""] + [c.label(lang) for c in t.columns])
        for cell in ws[3]:
            cell.font = bold
        for r in t.rows:
            values = [r.label(lang)]
            formats = [None]
            for c in t.columns:
                cell = r.cells.get(c.key)
                if cell is None or cell.value is None:
                    values.append(None)
                    formats.append(None)
                elif cell.suppressed:
                    values.append(pack(lang)["suppressed"])
                    formats.append(None)
                elif cell.kind == "text" or isinstance(cell.value, str):
                    values.append(str(cell.value))
                    formats.append(None)
                else:
                    decimals = cell.decimals if cell.decimals is not None else DEFAULT_DECIMALS.get(cell.kind, 2)
                    values.append(float(cell.value) if decimals else int(round(float(cell.value))))
                    formats.append(_fmt(decimals) if cell.kind != "p" else "0.000")
            ws.append(values)
            for j, f in enumerate(formats, start=1):
                if f:
                    ws.cell(row=ws.max_row, column=j).number_format = f
        for note in t.notes:
            ws.append([note(lang)])
        if t.tests:
            ws.append([])
            ws.append([word("tests", lang)])
            ws.append(test_header(lang))
            for x in t.tests:
                ws.append(test_cells(x, lang))
        ws.column_dimensions["A"].width = 48
    about = wb.create_sheet(title=word("report", lang)[:31], index=0)
    about.append([report.title(lang)])
    about["A1"].font = bold
    about.append([word("disclosure", lang), disclosure_note(report)])
    about.append([])
    about.append([word("ledger", lang)])
    about.append(["", word("ledger_read", lang), word("ledger_kept", lang), word("ledger_excluded", lang),
                  word("reason", lang)])
    for row in ledger_rows(report):
        about.append(list(row))
    about.append([])
    about.append([word("settings", lang)])
    for s in settings_lines(report):
        about.append([s])
    for n in report.notes:
        about.append([n(lang)])
    about.column_dimensions["A"].width = 40
    with atomic_path(path) as tmp:
        wb.save(tmp)
        normalise_zip(tmp)
