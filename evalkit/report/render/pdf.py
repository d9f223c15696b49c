"""PDF: the HTML report printed by headless Chromium (A4, the print rules of :mod:`.html`).

evalkit draws no PDF itself: the HTML page, with its print stylesheet (A4, header rows repeated on
every page, no row split across pages), is printed by Chromium where it is installed. Where it is
not, :func:`write_pdf` raises :class:`PdfUnavailable` before anything is written; a failed print
leaves no file behind (the PDF is written to a temporary file and renamed only when it is whole).

>>> PdfUnavailable.__mro__[1].__name__
'RuntimeError'
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from evalkit.report.model import Report

__all__ = ["CHROMIUM_NAMES", "PdfError", "PdfUnavailable", "chromium", "print_html", "require_chromium",
           "unavailable_message", "write_pdf"]

#: Executables tried, in order (Debian's package, Ubuntu's snap wrapper, Google's builds).
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Seconds Chromium may take to print one report.
TIMEOUT = 300


class PdfUnavailable(RuntimeError):
    """No Chromium to print the PDF with."""


class PdfError(RuntimeError):
    """Chromium ran but produced no PDF."""


def chromium() -> str | None:
    """The Chromium executable: ``EVALKIT_CHROMIUM`` if set, else the first of :data:`CHROMIUM_NAMES` on PATH."""
    given = os.environ.get("EVALKIT_CHROMIUM")
    if given:
        return shutil.which(given)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def unavailable_message() -> str:
    """What to do without Chromium (printed by the CLI)."""
    return ("PDF output needs Chromium, which prints the HTML report to PDF, and none was found "
            f"(looked for {', '.join(CHROMIUM_NAMES)} on PATH, or EVALKIT_CHROMIUM). Install it "
            "(Debian/Ubuntu: apt-get install chromium) or write HTML instead (--format html --out report.html) "
            "and print that from a browser.")


def require_chromium() -> str:
    """The Chromium executable, or :class:`PdfUnavailable` with :func:`unavailable_message`."""
    exe = chromium()
    if exe is None:
        raise PdfUnavailable(unavailable_message())
    return exe


def print_html(html: str, target: Path, exe: str) -> None:
    """Print ``html`` to the PDF file ``target`` with Chromium ``exe`` (``target`` complete or absent)."""
    from evalkit.io.atomic import atomic_path

    with tempfile.TemporaryDirectory(prefix="evalkit-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        printed = Path(tmp) / "report.pdf"
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
               "--disable-background-networking", "--disable-component-update", "--disable-extensions",
               f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer", "--print-to-pdf-no-header",
               "--run-all-compositor-stages-before-draw", f"--print-to-pdf={printed}", page.as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium did not finish printing the PDF within {TIMEOUT} s") from None
        data = printed.read_bytes() if printed.exists() else b""
        if not data.startswith(b"%PDF") or b"%%EOF" not in data[-1024:]:
            detail = (done.stderr or "").strip().splitlines()[-3:]
            raise PdfError("Chromium produced no complete PDF" + (": " + " / ".join(detail) if detail else ""))
        with atomic_path(target) as out:
            out.write_bytes(data)


def write_pdf(report: Report, path: Path) -> None:
    """Write ``report`` as an A4 PDF to ``path`` (the HTML report printed by headless Chromium)."""
    from evalkit.report.render.html import render_html

    exe = require_chromium()
    print_html(render_html(report), Path(path), exe)
