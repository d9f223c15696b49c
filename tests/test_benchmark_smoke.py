"""Smoke run of the benchmark suite at 2,000 persons: it runs and reports every step (not its time)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.table import markdown

STEPS = {"read", "validate", "measures, profiles, LOCF", "tables and tests", "multiplicity and disclosure", "render"}


def test_benchmark_smoke(tmp_path):
    out = tmp_path / "bench.json"
    cmd = [sys.executable, "-m", "benchmarks", "--sizes", "2000", "--formats", "parquet", "--baseline-sizes", "500",
           "--data", str(tmp_path / "data"), "--json", str(out)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=Path(__file__).resolve().parents[1])
    assert result.returncode == 0, result.stderr[-2000:]
    payload = json.loads(out.read_text(encoding="utf-8"))
    reports = {r["report"] for r in payload["runs"]}
    assert reports == {"ung-rusmidler", "udgaaende", "hcs"}
    for run in payload["runs"]:
        assert "error" not in run, run
        assert set(run["steps"]) == STEPS, run["steps"].keys()
        assert all(v["seconds"] >= 0 and v["peak_rss_mb"] > 0 for v in run["steps"].values())
        assert run["tables"] > 0
    assert payload["baseline"] and payload["baseline"][0]["seconds"] > 0
    assert payload["baseline"][0]["ratio_evalkit_over_baseline"] is None  # no csv run of evalkit in the smoke run
    table = markdown(payload).splitlines()   # the docs/performance.md tables
    assert len(table) == 2 + len(payload["runs"]) + 3 + len(payload["baseline"])
    assert table[2].startswith("| ung-rusmidler | 2,000 | parquet |")
    assert table[-1].startswith("| 500 |") and table[-1].endswith("| n/a |")
