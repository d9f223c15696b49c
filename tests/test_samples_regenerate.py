"""The bundled samples are regenerated from the generators and compared with the committed files (issue 7).

CSV samples are compared byte for byte. XLSX and Parquet containers embed the writing library's
version (openpyxl's XML layout, Parquet's ``created_by``), which a fresh CI install may change, so
for those the cell contents are compared exactly: every sheet/table, column, value and type.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from evalkit.synth import SAMPLE_FORMATS, write_sample

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def _xlsx_cells(path: Path) -> dict:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


@pytest.mark.parametrize("name", sorted(SAMPLE_FORMATS))
def test_sample_is_reproducible(name, tmp_path):
    committed = SAMPLES / name
    if not committed.exists():
        pytest.fail(f"data/samples/{name} is missing; regenerate with evalkit.synth.write_sample")
    write_sample(name, tmp_path)
    fresh = tmp_path / name
    committed_files = sorted(p.name for p in committed.iterdir())
    assert sorted(p.name for p in fresh.iterdir()) == committed_files
    for fname in committed_files:
        a, b = committed / fname, fresh / fname
        if a.suffix == ".csv":
            assert a.read_bytes() == b.read_bytes(), fname
        elif a.suffix == ".xlsx":
            assert _xlsx_cells(a) == _xlsx_cells(b), fname
        elif a.suffix == ".parquet":
            ta, tb = pq.read_table(a), pq.read_table(b)
            assert ta.schema.equals(tb.schema, check_metadata=False), fname
            assert ta.equals(tb), fname
        else:
            pytest.fail(f"unexpected file {fname}")
