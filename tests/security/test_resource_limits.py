"""Huge inputs are refused with a message instead of exhausting memory (issue 9, resource limits)."""

from __future__ import annotations

import io
import re
import time
import zipfile

import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
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


# ---------------------------------------------------------------- issue 16: declared sizes, Parquet bombs


def _refused_within_5_seconds(path) -> str:
    """Read ``path``; it must be refused (InputError) within 5 seconds. Returns the message."""
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        read_export(path)
    assert time.perf_counter() - start < 5
    return str(info.value)


def _dimension_bomb(path, ref="A1:XFD1048576"):
    """A tiny valid workbook whose sheet declares ``ref`` (the 1.6 kB attack of issue 16)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "deltagere"
    ws.append(["person_id", "kommune"])
    ws.append(["A1", "Odense"])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + ref.encode() + b'"', data)
                assert ref.encode() in data
            dst.writestr(info.filename, data)
    return path


def test_xlsx_dimension_bomb_is_refused_within_5_seconds(tmp_path):
    bomb = _dimension_bomb(tmp_path / "export.xlsx")
    assert bomb.stat().st_size < 8_000
    message = _refused_within_5_seconds(bomb)
    assert "'deltagere'" in message and "1,048,576 rows x 16,384 columns" in message
    assert "EVALKIT_MAX_READ_BYTES" in message and "save it again in Excel" in message


def test_xlsx_declared_size_is_never_padded_when_allowed(tmp_path, monkeypatch):
    """With the limit raised, the sheet is read as it is (two rows), not padded to the declared size."""
    bomb = _dimension_bomb(tmp_path / "export.xlsx", ref="A1:XFD200000")
    monkeypatch.setenv("EVALKIT_MAX_READ_BYTES", str(10**15))
    from evalkit.io.readers import read_xlsx

    start = time.perf_counter()
    (table,) = read_xlsx(bomb)
    assert time.perf_counter() - start < 5
    assert table.headers == ["person_id", "kommune"] and table.row_numbers.tolist() == [2]


def test_xlsx_shared_strings_declared_beyond_budget(tmp_path, monkeypatch):
    path = _dimension_bomb(tmp_path / "export.xlsx", ref="A1:B2")
    monkeypatch.setenv("EVALKIT_MAX_READ_BYTES", "50000")
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sst = parts.get("xl/sharedStrings.xml") or b'<sst xmlns="x" count="0" uniqueCount="0"></sst>'
    parts["xl/sharedStrings.xml"] = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="90000000"', sst)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    with pytest.raises(InputError) as info:
        read_export(path)
    assert "90,000,000 distinct texts" in str(info.value) and "EVALKIT_MAX_READ_BYTES" in str(info.value)


def _parquet_bomb(path, rows_per_group=1_000_000, groups=20, width=1000, arrow_schema=True):
    """A few kB of Parquet that decodes to ``rows x width`` bytes: one value, dictionary + run-length encoded."""
    indices = pa.array(np.zeros(rows_per_group, dtype=np.int32))
    column = pa.DictionaryArray.from_arrays(indices, pa.array(["x" * width]))
    table = pa.table({"kommune": column})
    with pq.ParquetWriter(path, table.schema, store_schema=arrow_schema, write_statistics=False,
                          compression="zstd") as writer:
        for _ in range(groups):
            writer.write_table(table)
    return path


@pytest.mark.parametrize("arrow_schema", [True, False])
def test_parquet_bomb_is_refused_within_5_seconds(tmp_path, arrow_schema):
    bomb = _parquet_bomb(tmp_path / "logbog_episodes.parquet", arrow_schema=arrow_schema)
    assert bomb.stat().st_size < 500_000  # 20 GB once decoded
    message = _refused_within_5_seconds(bomb)
    assert "decompression bomb" in message and "EVALKIT_MAX_EXPANSION" in message


def test_parquet_rows_times_columns_beyond_budget(tmp_path, monkeypatch):
    path = tmp_path / "registreringer.parquet"
    pq.write_table(pa.table({f"c{i}": np.zeros(100_000, dtype=np.int64) for i in range(10)}), path)
    monkeypatch.setenv("EVALKIT_MAX_READ_BYTES", "1000000")
    message = _refused_within_5_seconds(path)
    assert "100,000 rows x 10 columns" in message and "EVALKIT_MAX_READ_BYTES=" in message
