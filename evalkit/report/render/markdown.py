"""Markdown: the notes that hold for the whole report, then one section per table with its source
(the publication, its table or figure number and page), notes and the tests behind its rows, and at
the end the disclosure rule, the ledger, the sources (bibliography) and the settings.

Every printed string passes :func:`~evalkit.report.render.neutral.md_text` (no HTML tag, character
reference or link can start, pipes escaped, line breaks folded), so a label cannot open a tag, a
link or a new table cell or row.
"""

from __future__ import annotations

from evalkit.report.labels import word
from evalkit.report.model import Report
from evalkit.report.render.common import (
    bibliography_lines,
    cell_str,
    disclosure_note,
    ledger_rows,
    settings_lines,
    source_line,
    test_cells,
    test_header,
)
from evalkit.report.render.neutral import md_text as _esc


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(_esc(h) for h in header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_esc(c) for c in row) + " |" for row in rows]
    return out


def render_markdown(report: Report) -> str:
    lang = report.lang
    version = _esc(word("generated_by", lang, version=report.settings.get("evalkit_version")))
    lines = [f"# {_esc(report.title(lang))}", "", f"_{version}_", ""]
    if report.notes:
        lines += [f"## {_esc(word('notes', lang))}", ""] + [f"- {_esc(n(lang))}" for n in report.notes] + [""]
    for t in report.tables:
        lines += [f"## {_esc(t.title(lang))}", ""]
        source = source_line(t, lang)
        if source:
            lines += [f"_{_esc(source)}_", ""]
        header = [""] + [c.label(lang) for c in t.columns]
        rows = [[r.label(lang)] + [cell_str(r.cells.get(c.key), lang) for c in t.columns] for r in t.rows]
        lines += _table(header, rows) + [""]
        for note in t.notes:
            lines += [f"> {_esc(note(lang))}", ""]
        if t.tests:
            lines += [f"**{_esc(word('tests', lang))}**", ""]
            lines += _table(test_header(lang), [test_cells(x, lang) for x in t.tests]) + [""]
    lines += [f"## {_esc(word('disclosure', lang))}", "", _esc(disclosure_note(report)), ""]
    lines += [f"## {_esc(word('ledger', lang))}", ""]
    lines += _table(["", word("ledger_read", lang), word("ledger_kept", lang), word("ledger_excluded", lang),
                     word("reason", lang)], [list(r) for r in ledger_rows(report)]) + [""]
    heading, entries = bibliography_lines(report)
    if entries:
        lines += [f"## {_esc(heading)}", ""] + [f"- {_esc(e)}" for e in entries] + [""]
    lines += [f"## {_esc(word('settings', lang))}", ""] + [f"- {_esc(s)}" for s in settings_lines(report)] + [""]
    return "\n".join(lines)
