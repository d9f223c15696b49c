"""XLSX an analyst can work in: a contents sheet (the report's notes, every table with its source,
the sources cited), one sheet per table (its source cited as the publication under the title), the
report and ledger sheets.

Every number is a number, rounded exactly as the other formats print it (:func:`published_value`;
a cost rounded to hundreds is stored as ``484300``), with a display format at its printed precision.
The test block of a table has one numeric column each for n, the estimate and its 95 % interval,
the effect size and its interval, p and the adjusted p. Ledger counts are numbers. Suppressed cells
hold the marker (``x``) on a grey fill, and each sheet with one says what it means. Every sheet has
fitted column widths, a print area, fit-to-width printing with its header row repeated on every
page, landscape when wide, and frozen headers. Sheet names are the table titles in the report's
language, numbered, unique and at most 31 characters (:func:`sheet_names`).

Strings are stored as strings: each passes :func:`~evalkit.report.render.neutral.neutral` and is
written with data type ``s`` and the quote prefix, so a label such as ``=HYPERLINK(...)`` or
``@SUM(A1)`` is never a formula.

>>> _sheet_title(3, "Deltagernes alder fordelt på skoletype og køn [år]")
'3 Deltagernes alder fordelt på…'
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evalkit.io.atomic import atomic_path, normalise_zip
from evalkit.report.labels import DEFAULT_DECIMALS, format_number, pack, round_half_up, word
from evalkit.report.model import Cell, Report, Table, TestRow
from evalkit.report.render.common import (
    bibliography_lines,
    disclosure_note,
    fingerprint,
    input_names,
    ledger_entries,
    published_value,
    settings_lines,
    source_line,
)
from evalkit.report.render.neutral import formula_like, neutral
from evalkit.report.render.words import rword
from evalkit.report.sources import citation_text

#: Row of the column header on a table sheet (title in row 1, source in row 2); data rows follow.
HEADER_ROW = 3
_MAX_SHEET = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_LANDSCAPE_FROM = 95   # total column width (characters) above which a sheet prints landscape
_WIDTH_CAP = 60        # widest column, in characters; longer text wraps
_HEADER_WRAP = 22      # a header longer than this wraps instead of widening a numeric column


def _fmt(decimals: int) -> str:
    return "#,##0" if decimals <= 0 else "#,##0." + "0" * decimals


def _p_format(lang: str) -> str:
    """Display format for a p-value cell: the value itself, shown as the other formats print it."""
    small = "<" + format_number(0.001, lang, 3)
    return f'[<0.001]"{small}";0.000'


def _sheet_title(number: int, title: str) -> str:
    """``"<number> <title>"`` without the characters Excel forbids, cut at a word to 31 characters."""
    text = re.sub(r"\s+", " ", _BAD_SHEET_CHARS.sub("", neutral(title))).strip().strip("'")
    name = f"{number} {text}".strip()
    if len(name) <= _MAX_SHEET:
        return name
    cut = name[: _MAX_SHEET - 1]
    if name[len(cut)] != " " and " " in cut[len(str(number)) + 2:]:   # never half a word
        cut = cut[: cut.rfind(" ")]
    if cut.count("(") > cut.count(")") and cut.rfind("(") > len(str(number)) + 2:   # no dangling "("
        cut = cut[: cut.rfind("(")]
    return cut.rstrip(" ,.;-–") + "…"


def _fixed_names(lang: str) -> tuple[str, str, str]:
    return (rword("contents", lang)[:_MAX_SHEET], word("report", lang)[:_MAX_SHEET],
            word("ledger", lang)[:_MAX_SHEET])


def sheet_names(report: Report) -> dict[str, str]:
    """Table id -> its sheet name: numbered table titles in the report's language, unique, <= 31 chars.

    >>> from evalkit.report.model import Column, T, Table
    >>> t = Table("age", "x", T("Deltagernes alder", "Age of participants"), [Column("n", T("n"))])
    >>> sheet_names(Report("r", T("R"), [t], lang="en"))
    {'age': '1 Age of participants'}
    """
    taken = {n.casefold() for n in _fixed_names(report.lang)}
    out: dict[str, str] = {}
    for i, t in enumerate(report.tables, start=1):
        name = _sheet_title(i, t.title(report.lang))
        k = 2
        while name.casefold() in taken:   # unreachable with numbered names, kept as a guarantee
            name = f"{name[: _MAX_SHEET - 3]}~{k}"
            k += 1
        taken.add(name.casefold())
        out[t.id] = name
    return out


class _Sheet:
    """A worksheet plus what is needed to size and print it."""

    def __init__(self, wb: Any, title: str, lang: str, index: int | None = None) -> None:
        self.ws = wb.create_sheet(title=title, index=index)
        self.lang = lang
        self.widths: dict[int, float] = {}
        self.wide_rows: list[int] = []    # rows of one long text merged across the sheet
        self.header_row: int | None = None
        self.has_suppressed = False

    def append(self, values: Sequence[Any], formats: Sequence[str | None] | None = None, *,
               measure: bool = True, header: bool = False) -> int:
        """Append a row: strings neutral and typed as text (never a formula), numbers with their format."""
        from openpyxl.styles import Alignment, Font, PatternFill

        self.ws.append([neutral(v) if isinstance(v, str) else v for v in values])
        r = self.ws.max_row
        marker = pack(self.lang)["suppressed"]
        for j in range(1, len(values) + 1):
            cell = self.ws.cell(row=r, column=j)
            fmt = formats[j - 1] if formats and j <= len(formats) else None
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if formula_like(cell.value):
                    cell.quotePrefix = True
                if len(cell.value) > _WIDTH_CAP - 2 and not header:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                if j > 1 and cell.value == marker and not header:
                    cell.fill = PatternFill("solid", fgColor="E6E6E6")
                    cell.alignment = Alignment(horizontal="right")
                    self.has_suppressed = True
            elif fmt:
                cell.number_format = fmt
            if header:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(wrap_text=True, vertical="bottom")
            if measure and cell.value is not None:
                self._measure(j, cell.value, fmt, header)
        return r

    def _measure(self, column: int, value: Any, fmt: str | None, header: bool) -> None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            decimals = 3 if fmt and fmt.startswith("[") else len(fmt.split(".")[1]) if fmt and "." in fmt else 0
            width = len(format_number(value, self.lang, decimals)) + 2
        else:
            width = len(str(value)) + 2
            if header:
                width = min(width, _HEADER_WRAP + 2)
        self.widths[column] = max(self.widths.get(column, 0), min(width, _WIDTH_CAP))

    def text(self, value: str, *, bold: bool = False, size: int | None = None) -> int:
        """A line of text (title, note, legend) merged across the sheet's columns and wrapped."""
        from openpyxl.styles import Font

        r = self.append([value], measure=False)
        if bold or size:
            self.ws.cell(row=r, column=1).font = Font(bold=bold, size=size)
        self.wide_rows.append(r)
        return r

    def finish(self, min_columns: int = 1) -> None:
        """Column widths, wrapped long lines, print area, fit to width, repeated header, landscape."""
        from openpyxl.styles import Alignment
        from openpyxl.utils import get_column_letter

        ws = self.ws
        ncols = max([min_columns, *self.widths]) if self.widths else min_columns
        for j in range(1, ncols + 1):
            ws.column_dimensions[get_column_letter(j)].width = max(8.0, float(self.widths.get(j, 8)))
        total = sum(ws.column_dimensions[get_column_letter(j)].width for j in range(1, ncols + 1))
        for r in self.wide_rows:
            cell = ws.cell(row=r, column=1)
            text = "" if cell.value is None else str(cell.value)
            if ncols > 1:
                ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            lines = max(1, math.ceil(len(text) * 1.1 / max(total, 1)))
            if lines > 1:
                ws.row_dimensions[r].height = 15 * lines
        last = get_column_letter(ncols)
        ws.print_area = f"A1:{last}{max(ws.max_row, 1)}"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if total > _LANDSCAPE_FROM else "portrait"
        ws.print_options.horizontalCentered = False
        ws.oddFooter.center.text = "&P / &N"
        ws.oddHeader.left.text = _header_text(ws.title)
        if self.header_row is not None:
            ws.print_title_rows = f"{self.header_row}:{self.header_row}"
            ws.freeze_panes = ws.cell(row=self.header_row + 1, column=2).coordinate


def _header_text(text: str) -> str:
    """Text safe for an Excel page header (``&`` starts a header code)."""
    return neutral(text).replace("&", "&&")


def _cell_value(cell: Cell | None, lang: str) -> tuple[Any, str | None]:
    if cell is None:
        return None, None
    if cell.suppressed:
        return pack(lang)["suppressed"], None
    if cell.value is None:
        return None, None
    value = published_value(cell)
    if isinstance(value, str) or value is None:
        return value, None
    if cell.kind == "p":
        return value, _p_format(lang)
    decimals = cell.decimals if cell.decimals is not None else DEFAULT_DECIMALS.get(cell.kind, 2)
    return value, _fmt(decimals)


def _rounded(value: Any, decimals: int) -> Any:
    """A test number rounded half-up as printed; an infinite bound as ``∞``; missing as ``None``."""
    if value is None or isinstance(value, bool):
        return None
    value = float(value)
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return float(round_half_up(value, decimals))


def block_columns(lang: str) -> list[str]:
    """Header of the numeric test block (one column per number)."""
    return [word("outcome", lang), word("method", lang), word("n", lang), word("estimate", lang),
            rword("estimate_value", lang), rword("estimate_low", lang), rword("estimate_high", lang),
            word("effect_size", lang), rword("effect_value", lang), rword("effect_low", lang),
            rword("effect_high", lang), word("p_value", lang), word("p_adjusted", lang), rword("remark", lang)]


def block_values(test: TestRow, lang: str) -> tuple[list[Any], list[str | None]]:
    """One test as (values, number formats): the numbers of :func:`block_columns`, rounded as printed."""
    outcome, method = neutral(test.outcome(lang)), neutral(test.method_label(lang))
    est_name = neutral(test.estimate_label(lang) or "")
    eff_name = neutral(test.effect_size_label(lang) or "")
    if test.suppressed:
        x = pack(lang)["suppressed"]
        return [outcome, method, x, est_name, x, x, x, eff_name, x, x, x, x, x, ""], [None] * 14
    d = 2 if test.decimals is None else test.decimals
    lo, hi = test.estimate_ci
    elo, ehi = test.effect_size_ci
    remark = neutral(test.reason(lang)) if test.p_value is None and test.reason is not None else ""
    values = [outcome, method, test.n, est_name,
              _rounded(test.estimate, d), _rounded(lo, d), _rounded(hi, d), eff_name,
              _rounded(test.effect_size, 2), _rounded(elo, 2), _rounded(ehi, 2),
              _plain(test.p_value), _plain(test.p_adjusted), remark]
    est, eff, p = _fmt(d), _fmt(2), _p_format(lang)
    formats = [None, None, "#,##0", None, est, est, est, None, eff, eff, eff, p, p, None]
    return values, formats


def _plain(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _table_sheet(wb: Any, t: Table, name: str, report: Report, contents: str) -> None:
    lang = report.lang
    sheet = _Sheet(wb, name, lang)
    sheet.text(t.title(lang), bold=True, size=12)
    sheet.text(source_line(t, lang))
    sheet.header_row = sheet.append([""] + [c.label(lang) for c in t.columns], header=True)
    for r in t.rows:
        pairs = [_cell_value(r.cells.get(c.key), lang) for c in t.columns]
        sheet.append([r.label(lang)] + [v for v, _ in pairs], [None] + [f for _, f in pairs])
    for note in t.notes:
        sheet.text(note(lang))
    if t.tests:
        sheet.append([], measure=False)
        sheet.text(word("tests", lang), bold=True)
        sheet.append(block_columns(lang), header=True)
        for x in t.tests:
            values, formats = block_values(x, lang)
            sheet.append(values, formats)
        for family in dict.fromkeys(x.family for x in t.tests if x.family):
            sheet.text(f"{word('family', lang)}: {family}")
    if sheet.has_suppressed or any(x.suppressed for x in t.tests):
        sheet.text(disclosure_note(report))
    _back_link(sheet, contents)
    sheet.finish(min_columns=len(t.columns) + 1)


def _link(cell: Any, sheet: str) -> None:
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    quoted = sheet.replace("'", "''")
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{quoted}'!A1")
    cell.font = Font(color="0563C1", underline="single")


def _back_link(sheet: _Sheet, contents: str) -> None:
    r = sheet.append([rword("back_to_contents", sheet.lang)], measure=False)
    _link(sheet.ws.cell(row=r, column=1), contents)


def _contents_sheet(wb: Any, report: Report, names: dict[str, str], fixed: tuple[str, str, str]) -> None:
    lang = report.lang
    sheet = _Sheet(wb, fixed[0], lang, index=0)
    sheet.text(report.title(lang), bold=True, size=14)
    if not report.disclosure.get("enabled", True):
        sheet.text(rword("no_disclosure", lang), bold=True)
    inputs = input_names(report)
    if inputs:
        sheet.text(f"{rword('input', lang)}: {', '.join(inputs)}")
    sheet.text(f"{rword('version', lang)}: {report.settings.get('evalkit_version', '')}; "
               f"{rword('fingerprint', lang)}: {fingerprint(report)}")
    sheet.text(disclosure_note(report))
    for family in dict.fromkeys(x.family for x in report.all_tests() if x.family):
        sheet.text(f"{word('family', lang)}: {family}")
    if report.notes:
        sheet.append([], measure=False)
        sheet.text(word("notes", lang), bold=True)
        for n in report.notes:
            sheet.text(f"• {n(lang)}")
    sheet.append([], measure=False)
    sheet.header_row = sheet.append([rword("number_short", lang), rword("sheet", lang), rword("title", lang),
                                     word("source", lang)], header=True)
    for name in fixed[1:]:
        r = sheet.append(["", name, "", ""])
        _link(sheet.ws.cell(row=r, column=2), name)
    for i, t in enumerate(report.tables, start=1):
        source = citation_text(t.citation, lang, short=True)
        r = sheet.append([i, names[t.id], t.title(lang), source], ["0", None, None, None])
        _link(sheet.ws.cell(row=r, column=2), names[t.id])
    heading, entries = bibliography_lines(report)
    if entries:
        sheet.append([], measure=False)
        sheet.text(heading, bold=True)
        for entry in entries:
            sheet.text(entry)
    sheet.finish(min_columns=4)


def _report_sheet(wb: Any, report: Report, fixed: tuple[str, str, str]) -> None:
    lang = report.lang
    sheet = _Sheet(wb, fixed[1], lang)
    sheet.text(report.title(lang), bold=True, size=12)
    sheet.text(f"{word('disclosure', lang)}: {disclosure_note(report)}")
    sheet.append([], measure=False)
    sheet.text(word("settings", lang), bold=True)
    for s in settings_lines(report):
        sheet.text(s)
    _back_link(sheet, fixed[0])
    sheet.widths[1] = 100
    sheet.finish(min_columns=1)


def _ledger_sheet(wb: Any, report: Report, fixed: tuple[str, str, str]) -> None:
    lang = report.lang
    sheet = _Sheet(wb, fixed[2], lang)
    sheet.text(word("ledger", lang), bold=True, size=12)
    sheet.text("")
    sheet.header_row = sheet.append(["", word("ledger_read", lang), word("ledger_kept", lang),
                                     word("ledger_excluded", lang), word("reason", lang)], header=True)
    marker = pack(lang)["suppressed"]
    for name, read, kept, excluded, reasons in ledger_entries(report):
        counts = [marker if v is None else int(v) for v in (read, kept, excluded)]
        sheet.append([name, *counts, reasons], [None, "#,##0", "#,##0", "#,##0", None])
    if sheet.has_suppressed:
        sheet.text(disclosure_note(report))
    _back_link(sheet, fixed[0])
    sheet.finish(min_columns=5)


def write_xlsx(report: Report, path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    fixed_time = dt.datetime(2000, 1, 1)
    wb.properties.created = wb.properties.modified = fixed_time
    wb.properties.creator = "evalkit"
    wb.properties.title = neutral(report.title(report.lang))
    fixed = _fixed_names(report.lang)
    names = sheet_names(report)
    _report_sheet(wb, report, fixed)
    _ledger_sheet(wb, report, fixed)
    for t in report.tables:
        _table_sheet(wb, t, names[t.id], report, fixed[0])
    _contents_sheet(wb, report, names, fixed)
    wb.active = 0
    with atomic_path(path) as tmp:
        wb.save(tmp)
        normalise_zip(tmp)
