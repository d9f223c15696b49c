"""Parquet reader: flat columns with their types, after the footer's sizes are checked against the budget."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from evalkit.io.convert import smallest_int_type
from evalkit.io.limits import NotATable, check_parquet_metadata, refuse_decoded
from evalkit.io.rawtable import RawTable, _drop_blank_rows, _short

PARQUET_BATCH_ROWS = 1 << 18  # a bomb is stopped after at most one batch past the limit


def read_parquet(path: Path, name: str) -> RawTable:
    """Read a Parquet file; its column types are kept for :mod:`evalkit.io.convert` to check.

    The footer's rows, columns and uncompressed size are checked against the memory budget before
    reading, and the decoded size is counted batch by batch (:mod:`evalkit.io.limits`).
    """
    try:
        pf = pq.ParquetFile(path)
        meta = pf.metadata
        schema = pf.schema_arrow
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        raise NotATable(f"the file is not a Parquet table: {_short(exc)}") from exc
    for field_ in schema:
        if pa.types.is_nested(field_.type) or pa.types.is_union(field_.type):
            raise NotATable(f"column '{field_.name}' is a nested ({field_.type}) column; evalkit reads flat tables: "
                            "write one column per field when exporting")
    uncompressed = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    limit = check_parquet_metadata(path, meta.num_rows, meta.num_columns, _fixed_bytes_per_row(schema), uncompressed)
    decoded, n_rows = 0, 0
    try:
        dense = _run_length_text_columns(meta)
        if dense:  # read as dictionaries, so that their decoded size is known before decoding
            pf = pq.ParquetFile(path, read_dictionary=dense)
            schema = pf.schema_arrow
        chunks: list[list[pa.Array]] = [[] for _ in schema]
        for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS):
            decoded += _decoded_bytes(batch)
            if limit is not None and decoded > limit:
                refuse_decoded(path, decoded, limit)
            n_rows += batch.num_rows
            for j, col in enumerate(batch.columns):
                chunks[j].append(narrow_integers(col))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        raise NotATable(f"the file is not a readable Parquet table: {_short(exc)}") from exc
    headers = [str(f.name) for f in schema]
    # Columns stay chunked as the batches made them: combining 12M-row string columns would copy
    # them all once more (seconds and gigabytes at national scale) for nothing.
    columns = [_flat_column(_chunked(chunks[j], schema[j].type), headers[j]) for j in range(len(headers))]
    del chunks
    raw = RawTable(name=name, file=path.name, headers=headers, columns=columns,
                   row_numbers=np.arange(1, n_rows + 1, dtype=np.int64), row_word="record",
                   decimal=".", thousands=None)
    _drop_blank_rows(raw)
    return raw


def narrow_integers(col: pa.Array) -> pa.Array:
    """An integer batch in the smallest signed type that holds its values (lossless), else unchanged.

    Parquet writers store small counts and 0-10 items as INT64: decoded whole, 9 such columns of a
    12M-form table take 0.86 GB; cast batch by batch they take 0.11 GB, and the int64 column never
    exists in full. The data dictionary's type is applied after validation
    (:func:`evalkit.io.convert.spec_int_type`).

    >>> narrow_integers(pa.array([0, 10, None])).type, narrow_integers(pa.array([0, 40_000])).type
    (DataType(int8), DataType(int32))
    >>> narrow_integers(pa.array([None, None], pa.int64())).type
    DataType(int8)
    """
    t = col.type
    if not pa.types.is_integer(t) or t.bit_width <= 8:
        return col
    if col.null_count == len(col):   # nothing to hold: the narrowest, so the column's other batches decide
        return col.cast(pa.int8())
    bounds = pc.min_max(col).as_py()
    target = smallest_int_type(bounds["min"], bounds["max"])
    if target == pa.int64() or (pa.types.is_signed_integer(t) and target.bit_width >= t.bit_width):
        return col
    return col.cast(target)


def _chunked(chunks: list[pa.Array], declared: pa.DataType) -> pa.ChunkedArray:
    """One column from its batches; batches narrowed to different integer types take the widest."""
    types = {c.type for c in chunks}
    if len(types) > 1:
        widest = max(types, key=lambda t: (t.bit_width, pa.types.is_unsigned_integer(t)))
        if pa.types.is_unsigned_integer(widest) or any(pa.types.is_unsigned_integer(t) for t in types):
            widest = declared
        chunks = [c.cast(widest) for c in chunks]
    if not chunks:
        return pa.chunked_array([], declared)
    return pa.chunked_array(chunks)


def _run_length_text_columns(meta: pq.FileMetaData) -> list[str]:
    """Text columns holding more values than bytes in some chunk: only dictionary runs do that.

    Such a chunk may decode to far more than the file's size (a one-value dictionary repeated by
    run-length encoding); it is read as a dictionary, whose decoded size is computed before decoding.
    High-cardinality text (ids) is never among them, so it keeps the fast plain read.
    """
    dense = set()
    for i in range(meta.num_row_groups):
        group = meta.row_group(i)
        for j in range(group.num_columns):
            chunk = group.column(j)
            if chunk.physical_type == "BYTE_ARRAY" and chunk.has_dictionary_page and \
                    chunk.num_values > chunk.total_uncompressed_size:
                dense.add(chunk.path_in_schema)
    return sorted(dense)


def _fixed_bytes_per_row(schema: pa.Schema) -> int:
    """Bytes per row the columns need at least: their fixed widths, 4 bytes of offsets for text."""
    total = 0
    for field_ in schema:
        t = field_.type.index_type if pa.types.is_dictionary(field_.type) else field_.type
        try:
            total += max(1, t.bit_width // 8)
        except ValueError:
            total += 4  # variable width: at least the offsets
    return total


def _decoded_bytes(batch: pa.RecordBatch) -> int:
    """Memory of a batch once every dictionary column is decoded (as :func:`_flat_column` will do)."""
    total = 0
    for col in batch.columns:
        if pa.types.is_dictionary(col.type) and len(col):
            value_bytes = pc.binary_length(col.dictionary) if _is_text(col.dictionary.type) else None
            if value_bytes is not None:
                total += int(pc.sum(pc.take(value_bytes, col.indices)).as_py() or 0) + 4 * (len(col) + 1)
                continue
        total += col.nbytes
    return total


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t) or \
        pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t)


def _flat_column(col: pa.ChunkedArray, header: str) -> pa.ChunkedArray:
    """Dictionary columns decoded, decimals as float64, binary as UTF-8 text (or a clear refusal)."""
    if pa.types.is_dictionary(col.type):
        col = pc.cast(col, col.type.value_type)
    if pa.types.is_decimal(col.type):
        return pc.cast(col, pa.float64(), safe=False)
    if pa.types.is_binary(col.type) or pa.types.is_large_binary(col.type) or pa.types.is_fixed_size_binary(col.type):
        try:
            return pc.cast(pc.cast(col, pa.binary()) if pa.types.is_fixed_size_binary(col.type) else col, pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise NotATable(f"column '{header}' holds binary data that is not text (UTF-8); "
                            "export it as text") from None
    return col
