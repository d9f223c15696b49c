"""Every user or data mistake of issue 16 ("Why" point 5): exit 2 (usage) or 1 (data), a message naming the
option, file, row or column and the fix, never "internal error"; nothing written into the input folder
without --force, and --force never overwrites an input file."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.security.cli_helper import run_main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "udgaaende"


@pytest.fixture()
def export(tmp_path) -> Path:
    folder = tmp_path / "export"
    shutil.copytree(SAMPLE, folder)
    return folder


def _edit_csv(path: Path, column: str, row: int, value: str) -> None:
    """Set ``column`` of data row ``row`` (1 = first data row) of a Danish CSV to ``value``."""
    lines = path.read_bytes().decode("cp1252").splitlines()
    header = lines[0].split(";")
    fields = lines[row].split(";")
    fields[header.index(column)] = value
    lines[row] = ";".join(fields)
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))


def _check(result: tuple[int, str, str], code: int, *needles: str) -> str:
    got, out, err = result
    text = out + err
    assert got == code, text[-2000:]
    assert "internal error" not in text and "Traceback" not in text
    for needle in needles:
        assert needle in text, (needle, text[-2000:])
    return text


# ----------------------------------------------------------------------------------- usage (exit 2)


def test_key_file_missing(export, tmp_path):
    _check(run_main("validate", str(export), "--pseudonym-key-file", str(tmp_path / "nope.key")), 2,
           "--pseudonym-key-file", "does not exist")


def test_key_file_empty(export, tmp_path):
    key = tmp_path / "empty.key"
    key.write_bytes(b"  \n")
    _check(run_main("report", str(export), "--pseudonym-key-file", str(key)), 2, "--pseudonym-key-file", "is empty")


def test_key_file_is_a_folder(export, tmp_path):
    _check(run_main("validate", str(export), "--pseudonym-key-file", str(tmp_path)), 2,
           "--pseudonym-key-file", "is a folder")


def test_mapping_tables_is_a_list(export, tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("tables:\n  - deltagere\n  - registreringer\n", encoding="utf-8")
    _check(run_main("validate", str(export), "--mapping", str(mapping)), 2,
           "--mapping", "'tables' must be a mapping", "not a list")


def test_mapping_not_utf8(export, tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_bytes("tables:\n  deltagere:\n    columns: {person_id: Elevnr}\n  # æøå\n".encode("cp1252"))
    _check(run_main("validate", str(export), "--mapping", str(mapping)), 2,
           "--mapping", "not UTF-8", "save it as UTF-8")


def test_delimiter_of_two_characters(export):
    _check(run_main("validate", str(export), "--delimiter", ";;"), 2, "--delimiter must be one character")


def test_set_infinite_value():
    _check(run_main("report", str(ROOT / "data" / "samples" / "hcs"), "--set", "no_show_k=.inf"), 2, "--set")


def test_out_is_an_existing_folder(export, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    _check(run_main("report", str(export), "--format", "html", "--out", str(folder)), 2,
           "--out", "is a folder", str(folder / "report.html"))


def test_out_in_a_read_only_folder(export, tmp_path, monkeypatch):
    import os

    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    real_access = os.access
    # Running as root ignores the mode bits; ask the permission question as an ordinary user would get it.
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == folder else real_access(p, mode))
    _check(run_main("report", str(export), "--format", "html", "--out", str(folder / "r.html")), 2,
           "--out", "permission denied", str(folder))


def test_source_that_does_not_exist(tmp_path):
    _check(run_main("validate", str(tmp_path / "nowhere")), 2, "does not exist")
    _check(run_main("report", str(tmp_path / "nowhere")), 2, "does not exist")


def test_out_beside_the_input_says_why(export):
    text = _check(run_main("report", str(export), "--format", "html", "--out", str(export / "r.html")), 2,
                  "holds the input export", "--force")
    assert "read as part of it" in text
    assert not (export / "r.html").exists()


def test_plots_into_the_input_folder_need_force(export):
    before = sorted(p.name for p in export.iterdir())
    _check(run_main("report", str(export), "--plots", str(export), "--quiet"), 2, "--plots", "holds the input export")
    assert sorted(p.name for p in export.iterdir()) == before


def test_init_force_never_overwrites_an_input_file(export):
    target = export / "deltagere.csv"
    original = target.read_bytes()
    _check(run_main("init", str(export), "--force", "--out", str(target)), 2,
           "is an input file and is never overwritten")
    assert target.read_bytes() == original


def test_csv_report_folder_is_replaced_whole(export, tmp_path):
    out = tmp_path / "csv"
    _check(run_main("report", str(export), "--format", "csv", "--out", str(out), "--quiet"), 0)
    first = {p.name for p in out.iterdir()}
    (out / "stale_table_of_an_earlier_run.csv").write_text("x\n", encoding="utf-8")
    _check(run_main("report", str(export), "--format", "csv", "--out", str(out), "--quiet"), 0)
    assert {p.name for p in out.iterdir()} == first
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".evalkit-")]


def test_csv_report_never_replaces_a_folder_evalkit_did_not_write(export, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    _check(run_main("report", str(export), "--format", "csv", "--out", str(out)), 2,
           "--out", "files that evalkit did not write")
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes"


# ------------------------------------------------------------------------------------ data (exit 1)


def _parquet_export(folder: Path, table: pa.Table) -> Path:
    folder.mkdir()
    for name in ("deltagere", "omkostninger"):
        shutil.copy(SAMPLE / f"{name}.csv", folder / f"{name}.csv")
    pq.write_table(table, folder / "registreringer.parquet")
    return folder


def test_parquet_struct_column(tmp_path):
    table = pa.table({"person_id": ["U0001"], "svar": pa.array([{"who5_1": 1, "who5_2": 2}])})
    folder = _parquet_export(tmp_path / "p", table)
    _check(run_main("validate", str(folder), "--lang", "en"), 1, "registreringer.parquet", "column 'svar'", "nested",
           "one column per field")


def test_parquet_binary_column(tmp_path):
    table = pa.table({"person_id": pa.array([b"\xff\xfe\x00"], pa.binary()), "tidspunkt": ["indskrivning"]})
    folder = _parquet_export(tmp_path / "p", table)
    _check(run_main("validate", str(folder), "--lang", "en"), 1, "registreringer.parquet", "column 'person_id'",
           "binary data")


@pytest.mark.parametrize("char", ["\x00", "\x0b"])
def test_control_character_in_a_label(export, char):
    """NUL or vertical tab in a municipality name: an invalid value, not a crash of the XLSX writer."""
    import pandas as pd

    frame = pd.read_csv(export / "deltagere.csv", sep=";", encoding="cp1252", dtype=str)
    frame.loc[0, "kommune"] = "Lol" + char + "land"
    (export / "deltagere.csv").unlink()
    frame.to_parquet(export / "deltagere.parquet", index=False)  # Parquet holds any character
    text = _check(run_main("report", str(export), "--format", "xlsx", "--out", str(export.parent / "r.xlsx"),
                           "--lang", "en"), 1,
                  "deltagere.parquet", "row 1", "column 'kommune'", "control character")
    assert "is missing" not in text  # reported once, not again as a consequence
    assert char not in text and not (export.parent / "r.xlsx").exists()


def test_cost_of_1e300(export):
    _edit_csv(export / "omkostninger.csv", "beloeb_kr", 1, "1" + "0" * 300)
    text = _check(run_main("report", str(export), "--lang", "en"), 1, "omkostninger.csv", "row 2", "column 'beloeb_kr'",
                  "too large")
    assert "0" * 100 not in text  # the value is shortened in the message


def test_invalid_parent_row_is_reported_once(export):
    _edit_csv(export / "deltagere.csv", "alder", 1, "ukendt")
    text = _check(run_main("validate", str(export), "--lang", "en"), 1, "deltagere.csv", "row 2", "column 'alder'",
                  "ukendt")
    assert "not found in table" not in text and text.count("error:") == 1
    excluded = _check(run_main("validate", str(export), "--exclude-invalid", "--lang", "en"), 0)
    assert "person_id: the row in deltagere is invalid" in excluded and "not found" not in excluded


def test_renamed_column_points_to_the_mapping_wizard(export):
    path = export / "registreringer.csv"
    lines = path.read_bytes().decode("cp1252").splitlines()
    lines[0] = lines[0].replace("who5_1", "trivsel_1")
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    text = _check(run_main("validate", str(export), "--lang", "en"), 1, "required column 'who5_1'", "evalkit init",
                  "--mapping")
    assert "did you mean 'who5_5'" not in text


def test_validate_prints_no_terminal_escape_from_a_header(export):
    path = export / "deltagere.csv"
    data = path.read_bytes().decode("cp1252").splitlines()
    data[0] += ';"note\x1b]0;pwned\x07"'  # an OSC sequence that retitles the terminal
    data[1:] = [line + ";x" for line in data[1:]]
    path.write_bytes(("\n".join(data) + "\n").encode("cp1252"))
    for fmt in ("text", "json"):
        text = _check(run_main("validate", str(export), "--format", fmt), 0, "note")
        assert "\x1b" not in text and "\x07" not in text


def test_numbers_in_messages_are_unchanged():
    """Sanity: the control-character and CPR filters leave an ordinary message alone."""
    from evalkit.io.safetext import printable

    assert printable("deltagere.csv, row 12, column 'alder': 17 (value: '3,5')") == \
        "deltagere.csv, row 12, column 'alder': 17 (value: '3,5')"
    assert np.isfinite(1.0)
