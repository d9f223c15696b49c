"""Benchmark of evalkit.compare on registry-scale data (a script, not a test).

Run from the repository root::

    python benchmarks/bench_compare.py                    # full size: 1,000,000 persons, 12,000,000 TEM rows
    python benchmarks/bench_compare.py --persons 100000 --rows 1200000 --repeat 1   # quick
    python benchmarks/bench_compare.py --no-memory-tuning  # without evalkit.memory's allocator settings

It measures the two acceptance targets of issue 5:

1. ``locf`` to registration 12 on a tem_registrations-like frame with reader dtypes (pyarrow string
   ids and tem_id, date32 dates, double/bool values), ordered by ``["tem_date", "tem_id"]``, plus the
   first/last summaries (``first_last`` and ``trajectory_summary``): target < 5 s;
2. 100 strata of ``paired_t`` + ``wilcoxon`` (with the Hodges-Lehmann interval) on 10,000 pairs each:
   target < 2 s; run on TEM-like integer scores and on continuous values.

Data are synthetic and seeded (``numpy.random.default_rng(12345678)``, as scipy's benchmarks); the
generation time is not counted. The best of ``--repeat`` runs is reported with the machine load.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.compare import (
    first_last,
    locf,
    model_means,
    paired_t,
    trajectory_summary,
    wilcoxon,
)
from evalkit.memory import tune_for_large_arrays

SEED = 12345678


def make_tem(n_persons: int, n_rows: int, seed: int = SEED) -> pd.DataFrame:
    """A tem_registrations-like frame: ~n_rows/n_persons forms per episode over four years."""
    rng = np.random.default_rng(seed)
    person = rng.integers(0, n_persons, n_rows)
    episode = pc.binary_join_element_wise("E", pc.cast(pa.array(person), pa.string()), "")
    tem_id = pc.binary_join_element_wise("T", pc.cast(pa.array(rng.permutation(n_rows)), pa.string()), "")
    day = pa.array(rng.integers(17000, 18500, n_rows).astype("int32")).cast(pa.date32())
    samlet = rng.integers(0, 11, n_rows).astype(float)
    samlet[rng.random(n_rows) < 0.05] = np.nan
    drug_free = pa.array(rng.random(n_rows) < 0.45, mask=rng.random(n_rows) < 0.03)
    return pd.DataFrame({
        "tem_id": pd.arrays.ArrowExtensionArray(tem_id),
        "episode_id": pd.arrays.ArrowExtensionArray(episode),
        "tem_date": pd.arrays.ArrowExtensionArray(day),
        "samlet_trivsel": pd.array(samlet, dtype="double[pyarrow]"),
        "drug_free_last_week": pd.arrays.ArrowExtensionArray(drug_free),
    })


def bench_locf(tem: pd.DataFrame) -> dict[str, float]:
    c0 = time.process_time()
    t0 = time.perf_counter()
    grid = locf(tem, id="episode_id", order=["tem_date", "tem_id"], values=["samlet_trivsel", "drug_free_last_week"])
    t1 = time.perf_counter()
    fl = first_last(grid, "samlet_trivsel")
    fl_drug = first_last(grid, "drug_free_last_week")
    summary = trajectory_summary(grid, "samlet_trivsel")
    summary_obs = trajectory_summary(grid, "samlet_trivsel", population="observed")
    summary_drug = trajectory_summary(grid, "drug_free_last_week")
    t2 = time.perf_counter()
    c2 = time.process_time()
    assert len(fl) == len(fl_drug) == grid.attrs["locf"]["n_ids"]
    assert summary["n"].iloc[-1] >= summary_obs["n"].iloc[-1] and len(summary_drug) == 12
    return {"locf": t1 - t0, "first/last summaries": t2 - t1, "locf + summaries": t2 - t0,
            "locf + summaries (CPU)": c2 - c0}


def bench_engine(tem: pd.DataFrame, n_strata: int = 8) -> dict[str, float]:
    """The trajectory engine on the same frame: one sort, then per-stratum LOCF/observed summaries and
    first/last for both measures (no per-youth grid): what a report uses."""
    from evalkit.compare.trajectories import Strata, _id_codes, sort_registrations, trajectory_stats

    c0, t0 = time.process_time(), time.perf_counter()
    code, uniques = _id_codes(tem["episode_id"], None)
    forms = sort_registrations(tem, code, ["tem_date", "tem_id"], n_units=len(uniques))
    strata = Strata(forms.place(12), {"stratum": np.arange(len(uniques)) % n_strata})
    for col in ("samlet_trivsel", "drug_free_last_week"):
        trajectory_stats(strata, tem[col].to_numpy(dtype="float64", na_value=np.nan))
    return {"engine (sort + summaries)": time.perf_counter() - t0, "engine (CPU)": time.process_time() - c0}


def make_strata(n_strata: int, n_pairs: int, kind: str, seed: int = SEED) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_strata):
        if kind == "integer":
            pre = rng.integers(0, 11, n_pairs).astype(float)
            post = np.clip(pre + rng.integers(-3, 4, n_pairs), 0, 10)
        else:
            pre = rng.normal(50, 20, n_pairs)
            post = pre + rng.normal(3, 15, n_pairs)
        out.append((pre, post))
    return out


def bench_strata(strata: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, float]:
    """Wall-clock and CPU seconds for paired_t + wilcoxon on every stratum."""
    c0, t0 = time.process_time(), time.perf_counter()
    for pre, post in strata:
        paired_t(pre, post)
        wilcoxon(pre, post)
    return time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=12_000_000)
    parser.add_argument("--strata", type=int, default=100)
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mixedlm-persons", type=int, default=5_000, help="0 skips the MixedLM timing")
    parser.add_argument("--no-memory-tuning", action="store_true",
                        help="measure with the process's default allocator settings (a notebook that has not "
                             "called evalkit.memory.tune_for_large_arrays)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    tuning = {} if args.no_memory_tuning else tune_for_large_arrays()   # as the CLI does
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
          f"load average {os.getloadavg()[0]:.2f}; numpy {np.__version__}, pandas {pd.__version__}, "
          f"pyarrow {pa.__version__}")
    print(
        "times: best of --repeat runs; wall clock (the target) and process CPU time; memory tuning "
        f"(evalkit.memory): {', '.join(k for k, v in tuning.items() if v) or 'off'}"
    )

    t0 = time.perf_counter()
    tem = make_tem(args.persons, args.rows)
    print(
        f"generated {len(tem):,} TEM rows for {args.persons:,} persons in {time.perf_counter() - t0:.1f} s "
        "(not counted)"
    )
    runs = [bench_locf(tem) for _ in range(args.repeat)]
    for key in runs[0]:
        times = [r[key] for r in runs]
        print(f"  {key:<24s} best {min(times):6.2f} s   runs: {', '.join(f'{t:.2f}' for t in times)}")
    engine = [bench_engine(tem) for _ in range(args.repeat)]
    for key in engine[0]:
        times = [r[key] for r in engine]
        print(f"  {key:<24s} best {min(times):6.2f} s   runs: {', '.join(f'{t:.2f}' for t in times)}")
    target = min(r["locf + summaries"] for r in runs)
    print(
        f"  -> LOCF to registration 12 + first/last summaries: {target:.2f} s wall (target < 5 s): "
        f"{'PASS' if target < 5 else 'FAIL'}; CPU {min(r['locf + summaries (CPU)'] for r in runs):.2f} s "
        "(wall > CPU means other processes shared the 2 cores)"
    )

    for kind in ("integer", "continuous"):
        strata = make_strata(args.strata, args.pairs, kind)
        runs_s = [bench_strata(strata) for _ in range(args.repeat)]
        times = [w for w, _ in runs_s]
        print(
            f"  {args.strata} strata x {args.pairs:,} pairs ({kind}): paired_t + wilcoxon best {min(times):.2f} s "
            f"(runs: {', '.join(f'{t:.2f}' for t in times)}; CPU best {min(c for _, c in runs_s):.2f} s) "
            f"(target < 2 s): {'PASS' if min(times) < 2 else 'FAIL'}"
        )

    if args.mixedlm_persons:
        episodes = tem["episode_id"].unique()[: 2 * args.mixedlm_persons]
        subset = tem[tem["episode_id"].isin(episodes)]
        grid = locf(subset, id="episode_id", order=["tem_date", "tem_id"], values="samlet_trivsel")
        res = model_means(grid, "samlet_trivsel", max_persons=args.mixedlm_persons)
        print(
            f"  model_means (MixedLM) on {res.n_persons_used:,} persons / {res.n_observations:,} observed rows: "
            f"{res.runtime_seconds:.1f} s (informational; subsampled={res.subsampled})"
        )


if __name__ == "__main__":
    main()
