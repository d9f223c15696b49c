"""The documentation runs: the tutorial's commands and code execute; generated pages are in sync."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def test_tutorial_runs(tmp_path, monkeypatch):
    """Every command and code block of the tutorial, in page order, in a fresh folder.

    The commands go through the CLI in-process (the console script's code path without an interpreter
    start-up per line); the Python blocks share one namespace."""
    from typer.testing import CliRunner

    from evalkit.cli import app

    text = (DOCS / "tutorial.md").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    namespace: dict = {}
    for lang, body in re.findall(r"```(bash|python)\n(.*?)```", text, flags=re.S):
        if lang == "bash":
            for line in body.strip().splitlines():
                args = shlex.split(line)
                assert args[0] == "evalkit"
                result = CliRunner().invoke(app, args[1:])
                assert result.exit_code == 0, (line, result.output[-2000:], result.exception)
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
