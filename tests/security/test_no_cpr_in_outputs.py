"""No CPR number reaches stdout, stderr or any output file (issue 9 acceptance)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

from evalkit.io.cpr import is_cpr_like
from evalkit.io.writers import write_export
from evalkit.synth import generate

CPR = re.compile(r"(?<!\d)(\d{6})-?(\d{4})(?!\d)")


def _cprs(n: int) -> list[str]:
    """Distinct valid-date CPR-like numbers (ddmmyy-ssss), some with a dash."""
    out = []
    for i in range(n):
        day, month, year = 1 + i % 28, 1 + (i // 28) % 12, 80 + (i // 336) % 20
        out.append(f"{day:02d}{month:02d}{year:02d}{'-' if i % 2 else ''}{1000 + i:04d}")
    return out


def _cpr_export(folder: Path) -> list[str]:
    tables = generate("udgaaende")
    ids = tables["deltagere"]["person_id"].astype(str)
    cprs = dict(zip(ids, _cprs(len(ids)), strict=True))
    for name in ("deltagere", "registreringer"):
        frame = tables[name]
        frame["person_id"] = frame["person_id"].astype(str).map(cprs).astype(frame["person_id"].dtype)
    write_export(tables, folder, "csv")
    # A free-text column the dictionary does not know, full of CPR numbers.
    path = folder / "deltagere.csv"
    d = pd.read_csv(path, sep=";", encoding="cp1252", dtype=str)
    d["Bemaerkning"] = [f"se sag {c}" for c in d["person_id"]]
    d.to_csv(path, sep=";", index=False, encoding="cp1252")
    return list(cprs.values())


def _scan(text: str, cprs: set[str]) -> list[str]:
    hits = []
    for m in CPR.finditer(text):
        digits = m.group(1) + m.group(2)
        if digits in cprs:
            hits.append(m.group(0))
    return hits


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evalkit", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def _invoke(*args: str):
    from typer.testing import CliRunner

    from evalkit.cli import app

    return CliRunner().invoke(app, list(args))


def test_no_cpr_anywhere(tmp_path):
    source = tmp_path / "export"
    cprs = _cpr_export(source)
    assert is_cpr_like(__import__("pyarrow").array(cprs)).all()
    digits = {c.replace("-", "") for c in cprs}
    out = tmp_path / "out"
    streams = []
    # The terminal report and the failures below run in a real interpreter (every byte a process writes);
    # the file formats go through the CLI in-process, the same code path without an interpreter start-up.
    terminal = _run("report", str(source))
    assert terminal.returncode == 0, terminal.stderr
    streams += [terminal.stdout, terminal.stderr]
    for fmt, target in [("markdown", out / "r.md"), ("json", out / "r.json"), ("html", out / "r.html"),
                        ("csv", out / "csv"), ("xlsx", out / "r.xlsx"), ("docx", out / "r.docx")]:
        result = _invoke("report", str(source), "--format", fmt, "--out", str(target))
        assert result.exit_code == 0, (result.output, result.exception)
        streams += [result.stdout, result.stderr]
    result = _invoke("validate", str(source), "--format", "json")
    streams += [result.stdout, result.stderr]
    # A failed validation: an invalid value on a row whose id is a CPR number.
    bad = tmp_path / "bad"
    _cpr_export(bad)
    reg = (bad / "registreringer.csv").read_text(encoding="cp1252").splitlines()
    fields = reg[1].split(";")
    fields[6] = "9"  # who5_1 out of range
    reg[1] = ";".join(fields)
    (bad / "registreringer.csv").write_text("\n".join(reg) + "\n", encoding="cp1252")
    for lang in ("da", "en"):
        failed = _run("validate", str(bad), "--lang", lang)
        assert failed.returncode == 1
        streams += [failed.stdout, failed.stderr]
    failed_report = _run("report", str(bad))
    assert failed_report.returncode == 1
    streams += [failed_report.stdout, failed_report.stderr]
    for text in streams:
        assert _scan(text, digits) == []
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) >= 5
    for path in files:
        if path.suffix in (".xlsx", ".docx"):
            import zipfile

            with zipfile.ZipFile(path) as zf:
                text = "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
        else:
            text = path.read_bytes().decode("utf-8", "replace")
        assert _scan(text, digits) == [], path
