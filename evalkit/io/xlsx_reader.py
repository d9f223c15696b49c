"""XLSX reader: every non-empty sheet of a workbook as a raw table, in streaming mode, after the size checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from evalkit.io.limits import NotATable, check_xlsx
from evalkit.io.problems import Problem
from evalkit.io.rawtable import RawTable, _drop_blank_rows, _short


def read_xlsx(path: Path, decimal: str = ",", thousands: str | None = ".") -> list[RawTable]:
    """Read every non-empty sheet of a workbook (one table per sheet) in streaming mode."""
    import openpyxl  # imported lazily: only XLSX users pay for it

    check_xlsx(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise NotATable(f"the workbook cannot be opened: {_short(exc)}") from exc
    tables = []
    try:
        for ws in wb.worksheets:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # read the cells that exist, never pad to a declared size
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
    for values, rownum in zip(data, numbers, strict=True):
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
            raw.problems.append(Problem("error", "ragged-row",
                                        "the row has values to the right of the last named column",
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
