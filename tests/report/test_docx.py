"""Word output: read back with python-docx, every title, every suppressed marker and the legend are there."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

import evalkit
from evalkit.report.labels import cell_text, pack

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_docx_holds_every_table_marker_and_legend(tmp_path: Path, lang: str) -> None:
    rep = evalkit.report(ROOT / "data" / "samples" / "udgaaende", lang=lang)
    path = tmp_path / "r.docx"
    rep.to_docx(path) if hasattr(rep, "to_docx") else rep._render("docx", path)
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == [t.title(lang) for t in rep.tables]
    marker = pack(lang)["suppressed"]
    suppressed = sum(cell.suppressed for t in rep.tables for r in t.rows for cell in r.cells.values())
    assert suppressed > 0
    texts = [c.text for table in document.tables for row in table.rows for c in row.cells]
    # every cell of every report table appears as printed (the ledger and test tables come on top)
    printed = [cell_text(r.cells.get(c.key), lang) for t in rep.tables for r in t.rows for c in t.columns]
    assert texts.count(marker) >= printed.count(marker) == suppressed
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert any(text.startswith(f"{marker} = ") for text in captions)
    tables_with_tests = sum(1 for t in rep.tables if t.tests)
    assert len(document.tables) == len(rep.tables) + tables_with_tests + 1   # + the ledger
