"""No CPR number in any byte of any output, however it is written (issue 16, point 2).

CPR numbers written with dashes, spaces, no-break spaces, en dashes, soft hyphens, fullwidth digits and
with the leading zero a spreadsheet dropped stand in id values, in a free-text column that the report
prints as row labels, in a header, in file names and in sheet names. Every command (validate as text and
JSON, a failed validation, report in every format with plots, init) is run and every byte it prints or
writes is scanned by a scanner independent of evalkit's detector.
"""

from __future__ import annotations

import html
import re
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.security.cli_helper import run_main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "udgaaende"

# person id in the sample -> (form in deltagere, form in registreringer): one number, two spellings
IDS = {
    "U0001": ("0102031234", "010203-1234"),
    "U0002": ("020304-2345", "020304\u00a02345"),
    "U0003": ("030405\u00a03456", "0304053456"),
    "U0004": ("040506\u20134567", "040506 - 4567"),
    "U0005": ("050607\u00ad5678", "0506075678"),
    "U0006": ("102035555", "0102035555"),          # the leading zero dropped by a spreadsheet
    "U0007": ("\uff10\uff17\uff10\uff18\uff10\uff19\uff17\uff18\uff19\uff10", "0708097890"),
}
KOMMUNE = "Lolland 030405\u00a01234"               # free text holding a CPR: printed as a row label
HEADER = "0504031111"                               # a header that is a CPR number
EXTRA_FILE = "noter 0605041234.csv"                 # a file name holding one
SHEET = "deltagere 1011121234"                      # a sheet / file name holding one
WORKBOOK = "udtraek 0708091235.xlsx"
CPRS = {"0102031234", "0203042345", "0304053456", "0405064567", "0506075678", "0102035555", "0708097890",
        "0304051234", "0504031111", "0605041234", "1011121234", "0708091235"}


def _tables() -> dict[str, pd.DataFrame]:
    t = {name: pd.read_csv(SAMPLE / f"{name}.csv", sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
         for name in ("deltagere", "registreringer", "omkostninger")}
    t["deltagere"]["person_id"] = t["deltagere"]["person_id"].map(lambda v: IDS.get(v, (v,))[0])
    t["registreringer"]["person_id"] = t["registreringer"]["person_id"].map(lambda v: IDS.get(v, (v, v))[1])
    for name in ("deltagere", "omkostninger"):
        t[name]["kommune"] = t[name]["kommune"].replace({"Lolland": KOMMUNE})
    t["deltagere"][HEADER] = [f"se sag {HEADER}" if i % 3 == 0 else "" for i in range(len(t["deltagere"]))]
    return t


def _csv_export(folder: Path) -> Path:
    folder.mkdir(parents=True)
    t = _tables()
    t["deltagere"].to_csv(folder / f"{SHEET}.csv", sep=";", index=False, encoding="utf-8")
    for name in ("registreringer", "omkostninger"):
        t[name].to_csv(folder / f"{name}.csv", sep=";", index=False, encoding="utf-8")
    (folder / EXTRA_FILE).write_text("note;tekst\n1;ring til 0605041234\n", encoding="utf-8")
    return folder


def _xlsx_export(folder: Path) -> Path:
    folder.mkdir(parents=True)
    t = _tables()
    d = t["deltagere"].copy()
    d["person_id"] = [int(v) if v == "102035555" else v for v in d["person_id"]]  # a number cell, zero dropped
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, frame in ((SHEET, d), ("registreringer", t["registreringer"]), ("omkostninger", t["omkostninger"])):
        ws = wb.create_sheet(title)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append(list(row))
    path = folder / WORKBOOK
    wb.save(path)
    return path


def _normalised(text: str) -> str:
    """Undo the escapes outputs use (JSON \\u, HTML entities, fullwidth digits), then keep letters and digits."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[^0-9A-Za-z]", "", text)


def _leaks(text: str) -> list[str]:
    flat = _normalised(text)
    found = [c for c in CPRS if c in flat]
    found += [c[1:] for c in CPRS if c.startswith("0") and re.search(rf"(?<![0-9]){c[1:]}(?![0-9])", flat)]
    return found


def _file_text(path: Path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as zf:
            return "\n".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
    return path.read_bytes().decode("utf-8", "replace")


@pytest.mark.parametrize("kind", ["csv-folder", "xlsx"])
def test_no_cpr_in_any_output(tmp_path, kind, monkeypatch):
    monkeypatch.setenv("EVALKIT_PSEUDONYM_KEY", "test-key")
    source = _csv_export(tmp_path / "export") if kind == "csv-folder" else _xlsx_export(tmp_path / "export")
    out = tmp_path / "out"
    streams: list[str] = []

    def run(*args: str, expect: int = 0) -> str:
        code, stdout, stderr = run_main(*args)
        assert code == expect, (args, stdout[-2000:], stderr[-2000:])
        streams.extend([stdout, stderr])
        return stdout + stderr

    text = run("validate", str(source), "--lang", "en")
    assert "XXXXXX-XXXX" in text and "printed without them" in text  # the warning says which
    text = run("validate", str(source))   # Danish, the default
    assert "XXXXXX-XXXX" in text and "udskrives uden dem" in text
    run("validate", str(source), "--format", "json")
    run("validate", str(source), "--exclude-invalid", "--format", "json")
    for fmt, target in [("terminal", None), ("markdown", "r.md"), ("json", "r.json"), ("html", "r.html"),
                        ("csv", "csv"), ("xlsx", "r.xlsx")]:
        extra = ["--out", str(out / target)] if target else []
        plots = ["--plots", str(out / "plots"), "--plot-format", "svg"] if fmt == "json" else []
        run("report", str(source), "--format", fmt, "--lang", "en", *extra, *plots, "--verbose")
    run("init", str(source), "--out", str(out / "mapping.yaml"))
    report_json = (out / "r.json").read_text(encoding="utf-8")
    assert "Lolland XXXXXX-XXXX" in report_json  # the label is printed, without the number

    # A failed validation: an invalid value on a row whose id is a CPR number.
    bad = tmp_path / "bad"
    if kind == "csv-folder":
        _csv_export(bad)
        reg = pd.read_csv(bad / "registreringer.csv", sep=";", dtype=str, keep_default_na=False)
        reg.loc[reg["person_id"] == "010203-1234", "who5_1"] = "9"
        reg.to_csv(bad / "registreringer.csv", sep=";", index=False, encoding="utf-8")
        run("validate", str(bad), expect=1)
        run("validate", str(bad), "--lang", "en", expect=1)
        run("validate", str(bad), "--format", "json", expect=1)
        run("report", str(bad), expect=1)

    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) >= 8
    leaks = {name: _leaks(text) for name, text in
             [(f"stream {i}", s) for i, s in enumerate(streams)] + [(str(p), _file_text(p)) for p in files]}
    assert {k: v for k, v in leaks.items() if v} == {}
    names = [p.name for p in out.rglob("*")]
    assert not any(_leaks(n) for n in names)


def test_scanner_finds_what_it_must():
    """The scanner is independent of evalkit's detector: check that it sees every planted form."""
    for form in [v for pair in IDS.values() for v in pair] + [KOMMUNE, HEADER, EXTRA_FILE, SHEET, WORKBOOK]:
        assert _leaks(form), form
    assert _leaks('{"label": "Lolland 030405\\u00a01234"}') and _leaks("<td>030405&nbsp;1234</td>")
    assert _leaks("Lolland XXXXXX-XXXX") == []
