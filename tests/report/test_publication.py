"""Publication formats of every sample report, in Danish and English: the workbook an analyst works
in, the HTML contents and header, and the plots' axes.

Each sample report is built once per language (module fixture); the HTML is rendered without its
PNGs (drawing them is what test_plots checks) so that the whole module runs in seconds.
"""

from __future__ import annotations

import json
import math
import re
from html import escape as html_escape
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

import evalkit
from evalkit.report.labels import format_number, pack, word
from evalkit.report.plots import figure
from evalkit.report.render import render
from evalkit.report.render.common import fingerprint
from evalkit.report.render.html import SCOPE, anchor
from evalkit.report.render.words import rword
from evalkit.report.render.xlsx import HEADER_ROW, sheet_names

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
NAMES = ("udgaaende", "ung-rusmidler", "hcs", "modelkommuner")
CASES = [(name, lang) for name in NAMES for lang in ("da", "en")]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(report, JSON payload, workbook, HTML) for every sample in both languages, built once."""
    import evalkit.report.plots as plots

    out = {}
    folder = tmp_path_factory.mktemp("publication")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plots, "plot_png", lambda table, lang="da": None)
        for name, lang in CASES:
            report = evalkit.report(SAMPLES / name, lang=lang)
            path = folder / f"{name}_{lang}.xlsx"
            render(report, "xlsx", path)
            out[name, lang] = (report, json.loads(render(report, "json")), openpyxl.load_workbook(path),
                               render(report, "html"))
    return out


def _decimals(number_format: str) -> int:
    if number_format.startswith("["):
        return 3
    return len(number_format.split(".")[1]) if "." in number_format else 0


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@pytest.mark.parametrize(("name", "lang"), CASES)
def test_every_json_number_is_a_workbook_number_printed_the_same(built, name, lang):
    report, payload, wb, _ = built[name, lang]
    names = sheet_names(report)
    marker = pack(lang)["suppressed"]
    checked = 0
    for table in payload["tables"]:
        ws = wb[names[table["id"]]]
        assert ws["A1"].value == table["title"]
        header = [c.value for c in ws[HEADER_ROW]][1:len(table["columns"]) + 1]
        assert header == [c["label"] for c in table["columns"]]
        for i, row in enumerate(table["rows"]):
            assert ws.cell(row=HEADER_ROW + 1 + i, column=1).value == row["label"]
            for j, col in enumerate(table["columns"]):
                cell = row["cells"].get(col["key"])
                xl = ws.cell(row=HEADER_ROW + 1 + i, column=2 + j)
                if cell is None:
                    continue
                if cell["suppressed"]:
                    assert xl.value == marker
                elif _is_number(cell["value"]):
                    assert _is_number(xl.value), (table["id"], row["key"], col["key"], xl.value)
                    assert math.isclose(xl.value, cell["value"], rel_tol=0, abs_tol=1e-12)
                    # the display format prints exactly what HTML, Markdown and CSV print
                    if not xl.number_format.startswith("["):
                        assert format_number(xl.value, lang, _decimals(xl.number_format)) == cell["text"]
                    checked += 1
        checked += _check_tests(ws, table["tests"], lang)
    assert checked > 50


def _check_tests(ws, tests: list[dict], lang: str) -> int:
    if not tests:
        return 0
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[0] == word("outcome", lang) and r[1] == word("method", lang))
    checked = 0
    for k, test in enumerate(tests):
        values = rows[start + 1 + k]
        assert values[0] == test["outcome"]
        expected = [test["n"], test["estimate"], *test["estimate_ci"], test["effect_size"], *test["effect_size_ci"],
                    test["p_value"], test["p_adjusted"]]
        got = [values[2], values[4], values[5], values[6], values[8], values[9], values[10], values[11], values[12]]
        for want, have in zip(expected, got, strict=True):
            if test["suppressed"]:
                assert have == pack(lang)["suppressed"]
            elif want is not None:
                assert _is_number(have) and math.isclose(have, want, rel_tol=1e-12, abs_tol=1e-12), (test, got)
                checked += 1
    return checked


@pytest.mark.parametrize("lang", ["da", "en"])
def test_costs_hold_the_values_html_prints(built, lang):
    report, _, wb, html = built["udgaaende", lang]
    ws = wb[sheet_names(report)["costs"]]
    table = report.table("costs")
    row = next(i for i, r in enumerate(table.rows) if r.key == "gennemsnit")
    section = html.split(f'id="{anchor(table)}"', 1)[1].split("</table>", 1)[0]
    printed = re.findall(r"<tr><td>[^<]*</td>(.*?)</tr>", section)[row]
    texts = re.findall(r'<td class="num"[^>]*>([^<]*)</td>', printed)
    values = [ws.cell(row=HEADER_ROW + 1 + row, column=2 + j).value for j in range(len(table.columns))]
    assert values and all(_is_number(v) and v % 100 == 0 for v in values)   # rounded to hundreds, e.g. 484300
    assert [format_number(v, lang, 0) for v in values] == texts


@pytest.mark.parametrize(("name", "lang"), CASES)
def test_every_sheet_prints_and_is_named_in_the_report_language(built, name, lang):
    report, _, wb, _ = built[name, lang]
    assert wb.sheetnames[0] == rword("contents", lang)
    assert len({s.casefold() for s in wb.sheetnames}) == len(wb.sheetnames)
    for ws in wb.worksheets:
        assert len(ws.title) <= 31
        assert ws.print_area, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0 and ws.page_setup.orientation in ("portrait", "landscape")
        assert all(d.width for d in ws.column_dimensions.values())
    for i, t in enumerate(report.tables, start=1):
        ws = wb[sheet_names(report)[t.id]]
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        title = ws.title.split(" ", 1)[1].rstrip("…")
        readable = " ".join(re.sub(r"[\[\]:*?/\\]", "", t.title(lang)).split())
        assert ws.title.startswith(f"{i} ") and readable.startswith(title.rstrip()), (ws.title, readable)
        if any(c.suppressed for r in t.rows for c in r.cells.values()):   # marked and explained on the sheet
            texts = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
            assert any(s.startswith(pack(lang)["suppressed"] + " =") or "x =" in s for s in texts), ws.title
    contents = wb.worksheets[0]
    targets = [c.hyperlink.location for r in contents.iter_rows() for c in r if c.hyperlink is not None]
    linked = [re.fullmatch(r"'(.*)'!A1", t).group(1).replace("''", "'") for t in targets]
    assert linked == wb.sheetnames[1:]


def test_ledger_counts_are_numbers(built):
    report, _, wb, _ = built["udgaaende", "da"]
    ws = wb[word("ledger", "da")]
    rows = {r[0]: r for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    for entry in report.ledger["export"].values():
        assert rows[entry["label"]][1:3] == (entry["read"], entry["kept"])
        assert all(isinstance(v, int) for v in rows[entry["label"]][1:4])


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.tables: list[str | None] = []
        self.hrefs: list[str] = []
        self.tags: set[str] = set()
        self.in_toc = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        if "href" in a:
            self.hrefs.append(a["href"])
        if a.get("id"):
            assert a["id"] not in self.ids, f"duplicate id {a['id']}"
            self.ids.add(a["id"])
        if tag == "nav" and "toc" in (a.get("class") or ""):
            self.in_toc = True
        if tag == "a" and self.in_toc:
            self.links.append(a["href"])
        if tag == "table" and "data-table-id" in a:
            self.tables.append(a.get("id"))

    def handle_endtag(self, tag):
        if tag == "nav":
            self.in_toc = False


@pytest.mark.parametrize(("name", "lang"), CASES)
def test_html_contents_links_every_table_and_header_names_the_input(built, name, lang):
    report, _, _, html = built[name, lang]
    parser = _Anchors()
    parser.feed(html)
    assert len(parser.tables) == len(report.tables) and None not in parser.tables
    assert all(link.startswith("#") and link[1:] in parser.ids for link in parser.links)
    assert {f"#{t}" for t in parser.tables} <= set(parser.links)
    assert all(h.startswith("#") for h in parser.hrefs) and "script" not in parser.tags   # anchors only
    header = html.split("</header>", 1)[0]
    assert fingerprint(report) in header and str(report.settings["evalkit_version"]) in header
    assert word("disclosure", lang) in header
    if report.all_tests():
        assert word("family", lang) in header
    css = html.split("<style>", 1)[1].split("</style>", 1)[0]
    # The print rules sit in one @media print block; @page (A4, and A4 landscape for the pages of wide
    # tables) is the one page-level rule.
    assert re.search(r"@page\{size:A4;[^}]*\}", css) and "@page wide{size:A4 landscape}" in css
    css = re.sub(r"@page[^{]*\{[^}]*\}", "", css).replace("@media print{", "")
    selectors = [s.strip() for rule in css.split("}") if "{" in rule for s in rule.split("{")[0].split(",")]
    assert selectors and all(s.startswith(f".{SCOPE}") for s in selectors)
    assert f'<div class="{SCOPE}">' in html


def test_plots_of_the_samples_have_axis_labels(built):
    for name in NAMES:
        report = built[name, "en"][0]
        for t in (t for t in report.tables if t.plot):
            fig = figure(t, "en")
            if fig is None:
                continue
            ax = fig.axes[0]
            assert ax.get_xlabel() and ax.get_ylabel(), t.id
            if all(c.kind == "percent" for r in t.rows for c in r.cells.values()):
                assert ax.get_ylim() == (0.0, 100.0)


# --- sources cited as publications, report-level notes --------------------------------------------

_INTERNAL = re.compile(r"\b(seed|spec|L\d{2,}|A\d{1,2}\b|EXC-\d|CRS-\d|\.ya?ml|\.md\b)|--[a-z]|\b00[0-4]-[A-Z]")


@pytest.mark.parametrize(("name", "lang"), CASES)
def test_every_table_cites_its_publication_in_every_format(built, name, lang):
    report, payload, wb, html = built[name, lang]
    from evalkit.report.render.common import bibliography_lines, source_line
    from evalkit.report.sources import citation_text

    heading, entries = bibliography_lines(report)
    assert entries and heading in html and all(e in html.replace("&#x27;", "'") for e in entries)
    markdown = render(report, "markdown")
    assert f"## {heading}" in markdown
    contents = wb[rword("contents", lang)]
    contents_text = [c.value for row in contents.iter_rows() for c in row if isinstance(c.value, str)]
    assert heading in contents_text and set(entries) <= set(contents_text)
    for table, data in zip(report.tables, payload["tables"], strict=True):
        assert table.citation is not None, f"{table.id} ({table.source}) has no entry in sources.yaml"
        text = citation_text(table.citation, lang)
        assert not _INTERNAL.search(text), text
        assert data["source"] == table.source and data["citation"]["figure"] == table.source
        assert data["citation"]["text"] == text and data["citation"]["publication"] in {
            b["key"] for b in payload["bibliography"]}
        assert source_line(table, lang) in html.replace("&#x27;", "'")
        ws = wb[sheet_names(report)[table.id]]
        assert ws["A2"].value == source_line(table, lang)
        if table.citation.own:
            assert ("Egen tabel" if lang == "da" else "evalkit table") in text


@pytest.mark.parametrize("name", NAMES)
def test_no_note_is_repeated_under_more_than_three_tables(built, name):
    report = built[name, "da"][0]
    seen: dict[str, list[str]] = {}
    for table in report.tables:
        for note in dict.fromkeys(n("da") for n in table.notes):
            seen.setdefault(note, []).append(table.id)
    repeated = {note[:80]: ids for note, ids in seen.items() if len(ids) > 3}
    assert not repeated, repeated


@pytest.mark.parametrize(("name", "lang"), CASES)
def test_report_notes_come_once_before_the_tables(built, name, lang):
    report, payload, _, html = built[name, lang]
    assert report.notes and payload["notes"] == [n(lang) for n in report.notes]
    first_table = html.index('data-table-id="')
    markdown = render(report, "markdown")
    notes_at = markdown.index(f"## {word('notes', lang)}\n")
    assert notes_at < markdown.index(f"## {report.tables[0].title(lang)}\n")
    for note in payload["notes"]:
        shown = html_escape(note, quote=True)
        assert html.count(shown) == 1 and html.index(shown) < first_table
        assert markdown.count(note) == 1 and markdown.index(note) > notes_at
