"""Custom tables (evalkit table / evalkit.table) reproduce report tables and keep disclosure control."""

from __future__ import annotations

import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

import evalkit
from evalkit.report._build.custom import custom_table
from evalkit.report._build.where import WhereError

ROOT = Path(__file__).resolve().parents[2]
UDG = ROOT / "data" / "samples" / "udgaaende"


@lru_cache(maxsize=1)
def _export():
    return evalkit.read_export(UDG)


@lru_cache(maxsize=1)
def _report():
    return evalkit.report(_export())


def test_crosstab_reproduces_the_enrolment_table_and_its_test() -> None:
    enrolment = _report().table("enrolment")
    custom = custom_table(_export(), rows="skoletype", cols="koen").tables[0]
    for school in ("erhvervsskole", "produktionsskole", "total"):
        for sex in ("kvinde", "mand", "total"):
            assert custom.cell(school, sex).value == enrolment.cell(school, sex).value
        for sex in ("kvinde", "mand"):
            if school != "total":
                assert custom.cell(school, f"{sex}_pct").value == pytest.approx(
                    enrolment.cell(school, f"{sex}_pct").value
                )
    assert custom.tests[0].p_value == pytest.approx(enrolment.tests[0].p_value, rel=1e-12)


def test_means_table_reproduces_the_age_table() -> None:
    age = _report().table("age")
    custom = custom_table(_export(), rows="alder", cols="skoletype", stats="n,mean,sd,ci").tables[0]
    for school in ("erhvervsskole", "produktionsskole", "total"):
        assert custom.cell(school, "n").value == age.cell(school, "n").value
        assert custom.cell(school, "mean").value == pytest.approx(age.cell(school, "gennemsnit").value)
    values = _export()["deltagere"]["alder"].to_numpy(dtype="float64")
    # the t interval of R's t.test(x)$conf.int, computed independently
    from scipy import stats
    m, s, n = values.mean(), values.std(ddof=1), values.size
    half = stats.t.ppf(0.975, n - 1) * s / np.sqrt(n)
    assert custom.cell("total", "ci_low").value == pytest.approx(round(m - half, 1))   # published at 1 decimal
    assert custom.tests[0].method.startswith("Mann-Whitney")


def test_small_counts_are_suppressed_in_custom_tables() -> None:
    custom = custom_table(_export(), rows="kommune", cols="skoletype").tables[0]
    for row in custom.rows:
        for cell in row.cells.values():
            if cell.kind == "count" and not cell.suppressed:
                assert cell.value == 0 or cell.value >= 5


def test_unknown_variables_and_statistics_are_usage_errors() -> None:
    with pytest.raises(WhereError, match="did you mean 'skoletype'"):
        custom_table(_export(), rows="skoletyp")
    with pytest.raises(WhereError, match="does not apply"):
        custom_table(_export(), rows="skoletype", stats="mean")


def test_notebook_form_returns_a_dataframe() -> None:
    frame = evalkit.table(_export(), rows="skoletype", cols="koen")["custom"]
    assert frame.shape[0] == 3 and frame.iloc[0, 0] == 37


def test_cli_one_line_command() -> None:
    out = subprocess.run([sys.executable, "-m", "evalkit", "table", str(UDG), "--rows", "skoletype", "--cols", "koen",
                          "--format", "json"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    assert '"value": 37' in out.stdout
    bad = subprocess.run([sys.executable, "-m", "evalkit", "table", str(UDG), "--rows", "kommun"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert bad.returncode == 2 and "did you mean 'kommune'" in bad.stderr
