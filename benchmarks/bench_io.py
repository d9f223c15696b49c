"""Reading a 1,000,000-row registration CSV: evalkit.read_export vs pandas.read_csv with the right options.

Issue 3 target: evalkit (read + convert + validate + ledger) takes less than 3x pandas.read_csv with
dtypes, separator, decimal and thousands given. Run: ``python -m benchmarks.bench_io [rows]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.io import read_export

COLUMNS = ["person_id", "tidspunkt", "hash_dage_30", "flere_stoffer_dage_30", "ulovligt_fravaer_dage_14",
           "who5_1", "who5_2", "who5_3", "who5_4", "who5_5", "dato"]


def make_files(folder: Path, rows: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    persons = rows // 3
    ids = np.char.add("P", np.arange(persons).astype(str))
    d = pd.DataFrame(
        {
            "person_id": ids,
            "kommune": "Odense",
            "skoletype": rng.choice(["Erhvervsskole", "Produktionsskole"], persons),
            "skole": "S1",
            "forloeb": "F1",
            "koen": rng.choice(["Kvinde", "Mand"], persons),
            "alder": rng.integers(16, 31, persons),
            "status": "Gennemført",
        }
    )
    d.to_csv(folder / "deltagere.csv", sep=";", index=False, encoding="cp1252")
    r = pd.DataFrame(
        {
            "person_id": np.repeat(ids, 3),
            "tidspunkt": np.tile(["Indskrivning", "Afslutning", "Opfølgning"], persons),
            "hash_dage_30": rng.integers(0, 31, persons * 3),
            "flere_stoffer_dage_30": rng.integers(0, 31, persons * 3),
            "ulovligt_fravaer_dage_14": rng.integers(0, 15, persons * 3),
        }
    )
    for i in range(1, 6):
        r[f"who5_{i}"] = rng.integers(0, 6, persons * 3)
    days = rng.integers(0, 365, persons * 3)
    r["dato"] = (pd.Timestamp("2019-01-01") + pd.to_timedelta(days, unit="D")).strftime("%d-%m-%Y")
    r.to_csv(folder / "registreringer.csv", sep=";", index=False, encoding="cp1252")


def pandas_baseline(folder: Path) -> float:
    t = time.perf_counter()
    dtypes = {c: "int64" for c in COLUMNS[2:10]}
    r = pd.read_csv(
        folder / "registreringer.csv",
        sep=";",
        decimal=",",
        thousands=".",
        encoding="cp1252",
        dtype={"person_id": "string", "tidspunkt": "category", **dtypes},
    )
    r["dato"] = pd.to_datetime(r["dato"], format="%d-%m-%Y")
    pd.read_csv(folder / "deltagere.csv", sep=";", encoding="cp1252", dtype={"alder": "int64"})
    return time.perf_counter() - t


def evalkit_read(folder: Path) -> float:
    t = time.perf_counter()
    export = read_export(folder)
    assert len(export["registreringer"]) > 0
    return time.perf_counter() - t


def main(rows: int = 1_000_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_files(folder, rows)
        size = (folder / "registreringer.csv").stat().st_size / 1024**2
        base = min(pandas_baseline(folder) for _ in range(2))
        ours = min(evalkit_read(folder) for _ in range(2))
        print(f"rows: {rows:,} registrations ({size:.0f} MB) + {rows // 3:,} participants")
        print(f"pandas.read_csv with dtypes/sep/decimal/thousands + date parsing: {base:.2f} s")
        print(f"evalkit.read_export (read, convert, range checks, keys, ledger):   {ours:.2f} s")
        print(f"ratio evalkit / pandas: {ours / base:.2f} (target < 3)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
