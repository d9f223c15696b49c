"""Terminal output with rich tables.

Every printed string is neutralised (control characters and escape sequences removed, CPR masked)
and then escaped for rich markup, so data can neither style nor retitle the terminal.
"""

from __future__ import annotations

import io
import shutil

from evalkit.report.labels import word
from evalkit.report.model import Report
from evalkit.report.render.common import (
    cell_str,
    disclosure_note,
    ledger_rows,
    source_line,
    test_cells,
    test_header,
)
from evalkit.report.render.neutral import neutral


def _safe(text: object) -> str:
    from rich.markup import escape

    return escape(neutral(text))


def terminal_width(fallback: int = 120) -> int:
    """The terminal's width in columns (``COLUMNS``, else the terminal, else ``fallback``), at least 40."""
    return max(40, shutil.get_terminal_size((fallback, 24)).columns)


def render_terminal(report: Report, width: int | None = None) -> str:
    """The report as plain text laid out for a terminal of ``width`` columns (default: this terminal's)."""
    from rich.console import Console
    from rich.table import Table as RichTable

    lang = report.lang
    buf = io.StringIO()
    console = Console(file=buf, width=terminal_width() if width is None else width, force_terminal=False,
                      color_system=None)
    console.print(f"[bold]{_safe(report.title(lang))}[/bold]")
    if report.notes:
        console.print(_safe(word("notes", lang)) + ":")
        for note in report.notes:
            console.print("  - " + _safe(note(lang)))
    for t in report.tables:
        # Labels can come from the data (municipality or group names): never read them as markup.
        rt = RichTable(title=_safe(t.title(lang)), title_justify="left")
        rt.add_column("")
        for c in t.columns:
            rt.add_column(_safe(c.label(lang)), justify="right")
        for r in t.rows:
            rt.add_row(_safe(r.label(lang)), *[_safe(cell_str(r.cells.get(c.key), lang)) for c in t.columns])
        console.print(rt)
        source = source_line(t, lang, short=True)
        if source:
            console.print("  " + _safe(source))
        for note in t.notes:
            console.print("  " + _safe(note(lang)))
        if t.tests:
            tt = RichTable(title=_safe(word("tests", lang)), title_justify="left")
            for h in test_header(lang):
                tt.add_column(_safe(h))
            for x in t.tests:
                tt.add_row(*[_safe(c) for c in test_cells(x, lang)])
            console.print(tt)
    console.print(_safe(disclosure_note(report)))
    lt = RichTable(title=_safe(word("ledger", lang)), title_justify="left")
    for h in ["", word("ledger_read", lang), word("ledger_kept", lang), word("ledger_excluded", lang),
              word("reason", lang)]:
        lt.add_column(_safe(h))
    for row in ledger_rows(report):
        lt.add_row(*[_safe(c) for c in row])
    console.print(lt)
    return buf.getvalue()
