"""Write canonical tables as a registry export: Danish CSV, international CSV, XLSX or Parquet.

Used by the synthetic generator (``evalkit synth``) and the tests that check that every format reads
back into identical DataFrames. Output is deterministic: the same tables give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from evalkit.io.atomic import atomic_path, normalise_zip, write_bytes
from evalkit.io.schema import TableSpec, all_tables

ExportFormat = Literal["csv", "csv-utf8", "xlsx", "parquet"]
FORMATS: tuple[str, ...] = ("csv", "csv-utf8", "xlsx", "parquet")


def _text_column(series: pd.Series, spec: TableSpec, column: str, decimal: str, date_fmt: str) -> pa.Array:
    """One column as export text, vectorised (12M-row exports are written in seconds)."""
    col = spec.column(column)
    if col.dtype == "category":
        labels = {v.code: v.label_da for v in col.values}
        cats = series.cat.categories
        codes = series.cat.codes.to_numpy()
        names = pa.array([labels.get(c, c) for c in cats], pa.string())
        return pc.take(names, pa.array(codes, mask=codes < 0))
    arr = pa.array(series)
    if col.dtype == "bool":
        return pc.if_else(arr, "ja", "nej")
    if col.dtype == "date":
        return pc.strftime(pc.cast(arr, pa.timestamp("s")), format=date_fmt)
    if col.dtype == "float":
        text = pc.cast(pc.cast(arr, pa.float64()), pa.string())
        if pc.any(pc.match_substring(text, "e")).as_py():  # exponent notation: not a number format exports use
            text = pa.array([None if v is None else _float_text(v, ".") for v in arr.to_pylist()], pa.string())
        return pc.replace_substring(text, ".", decimal) if decimal != "." else text
    return pc.cast(arr, pa.string())


def _text_frame(frame: pd.DataFrame, spec: TableSpec, decimal: str, date_fmt: str) -> pd.DataFrame:
    out = {name: pd.Series(_text_column(frame[name], spec, name, decimal, date_fmt), dtype=object, index=frame.index)
           for name in frame.columns}
    return pd.DataFrame(out, columns=list(frame.columns))


def _float_text(value: float, decimal: str) -> str:
    text = f"{float(value):.15f}".rstrip("0").rstrip(".")
    return text.replace(".", decimal)


def _spec(name: str) -> TableSpec:
    return all_tables()[name]


def write_export(tables: dict[str, pd.DataFrame], out: str | Path, fmt: ExportFormat = "csv") -> list[Path]:
    """Write ``tables`` (canonical names and dtypes) to ``out`` in the given export format.

    ``csv``: a folder of ``;``-separated cp1252 files with decimal commas and dd-mm-yyyy dates, as
    Danish registration systems write them. ``csv-utf8``: a folder of ``,``-separated UTF-8 files with
    a BOM and ISO dates. ``xlsx``: one workbook ``<out>`` (or ``<out>/export.xlsx`` for a folder) with
    one sheet per table. ``parquet``: a folder of Parquet files with the canonical codes.
    Returns the paths written.
    """
    out = Path(out)
    if fmt == "xlsx":
        target = out if out.suffix.lower() == ".xlsx" else out / "export.xlsx"
        return [_write_xlsx(tables, target)]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        spec = _spec(name)
        if fmt == "csv":
            text = _text_frame(frame, spec, ",", "%d-%m-%Y").to_csv(sep=";", index=False, lineterminator="\r\n")
            path = out / f"{name}.csv"
            write_bytes(path, text.encode("cp1252"))
        elif fmt == "csv-utf8":
            text = _text_frame(frame, spec, ".", "%Y-%m-%d").to_csv(sep=",", index=False, lineterminator="\n")
            path = out / f"{name}.csv"
            write_bytes(path, b"\xef\xbb\xbf" + text.encode("utf-8"))
        elif fmt == "parquet":
            path = out / f"{name}.parquet"
            table = pa.Table.from_pandas(_parquet_frame(frame, spec), preserve_index=False)
            table = table.replace_schema_metadata(None)
            with atomic_path(path) as tmp:
                pq.write_table(table, tmp, compression="zstd")
        else:
            raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
        written.append(path)
    return written


def _parquet_frame(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    out = frame.copy()
    for name in out.columns:
        if spec.column(name).dtype == "category":
            out[name] = out[name].astype("object").astype(pd.ArrowDtype(pa.string()))
    return out


def _write_xlsx(tables: dict[str, pd.DataFrame], target: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "evalkit"
    for name, frame in tables.items():
        spec = _spec(name)
        ws = wb.create_sheet(title=name[:31])
        ws.append(list(frame.columns))
        kinds = [spec.column(c).dtype for c in frame.columns]
        labels = {c: {v.code: v.label_da for v in spec.column(c).values}
                  for c, k in zip(frame.columns, kinds, strict=True) if k == "category"}
        cols = [frame[c].astype("object").tolist() for c in frame.columns]
        for i in range(len(frame)):
            row: list[Any] = []
            for c, kind, values in zip(frame.columns, kinds, cols, strict=True):
                v = values[i]
                if v is None or (not isinstance(v, str) and pd.isna(v)):
                    row.append(None)
                elif kind == "category":
                    row.append(labels[c].get(v, v))
                elif kind == "bool":
                    row.append("ja" if v else "nej")
                elif kind == "int":
                    row.append(int(v))
                elif kind == "float":
                    row.append(float(v))
                else:
                    row.append(v)
            ws.append(row)
        for j, kind in enumerate(kinds, start=1):
            if kind == "date":
                for cell in ws.iter_cols(min_col=j, max_col=j, min_row=2):
                    for c in cell:
                        c.number_format = "DD-MM-YYYY"
    with atomic_path(target) as tmp:
        wb.save(tmp)
        normalise_zip(tmp)
    return target
