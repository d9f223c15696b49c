"""CSV: one file per table (plus tests.csv and ledger.csv) in a folder; Danish files use ';' and ','."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from evalkit.io.atomic import write_text
from evalkit.report.labels import DEFAULT_DECIMALS, pack, round_half_up, word
from evalkit.report.model import Cell, Report
from evalkit.report.render.common import ledger_rows, test_cells, test_header


def _value(cell: Cell | None, lang: str) -> str:
    if cell is None:
        return ""
    if cell.suppressed:
        return pack(lang)["suppressed"]
    if cell.value is None:
        return ""
    if cell.kind == "text" or isinstance(cell.value, str):
        return str(cell.value)
    decimals = cell.decimals if cell.decimals is not None else DEFAULT_DECIMALS.get(cell.kind, 2)
    text = f"{round_half_up(float(cell.value), decimals):f}"
    return text.replace(".", pack(lang)["decimal"])


def _write(path: Path, rows: list[list[str]], lang: str) -> None:
    buf = io.StringIO()
    csv.writer(buf, delimiter=";" if lang == "da" else ",", lineterminator="\n").writerows(rows)
    write_text(path, "\ufeff" + buf.getvalue())


def write_csv(report: Report, folder: Path) -> None:
    lang = report.lang
    folder.mkdir(parents=True, exist_ok=True)
    all_tests = [[word("table", lang)] + test_header(lang)]
    for t in report.tables:
        rows = [["key", ""] + [c.label(lang) for c in t.columns]]
        rows += [[r.key, r.label(lang)] + [_value(r.cells.get(c.key), lang) for c in t.columns] for r in t.rows]
        _write(folder / f"{t.id}.csv", rows, lang)
        all_tests += [[t.id] + test_cells(x, lang) for x in t.tests]
    _write(folder / "tests.csv", all_tests, lang)
    _write(folder / "ledger.csv", [["", word("ledger_read", lang), word("ledger_kept", lang),
                                     word("ledger_excluded", lang), word("reason", lang)]] +
           [list(r) for r in ledger_rows(report)], lang)
