"""Output neutralisation (issue 16, point 3): data cannot become a formula, markup or a terminal command.

An Udgående export whose municipality names are spreadsheet formulas, HTML, a pipe, a newline and
a terminal escape sequence is rendered in every format; each file is then read the way a victim's
program would read it (openpyxl for XLSX, the csv module for CSV, an HTML tokenizer for HTML).
"""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser

import openpyxl
import pytest

from evalkit.io import read_export
from evalkit.io.writers import write_export
from evalkit.report.render import render
from evalkit.report.render.neutral import csv_text, formula_like, md_text, neutral
from evalkit.report.spec import ReportOptions, build_report
from evalkit.synth import generate

OSC = "\x1b]0;owned\x07"
EVIL = ['=HYPERLINK("http://x","click")', "+1", "-2+3", "@SUM(A1)", "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>", "a|b", "Lolland\nFalster", f"Odense{OSC}", "\tTab", "\rCR",
        "[klik](javascript:alert(1))"]
NUMBER = re.compile(r"-?\d[\d.,]*%?")


@pytest.fixture(scope="module")
def report_and_outputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evil")
    tables = generate("udgaaende", persons=120, seed=7)
    d = tables["deltagere"]
    d["kommune"] = [EVIL[i % len(EVIL)] for i in range(len(d))]
    write_export(tables, folder / "export", "parquet")
    export = read_export(folder / "export")
    # The reader trims surrounding whitespace (the leading tab and CR go there); every other name survives.
    crafted = {e.strip() for e in EVIL}
    assert crafted <= set(export.tables["deltagere"]["kommune"].astype(str).tolist()), "the export lost a name"
    rep = build_report(export, "udgaaende", ReportOptions())
    labels = {r.label("da") for r in rep.table("organisation").rows}
    assert crafted <= labels, "the crafted names must reach the report as row labels"
    out = folder / "out"
    out.mkdir()
    render(rep, "xlsx", out / "r.xlsx")
    render(rep, "csv", out / "csv")
    texts = {fmt: render(rep, fmt) for fmt in ("markdown", "html", "terminal", "json")}
    return rep, out, texts


def test_no_formula_cell_in_xlsx(report_and_outputs):
    _, out, _ = report_and_outputs
    wb = openpyxl.load_workbook(out / "r.xlsx")
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.add(cell.value)
                    if formula_like(cell.value):
                        assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
    # The formula is kept as visible text, not dropped.
    assert '=HYPERLINK("http://x","click")' in seen and "@SUM(A1)" in seen
    # And the raw XML holds no <f> element at all.
    import zipfile

    with zipfile.ZipFile(out / "r.xlsx") as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name


def test_no_csv_cell_starts_a_formula(report_and_outputs):
    _, out, _ = report_and_outputs
    files = sorted((out / "csv").glob("*.csv"))
    assert files
    labels = []
    for path in files:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh, delimiter=";"):
                for value in row:
                    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                        assert NUMBER.fullmatch(value), (path.name, value)
                    assert "\n" not in value and "\r" not in value and "\x1b" not in value, (path.name, value)
                labels += row[:2]
    assert "'=HYPERLINK(\"http://x\",\"click\")" in labels and "'+1" in labels and "'@SUM(A1)" in labels


def test_markdown_opens_no_tag_link_or_row(report_and_outputs):
    _, _, texts = report_and_outputs
    md = texts["markdown"]
    assert "<script" not in md and "<img" not in md and "](javascript" not in md
    assert "&lt;script>alert(1)&lt;/script>" in md
    assert "\x1b" not in md and "\x07" not in md
    for line in md.splitlines():
        if line.startswith("| Lolland"):
            assert line.startswith("| Lolland Falster |")
    rows = [line for line in md.splitlines() if line.startswith("| a")]
    assert any(line.startswith("| a\\|b |") for line in rows)
    # Every table row has as many unescaped pipes as its header.
    blocks = re.split(r"\n\n", md)
    for block in blocks:
        lines = [x for x in block.splitlines() if x.startswith("|")]
        if lines:
            widths = {len(re.findall(r"(?<!\\)\|", x)) for x in lines}
            assert len(widths) == 1, block[:200]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs


def test_html_escapes_everything(report_and_outputs):
    _, _, texts = report_and_outputs
    parser = _Tags()
    parser.feed(texts["html"])
    assert "script" not in parser.tags
    assert not any(name.startswith("on") for name, _ in parser.attrs)
    assert set(parser.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "section", "table",
                                "caption", "span", "thead", "tbody", "tr", "th", "td", "p", "figure", "img", "ul",
                                "li"}
    assert "\x1b" not in texts["html"]


def test_terminal_has_no_control_characters(report_and_outputs):
    _, _, texts = report_and_outputs
    term = texts["terminal"]
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", term), "a control character reached the terminal"
    assert "]0;owned" in term  # printed as harmless text


def test_json_stays_json_without_controls(report_and_outputs):
    _, _, texts = report_and_outputs
    payload = json.loads(texts["json"])
    table = next(t for t in payload["tables"] if t["id"] == "organisation")
    labels = {r["label"] for r in table["rows"]}
    assert '=HYPERLINK("http://x","click")' in labels          # no CSV-style prefix in JSON
    assert "<script>alert(1)</script>" in labels               # JSON escaping is the consumer's contract
    assert not any(re.search(r"[\x00-\x1f\x7f-\x9f]", label) for label in labels)


def test_neutral_helpers():
    assert neutral("x\x1b[31mred\x1b[0m\u202eevil") == "x[31mred[0mevil"
    assert neutral("010203\u00a01234 0102031234").count("XXXX") >= 1
    assert csv_text("+45 1234") == "'+45 1234" and csv_text("-12,5", number_ok=True) == "-12,5"
    assert csv_text("-12,5") == "'-12,5"          # a label is never exempt
    assert csv_text("Lolland") == "Lolland" and csv_text(" =1") == "' =1"
    assert md_text("a|b\\") == "a\\|b\\\\" and md_text("x\ny") == "x y"


def test_nul_and_vertical_tab_labels_write_xlsx(tmp_path):
    from evalkit.report.model import Cell, Column, Report, T, Table

    t = Table(id="t", source="s", title=T("t"), columns=[Column("n", T("n"))])
    t.add_row("a", T("A\x00B\x0bC"), {"n": Cell("=1+1", "text")})
    rep = Report(name="x", title=T("x"), tables=[t])
    render(rep, "xlsx", tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["t"]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "AB C" in values and "=1+1" in values
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)

