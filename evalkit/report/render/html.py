"""Self-contained HTML: a header (input, evalkit version, content fingerprint, disclosure rule,
multiplicity family), the notes that hold for the whole report, a table of contents with anchors,
every table with its source (the publication, its table or figure number and page), tests and
plot, then the disclosure rule, the ledger, the sources (bibliography) and the settings.

The page carries no wall-clock time: the fingerprint is a hash of the report's numbers
(:func:`~evalkit.report.render.common.fingerprint`), so the same input gives the same bytes. All
markup sits in one ``<div class="evalkit-report">`` and every CSS rule is scoped under that class, so
the report shown in a notebook leaves the notebook's own style alone. Every printed string is
neutralised (:mod:`evalkit.report.render.neutral`) and HTML-escaped, attribute values included.
"""

from __future__ import annotations

import base64
import html

from evalkit.report.labels import word
from evalkit.report.model import Cell, Report, Table
from evalkit.report.render.common import (
    bibliography_lines,
    cell_str,
    disclosure_note,
    fingerprint,
    input_names,
    ledger_rows,
    settings_lines,
    source_line,
    test_cells,
    test_header,
)
from evalkit.report.render.neutral import neutral
from evalkit.report.render.words import rword

#: Class of the wrapper every rule of :data:`CSS` is scoped to.
SCOPE = "evalkit-report"

_RULES = """
{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2rem auto;max-width:72rem;
color:#1d1d1d;line-height:1.4}
table{border-collapse:collapse;margin:.5rem 0 1rem}
th,td{border-bottom:1px solid #ddd;padding:.25rem .6rem;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f3f3f3;text-align:left}
caption{text-align:left;font-weight:600;padding:.3rem 0}
.src{color:#666;font-size:.85rem;font-weight:400}
figure{margin:0 0 1.5rem}
img.plot{max-width:100%;height:auto}
.note,.family{color:#444;font-size:.9rem}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;font-size:.9rem}
.meta dt{font-weight:600}.meta dd{margin:0}
.warning{border:2px solid #b00;color:#b00;padding:.5rem;font-weight:600}
nav.toc ol{columns:2;font-size:.9rem}
section.report-table{margin-top:1.5rem}
section.report-notes li,section.sources li{margin:.2rem 0}
"""

#: Print rules (PDF via a browser): A4, tables that do not split inside a row, header rows repeated
#: on every page, captions kept with their table, numbers never broken, a table too wide for a
#: portrait page on a landscape page of its own (:func:`_wide`).
_PRINT_RULES = """
{max-width:none;margin:0;font-size:9.5pt;line-height:1.3}
table{font-size:8pt;max-width:100%;break-inside:auto}
th,td{padding:.1rem .3rem}
th{overflow-wrap:break-word;hyphens:auto}
td:not(.num){overflow-wrap:anywhere}
.note,.family,.src,dl.meta,section.report-notes,section.sources{font-size:8.5pt}
thead{display:table-header-group}
tr,td,th,figure,img.plot,.note,.family,dl.meta{break-inside:avoid}
caption,h1,h2,h3{break-after:avoid}
section.report-table{margin-top:.8rem;break-inside:avoid-page}
section.report-table.wide{page:wide}
img.plot{max-height:120mm;width:auto}
nav.toc ol{columns:2;font-size:8.5pt}
a{color:inherit;text-decoration:none}
"""


def _scoped_css(rules: str = _RULES) -> str:
    """``rules`` with every selector under ``.evalkit-report`` (a rule starting ``{`` is the wrapper itself)."""
    out = []
    for line in rules.strip().splitlines():
        if line.startswith("{"):
            out.append(f".{SCOPE}{line}")
            continue
        if "{" not in line:
            out.append(line)
            continue
        for rule in line.split("}"):
            if "{" not in rule:
                continue
            selectors, body = rule.split("{", 1)
            scoped = ",".join(f".{SCOPE} {s.strip()}" for s in selectors.split(","))
            out.append(f"{scoped}{{{body}}}")
    return "\n".join(out)


#: The page's style: every selector under ``.evalkit-report``; the print rules inside ``@media print``
#: and the paper sizes (A4; A4 landscape for the pages of wide tables) as the page-level rules, which
#: only printing reads.
CSS = (_scoped_css() + "\n@media print{" + _scoped_css(_PRINT_RULES).replace("\n", "")
       + "}\n@page{size:A4;margin:14mm 12mm}\n@page wide{size:A4 landscape}")


def _e(text: object) -> str:
    return html.escape(neutral(text), quote=True)


def anchor(table: Table) -> str:
    """The element id of a table (the contents link to it is ``#`` + this id)."""
    return f"ek-{neutral(table.id)}"


def _td(cell: Cell | None, lang: str) -> str:
    text = _e(cell_str(cell, lang))
    if cell is not None and not cell.suppressed and cell.n is not None:
        return f'<td class="num" title="{_e(rword("n_tooltip", lang, n=cell.n))}">{text}</td>'
    return f'<td class="num">{text}</td>'


def _rows_html(header: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = "".join(f'<td class="num">{_e(c)}</td>' if j >= numeric_from else f"<td>{_e(c)}</td>"
                        for j, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>"


def _table_html(t: Table, lang: str) -> str:
    head = "<th></th>" + "".join(f"<th>{_e(c.label(lang))}</th>" for c in t.columns)
    body = "".join(f"<tr><td>{_e(r.label(lang))}</td>" + "".join(_td(r.cells.get(c.key), lang) for c in t.columns)
                   + "</tr>" for r in t.rows)
    source = source_line(t, lang)
    src = f' <span class="src">({_e(source)})</span>' if source else ""
    return (f'<table id="{_e(anchor(t))}" data-table-id="{_e(t.id)}"><caption>{_e(t.title(lang))}{src}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


#: Characters (8 pt) that fit across the portrait page; a table needing more prints on a landscape page.
_PORTRAIT_CHARS = 110


def _wide(t: Table, lang: str) -> bool:
    """Whether the table's narrowest layout (every column as wide as its longest word) is wider than
    an A4 portrait page: it is then printed on a landscape page of its own (print CSS ``page: wide``)."""
    def longest(text: str) -> int:
        return max((len(w) for w in text.split()), default=0)

    first = max([longest(r.label(lang)) for r in t.rows] + [0])
    columns = [max([longest(c.label(lang))] + [longest(cell_str(r.cells.get(c.key), lang)) for r in t.rows])
               for c in t.columns]
    return first + sum(columns) + 2 * len(columns) > _PORTRAIT_CHARS


def _families(report: Report) -> list[str]:
    return list(dict.fromkeys(neutral(x.family) for x in report.all_tests() if x.family))


def _header(report: Report) -> list[str]:
    lang = report.lang
    parts = [f"<header><h1>{_e(report.title(lang))}</h1>"]
    if not report.disclosure.get("enabled", True):
        parts.append(f'<p class="warning">{_e(rword("no_disclosure", lang))}</p>')
    meta = []
    inputs = input_names(report)
    if inputs:
        meta.append((rword("input", lang), ", ".join(inputs)))
    meta.append((rword("version", lang), str(report.settings.get("evalkit_version", ""))))
    meta.append((rword("fingerprint", lang), fingerprint(report)))
    meta.append((word("disclosure", lang), disclosure_note(report)))
    families = _families(report)
    if families:
        meta.append((word("family", lang), "; ".join(families)))
    parts.append('<dl class="meta">' + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in meta) + "</dl>")
    parts.append("</header>")
    return parts


def _contents(report: Report) -> str:
    lang = report.lang
    items = [("ek-notes", word("notes", lang))] if report.notes else []
    items += [(anchor(t), t.title(lang)) for t in report.tables]
    items += [("ek-disclosure", word("disclosure", lang)), ("ek-ledger", word("ledger", lang))]
    heading, entries = bibliography_lines(report)
    if entries:
        items.append(("ek-sources", heading))
    items.append(("ek-settings", word("settings", lang)))
    links = "".join(f'<li><a href="#{_e(i)}">{_e(text)}</a></li>' for i, text in items)
    return (f'<nav class="toc" aria-labelledby="ek-contents"><h2 id="ek-contents">{_e(rword("contents", lang))}'
            f"</h2><ol>{links}</ol></nav>")


def render_html(report: Report) -> str:
    from evalkit.report.plots import plot_png

    lang = report.lang
    parts = [f'<!DOCTYPE html><html lang="{_e(lang)}"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{_e(report.title(lang))}</title><style>{CSS}</style></head><body>",
             f'<div class="{SCOPE}">']
    parts += _header(report)
    if report.notes:
        parts.append(f'<section class="report-notes"><h2 id="ek-notes">{_e(word("notes", lang))}</h2><ul>'
                     + "".join(f"<li>{_e(n(lang))}</li>" for n in report.notes) + "</ul></section>")
    parts.append(_contents(report))
    for t in report.tables:
        parts.append(f'<section class="report-table{" wide" if _wide(t, lang) else ""}">')
        parts.append(_table_html(t, lang))
        for note in t.notes:
            parts.append(f'<p class="note">{_e(note(lang))}</p>')
        if t.tests:
            parts.append(f'<table class="tests"><caption>{_e(word("tests", lang))}</caption>'
                         f"{_rows_html(test_header(lang), [test_cells(x, lang) for x in t.tests], 2)}</table>")
            for family in dict.fromkeys(x.family for x in t.tests if x.family):
                parts.append(f'<p class="family">{_e(word("family", lang))}: {_e(family)}</p>')
        png = plot_png(t, lang)
        if png is not None:
            data = base64.b64encode(png).decode("ascii")
            parts.append(f'<figure><img class="plot" width="900" alt="{_e(t.title(lang))}" '
                         f'src="data:image/png;base64,{data}"></figure>')
        parts.append("</section>")
    parts.append(f'<h2 id="ek-disclosure">{_e(word("disclosure", lang))}</h2><p>{_e(disclosure_note(report))}</p>')
    parts.append(f'<h2 id="ek-ledger">{_e(word("ledger", lang))}</h2><table class="ledger">' + _rows_html(
        ["", word("ledger_read", lang), word("ledger_kept", lang), word("ledger_excluded", lang), word("reason", lang)],
        [list(r) for r in ledger_rows(report)]) + "</table>")
    heading, entries = bibliography_lines(report)
    if entries:
        parts.append(f'<section class="sources"><h2 id="ek-sources">{_e(heading)}</h2><ul>'
                     + "".join(f"<li>{_e(e)}</li>" for e in entries) + "</ul></section>")
    parts.append(f'<h2 id="ek-settings">{_e(word("settings", lang))}</h2><ul>'
                 + "".join(f"<li>{_e(s)}</li>" for s in settings_lines(report)) + "</ul>")
    parts.append("</div></body></html>\n")
    return "".join(parts)
