"""The catalogue example in docs/verify.md validates and runs against the bundled sample as the page says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
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
                        "ikke_brugere": "pass", "gennemfoert_dage": "pending"}


def test_docs_example_output_is_what_verify_prints(tmp_path):
    """The pasted text output of the example is a real run (same catalogue, same sample, 110 columns)."""
    text = (ROOT / "docs" / "verify.md").read_text(encoding="utf-8")
    (tmp_path / "my_figures.yaml").write_text(re.findall(r"```yaml\n(.*?)```", text, flags=re.S)[0], encoding="utf-8")
    block = re.search(r"```text\n\$ evalkit verify my_figures.yaml --data data/samples/udgaaende\n(.*?)```", text,
                      flags=re.S)
    assert block, "docs/verify.md lost the example output"
    run = subprocess.run([sys.executable, "-m", "evalkit", "verify", "my_figures.yaml", "--data",
                          str(ROOT / "data" / "samples" / "udgaaende")], capture_output=True, text=True, timeout=600,
                         cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "110",
                                            "PYTHONIOENCODING": "utf-8"})
    assert run.returncode == 0, run.stderr
    printed = [line.rstrip() for line in run.stdout.splitlines()]
    assert printed == block.group(1).splitlines()


def test_readme_links_the_page():
    assert "(docs/verify.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
