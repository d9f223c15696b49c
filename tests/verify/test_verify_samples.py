"""evalkit verify on the bundled samples: every reproducible figure passes; a changed input fails by name."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def _verify(*args: str) -> tuple[int, dict]:
    result = subprocess.run([sys.executable, "-m", "evalkit", "verify", *args, "--format", "json"],
                            capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    return result.returncode, json.loads(result.stdout) if result.stdout.strip() else {}


@pytest.mark.parametrize("sample,catalogues", [("udgaaende", ["000", "001"]), ("ung-rusmidler/export.xlsx", ["004"])])
def test_samples_pass_every_reproducible_figure(sample, catalogues):
    code, payload = _verify(*catalogues, "--data", str(SAMPLES / sample))
    assert code == 0, [f for f in payload.get("figures", []) if f["status"] == "fail"][:5]
    summary = payload["summary"]
    assert summary["fail"] == 0 and summary["pass"] > 100
    deviations = [f for f in payload["figures"] if f["status"] == "known-deviation"]
    assert deviations and all(f["reason"] for f in deviations)
    assert {"id", "source", "printed", "computed", "status", "reason"} <= set(payload["figures"][0])


def test_changed_value_fails_naming_the_figure(tmp_path):
    changed = tmp_path / "udgaaende"
    shutil.copytree(SAMPLES / "udgaaende", changed)
    path = changed / "deltagere.csv"
    d = pd.read_csv(path, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    row = d.index[(d["skoletype"] == "Erhvervsskole") & (d["koen"] == "Kvinde")][0]
    d.loc[row, "koen"] = "Mand"  # one woman at an erhvervsskole recorded as a man
    d.to_csv(path, sep=";", index=False, encoding="cp1252")
    code, payload = _verify("000", "--data", str(changed))
    assert code == 1
    failed = {f["id"] for f in payload["figures"] if f["status"] == "fail"}
    assert "000-T7.1-indskrevne/erhvervsskole/kvinde" in failed
    assert "000-T7.1-indskrevne/erhvervsskole/mand" in failed
    assert not any(i.startswith("000-T7.2-progression") for i in failed)  # outcomes did not move
