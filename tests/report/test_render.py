"""Every renderer on a fixed report: layout snapshots per format, Danish vs English numbers, determinism.

Regenerate the snapshots after an intended layout change with ``EVALKIT_UPDATE_SNAPSHOTS=1 pytest``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from evalkit.report.disclosure import DisclosureSettings, apply
from evalkit.report.model import Cell, Column, Report, T, Table
from evalkit.report.model import TestRow as _TestRow
from evalkit.report.render import render
from evalkit.report.sources import cite_tables

SNAPSHOTS = Path(__file__).parent / "snapshots"


def fixed_report(lang: str = "da") -> Report:
    counts = Table(id="counts", source="000-T7.1-indskrevne", title=T("Deltagere", "Participants"), additive=True,
                   columns=[Column("a", T("Kvinder", "Women")), Column("b", T("Mænd", "Men")),
                            Column("total", T("I alt", "Total"), is_total=True)])
    counts.add_row("es", T("Erhvervsskoler", "Vocational"), {"a": Cell(37, "count"), "b": Cell(3, "count"),
                                                             "total": Cell(40, "count")})
    counts.add_row("ps", T("Produktionsskoler", "Production"), {"a": Cell(91, "count"), "b": Cell(190, "count"),
                                                                "total": Cell(281, "count")})
    counts.add_row("total", T("I alt", "Total"), {"a": Cell(128, "count"), "b": Cell(193, "count"),
                                                  "total": Cell(321, "count")}, is_total=True)
    means = Table(id="means", source="000-T7.2-progression", title=T("WHO-5", "WHO-5"), plot="lines",
                  columns=[Column("t0", T("Indskrivning", "Enrolment")), Column("t1", T("Afslutning", "End"))])
    means.add_row("who5", T("WHO-5 (0-100)"), {"t0": Cell(52.505, "mean", n=333), "t1": Cell(71.0, "mean", n=333)})
    means.add_row("hash", T("Hash, dage", "Cannabis, days"), {"t0": Cell(14.86, "mean", n=333),
                                                             "t1": Cell(7.2, "mean", n=333)})
    means.notes.append(T("Gennemførte elever.", "Completers."))
    means.tests.append(_TestRow(row="who5", outcome=T("WHO-5"), method="Paired t-test", n=333, statistic=12.3,
                               p_value=1e-6, estimate=18.5, estimate_name="mean difference", estimate_ci=(15.5, 21.5),
                               effect_size=0.67, effect_size_name="Cohen's d_z", effect_size_ci=(0.55, 0.79),
                               p_adjusted=2e-6, family="test: 2 tests, Holm"))
    report = Report(name="udgaaende", title=T("Testrapport", "Test report"), tables=[counts, means], lang=lang,
                    settings={"lang": lang, "min_cell": 5, "evalkit_version": "0.0-test"},
                    ledger={"export": {"deltagere": {"file": "d.csv", "read": 406, "kept": 405,
                                                     "excluded": {"blank row": 1}}}},
                    notes=[T("Alle tabeller: elever i gruppeforløb.", "All tables: students in group courses.")])
    cite_tables("udgaaende", report.tables)
    protected = apply(report.tables, DisclosureSettings(), ledger=report.ledger)  # pure: new tables and ledger
    report.tables, report.ledger = protected.tables, protected.ledger
    report.disclosure = {"enabled": True, "min_cell": 5, "suppressed_cells": 4, "by_rule": protected.counts}
    return report


def _snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("EVALKIT_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing snapshot {name}; run with EVALKIT_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8"), f"layout of {name} changed"


def _strip_images(html: str) -> str:
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:image/png;base64,...", html)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_snapshots_text_formats(lang, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")  # the terminal layout follows the terminal's width
    report = fixed_report(lang)
    _snapshot(f"fixed_{lang}.md", render(report, "markdown"))
    _snapshot(f"fixed_{lang}.json", render(report, "json"))
    _snapshot(f"fixed_{lang}.txt", render(report, "terminal"))
    _snapshot(f"fixed_{lang}.html", _strip_images(render(report, "html")))
    render(report, "csv", tmp_path / "csv")
    csv_text = "".join(f"## {p.name}\n" + p.read_text(encoding="utf-8-sig")
                       for p in sorted((tmp_path / "csv").iterdir()))
    _snapshot(f"fixed_{lang}.csv.txt", csv_text)
    render(report, "xlsx", tmp_path / "r.xlsx")
    _snapshot(f"fixed_{lang}.xlsx.json", json.dumps(_xlsx_cells(tmp_path / "r.xlsx"), ensure_ascii=False, indent=1))


def _xlsx_cells(path: Path) -> dict[str, list[list[object]]]:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def test_danish_and_english_numbers():
    da, en = render(fixed_report("da"), "markdown"), render(fixed_report("en"), "markdown")
    assert "| 52,5 |" in da and "| 52.5 |" in en
    assert "| 14,9 |" in da and "| 14.9 |" in en


def test_suppressed_count_never_rendered(tmp_path):
    report = fixed_report()
    assert report.table("counts").cell("es", "b").suppressed
    for fmt in ("markdown", "json", "terminal", "html"):
        text = render(report, fmt)
        # the suppressed 3 and its complement 37 (and their row total 40) must not appear as cells
        assert not re.search(r"\|\s*3\s*\|", text)
    payload = json.loads(render(report, "json"))
    cells = payload["tables"][0]["rows"][0]["cells"]
    assert cells["b"] == {"value": None, "text": "x", "n": None, "suppressed": True}
    assert cells["a"]["suppressed"]  # its complement in the row (37), else 3 = 40 - 37
    texts = [c["text"] for r in payload["tables"][0]["rows"] for c in r["cells"].values()]
    assert "3" not in texts and "37" not in texts


def test_xlsx_numbers_are_numbers(tmp_path):
    render(fixed_report(), "xlsx", tmp_path / "r.xlsx")
    import openpyxl

    from evalkit.report.render.xlsx import sheet_names

    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")[sheet_names(fixed_report())["means"]]
    values = [row for row in ws.iter_rows(values_only=True)]
    row = next(r for r in values if r[0] == "WHO-5 (0-100)")
    assert row[1] == 52.5 and isinstance(row[1], float)  # the printed precision, never 52.505
    assert ws.cell(row=values.index(row) + 1, column=2).number_format == "#,##0.0"


def test_outputs_are_byte_identical(tmp_path):
    for i in (1, 2):
        report = fixed_report()
        render(report, "xlsx", tmp_path / f"r{i}.xlsx")
        render(report, "html", tmp_path / f"r{i}.html")
        render(report, "csv", tmp_path / f"c{i}")
    assert (tmp_path / "r1.xlsx").read_bytes() == (tmp_path / "r2.xlsx").read_bytes()
    assert (tmp_path / "r1.html").read_bytes() == (tmp_path / "r2.html").read_bytes()
    for p in (tmp_path / "c1").iterdir():
        assert p.read_bytes() == (tmp_path / "c2" / p.name).read_bytes()


def test_html_in_headless_chromium():
    from tests.report.chromium import chromium, probe

    if chromium() is None:
        pytest.skip("chromium not installed here; .ci/run installs it")
    report = fixed_report()
    result = probe(render(report, "html"))
    assert result["tables"] == len(report.tables)
    assert result["images"] == 1 and result["loaded"] == 1


def test_terminal_does_not_read_data_labels_as_markup():
    report = fixed_report()
    report.table("counts").rows[0].label = T("Hold [A] [/] [bold]x")
    text = render(report, "terminal")
    assert "Hold [A] [/] [bold]x" in text


def test_terminal_uses_the_terminals_width(monkeypatch):
    report = fixed_report()
    monkeypatch.setenv("COLUMNS", "60")
    narrow = render(report, "terminal")
    monkeypatch.setenv("COLUMNS", "200")
    wide = render(report, "terminal")
    assert max(len(line) for line in narrow.splitlines()) <= 60
    assert max(len(line) for line in wide.splitlines()) > 60
