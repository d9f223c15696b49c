"""Each bad input gets a clear message naming file, row and column, exit code 1, no traceback (issue 3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit.io import InputError, read_export

HEADER_D = "person_id;kommune;skoletype;skole;forloeb;koen;alder;status\n"
ROWS_D = "A1;Odense;ES;S;F;K;18;gennemført\nA2;Odense;PS;S;F;M;19;frafaldet\n"
HEADER_R = ("person_id;tidspunkt;hash_dage_30;flere_stoffer_dage_30;ulovligt_fravaer_dage_14;"
            "who5_1;who5_2;who5_3;who5_4;who5_5;dato\n")
ROW_R1 = "A1;indskrivning;3;0;1;2;2;2;2;2;01-02-2020\n"
ROW_R2 = "A2;indskrivning;3;0;1;2;2;2;2;2;01-02-2020\n"


def _export(folder: Path, deltagere: str | None = None, registreringer: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "deltagere.csv").write_text(deltagere if deltagere is not None else HEADER_D + ROWS_D,
                                          encoding="cp1252")
    (folder / "registreringer.csv").write_text(
        registreringer if registreringer is not None else HEADER_R + ROW_R1 + ROW_R2, encoding="cp1252")
    return folder


CASES = {
    "who5-item-7": (dict(registreringer=HEADER_R + ROW_R1 + ROW_R2.replace(";2;2;2;2;2;", ";7;2;2;2;2;")),
                    "registreringer.csv", 3, "who5_1", "between 0 and 5"),
    "impossible-date": (dict(registreringer=HEADER_R + ROW_R1 + ROW_R2.replace("01-02-2020", "31-02-2020")),
                        "registreringer.csv", 3, "dato", "not a calendar date"),
    "duplicate-key": (dict(registreringer=HEADER_R + ROW_R1 + ROW_R2 + ROW_R2),
                      "registreringer.csv", 3, "person_id, tidspunkt", "more than once"),
    "missing-column": (dict(registreringer=HEADER_R.replace("hash_dage_30;", "") + "A1;indskrivning;0;1;2;2;2;2;2;\n"),
                       "registreringer.csv", None, "hash_dage_30", "is missing"),
    "unknown-person": (dict(registreringer=HEADER_R + ROW_R1 + ROW_R2.replace("A2", "A9")),
                       "registreringer.csv", 3, "person_id", "not found in table 'deltagere'"),
    "text-for-number": (dict(registreringer=HEADER_R + ROW_R1 + ROW_R2.replace(";3;0;1;", ";tre;0;1;")),
                        "registreringer.csv", 3, "hash_dage_30", "not a number"),
    "empty-file": (dict(registreringer=""), "registreringer.csv", None, None, "empty"),
    "header-only": (dict(registreringer=HEADER_R), "registreringer.csv", None, None, "no rows"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_problem_names_file_row_column(tmp_path, case):
    kwargs, file, row, column, text = CASES[case]
    folder = _export(tmp_path / case, **kwargs)
    with pytest.raises(InputError) as info:
        read_export(folder)
    errors = info.value.problems.errors
    hit = [p for p in errors if p.file == file and text in p.message]
    assert hit, [str(p) for p in errors]
    assert hit[0].row == row
    if column is not None:
        assert hit[0].column == column


def test_not_a_table(tmp_path):
    folder = _export(tmp_path / "x")
    (folder / "registreringer.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InputError) as info:
        read_export(folder)
    assert any(p.file == "registreringer.csv" and "not a text table" in p.message for p in info.value.problems.errors)


def test_prose_file_is_not_a_known_table(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Dear colleague,\nplease find the numbers attached.\nRegards\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_export(path)
    assert "cannot tell which table" in str(info.value)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "evalkit", *args], capture_output=True, text=True, env=env,
                          timeout=120)


@pytest.mark.parametrize("case", ["who5-item-7", "impossible-date", "unknown-person", "empty-file"])
def test_cli_exit_code_1_without_traceback(tmp_path, case):
    kwargs, file, row, column, text = CASES[case]
    folder = _export(tmp_path / case, **kwargs)
    result = _cli("validate", str(folder), "--lang", "en")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert file in result.stderr and text in result.stderr
    if row is not None:
        assert f"row {row}" in result.stderr


def test_cli_json_and_usage_errors(tmp_path):
    folder = _export(tmp_path / "ok")
    result = _cli("validate", str(folder), "--format", "json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["valid"] is True and payload["ledger"]["registreringer"]["kept"] == 2
    assert _cli("validate", str(folder), "--no-such-option").returncode == 2
    missing = _cli("validate", str(folder), "--mapping", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_exclude_mode_keeps_valid_rows_and_counts_reasons(tmp_path):
    bad = HEADER_R + ROW_R1 + ROW_R2.replace(";2;2;2;2;2;", ";7;2;2;2;2;") + ROW_R2.replace("A2", "A9")
    export = read_export(_export(tmp_path / "ex", registreringer=bad), on_invalid="exclude")
    entry = export.ledger.tables["registreringer"]
    assert (entry.read, entry.kept) == (3, 1)
    assert entry.excluded == {"who5_1: must be between 0 and 5": 1, "person_id not found in deltagere": 1}
    assert all(p.severity != "error" for p in export.problems.problems)


def test_cpr_numbers_are_pseudonymised_and_never_printed(tmp_path):
    d = HEADER_D + "0102031234;Odense;ES;S;F;K;18;gennemført\n"
    r = HEADER_R + "0102031234;indskrivning;3;0;1;9;2;2;2;2;\n"
    folder = _export(tmp_path / "cpr", deltagere=d, registreringer=r)
    with pytest.raises(InputError) as info:
        read_export(folder)
    assert "0102031234" not in "\n".join(info.value.problems.summary_lines())
    result = _cli("validate", str(folder))
    assert "0102031234" not in result.stdout + result.stderr
    export = read_export(_export(tmp_path / "cpr2", deltagere=d, registreringer=r.replace(";9;", ";1;")))
    ids = set(export["deltagere"]["person_id"]) | set(export["registreringer"]["person_id"])
    assert len(ids) == 1 and next(iter(ids)).startswith("P")
