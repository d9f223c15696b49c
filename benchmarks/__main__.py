"""The benchmark suite: ``python -m benchmarks`` (issue 8).

Generates synthetic exports with ``evalkit synth`` (cached under ``benchmarks/_data``), runs each
report end to end in a separate process per size and input format, prints the wall time and peak RSS
of every step as a table and as JSON, with the FLOOR of the same data measured just before it
(``benchmarks/floor.py``: pyarrow reading every table + sorting the forms) and the RATIO total / floor
(wall and CPU time), and runs the naive baseline (``benchmarks/naive.py``) on the same CSV data for the
ratio evalkit / baseline.

Examples::

    python -m benchmarks                                  # 10k, 100k, 1M; parquet and csv; baseline 10k, 100k
    python -m benchmarks --sizes 10000 --no-baseline      # the smoke run of the test suite
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _data(report: str, persons: int, fmt: str, root: Path) -> Path:
    """Generate (once) the synthetic export with `evalkit synth` in its own process."""
    folder = root / f"{report}_{persons}_{fmt}"
    if not (folder / ".complete").exists():
        t = time.perf_counter()
        cmd = [sys.executable, "-m", "evalkit", "synth", str(folder), "--report", report, "--persons", str(persons),
               "--format", fmt]
        if report == "ung-rusmidler":
            cmd += ["--tem-per-person", "12"]  # issue 8: about 12 TEM forms per youth, skewed like the seed
        subprocess.run(cmd, check=True, capture_output=True)
        (folder / ".complete").write_text(f"{time.perf_counter() - t:.1f}\n", encoding="ascii")
    return folder


def _run(cmd: list[str], timeout: float) -> dict:
    result = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        return {"error": (result.stderr or result.stdout).strip().splitlines()[-1:]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--reports", default="ung-rusmidler,udgaaende,hcs")
    ap.add_argument("--formats", default="parquet,csv")
    ap.add_argument("--baseline-sizes", default="10000,100000")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--data", default=str(HERE / "_data"))
    ap.add_argument("--json", default=str(HERE / "_results" / "latest.json"))
    ap.add_argument("--timeout", type=float, default=1800)
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    root = Path(args.data)
    runs = []
    for report in [r for r in args.reports.split(",") if r]:
        for persons in sizes:
            for fmt in [f for f in args.formats.split(",") if f]:
                folder = _data(report, persons, fmt, root)
                # the floor in its own process, just before the report (same data, same machine load)
                floor = _run([sys.executable, "-m", "benchmarks.floor", str(folder), report], args.timeout)
                res = _run([sys.executable, "-m", "benchmarks.worker", str(folder), report], args.timeout)
                res.update({"report": report, "persons": persons, "format": fmt, "floor": floor,
                            "load_average": round(os.getloadavg()[0], 2)})
                if "seconds" in res and "seconds" in floor:
                    res["ratio_to_floor"] = round(res["seconds"] / floor["seconds"], 2)
                    res["cpu_ratio_to_floor"] = round(res["cpu_seconds"] / floor["cpu_seconds"], 2)
                runs.append(res)
                _print_run(res)
    baseline = []
    if not args.no_baseline:
        for persons in [int(s) for s in args.baseline_sizes.split(",") if s]:
            folder = _data("ung-rusmidler", persons, "csv", root)
            res = _run([sys.executable, "-m", "benchmarks.naive", str(folder)], args.timeout)
            ours = next((r for r in runs if r["report"] == "ung-rusmidler" and r["persons"] == persons
                         and r["format"] == "csv" and "seconds" in r), None)
            res.update({"persons": persons, "format": "csv",
                        "ratio_evalkit_over_baseline": round(ours["seconds"] / res["seconds"], 4)
                        if ours and "seconds" in res else None})
            baseline.append(res)
            print(f"naive baseline ung-rusmidler {persons:>9,} csv: {res.get('seconds')} s "
                  f"(evalkit/baseline = {res.get('ratio_evalkit_over_baseline')})", flush=True)
    out = {"machine": {"python": platform.python_version(), "platform": platform.platform(),
                       "cpus": os.cpu_count(), "versions": _versions()},
           "runs": runs, "baseline": baseline}
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(json.dumps(out))
    return out


def _versions() -> dict[str, str]:
    import importlib.metadata as md

    def version(name: str) -> str:
        try:
            return md.version(name)
        except md.PackageNotFoundError:   # evalkit run from a checkout, not installed
            return "not installed"

    return {p: version(p) for p in ("evalkit", "pandas", "pyarrow", "numpy", "scipy", "statsmodels")}


def _print_run(res: dict) -> None:
    head = f"{res['report']:<14} {res['persons']:>9,} {res['format']:<8}"
    if "error" in res:
        print(f"{head} ERROR {res['error']}", flush=True)
        return
    steps = "  ".join(f"{k} {v['seconds']:.2f}s (CPU {v.get('cpu_seconds', float('nan')):.2f})/{v['peak_rss_mb']:.0f}MB"
                      for k, v in res["steps"].items())
    floor = res.get("floor", {})
    if "seconds" in floor:
        steps += (f" | FLOOR {floor['seconds']:.2f} s (pyarrow read {floor['read']:.2f} + sort {floor['sort']:.2f}; "
                  f"peak {floor['peak_rss_mb']:.0f} MB) RATIO {res['ratio_to_floor']:.2f} (CPU time "
                  f"{res['cpu_seconds']:.1f} / {floor['cpu_seconds']:.1f} s = {res['cpu_ratio_to_floor']:.2f}); "
                  f"load {res['load_average']}")
    print(f"{head} total {res['seconds']:.2f} s, peak {res['peak_rss_mb']:.0f} MB | {steps}", flush=True)


if __name__ == "__main__":
    main()
