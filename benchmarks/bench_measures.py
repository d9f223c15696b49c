"""Benchmark: score 1,000,000 rows of WHO-5 items (and the other row-wise measures).

Not a test. Run from the repository root:

    python benchmarks/bench_measures.py            # 1,000,000 rows, pyarrow and numpy dtypes
    python benchmarks/bench_measures.py --rows 200000 --repeat 3

Target (issue 4): 1,000,000 rows of WHO-5 items scored in under 0.5 s. Items are drawn with a fixed
seed, 3 % missing (as in anchors.md 7.1); the reported time is the best of ``--repeat`` warm runs.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from evalkit.measures import stofscore, stofscore_12plus, who5_band, who5_percent
from evalkit.profiles import risikoprofil


def make_items(n: int, backend: str, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    items = rng.integers(0, 6, (n, 5)).astype("float64")
    items[rng.random((n, 5)) < 0.03] = np.nan
    cols = {}
    for i in range(5):
        col = pd.array(items[:, i], dtype="Float64").astype("Int64")
        cols[f"who5_{i + 1}"] = col.astype("int64[pyarrow]") if backend == "pyarrow" else items[:, i]
    return pd.DataFrame(cols)


def make_days(n: int, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            s: pd.array(rng.integers(0, 31, n), dtype="int64[pyarrow]")
            for s in ("days_hash_30", "days_kokain_30", "days_amfetamin_30", "days_ecstasy_30", "days_andre_30")
        }
    )


def best_of(fn, repeat: int) -> float:
    fn()  # warm-up (rule files, imports)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    n = args.rows
    print(f"rows: {n:,}  repeat: {args.repeat} (best of)  pandas {pd.__version__}  numpy {np.__version__}")
    for backend in ("pyarrow", "numpy"):
        items = make_items(n, backend)
        t = best_of(lambda items=items: who5_percent(items), args.repeat)
        print(
            f"who5_percent, missing=complete, {backend:7s} dtypes  {t:7.3f} s   "
            f"target < 0.5 s: {'ok' if t < 0.5 else 'MISSED'}"
        )
        t = best_of(lambda items=items: who5_percent(items, missing="prorate"), args.repeat)
        print(f"who5_percent, missing=prorate,  {backend:7s} dtypes  {t:7.3f} s")
    pct = who5_percent(make_items(n, "numpy"))
    print(f"who5_band (seed000)                            {best_of(lambda: who5_band(pct), args.repeat):7.3f} s")
    days = make_days(n)
    print(f"stofscore                                      {best_of(lambda: stofscore(days), args.repeat):7.3f} s")
    print(
        f"stofscore_12plus                               {best_of(lambda: stofscore_12plus(days), args.repeat):7.3f} s"
    )
    rng = np.random.default_rng(3)
    flags = [pd.Series(pd.array(rng.random(n) < p, dtype="bool[pyarrow]")) for p in (0.4, 0.43, 0.19)]
    print(f"risikoprofil                                   {best_of(lambda: risikoprofil(*flags), args.repeat):7.3f} s")


if __name__ == "__main__":
    main()
