"""Integer columns are read in the smallest type the data dictionary's range allows (issue 14 memory).

The Parquet reader narrows INT64 batches losslessly (the int64 column never exists in full); after
validation every integer column takes the dictionary's type, whatever the file format, and a value
outside the range is still reported and excluded with its own text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evalkit.io import InputError, dataset, read_export
from evalkit.io.convert import spec_int_type
from evalkit.io.parquet_reader import PARQUET_BATCH_ROWS, narrow_integers, read_parquet
from evalkit.io.writers import write_export


def test_dictionary_ranges_decide_the_type():
    reg = dataset("udgaaende").table("registreringer")
    assert spec_int_type(reg.column("who5_1")) == pa.int8()
    assert spec_int_type(dataset("ung-rusmidler").table("tem_registrations").column("recall_window_days")) == pa.int8()
    unbounded = dataset("udgaaende").table("omkostninger").column("raadgivne_elever")
    assert unbounded.max is None and spec_int_type(unbounded) == pa.int64()


@pytest.mark.parametrize(("values", "expected"), [
    ([0, 10, None], pa.int8()), ([-129, 5], pa.int16()), ([0, 40_000], pa.int32()), ([0, 2**40], pa.int64()),
    ([None, None], pa.int8()),
])
def test_narrowing_is_lossless(values, expected):
    arr = pa.array(values, pa.int64())
    out = narrow_integers(arr)
    assert out.type == expected
    assert out.cast(pa.int64()).equals(arr)


def test_unsigned_and_non_integer_columns():
    assert narrow_integers(pa.array([0, 200], pa.uint16())).type == pa.int16()
    assert narrow_integers(pa.array([2**63], pa.uint64())).type == pa.uint64()
    assert narrow_integers(pa.array([1.5])).type == pa.float64()


def test_batches_of_different_widths_make_one_column(tmp_path):
    """One batch fits int8, a later one needs int32: the column takes the wider type, values intact."""
    n = PARQUET_BATCH_ROWS + 10
    values = np.zeros(n, dtype=np.int64)
    values[-1] = 100_000
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"x": values}), path)
    raw = read_parquet(path, "t")
    col = raw.columns[0]
    assert col.type == pa.int32() and col.num_chunks == 2
    assert np.array_equal(col.to_numpy(), values)


def test_an_all_missing_batch_does_not_widen_the_column(tmp_path):
    n = PARQUET_BATCH_ROWS + 10
    values = pa.array([None] * PARQUET_BATCH_ROWS + list(range(10)), pa.int64())
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"id": pa.array(np.arange(n)), "x": values}), path)   # rows are not blank
    col = read_parquet(path, "t").columns[1]
    assert col.type == pa.int8() and len(col) == n
    assert col.cast(pa.int64()).to_pylist() == values.to_pylist()


def _tables(udgaaende_tables):
    return {k: v.copy() for k, v in udgaaende_tables.items()}


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_read_frames_use_the_dictionary_types(tmp_path, udgaaende_tables, fmt):
    write_export(udgaaende_tables, tmp_path, fmt)
    export = read_export(tmp_path)
    reg, omk = export["registreringer"], export["omkostninger"]
    assert str(reg["who5_1"].dtype) == "int8[pyarrow]" and str(export["deltagere"]["alder"].dtype) == "int8[pyarrow]"
    assert str(omk["projektaar"].dtype) == "int8[pyarrow]"
    assert reg["who5_1"].tolist() == udgaaende_tables["registreringer"]["who5_1"].tolist()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_out_of_range_value_is_reported_and_excluded(tmp_path, udgaaende_tables, fmt):
    """300 in a 0-5 item (held as int16 by the reader) fails with its value printed, as before."""
    tables = _tables(udgaaende_tables)
    tables["registreringer"]["who5_2"] = pd.Series([3, 300, None, 1], dtype="int64[pyarrow]")
    write_export(tables, tmp_path, fmt)
    with pytest.raises(InputError) as err:
        read_export(tmp_path)
    bad = [p for p in err.value.problems.problems if p.code == "out-of-range"]
    row = 2 if fmt == "parquet" else 3   # Parquet counts records, CSV lines (after the header)
    assert [(p.column, p.row, p.value) for p in bad] == [("who5_2", row, "300")]
    assert "between 0 and 5" in bad[0].message
    export = read_export(tmp_path, on_invalid="exclude")
    assert len(export["registreringer"]) == 3 and str(export["registreringer"]["who5_2"].dtype) == "int8[pyarrow]"
    assert any("who5_2: must be between 0 and 5" in line for line in export.ledger.lines())
