"""Format readers: CSV (Danish or international conventions), XLSX and Parquet, into raw tables.

A reader does not interpret values: it returns every column as text (CSV) or as the cell types the
file holds (XLSX, Parquet), plus the spreadsheet row number of every record, so that later steps can
say exactly where a problem is. Interpretation (numbers, dates, codes) is :mod:`evalkit.io.convert`.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pv

from evalkit.io.limits import NotATable, available_memory, check_csv_size
from evalkit.io.parquet_reader import read_parquet
from evalkit.io.problems import Problem
from evalkit.io.rawtable import RawTable, _drop_blank_rows, _short
from evalkit.io.xlsx_reader import read_xlsx

__all__ = ["CsvOptions", "NotATable", "RawTable", "available_memory", "read_csv", "read_parquet", "read_xlsx"]

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
TABLE_SUFFIXES = CSV_SUFFIXES | XLSX_SUFFIXES | PARQUET_SUFFIXES
DELIMITERS = (";", ",", "\t", "|")
SNIFF_BYTES = 256 * 1024
# Files up to this size are decoded in full to confirm the detected encoding.
FULL_CHECK_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class CsvOptions:
    """How to read a CSV file; ``None`` means detect."""

    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    thousands: str | None = None


def _detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sniff window is not evidence against UTF-8.
        if exc.start >= len(head) - 3:
            try:
                head[: exc.start].decode("utf-8")
                return "utf-8"
            except UnicodeDecodeError:
                pass
    return "cp1252"


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head[:8192] and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    return head[:4] in (b"PK\x03\x04", b"%PDF", b"\x89PNG") or head[:3] == b"\xff\xd8\xff"


def _detect_delimiter(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()][:20]
    if not lines:
        return ";"
    best, best_score = ";", -1.0
    for delim in DELIMITERS:
        counts = []
        for row in csv.reader(lines[:-1] if len(lines) > 1 else lines, delimiter=delim):
            counts.append(len(row) - 1)
        if not counts or counts[0] == 0:
            continue
        consistent = sum(1 for c in counts if c == counts[0]) / len(counts)
        score = consistent * 1000 + counts[0]
        if score > best_score:
            best, best_score = delim, score
    return best


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        # The sniff window may end inside a character.
        return data.decode(encoding, errors="ignore")


def read_csv(path: Path, name: str, options: CsvOptions = CsvOptions()) -> RawTable:
    """Read a CSV file with every column as text.

    Encoding (UTF-8 with or without BOM, UTF-16, else cp1252) and delimiter (``;``, ``,``, tab,
    ``|``) are detected unless given. Numbers default to Danish conventions (decimal comma,
    ``.`` thousands) when the delimiter is ``;``, and to ``.`` decimals otherwise.
    """
    check_csv_size(path)
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head.strip():
        raise NotATable("the file is empty")
    if _looks_binary(head):
        raise NotATable("the file is not a text table (binary content)")
    encoding = options.encoding or _detect_encoding(head)
    if encoding in ("utf-8", "utf-8-sig") and not options.encoding and path.stat().st_size <= FULL_CHECK_BYTES:
        try:
            path.read_bytes().decode(encoding)
        except UnicodeDecodeError:
            encoding = "cp1252"  # UTF-8 in the first block only: a Danish 8-bit file after all
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise NotATable(f"unknown encoding {encoding!r}") from exc
    text = _decode(head, encoding)
    try:
        delimiter = options.delimiter or _detect_delimiter(text)
        header_line = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), None)
    except csv.Error as exc:
        raise NotATable(f"the first lines cannot be read as CSV: {exc}") from exc
    if not header_line or not any(h.strip() for h in header_line):
        raise NotATable("the first line holds no column names")
    headers = [h.strip() for h in header_line]
    if headers and headers[0].startswith("\ufeff"):
        headers[0] = headers[0][1:]
    decimal = options.decimal or ("," if delimiter == ";" else ".")
    thousands = options.thousands if options.thousands is not None else ("." if decimal == "," else None)
    if thousands == "":
        thousands = None

    internal = [f"c{i}" for i in range(len(headers))]
    ragged: list[Any] = []

    def on_invalid(row: Any) -> str:
        ragged.append(row)
        return "skip"

    arrow_encoding = "utf8" if encoding.lower().replace("-", "") in ("utf8", "utf8sig") else encoding
    try:
        table = pv.read_csv(
            path,
            read_options=pv.ReadOptions(encoding=arrow_encoding, column_names=internal, skip_rows=1,
                                        block_size=16 * 1024 * 1024),
            parse_options=pv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                          ignore_empty_lines=False, invalid_row_handler=on_invalid),
            convert_options=pv.ConvertOptions(column_types={c: pa.string() for c in internal},
                                              strings_can_be_null=True, null_values=[""],
                                              quoted_strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError) as exc:
        raise NotATable(f"could not be read as a {delimiter!r}-separated table: {_short(exc)}") from exc

    n = table.num_rows
    columns = [table.column(i).combine_chunks() for i in range(len(internal))]
    row_numbers = np.arange(2, n + 2, dtype=np.int64)
    raw = RawTable(name=name, file=path.name, headers=headers, columns=columns, row_numbers=row_numbers,
                   decimal=decimal, thousands=thousands, encoding=encoding, delimiter=delimiter)
    if ragged:
        try:
            positions = _ragged_positions(path, encoding, delimiter, len(headers))
        except csv.Error as exc:
            raise NotATable(f"records with a wrong number of fields, and the file cannot be re-read: {exc}") from exc
        raw.row_numbers = _rows_without(n + len(positions), positions)
        raw.excluded["wrong number of fields"] = [p + 2 for p in positions]
        for p in positions[:20]:
            raw.problems.append(Problem("error", "ragged-row",
                                        f"the record has a different number of fields than the header ({len(headers)})",
                                        file=path.name, row=p + 2))
    _drop_blank_rows(raw)
    return raw


def _rows_without(total: int, skipped: list[int]) -> np.ndarray:
    keep = np.ones(total, dtype=bool)
    keep[skipped] = False
    return np.flatnonzero(keep).astype(np.int64) + 2


def _ragged_positions(path: Path, encoding: str, delimiter: str, width: int) -> list[int]:
    """Record indices (0-based, after the header) whose field count differs from the header's.

    Only used on the error path, so plain Python csv is fine here.
    """
    positions = []
    with open(path, encoding=encoding, newline="", errors="replace") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        next(reader, None)
        for i, rec in enumerate(reader):
            if len(rec) == 0 or (len(rec) == 1 and rec[0] == ""):
                continue  # a blank line: pyarrow reads it as a row of nulls
            if len(rec) != width:
                positions.append(i)
    return positions
