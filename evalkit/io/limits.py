"""Resource limits: files that would need more memory than the budget are refused before reading.

The memory budget is the environment variable ``EVALKIT_MAX_READ_BYTES`` when set, else the memory
available to the process. Every check compares an estimate made from what the file declares (its
size, an XLSX sheet's ``<dimension>`` and shared-string count, a Parquet footer's rows, columns and
uncompressed size) with the budget, and the message names the limit and how to raise it:

* CSV: about :data:`CSV_MEMORY_FACTOR` bytes of memory per byte of file.
* XLSX: each declared cell (rows x columns of the sheet's ``<dimension>``) costs about
  :data:`XLSX_BYTES_PER_CELL`; shared strings cost about three times their XML plus
  :data:`XLSX_BYTES_PER_STRING` each. A workbook whose XML would unpack to more than 2 GB, or more
  than 200:1 above 64 MB, is refused as a zip bomb.
* Parquet: rows x the columns' fixed widths and the footer's uncompressed size, times
  :data:`PARQUET_MEMORY_FACTOR`; while reading, the decoded size is counted batch by batch and
  the read stops once it passes the budget or :data:`MAX_EXPANSION` times the file's size
  (``EVALKIT_MAX_EXPANSION``) above 256 MB, so a small file that decodes to gigabytes (dictionary
  or run-length bombs) is stopped after a few hundred megabytes.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from pathlib import Path

READ_BYTES_ENV = "EVALKIT_MAX_READ_BYTES"
EXPANSION_ENV = "EVALKIT_MAX_EXPANSION"
CSV_MEMORY_FACTOR = 4
XLSX_BYTES_PER_CELL = 100
XLSX_BYTES_PER_STRING = 80
PARQUET_MEMORY_FACTOR = 2
MAX_EXPANSION = 1000
EXPANSION_FLOOR = 256 * 1024**2
MAX_XLSX_UNPACKED = 2 * 1024**3
MAX_XLSX_RATIO = 200
XML_HEAD = 64 * 1024


class NotATable(Exception):
    """The file cannot be read as a table (or is refused as too large); the message says why."""


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


def memory_budget(limit: int | None = None) -> int | None:
    """The read budget in bytes: ``limit``, else ``EVALKIT_MAX_READ_BYTES``, else available memory."""
    if limit is not None:
        return limit
    env = os.environ.get(READ_BYTES_ENV, "").strip()
    if env:
        try:
            return int(float(env))
        except ValueError:
            raise NotATable(f"{READ_BYTES_ENV}={env!r} is not a number of bytes (e.g. 8000000000)") from None
    return available_memory()


def max_expansion() -> float:
    env = os.environ.get(EXPANSION_ENV, "").strip()
    try:
        return float(env) if env else MAX_EXPANSION
    except ValueError:
        raise NotATable(f"{EXPANSION_ENV}={env!r} is not a number (e.g. 5000)") from None


def size_text(n: float) -> str:
    """``1.5 GB``, ``12.0 MB`` or ``800 bytes``."""
    for unit, scale in (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{int(n)} bytes"


def _raise_hint(needed: float) -> str:
    return f"raise the limit with {READ_BYTES_ENV}={int(needed) + 1} if the machine has that much memory"


def check_budget(needed: float, what: str, budget: int | None, advice: str) -> None:
    """Refuse ``what`` when ``needed`` bytes exceed ``budget``; the message names both and the way out."""
    if budget is not None and needed > budget:
        source = "set by " + READ_BYTES_ENV if os.environ.get(READ_BYTES_ENV, "").strip() else "memory available"
        raise NotATable(f"{what}; reading it needs about {size_text(needed)} of memory but the limit is "
                        f"{size_text(budget)} ({source}). {advice}, or {_raise_hint(needed)}.")


def check_csv_size(path: Path, limit: int | None = None) -> None:
    """Refuse a CSV that would not fit in memory, before reading it (issue 9, resource limits)."""
    size = path.stat().st_size
    check_budget(size * CSV_MEMORY_FACTOR, f"the file is {size_text(size)}", memory_budget(limit),
                 "Convert it to Parquet (columnar, compressed) or split it")


# ------------------------------------------------------------------------------------- XLSX

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*\bref=\"([^\"]+)\"")
_SST = re.compile(rb"<(?:\w+:)?sst\b[^>]*>")
_COUNT = re.compile(rb"\buniqueCount=\"(\d+)\"")
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb"\b([\w:]+)=\"([^\"]*)\"")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")


def _cell_position(ref: str) -> tuple[int, int] | None:
    """``"XFD1048576"`` -> (row 1048576, column 16384)."""
    m = _CELL.match(ref.strip().upper())
    if m is None:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def declared_shape(ref: str) -> tuple[int, int] | None:
    """Rows and columns of a ``<dimension ref="A1:XFD1048576">`` (a single cell is 1 x 1).

    >>> declared_shape("A1:XFD1048576"), declared_shape("B2:C10"), declared_shape("A1")
    ((1048576, 16384), (9, 2), (1, 1))
    """
    parts = [_cell_position(p) for p in ref.split(":")]
    if not parts or any(p is None for p in parts) or len(parts) > 2:
        return None
    first, last = parts[0], parts[-1]
    assert first is not None and last is not None
    return abs(last[0] - first[0]) + 1, abs(last[1] - first[1]) + 1


def _attrs(tag: bytes) -> dict[str, str]:
    return {k.decode("ascii", "replace").split(":")[-1]: v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag)}


def _head(zf: zipfile.ZipFile, name: str, n: int = XML_HEAD) -> bytes:
    with zf.open(name) as fh:
        return fh.read(n)


def _sheet_names(zf: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Worksheet part (``xl/worksheets/sheet1.xml``) -> sheet name, from workbook.xml and its relations."""
    out: dict[str, str] = {}
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return out
    rels = {a.get("Id"): a.get("Target", "") for a in map(_attrs, _REL.findall(_head(zf, "xl/_rels/workbook.xml.rels",
                                                                                    4 * 1024**2)))}
    for sheet in map(_attrs, _SHEET.findall(_head(zf, "xl/workbook.xml", 4 * 1024**2))):
        target = rels.get(sheet.get("id"), "")
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out[part] = sheet.get("name", part)
    return out


def check_xlsx(path: Path, limit: int | None = None) -> None:
    """Refuse a workbook before openpyxl reads it: zip bombs, huge declared sheets, huge shared strings.

    Only the first 64 kB of each sheet's XML are read (the ``<dimension>`` stands at the top).
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            unpacked = sum(i.file_size for i in infos)
            packed = max(1, sum(i.compress_size for i in infos))
            if unpacked > MAX_XLSX_UNPACKED or (unpacked > 64 * 1024**2 and unpacked / packed > MAX_XLSX_RATIO):
                raise NotATable(
                    f"the workbook would unpack to {unpacked / 1024**2:.0f} MB (compression ratio "
                    f"{unpacked / packed:.0f}:1; the limits are {size_text(MAX_XLSX_UNPACKED)} and {MAX_XLSX_RATIO}:1 "
                    "above 64 MB); refused as a possible zip bomb. Export the sheets as CSV or Parquet instead."
                )
            budget = memory_budget(limit)
            names = {i.filename for i in infos}
            sheets = _sheet_names(zf, names)
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    _check_sheet(zf, info.filename, sheets.get(info.filename, info.filename), budget)
            if "xl/sharedStrings.xml" in names:
                _check_shared_strings(zf, zf.getinfo("xl/sharedStrings.xml"), budget)
    except zipfile.BadZipFile as exc:
        raise NotATable("the file is not an XLSX workbook (not a zip archive)") from exc
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError, zlib.error) as exc:
        raise NotATable(f"the workbook cannot be unpacked: {exc}") from exc


def _check_sheet(zf: zipfile.ZipFile, part: str, sheet: str, budget: int | None) -> None:
    m = _DIMENSION.search(_head(zf, part))
    shape = declared_shape(m.group(1).decode("ascii", "replace")) if m else None
    if shape is None:
        return
    rows, cols = shape
    check_budget(rows * cols * XLSX_BYTES_PER_CELL,
                 f"sheet '{sheet}' declares {rows:,} rows x {cols:,} columns ({rows * cols:,} cells)", budget,
                 "If the sheet is not that large, open and save it again in Excel (that corrects the declared "
                 "size); if it is, export it as CSV or Parquet")


def _check_shared_strings(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int | None) -> None:
    tag = _SST.search(_head(zf, info.filename, 4096))
    count = _COUNT.search(tag.group(0)) if tag else None
    n = int(count.group(1)) if count else 0
    check_budget(3 * info.file_size + n * XLSX_BYTES_PER_STRING,
                 f"the workbook declares {n:,} distinct texts ({size_text(info.file_size)} of shared strings)",
                 budget, "Export the sheets as CSV or Parquet")


# ---------------------------------------------------------------------------------- Parquet


def check_parquet_metadata(path: Path, rows: int, columns: int, fixed_bytes_per_row: int, uncompressed: int,
                           limit: int | None = None) -> int | None:
    """Refuse a Parquet file whose footer promises more than the budget; returns the decode limit in bytes.

    ``fixed_bytes_per_row`` is the sum of the columns' fixed widths (4 bytes of offsets for text);
    the decoded size is at least rows x that and at least the footer's uncompressed size.
    """
    budget = memory_budget(limit)
    needed = max(rows * fixed_bytes_per_row, uncompressed) * PARQUET_MEMORY_FACTOR
    check_budget(needed, f"the file holds {rows:,} rows x {columns:,} columns", budget,
                 "Split it into smaller files")
    return decode_limit(path, budget)


def decode_limit(path: Path, budget: int | None) -> int | None:
    """The most decoded bytes a Parquet file may unpack to: the budget, and the expansion limit."""
    ratio_cap = max(EXPANSION_FLOOR, int(max_expansion() * path.stat().st_size))
    budget_cap = None if budget is None else budget // PARQUET_MEMORY_FACTOR
    return ratio_cap if budget_cap is None else min(ratio_cap, budget_cap)


def refuse_decoded(path: Path, decoded: int, limit: int) -> None:
    """Stop a Parquet read whose decoded data passed ``limit`` (see :func:`decode_limit`)."""
    size = path.stat().st_size
    ratio = decoded / max(1, size)
    raise NotATable(
        f"the {size_text(size)} file decodes to more than {size_text(decoded)} in memory ({ratio:,.0f}:1) and "
        f"was stopped there; refused as a possible decompression bomb (limits: {int(max_expansion()):,}:1 above "
        f"{size_text(EXPANSION_FLOOR)}, and the memory budget). If the file is genuine, raise the limits with "
        f"{EXPANSION_ENV}={int(ratio * 4) + 1} and {READ_BYTES_ENV}=<bytes>."
    )
