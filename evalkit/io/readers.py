"""Format readers: CSV (Danish or international conventions), XLSX and Parquet, into raw tables.

A reader does not interpret values: it returns every column as text (CSV) or as the cell types the
file holds (XLSX, Parquet), plus the spreadsheet row number of every record, so that later steps can
say exactly where a problem is. Interpretation (numbers, dates, codes) is :mod:`evalkit.io.convert`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pyarrow.parquet as pq

from evalkit.io.problems import Problem

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
TABLE_SUFFIXES = CSV_SUFFIXES | XLSX_SUFFIXES | PARQUET_SUFFIXES
DELIMITERS = (";", ",", "\t", "|")
SNIFF_BYTES = 256 * 1024
# Files up to this size are decoded in full to confirm the detected encoding.
FULL_CHECK_BYTES = 64 * 1024 * 1024
# An XLSX whose XML would unpack to more than this is refused rather than read (zip bombs).
MAX_XLSX_UNPACKED = 2 * 1024**3
MAX_XLSX_RATIO = 200


@dataclass(frozen=True)
class CsvOptions:
    """How to read a CSV file; ``None`` means detect."""

    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    thousands: str | None = None


@dataclass
class RawTable:
    """One table as it stands in a file: headers, column data and spreadsheet row numbers."""

    name: str
    file: str
    headers: list[str]
    columns: list[pa.Array]
    row_numbers: np.ndarray
    row_word: str = "row"
    decimal: str = ","
    thousands: str | None = "."
    encoding: str | None = None
    delimiter: str | None = None
    excluded: dict[str, list[int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def n_read(self) -> int:
        return len(self.row_numbers) + sum(len(v) for v in self.excluded.values())


class NotATable(Exception):
    """The file cannot be read as a table; the message says why."""


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


def available_memory() -> int | None:
    """Bytes of memory available to this process (Linux /proc/meminfo), or ``None`` if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


# Reading a CSV as Arrow text takes about this many bytes of memory per byte of file, at most.
CSV_MEMORY_FACTOR = 4


def check_csv_size(path: Path, limit: int | None = None) -> None:
    """Refuse a CSV that would not fit in memory, before reading it (issue 9, resource limits)."""
    size = path.stat().st_size
    budget = limit if limit is not None else available_memory()
    if budget is not None and size * CSV_MEMORY_FACTOR > budget:
        raise NotATable(
            f"the file is {_size(size)}; reading it needs about {_size(size * CSV_MEMORY_FACTOR)} of memory but "
            f"{_size(budget)} is available. Convert it to Parquet (columnar, compressed) or split it, "
            "or raise the limit with EVALKIT_MAX_READ_BYTES."
        )


def _size(n: int) -> str:
    return f"{n / 1024**3:.1f} GB" if n >= 1024**3 else f"{n / 1024**2:.1f} MB" if n >= 1024**2 else f"{n} bytes"


def read_csv(path: Path, name: str, options: CsvOptions = CsvOptions()) -> RawTable:
    """Read a CSV file with every column as text.

    Encoding (UTF-8 with or without BOM, UTF-16, else cp1252) and delimiter (``;``, ``,``, tab,
    ``|``) are detected unless given. Numbers default to Danish conventions (decimal comma,
    ``.`` thousands) when the delimiter is ``;``, and to ``.`` decimals otherwise.
    """
    import os

    env_limit = os.environ.get("EVALKIT_MAX_READ_BYTES")
    check_csv_size(path, int(env_limit) if env_limit else None)
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


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


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


def _drop_blank_rows(raw: RawTable) -> None:
    """Rows whose every cell is empty: trailing ones are not rows at all, interior ones are excluded."""
    if not raw.columns or len(raw.row_numbers) == 0:
        return
    # Fast path: one column without a single empty cell proves there is no blank row.
    for col in raw.columns:
        if col.null_count == 0 and not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            return
    blank = np.ones(len(raw.row_numbers), dtype=bool)
    for col in raw.columns:
        valid = np.asarray(col.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            stripped = pc.utf8_trim_whitespace(col)
            nonempty = pc.fill_null(pc.not_equal(stripped, ""), False)
            valid &= np.asarray(nonempty.to_numpy(zero_copy_only=False), dtype=bool)
        blank &= ~valid
        if not blank.any():
            return
    last = np.flatnonzero(~blank)
    end = int(last[-1]) + 1 if len(last) else 0
    # A blank row before an excluded (e.g. ragged) record is interior, not trailing.
    later_excluded = max((max(v) for v in raw.excluded.values() if v), default=0)
    if later_excluded:
        end = max(end, int(np.searchsorted(raw.row_numbers, later_excluded)))
    interior = np.flatnonzero(blank[:end])
    if len(interior):
        raw.excluded.setdefault("blank row", []).extend(int(r) for r in raw.row_numbers[interior])
    keep = ~blank
    keep[end:] = False
    mask = pa.array(keep)
    raw.columns = [c.filter(mask) for c in raw.columns]
    raw.row_numbers = raw.row_numbers[keep]


# --------------------------------------------------------------------------------------- XLSX


def _check_xlsx_size(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
            packed = max(1, sum(i.compress_size for i in zf.infolist()))
    except zipfile.BadZipFile as exc:
        raise NotATable("the file is not an XLSX workbook (not a zip archive)") from exc
    if unpacked > MAX_XLSX_UNPACKED or (unpacked > 64 * 1024**2 and unpacked / packed > MAX_XLSX_RATIO):
        raise NotATable(
            f"the workbook would unpack to {unpacked / 1024**2:.0f} MB "
            f"(compression ratio {unpacked / packed:.0f}:1); refused as a possible zip bomb. "
            "Export the sheets as CSV instead."
        )


def read_xlsx(path: Path, decimal: str = ",", thousands: str | None = ".") -> list[RawTable]:
    """Read every non-empty sheet of a workbook (one table per sheet) in streaming mode."""
    import openpyxl  # imported lazily: only XLSX users pay for it

    _check_xlsx_size(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise NotATable(f"the workbook cannot be opened: {_short(exc)}") from exc
    tables = []
    try:
        for ws in wb.worksheets:
            table = _read_sheet(ws, path.name, decimal, thousands)
            if table is not None:
                tables.append(table)
    finally:
        wb.close()
    return tables


def _read_sheet(ws: Any, file: str, decimal: str, thousands: str | None) -> RawTable | None:
    rows: Iterator[tuple[Any, ...]] = ws.iter_rows(values_only=True)
    header: list[str] | None = None
    header_row = 0
    data: list[tuple[Any, ...]] = []
    numbers: list[int] = []
    for i, values in enumerate(rows, start=1):
        if header is None:
            if values and any(v is not None and str(v).strip() for v in values):
                header = ["" if v is None else str(v).strip() for v in values]
                header_row = i
            continue
        data.append(values)
        numbers.append(i)
    if header is None:
        return None
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    columns_py: list[list[Any]] = [[] for _ in range(width)]
    extra_cells: list[int] = []
    for values, rownum in zip(data, numbers):
        padded = tuple(values[:width]) + (None,) * (width - min(len(values), width))
        if len(values) > width and any(v is not None and str(v).strip() for v in values[width:]):
            extra_cells.append(rownum)
        for j in range(width):
            columns_py[j].append(padded[j])
    columns = [_xlsx_column(col, decimal) for col in columns_py]
    raw = RawTable(name=ws.title, file=f"{file}[{ws.title}]", headers=header, columns=columns,
                   row_numbers=np.asarray(numbers, dtype=np.int64), decimal=decimal, thousands=thousands)
    if header_row != 1:
        raw.problems.append(Problem("info", "header-row", f"the header is on row {header_row}", file=raw.file))
    if extra_cells:
        keep = ~np.isin(raw.row_numbers, extra_cells)
        raw.excluded["values outside the header's columns"] = extra_cells
        mask = pa.array(keep)
        raw.columns = [c.filter(mask) for c in raw.columns]
        raw.row_numbers = raw.row_numbers[keep]
        for r in extra_cells[:20]:
            raw.problems.append(Problem("error", "ragged-row", "the row has values to the right of the last named column",
                                        file=raw.file, row=r))
    _drop_blank_rows(raw)
    return raw


def _xlsx_column(values: list[Any], decimal: str) -> pa.Array:
    """Cells of one column as an Arrow array: typed if the cells agree, else text."""
    kinds = set()
    for v in values:
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        if isinstance(v, bool):
            kinds.add("bool")
        elif isinstance(v, (int, float)):
            kinds.add("number")
        elif isinstance(v, dt.datetime):
            kinds.add("datetime")
        elif isinstance(v, dt.date):
            kinds.add("date")
        elif isinstance(v, dt.time):
            kinds.add("text")
        else:
            kinds.add("text")
    cleaned = [None if (v is None or (isinstance(v, str) and not v.strip())) else v for v in values]
    if kinds <= {"number"}:
        if all(v is None or (isinstance(v, int) or float(v).is_integer()) for v in cleaned) and \
                all(v is None or abs(v) < 2**62 for v in cleaned):
            return pa.array([None if v is None else int(v) for v in cleaned], pa.int64())
        return pa.array([None if v is None else float(v) for v in cleaned], pa.float64())
    if kinds <= {"bool"}:
        return pa.array(cleaned, pa.bool_())
    if kinds <= {"datetime", "date"}:
        return pa.array([None if v is None else (v.date() if isinstance(v, dt.datetime) else v) for v in cleaned],
                        pa.date32())
    return pa.array([None if v is None else _cell_text(v, decimal) for v in cleaned], pa.string())


def _cell_text(value: Any, decimal: str) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        text = repr(value) if not value.is_integer() else str(int(value))
        return text.replace(".", decimal) if decimal != "." else text
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# ------------------------------------------------------------------------------------ Parquet


def read_parquet(path: Path, name: str) -> RawTable:
    """Read a Parquet file; its column types are kept for :mod:`evalkit.io.convert` to check."""
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise NotATable(f"the file is not a Parquet table: {_short(exc)}") from exc
    headers = [str(c) for c in table.column_names]
    # Columns stay chunked as Parquet's row groups made them: combining 12M-row string columns would
    # copy them all once more (seconds and gigabytes at national scale) for nothing.
    columns = [table.column(i) for i in range(table.num_columns)]
    columns = [pc.cast(c, c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in columns]
    raw = RawTable(name=name, file=path.name, headers=headers, columns=columns,
                   row_numbers=np.arange(1, table.num_rows + 1, dtype=np.int64), row_word="record",
                   decimal=".", thousands=None)
    _drop_blank_rows(raw)
    return raw
