"""The floor of a report run: what any implementation must do at least (issue 14).

floor = pyarrow reading every table of the export + sorting the forms the report orders:
ung-rusmidler: TEM forms by episode and date; hcs: attendance by participant and session date (the
date joined from the sessions); udgaaende: registrations by person and date. Run in its own process
(as the report), best of ``repeat``::

    python -m benchmarks.floor benchmarks/_data/ung-rusmidler_100000_parquet ung-rusmidler

prints one JSON line: ``seconds`` (read + sort), ``cpu_seconds``, ``read``, ``sort``, ``peak_rss_mb``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from evalkit.timing import peak_rss_bytes

# (table, sort keys) per report; a key "table.column via key" is joined from another table first
SORTS: dict[str, tuple[str, list[str]]] = {
    "ung-rusmidler": ("tem_registrations", ["episode_id", "tem_date"]),
    "hcs": ("hcs_fremmoede", ["deltager_id", "dato"]),
    "udgaaende": ("registreringer", ["person_id", "dato"]),
}
JOINS = {"hcs": ("hcs_sessioner", "session_id", "dato")}


def read_all(folder: Path) -> dict[str, pa.Table]:
    """Every table of the export with pyarrow's readers (Parquet, or ;-separated cp1252 CSV)."""
    tables = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".parquet":
            tables[path.stem] = pq.read_table(path)
        elif path.suffix == ".csv":
            tables[path.stem] = pcsv.read_csv(path, read_options=pcsv.ReadOptions(encoding="cp1252"),
                                              parse_options=pcsv.ParseOptions(delimiter=";"))
    return tables


def sort_forms(tables: dict[str, pa.Table], report: str) -> int:
    """Sort indices of the report's forms by (unit, date); returns the number of rows sorted."""
    name, keys = SORTS[report]
    table = tables[name]
    if report in JOINS:
        other, key, col = JOINS[report]
        table = table.select([keys[0], key]).join(tables[other].select([key, col]), key)
    idx = pc.sort_indices(table, sort_keys=[(k, "ascending") for k in keys])
    return len(idx)


def floor(folder: Path, report: str) -> dict[str, float]:
    from benchmarks.worker import _cpu

    c0, t0 = _cpu(), time.perf_counter()
    tables = read_all(folder)
    t1 = time.perf_counter()
    sort_forms(tables, report)
    t2 = time.perf_counter()
    return {"seconds": round(t2 - t0, 3), "cpu_seconds": round(_cpu() - c0, 3), "read": round(t1 - t0, 3),
            "sort": round(t2 - t1, 3),
            "peak_rss_mb": round(peak_rss_bytes() / 1024**2, 1)}


if __name__ == "__main__":
    print(json.dumps(floor(Path(sys.argv[1]), sys.argv[2])))
