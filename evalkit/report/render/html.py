"""Self-contained HTML: every table, its tests, the ledger, and plots embedded as PNG data URIs.

Every printed string is neutralised (:mod:`evalkit.report.render.neutral`) and HTML-escaped,
attribute values included.
"""

from __future__ import annotations

import base64
import html

from evalkit.report.labels import word
from evalkit.report.model import Report
from evalkit.report.render.common import (
    cell_str,
    disclosure_note,
    ledger_rows,
    settings_lines,
    test_cells,
    test_header,
)
from evalkit.report.render.neutral import neutral

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2rem auto;max-width:72rem;
color:#1d1d1d;line-height:1.4}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border-bottom:1px solid #ddd;padding:.25rem .6rem}
td.num{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3;text-align:left}
caption{text-align:left;font-weight:600;padding:.3rem 0}.src{color:#666;font-size:.85rem}
figure{margin:0 0 1.5rem}img{max-width:100%}.note{color:#444;font-size:.9rem}
"""


def _e(text: object) -> str:
    return html.escape(neutral(text), quote=True)


def _rows_html(header: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = "".join(f'<td class="num">{_e(c)}</td>' if j >= numeric_from else f"<td>{_e(c)}</td>"
                        for j, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>"


def render_html(report: Report) -> str:
    from evalkit.report.plots import plot_png

    lang = report.lang
    parts = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
             f"<title>{_e(report.title(lang))}</title><style>{CSS}</style></head><body>",
             f"<h1>{_e(report.title(lang))}</h1>"]
    for t in report.tables:
        parts.append(f'<section id="{_e(t.id)}" class="report-table">')
        header = [""] + [c.label(lang) for c in t.columns]
        rows = [[r.label(lang)] + [cell_str(r.cells.get(c.key), lang) for c in t.columns] for r in t.rows]
        parts.append(f'<table data-table-id="{_e(t.id)}"><caption>{_e(t.title(lang))} '
                     f'<span class="src">({_e(t.id)}; {word("source", lang)}: {_e(t.source)})</span></caption>'
                     f"{_rows_html(header, rows)}</table>")
        for note in t.notes:
            parts.append(f'<p class="note">{_e(note(lang))}</p>')
        if t.tests:
            parts.append(f'<table class="tests"><caption>{_e(word("tests", lang))}</caption>'
                         f"{_rows_html(test_header(lang), [test_cells(x, lang) for x in t.tests], 2)}</table>")
        png = plot_png(t, lang)
        if png is not None:
            data = base64.b64encode(png).decode("ascii")
            parts.append(f'<figure><img class="plot" alt="{_e(t.title(lang))}" '
                         f'src="data:image/png;base64,{data}"></figure>')
        parts.append("</section>")
    parts.append(f"<h2>{_e(word('disclosure', lang))}</h2><p>{_e(disclosure_note(report))}</p>")
    parts.append(f"<h2>{_e(word('ledger', lang))}</h2><table class=\"ledger\">" + _rows_html(
        ["", word("ledger_read", lang), word("ledger_kept", lang), word("ledger_excluded", lang), word("reason", lang)],
        [list(r) for r in ledger_rows(report)]) + "</table>")
    if report.notes:
        parts.append(f"<h2>{_e(word('notes', lang))}</h2><ul>" + "".join(f"<li>{_e(n(lang))}</li>" for n in report.notes)
                     + "</ul>")
    parts.append(f"<h2>{_e(word('settings', lang))}</h2><ul>" +
                 "".join(f"<li>{_e(s)}</li>" for s in settings_lines(report)) + "</ul>")
    parts.append("</body></html>\n")
    return "".join(parts)
