"""CSV: one file per table (plus contents.csv, tests.csv and ledger.csv) in a folder; Danish files use ';' and ','.

``contents.csv`` lists each table's file, title and source (the publication it reproduces), then the
report notes and the bibliography, so the folder can be handed on without the other formats.

Every text cell passes :func:`~evalkit.report.render.neutral.csv_text`: a label that a spreadsheet
could read as a formula (``=``, ``+``, ``-``, ``@`` first) is prefixed with ``'``; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from evalkit.io.atomic import write_text
from evalkit.report.labels import DEFAULT_DECIMALS, pack, round_half_up, word
from evalkit.report.model import Cell, Report
from evalkit.report.render.common import bibliography_lines, ledger_rows, test_cells, test_header
from evalkit.report.render.neutral import csv_text
from evalkit.report.render.words import rword
from evalkit.report.sources import citation_text


def _value(cell: Cell | None, lang: str) -> str:
    if cell is None:
        return ""
    if cell.suppressed:
        return pack(lang)["suppressed"]
    if cell.value is None:
        return ""
    if cell.kind == "text" or isinstance(cell.value, str):
        return csv_text(cell.value)
    decimals = cell.decimals if cell.decimals is not None else DEFAULT_DECIMALS.get(cell.kind, 2)
    text = f"{round_half_up(float(cell.value), decimals):f}"
    return csv_text(text.replace(".", pack(lang)["decimal"]), number_ok=True)


def _write(path: Path, rows: list[list[str]], lang: str) -> None:
    buf = io.StringIO()
    csv.writer(buf, delimiter=";" if lang == "da" else ",", lineterminator="\n").writerows(rows)
    write_text(path, "\ufeff" + buf.getvalue())


def write_csv(report: Report, folder: Path) -> None:
    lang = report.lang
    folder.mkdir(parents=True, exist_ok=True)
    all_tests = [[csv_text(word("table", lang))] + [csv_text(h) for h in test_header(lang)]]
    for t in report.tables:
        rows = [["key", ""] + [csv_text(c.label(lang)) for c in t.columns]]
        rows += [[csv_text(r.key), csv_text(r.label(lang))] + [_value(r.cells.get(c.key), lang) for c in t.columns]
                 for r in t.rows]
        _write(folder / f"{t.id}.csv", rows, lang)
        all_tests += [[t.id] + [csv_text(v, number_ok=j >= 2) for j, v in enumerate(test_cells(x, lang))]
                      for x in t.tests]
    _write(folder / "contents.csv", _contents(report), lang)
    _write(folder / "tests.csv", all_tests, lang)
    _write(folder / "ledger.csv", [["", word("ledger_read", lang), word("ledger_kept", lang),
                                     word("ledger_excluded", lang), word("reason", lang)]] +
           [[csv_text(v, number_ok=j in (1, 2, 3)) for j, v in enumerate(r)] for r in ledger_rows(report)], lang)


def _contents(report: Report) -> list[list[str]]:
    """File, title and source of every table; then the report notes and the publications cited."""
    lang = report.lang
    rows = [[csv_text(rword("file", lang)), csv_text(rword("title", lang)), csv_text(word("source", lang))]]
    rows += [[csv_text(f"{t.id}.csv"), csv_text(t.title(lang)), csv_text(citation_text(t.citation, lang))]
             for t in report.tables]
    if report.notes:
        rows += [[], [csv_text(word("notes", lang))]] + [[csv_text(n(lang))] for n in report.notes]
    heading, entries = bibliography_lines(report)
    if entries:
        rows += [[], [csv_text(heading)]] + [[csv_text(e)] for e in entries]
    return rows
