"""PDF output (HTML printed by headless Chromium) and, where LibreOffice is installed, the workbook and
the Word document converted to PDF: each is a real PDF with a sensible number of pages.

Where Chromium or LibreOffice is missing the printing tests are skipped with the reason; the message
a user gets without Chromium, and that no partial file is ever left, are tested everywhere (the
lookup and the print are monkeypatched).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import evalkit
import evalkit.report.render.pdf as pdf
from evalkit.report.render import render

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def pages(data: bytes) -> int:
    """Page objects of a PDF (``/Type /Page``, not ``/Pages``)."""
    return len(PAGE.findall(data))


def _invoke(*args: str):
    from typer.testing import CliRunner

    from evalkit.cli import app

    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def udgaaende():
    return evalkit.report(SAMPLES / "udgaaende", lang="da")


@pytest.mark.skipif(pdf.chromium() is None, reason="Chromium is not installed: PDF output cannot be printed here "
                                                    "(Debian/Ubuntu: apt-get install chromium)")
def test_udgaaende_prints_to_a_pdf_of_sensible_length(tmp_path):
    # --out r.pdf infers the format; the CLI path is the one users take.
    out = tmp_path / "r.pdf"
    result = _invoke("report", str(SAMPLES / "udgaaende"), "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    # 17 tables with tests and plots, the ledger and the sources: measured 20 A4 pages with Chromium 156.
    assert 8 <= pages(data) <= 45, pages(data)
    boxes = {tuple(round(float(x)) for x in box.split()) for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", data)}
    assert boxes == {(0, 0, 595, 842)}, boxes   # A4 portrait in points (no table here is too wide for it)
    assert not [p for p in tmp_path.iterdir() if p.name != "r.pdf"]   # no temporary file left


@pytest.mark.skipif(pdf.chromium() is None, reason="Chromium is not installed: PDF output cannot be printed here")
def test_wide_tables_print_on_landscape_pages(tmp_path):
    report = evalkit.report(SAMPLES / "modelkommuner", lang="da")
    out = tmp_path / "m.pdf"
    render(report, "pdf", out)
    boxes = [tuple(round(float(x)) for x in box.split())
             for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", out.read_bytes())]
    portrait, landscape = (0, 0, 595, 842), (0, 0, 842, 595)
    assert portrait in boxes and landscape in boxes and set(boxes) <= {portrait, landscape}


_LAYOUT_PROBE = """<script>window.addEventListener('load', function () {
  var bad = [], right = document.querySelector('.evalkit-report').getBoundingClientRect().right;
  document.querySelectorAll('section.report-table:not(.wide) table').forEach(function (t) {
    var id = t.getAttribute('data-table-id') || 'tests';
    if (t.getBoundingClientRect().right > right + 1) bad.push('overflow ' + id);
  });
  document.querySelectorAll('td').forEach(function (c) {
    var text = c.textContent.trim();
    if (!/^[-<]?[0-9][0-9.,]*$/.test(text)) return;
    var span = document.createElement('span'); span.textContent = text; c.textContent = ''; c.appendChild(span);
    if (span.getClientRects().length > 1) bad.push('broken ' + text);
  });
  document.body.setAttribute('data-layout', bad.join('|') || 'ok');
});</script>"""


@pytest.mark.skipif(pdf.chromium() is None, reason="Chromium is not installed: the print layout cannot be measured")
@pytest.mark.parametrize("name", ["udgaaende", "modelkommuner"])
def test_print_layout_fits_a4_portrait_and_never_breaks_a_number(name, tmp_path):
    """The print rules applied on screen at the width of A4 portrait inside its margins (186 mm = 703 px):
    every table not marked wide fits, and no number is broken over two lines."""
    import evalkit.report.plots as plots

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plots, "plot_png", lambda table, lang="da": None)
        html = render(evalkit.report(SAMPLES / name, lang="da"), "html")
    page = tmp_path / "page.html"
    page.write_text(html.replace("@media print{", "@media all{").replace("</body>", _LAYOUT_PROBE + "</body>"),
                    encoding="utf-8")
    cmd = [pdf.chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           f"--user-data-dir={tmp_path}/profile", "--window-size=703,2000", "--virtual-time-budget=5000",
           "--dump-dom", page.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    found = re.search(r'data-layout="([^"]*)"', done.stdout)
    assert found and found.group(1) == "ok", found.group(1) if found else done.stderr[-1000:]


def test_without_chromium_the_cli_says_how_to_get_html_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "chromium", lambda: None)
    out = tmp_path / "r.pdf"
    for args in (["--out", str(out)], ["--format", "pdf", "--out", str(out)]):
        result = _invoke("report", str(SAMPLES / "udgaaende"), *args)
        assert result.exit_code == 2, result.output
        message = " ".join(result.output.split())
        assert "Chromium" in message and "--format html" in message and "apt-get install chromium" in message
        assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


def test_pdf_needs_out(tmp_path):
    result = _invoke("report", str(SAMPLES / "udgaaende"), "--format", "pdf")
    assert result.exit_code == 2 and "--out" in result.output


def test_library_without_chromium_raises_before_writing(udgaaende, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "chromium", lambda: None)
    with pytest.raises(pdf.PdfUnavailable, match="Chromium"):
        udgaaende.to_pdf(tmp_path / "r.pdf")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("printed", [b"", b"%PDF-1.4\n1 0 obj <<", b"<html>error</html>"])
def test_a_failed_print_leaves_no_file(udgaaende, tmp_path, monkeypatch, printed):
    """Chromium that writes nothing, half a PDF or something else: an error, and no output file."""
    def fake_run(cmd, **kwargs):
        target = next(a.split("=", 1)[1] for a in cmd if a.startswith("--print-to-pdf="))
        if printed:
            Path(target).write_bytes(printed)
        return subprocess.CompletedProcess(cmd, 1, "", "crashed")

    monkeypatch.setattr(pdf, "chromium", lambda: "/usr/bin/chromium-fake")
    monkeypatch.setattr(pdf.subprocess, "run", fake_run)
    out = tmp_path / "r.pdf"
    with pytest.raises(pdf.PdfError):
        render(udgaaende, "pdf", out)
    assert not list(tmp_path.iterdir())


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (soffice) is not installed: the workbook and Word "
                                               "document cannot be converted to PDF here")
@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_libreoffice_prints_workbook_and_document_on_few_pages(udgaaende, tmp_path, fmt):
    """The print setup holds: every sheet fits to width, so the workbook prints on a bounded number of
    pages (ung-rusmidler once printed on 279 without it); the Word document likewise."""
    source = tmp_path / f"report.{fmt}"
    render(udgaaende, fmt, source)
    profile = tmp_path / "profile"
    done = subprocess.run([_soffice(), "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                           "--convert-to", "pdf", "--outdir", str(tmp_path / "out"), str(source)],
                          capture_output=True, text=True, timeout=300, check=False)
    printed = tmp_path / "out" / "report.pdf"
    assert printed.exists(), done.stdout + done.stderr
    data = printed.read_bytes()
    assert data.startswith(b"%PDF-")
    sheets = len(udgaaende.tables) + 3           # contents, report and ledger sheets besides one per table
    least, most = (sheets, 3 * sheets) if fmt == "xlsx" else (5, 60)   # each sheet prints on >= 1 page
    assert least <= pages(data) <= most, pages(data)
