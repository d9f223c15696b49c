"""The catalogue example in docs/verify.md validates and runs against the bundled sample as the page says."""

from __future__ import annotations

import re
from pathlib import Path

import evalkit
from evalkit.verify import check, load_catalogue

ROOT = Path(__file__).resolve().parents[2]


def test_docs_example_catalogue(tmp_path):
    text = (ROOT / "docs" / "verify.md").read_text(encoding="utf-8")
    example = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)[0]
    path = tmp_path / "my_figures.yaml"
    path.write_text(example, encoding="utf-8")
    cat = load_catalogue(path)
    report = evalkit.report(str(ROOT / "data" / "samples" / "udgaaende"), disclosure=False)
    statuses = {r.id: r.status for r in check(report, cat)}
    assert statuses == {"gennemfoerte": "pass", "gennemfoert_pct": "pass", "maend_erhvervsskole_pct": "known-deviation",
                        "ikke_brugere": "pass"}


def test_readme_links_the_page():
    assert "(docs/verify.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
