"""Terminal output with rich tables."""

from __future__ import annotations

import io

from evalkit.report.labels import cell_text, word
from evalkit.report.model import Report
from evalkit.report.render.common import disclosure_note, ledger_rows, test_cells, test_header


def render_terminal(report: Report, width: int = 120) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table as RichTable

    lang = report.lang
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=False, color_system=None)
    console.print(f"[bold]{escape(report.title(lang))}[/bold]")
    for t in report.tables:
        # Labels can come from the data (municipality or group names): never read them as markup.
        rt = RichTable(title=escape(f"{t.title(lang)}  ({t.id}; {t.source})"), title_justify="left")
        rt.add_column("")
        for c in t.columns:
            rt.add_column(escape(c.label(lang)), justify="right")
        for r in t.rows:
            rt.add_row(escape(r.label(lang)), *[cell_text(r.cells.get(c.key), lang) for c in t.columns])
        console.print(rt)
        for note in t.notes:
            console.print("  " + escape(note(lang)))
        if t.tests:
            tt = RichTable(title=word("tests", lang), title_justify="left")
            for h in test_header(lang):
                tt.add_column(h)
            for x in t.tests:
                tt.add_row(*[escape(c) for c in test_cells(x, lang)])
            console.print(tt)
    console.print(escape(disclosure_note(report)))
    lt = RichTable(title=word("ledger", lang), title_justify="left")
    for h in ["", word("ledger_read", lang), word("ledger_kept", lang), word("ledger_excluded", lang),
              word("reason", lang)]:
        lt.add_column(h)
    for row in ledger_rows(report):
        lt.add_row(*[escape(c) for c in row])
    console.print(lt)
    return buf.getvalue()
