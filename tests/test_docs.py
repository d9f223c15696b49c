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


# --- Citations: text a user reads names the publication, never a development artefact ----------------

#: What must not stand in user documentation: ways of naming a source that only make sense inside the
#: project (seed files, line numbers of their text extractions, spec/audit/rule ids, the spec files).
FORBIDDEN_CITATIONS = {
    "seed file": r"\bseeds?[ -]?0\d\d\b",
    "spec section or file": r"\bspec (?:section )?\d|_figures\.md|\bshared/(?:spec|seeds)\b",
    "line number": r"\bL\d{2,4}\b",
    "anchors file": r"anchors\.md",
    "audit id": r"\(A\d{1,3}\)|\baudit A\d",
    "rule id": r"\b(?:EXC|INC|CRS|FU|GRP|TALK)-\d",
    "spec figure id": r"\b00[0-4]-(?:[A-Z]{1,4})?\d",
    "spec claim id": r"\bclaims? [CS]\d{1,2}\b",
}

#: Text that matches a pattern above but must stay, each with its reason. Removed before the scan.
ALLOWED_MATCHES = {
    # Eligibility results are DataFrame columns named by rule id; users select them by these names,
    # and the ``reasons`` column holds ``RULE-ID:reason`` codes.
    r"\b(?:INC|EXC)-\d-[a-z][a-z-]*(?::[a-z_]+)?": "column names and reason codes of hcs_eligibility",
    # The WHO-5 band scheme's code name, a parameter value of who5_band(scheme=...).
    r"[\"']seed000[\"']|Literal\[[^\]]*\]": "code value of who5_band's scheme parameter",
    # docs/security.md lists the injection strings its test uses; A1 is a spreadsheet cell.
    r"@SUM\(A1\)": "spreadsheet formula in the output-injection example",
    # Figure-catalogue keys in code font are identifiers: a table's JSON ``source`` and the ids of
    # ``evalkit verify`` catalogues (docs/reports.md lists every table's key).
    r"`00[0-4]-[A-Za-z0-9.\-]+`": "figure-catalogue keys shown as code",
}


def _citation_problems(name: str, text: str) -> list[str]:
    for pattern in ALLOWED_MATCHES:
        text = re.sub(pattern, " ", text)
    problems = []
    for lineno, line in enumerate(text.splitlines(), 1):
        for what, pattern in FORBIDDEN_CITATIONS.items():
            for m in re.finditer(pattern, line, flags=re.I if what == "seed file" else 0):
                problems.append(f"{name}:{lineno}: {what} {m.group(0)!r} in: {line.strip()[:120]}")
    return problems


def _user_pages() -> list[Path]:
    return sorted(DOCS.glob("*.md")) + sorted((DOCS / "reference").glob("*.md")) + [ROOT / "README.md"]


@pytest.mark.parametrize("path", _user_pages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_docs_cite_publications_not_project_files(path):
    """Every user page cites a publication by name (see the Sources in docs/methods.md)."""
    problems = _citation_problems(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


def test_dictionary_output_cites_publications():
    """The text `evalkit dictionary` prints (sources, used-by, descriptions, labels)."""
    from evalkit.io.dictdoc import render_markdown

    problems = _citation_problems("evalkit dictionary", render_markdown())
    assert not problems, "\n".join(problems)


def test_cli_help_cites_publications():
    """The --help text of the CLI and of every command."""
    import typer
    from typer.testing import CliRunner

    from evalkit.cli import app

    names = sorted(typer.main.get_command(app).commands)   # type: ignore[attr-defined]
    assert {"report", "dictionary", "verify"} <= set(names)
    problems = []
    for args in [["--help"]] + [[name, "--help"] for name in names]:
        result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
        assert result.exit_code == 0, (args, result.output[-500:])
        problems += _citation_problems("evalkit " + " ".join(args), result.output)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("text", [
    "Source: seed 004 L2576-2583", "(A22)", "spec seed002_003_figures.md 1.2", "anchors.md 1.3",
    "seed 002 INC-1..4, EXC-1..5, FU-1", "Source: 004-F6.28", "seed 004 claim C7", "seeds 000/001",
    "Source: seed 002 CRS-1..CRS-5",
])
def test_citation_check_catches(text):
    """The check is not vacuous: each kind of project-internal citation is reported."""
    assert _citation_problems("example", text)


@pytest.mark.parametrize("text", [
    "UNG Rusmidler, footnote 13, p. 59", "HCS model, chapter 3, Inklusionskriterier",
    "``INC-2-asi``: asi_missing_anonymous", "Monte Carlo, 100000 tables, seed 20261124",
    "### `organisation` (`000-T3-organisering`)", 'scheme="seed000"',
])
def test_citation_check_allows(text):
    assert not _citation_problems("example", text)
