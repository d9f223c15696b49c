"""Killing a run mid-write leaves no partial output file (issue 9, output safety)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from evalkit.io.atomic import OutputPathError, atomic_path, check_output_path

WRITER = """
import sys, time
from evalkit.io.atomic import atomic_path
with atomic_path(sys.argv[1]) as tmp:
    with open(tmp, "wb") as fh:
        fh.write(b"partial" * 1000)
        fh.flush()
        print("writing", flush=True)
        time.sleep(60)
        fh.write(b"rest")
"""


def test_kill_during_write_leaves_no_target(tmp_path):
    target = tmp_path / "report.html"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert not target.exists()
    leftovers = [p.name for p in tmp_path.iterdir()]
    assert all(name.startswith(".evalkit-tmp-") for name in leftovers)


def test_existing_output_survives_a_killed_rewrite(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("complete old report", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert target.read_text(encoding="utf-8") == "complete old report"


def test_exception_inside_leaves_nothing(tmp_path):
    target = tmp_path / "x.json"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5, 2.5])
def test_killed_report_run_leaves_a_complete_file_or_none(tmp_path, delay):
    from evalkit.io.writers import write_export
    from evalkit.synth import generate

    source = tmp_path / "export"
    write_export(generate("udgaaende", persons=20_000), source, "parquet")
    out = tmp_path / "out" / "report.xlsx"
    proc = subprocess.Popen([sys.executable, "-m", "evalkit", "report", str(source), "--format", "xlsx", "--out",
                             str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.kill()
    proc.wait(timeout=30)
    if out.exists():
        import openpyxl

        openpyxl.load_workbook(out)  # complete, or it would not be there


def test_output_path_guard(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    inp = src / "deltagere.csv"
    inp.write_text("x", encoding="utf-8")
    with pytest.raises(OutputPathError):
        check_output_path(inp, [inp], force=True)  # never overwrite an input
    with pytest.raises(OutputPathError):
        check_output_path(src / "report.html", [inp])
    check_output_path(src / "report.html", [inp], force=True)
    with pytest.raises(OutputPathError):
        check_output_path(src, [inp], folder_output=True, force=True)
    check_output_path(tmp_path / "out.html", [inp])
