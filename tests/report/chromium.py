"""Open an HTML file in headless Chromium and report what loaded (used by the HTML tests)."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from evalkit.report.render.pdf import chromium  # the lookup the PDF output uses

PROBE = """<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  var tables = document.querySelectorAll('table[data-table-id]').length;
  // Contents links: each must lead to an element of the page; count those that lead to a table.
  var links = Array.prototype.slice.call(document.querySelectorAll('nav a[href^="#"]'));
  var resolved = links.filter(function (a) { return document.getElementById(a.hash.slice(1)) !== null; });
  var toTables = resolved.filter(function (a) {
    var el = document.getElementById(a.hash.slice(1));
    return el.matches('table[data-table-id]') || el.querySelector('table[data-table-id]') !== null;
  }).length;
  document.body.setAttribute('data-probe', 'tables=' + tables + ';images=' + imgs.length + ';loaded=' + ok
    + ';links=' + links.length + ';resolved=' + resolved.length + ';linked_tables=' + toTables);
});
</script>"""


def probe(html: str) -> dict[str, int]:
    """Load ``html`` (with a probe script appended) headless.

    Returns counts: ``tables``, ``images``, ``loaded`` (images that loaded), ``links`` (contents links),
    ``resolved`` (links whose target exists) and ``linked_tables`` (links that lead to a table)."""
    exe = chromium()
    if exe is None:
        raise RuntimeError("chromium is not installed (.ci/run installs Debian's chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp}/profile", "--virtual-time-budget=5000", "--dump-dom", page.as_uri()]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    m = re.search(r'data-probe="([^"]*)"', out)
    if not m:
        raise AssertionError("the probe did not run; chromium output:\n" + out[:2000])
    return {key: int(value) for key, value in (pair.split("=") for pair in m.group(1).split(";"))}
