"""The documentation runs: the tutorial's commands and code execute; generated pages are in sync."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def test_tutorial_runs(tmp_path, monkeypatch):
    text = (DOCS / "tutorial.md").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    namespace: dict = {}
    # Run the blocks in page order: bash lines through the CLI, Python blocks in one namespace.
    for lang, body in re.findall(r"```(bash|python)\n(.*?)```", text, flags=re.S):
        if lang == "bash":
            for line in body.strip().splitlines():
                args = shlex.split(line)
                assert args[0] == "evalkit"
                result = subprocess.run([sys.executable, "-m", "evalkit", *args[1:]], capture_output=True, text=True,
                                        env=env, timeout=300)
                assert result.returncode == 0, (line, result.stderr[-2000:])
        else:
            exec(compile(body, "tutorial.md", "exec"), namespace)  # noqa: S102 - the tutorial's own code
    assert (tmp_path / "out" / "report.html").stat().st_size > 10_000
    assert (tmp_path / "mapping.yaml").exists()
    assert namespace["result"].n == 333


@pytest.mark.parametrize("page", ["io", "measures", "profiles", "compare", "report", "verify", "synth"])
def test_reference_pages_in_sync(page):
    from evalkit.docgen import reference_page

    path = DOCS / "reference" / f"{page}.md"
    assert path.read_text(encoding="utf-8") == reference_page(page), "run: evalkit docs --out docs"


def test_reports_page_in_sync():
    from evalkit.docgen import reports_page

    assert (DOCS / "reports.md").read_text(encoding="utf-8") == reports_page(), "run: evalkit docs --out docs"
