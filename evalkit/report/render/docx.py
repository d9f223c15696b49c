"""Word (.docx): the report as a document a municipality can restyle and hand on.

Built with python-docx on its default template: the title, a contents field (Word fills it in when
the document is opened, or on F9), every table as a real Word table with its notes, its test block
as a second table and the disclosure legend, each table's source cited as the publication (its
table or figure number and page); the notes that hold for the whole report come once, before the
tables; then the disclosure note, the row ledger, the sources (bibliography) and the settings.
Everything uses named styles ("Title", "Heading 1", "Table Grid", "Caption", ...), so a municipality
restyles the whole document by editing its styles. Plots, when the report has them, are inserted
as PNG images at 2x resolution.

Nothing here computes: text comes from the same helpers as the other renderers, so numbers print
exactly as in HTML and Markdown.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from evalkit.report.labels import cell_text, pack, word
from evalkit.report.model import Report, Table
from evalkit.report.render.common import (
    bibliography_lines,
    disclosure_note,
    ledger_rows,
    settings_lines,
    source_line,
    test_cells,
    test_header,
)
from evalkit.report.render.words import rword

__all__ = ["write_docx"]


def _clean(text: str) -> str:
    """Text without the control characters XML cannot hold (NUL, vertical tab, ...)."""
    return "".join(ch for ch in str(text) if ch in "\t\n" or ord(ch) >= 32)


def _contents(doc: Any, lang: str) -> None:
    """A table-of-contents field over the headings (Word computes it on opening or F9)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc.add_paragraph(rword("contents", lang), style="Heading 1")
    paragraph = doc.add_paragraph()
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = 'TOC \\o "1-2" \\h \\z \\u'
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    hint = OxmlElement("w:t")
    hint.text = rword("toc_hint", lang)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, hint, end):
        run._r.append(element)  # noqa: SLF001 (python-docx has no field API)


def _grid(doc: Any, header: list[str], rows: list[list[str]], first_column_left: bool = True) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = _clean(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    _repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.text = _clean(text)
            if i > 0 or not first_column_left:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def _repeat_header(row: Any) -> None:
    """Repeat the header row on every page a table spans."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = row._tr.get_or_add_trPr()  # noqa: SLF001
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    props.append(flag)


def _table(doc: Any, t: Table, report: Report) -> None:
    lang = report.lang
    doc.add_paragraph(_clean(t.title(lang)), style="Heading 2")
    source = source_line(t, lang)
    if source:
        doc.add_paragraph(_clean(source), style="Caption")
    header = [""] + [c.label(lang) for c in t.columns]
    rows = [[r.label(lang)] + [cell_text(r.cells.get(c.key), lang) for c in t.columns] for r in t.rows]
    _grid(doc, header, rows)
    hidden = pack(lang)["suppressed"]
    if any(cell.suppressed for r in t.rows for cell in r.cells.values()):
        legend = disclosure_note(report)   # starts "x = ..." itself
        doc.add_paragraph(_clean(legend if legend.startswith(hidden) else f"{hidden} = {legend}"), style="Caption")
    for note in t.notes:
        doc.add_paragraph(_clean(note(lang)), style="Caption")
    if t.tests:
        doc.add_paragraph(word("tests", lang), style="Heading 3")
        _grid(doc, test_header(lang), [test_cells(x, lang) for x in t.tests])
    if t.plot:
        _picture(doc, t, lang)


def _picture(doc: Any, t: Table, lang: str) -> None:
    from docx.shared import Cm

    from evalkit.report.plots import plot_png

    png = plot_png(t, lang)
    if png is None:
        return
    doc.add_picture(io.BytesIO(png), width=Cm(15))


def build_document(report: Report) -> Any:
    """The report as a python-docx ``Document`` (not yet saved)."""
    from docx import Document

    lang = report.lang
    doc = Document()
    doc.core_properties.title = _clean(report.title(lang))
    doc.core_properties.author = "evalkit"
    doc.core_properties.comments = _clean(word("generated_by", lang, version=report.settings.get("evalkit_version")))
    doc.add_paragraph(_clean(report.title(lang)), style="Title")
    doc.add_paragraph(_clean(word("generated_by", lang, version=report.settings.get("evalkit_version"))))
    _contents(doc, lang)
    if report.notes:
        doc.add_paragraph(word("notes", lang), style="Heading 1")
        for note in report.notes:
            doc.add_paragraph(_clean(note(lang)), style="List Bullet")
    doc.add_paragraph(rword("tables", lang), style="Heading 1")
    for t in report.tables:
        _table(doc, t, report)
    doc.add_paragraph(word("disclosure", lang), style="Heading 1")
    doc.add_paragraph(_clean(disclosure_note(report)))
    doc.add_paragraph(word("ledger", lang), style="Heading 1")
    _grid(doc, ["", word("ledger_read", lang), word("ledger_kept", lang), word("ledger_excluded", lang),
                word("reason", lang)], [list(r) for r in ledger_rows(report)])
    heading, entries = bibliography_lines(report)
    if entries:
        doc.add_paragraph(_clean(heading), style="Heading 1")
        for entry in entries:
            doc.add_paragraph(_clean(entry), style="List Bullet")
    doc.add_paragraph(word("settings", lang), style="Heading 1")
    for line in settings_lines(report):
        doc.add_paragraph(_clean(line), style="List Bullet")
    return doc


def _deterministic(data: bytes) -> bytes:
    """The same document always gives the same bytes: fixed zip entry times and no save timestamps."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()


def write_docx(report: Report, path: Path) -> None:
    """Write the report as a Word document, atomically (byte-identical for the same report)."""
    import datetime as dt

    from evalkit.io.atomic import write_bytes

    document = build_document(report)
    fixed = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    document.core_properties.created = fixed
    document.core_properties.modified = fixed
    document.core_properties.last_printed = fixed
    document.core_properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    write_bytes(Path(path), _deterministic(buffer.getvalue()))
