"""Huge inputs are refused with a message instead of exhausting memory (issue 9, resource limits)."""

from __future__ import annotations

import zipfile

import pytest

from evalkit.io import InputError, read_export


def test_xlsx_bomb_is_refused_before_unpacking(tmp_path):
    bomb = tmp_path / "export.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        # 300 MB of zeros compresses to about 300 KB: a 1000:1 ratio
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            block = b"0" * (1024 * 1024)
            for _ in range(300):
                fh.write(block)
    assert bomb.stat().st_size < 2_000_000
    with pytest.raises(InputError) as info:
        read_export(bomb)
    assert "zip bomb" in str(info.value)


def test_csv_larger_than_memory_budget_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "deltagere.csv").write_text("person_id;kommune\n" + "A;B\n" * 1000, encoding="utf-8")
    monkeypatch.setenv("EVALKIT_MAX_READ_BYTES", "4000")  # pretend only 4 kB of memory is available
    with pytest.raises(InputError) as info:
        read_export(folder)
    message = str(info.value)
    assert "deltagere.csv" in message and "Parquet" in message
