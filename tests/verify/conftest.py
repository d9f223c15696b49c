"""Shared for the verify tests: the CLI runner and the udgaaende sample with one figure changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def run_verify(*args: str) -> subprocess.CompletedProcess:
    """``evalkit verify ARGS`` in a subprocess (exit code, stdout and stderr as text)."""
    return subprocess.run([sys.executable, "-m", "evalkit", "verify", *args], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


@pytest.fixture(scope="session")
def changed_udgaaende(tmp_path_factory) -> Path:
    """The udgaaende sample with one erhvervsskole woman recorded as a man: some figures fail."""
    changed = tmp_path_factory.mktemp("verify") / "udgaaende"
    shutil.copytree(SAMPLES / "udgaaende", changed)
    path = changed / "deltagere.csv"
    d = pd.read_csv(path, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    row = d.index[(d["skoletype"] == "Erhvervsskole") & (d["koen"] == "Kvinde")][0]
    d.loc[row, "koen"] = "Mand"
    d.to_csv(path, sep=";", index=False, encoding="cp1252")
    return changed
