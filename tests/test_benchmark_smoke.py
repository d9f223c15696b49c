"""Smoke run of the benchmark suite: every step of every report runs and is reported (not its time).

One suite run in subprocesses, as ``python -m benchmarks`` does it (synthetic data, floor, worker,
naive baseline on the same CSV data), for ung-rusmidler at 300 youths; the worker and the floor of
udgaaende and hcs run in this process on the bundled samples (the suite's subprocesses and the
synthetic generator's fixed cost are what made this test slow, not the report sizes).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import floor, worker
from benchmarks.table import markdown

ROOT = Path(__file__).resolve().parents[1]
STEPS = {"read", "validate", "measures, profiles, LOCF", "tables and tests", "multiplicity and disclosure", "render"}


def _check_run(run: dict) -> None:
    assert "error" not in run, run
    assert set(run["steps"]) == STEPS, run["steps"].keys()
    assert all(v["seconds"] >= 0 and v["peak_rss_mb"] > 0 and v["cpu_seconds"] >= 0 for v in run["steps"].values())
    assert run["tables"] > 0 and run["cpu_seconds"] >= sum(v["cpu_seconds"] for v in run["steps"].values()) - 0.01


def test_benchmark_suite_smoke(tmp_path):
    out = tmp_path / "bench.json"
    cmd = [sys.executable, "-m", "benchmarks", "--sizes", "300", "--reports", "ung-rusmidler", "--formats", "csv",
           "--baseline-sizes", "300", "--data", str(tmp_path / "data"), "--json", str(out)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "FLOOR" in result.stdout and "RATIO" in result.stdout and "load" in result.stdout
    payload = json.loads(out.read_text(encoding="utf-8"))
    (run,) = payload["runs"]
    _check_run(run)
    assert run["report"] == "ung-rusmidler" and run["rows"]["tem_registrations"] > 300
    assert run["floor"]["seconds"] > 0 and run["floor"]["sort"] >= 0
    assert run["ratio_to_floor"] > 0 and run["cpu_ratio_to_floor"] > 0 and run["load_average"] >= 0
    (base,) = payload["baseline"]
    assert base["seconds"] > 0 and base["ratio_evalkit_over_baseline"] > 0   # same CSV data as the evalkit run
    table = markdown(payload).splitlines()   # the docs/performance.md tables
    assert len(table) == 2 + 1 + 3 + 1
    assert table[2].startswith("| ung-rusmidler | 300 | csv |")
    assert table[-1].startswith("| 300 |") and table[-1].endswith("x |")


@pytest.mark.parametrize("report", ["udgaaende", "hcs"])
def test_worker_and_floor_of_the_other_reports(report, capsys, monkeypatch):
    monkeypatch.setenv("EVALKIT_MEMORY_TUNING", "0")   # this process is pytest's, not a benchmark worker
    sample = ROOT / "data" / "samples" / report
    worker.main(str(sample), report)
    run = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    _check_run(run)
    measured = floor.floor(sample, report)
    assert measured["read"] > 0 and measured["sort"] >= 0 and measured["seconds"] >= measured["read"]
    tables = floor.read_all(sample)
    assert floor.sort_forms(tables, report) == tables[floor.SORTS[report][0]].num_rows
