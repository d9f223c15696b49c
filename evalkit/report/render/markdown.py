"""Markdown: one section per table, with its source, notes and the tests behind its rows."""

from __future__ import annotations

from evalkit.report.labels import cell_text, word
from evalkit.report.model import Report
from evalkit.report.render.common import disclosure_note, ledger_rows, settings_lines, test_cells, test_header


def _esc(text: str) -> str:
    return text.replace("|", "\\|")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(_esc(h) for h in header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_esc(c) for c in row) + " |" for row in rows]
    return out


def render_markdown(report: Report) -> str:
    lang = report.lang
    lines = [f"# {report.title(lang)}", "", f"_{word('generated_by', lang, version=report.settings.get('evalkit_version'))}_",
             ""]
    for t in report.tables:
        lines += [f"## {t.title(lang)}", "", f"`{t.id}` · {word('source', lang)}: {t.source}", ""]
        header = [""] + [c.label(lang) for c in t.columns]
        rows = [[r.label(lang)] + [cell_text(r.cells.get(c.key), lang) for c in t.columns] for r in t.rows]
        lines += _table(header, rows) + [""]
        for note in t.notes:
            lines += [f"> {note(lang)}", ""]
        if t.tests:
            lines += [f"**{word('tests', lang)}**", ""]
            lines += _table(test_header(lang), [test_cells(x, lang) for x in t.tests]) + [""]
    lines += [f"## {word('disclosure', lang)}", "", disclosure_note(report), ""]
    lines += [f"## {word('ledger', lang)}", ""]
    lines += _table(["", word("ledger_read", lang), word("ledger_kept", lang), word("ledger_excluded", lang),
                     word("reason", lang)], [list(r) for r in ledger_rows(report)]) + [""]
    if report.notes:
        lines += [f"## {word('notes', lang)}", ""] + [f"- {n(lang)}" for n in report.notes] + [""]
    lines += [f"## {word('settings', lang)}", ""] + [f"- {s}" for s in settings_lines(report)] + [""]
    return "\n".join(lines)
