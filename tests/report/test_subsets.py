"""Subsets and split reports: a filtered report is exactly the report of an export holding only the
kept rows (costs included), and split reports add up to the whole."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

import evalkit
from evalkit.io.writers import write_export
from evalkit.report._build.split import split_report
from evalkit.report._build.where import WhereError
from evalkit.report.render.json import report_dict
from evalkit.report.spec import ReportOptions, build_report, get_spec

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"

# (sample, report, kommune, how every table keeps its rows for that kommune)
CASES = {
    "udgaaende": ("udgaaende", "Odense"),
    "hcs": ("hcs", None),
    "ung-rusmidler": ("ung-rusmidler", None),
}


@cache
def _export(sample: str):
    return evalkit.read_export(SAMPLES / sample)


def _by_hand(export, kommune: str) -> dict[str, pd.DataFrame]:
    """The export's tables holding only the rows of one kommune, selected independently of evalkit:
    the unit table by its kommune column, linked tables through their keys, costs by kommune."""
    spec = export.spec
    population = get_spec(evalkit.report.spec.report_for_dataset(export.dataset)).population
    unit = export[population.unit]
    kept = {population.unit: unit[unit["kommune"] == kommune]}
    for t in spec.tables:
        if t.name in kept or t.name not in export.tables:
            continue
        frame = export[t.name]
        mask = pd.Series(True, index=frame.index)
        linked = False
        for fk in t.foreign_keys:
            parent = fk.references
            if parent in kept:
                key = spec.table(parent).primary_key[0]
                mask &= frame[fk.columns[0]].isin(set(kept[parent][key]))
                linked = True
        if not linked and "kommune" in frame.columns:
            mask &= frame["kommune"] == kommune
        elif not linked and t.name in population.shared_column:
            col = population.shared_column[t.name]
            mask &= frame[col].isin(set(kept[population.unit][col]))
        kept[t.name] = frame[mask.to_numpy()]
    return {name: kept[name].reset_index(drop=True) for name in export.tables}


def _numbers(rep) -> list:
    out = []
    for t in report_dict(rep)["tables"]:
        for r in t["rows"]:
            for key, c in r["cells"].items():
                out.append((t["id"], r["key"], key, c["value"], c["n"], c["suppressed"]))
        for x in t["tests"]:
            out.append((t["id"], x["row"], x["n"], x["statistic"], x["p_value"], x["estimate"], x["suppressed"]))
    return out


@pytest.mark.parametrize("sample", ["udgaaende", "hcs", "ung-rusmidler"])
def test_where_equals_the_report_of_an_export_holding_only_those_rows(sample: str, tmp_path: Path) -> None:
    name = CASES[sample][0]
    export = _export(sample)
    if get_spec(name).population is None:
        pytest.skip(f"report {name} declares no population")
    unit = export[get_spec(name).population.unit]
    kommune = CASES[sample][1] or unit["kommune"].value_counts().index[0]
    write_export(_by_hand(export, kommune), tmp_path / "only", "parquet")
    only = evalkit.read_export(tmp_path / "only")
    # Computation: every number, with disclosure off, is the same.
    filtered = build_report(export, name, ReportOptions(where=(f'kommune == "{kommune}"',), disclosure=False))
    alone = build_report(only, name, ReportOptions(disclosure=False))
    assert [t.id for t in filtered.tables] == [t.id for t in alone.tables]
    assert _numbers(filtered) == _numbers(alone)
    # Publication: a number both versions print is the same number (the filtered report's ledger also
    # publishes the rows the filter removed, so disclosure control may hide a few more cells there).
    filtered = build_report(export, name, ReportOptions(where=(f'kommune == "{kommune}"',)))
    alone = build_report(only, name, ReportOptions())
    shown = {k[:3]: k[3:] for k in _numbers(filtered) if len(k) == 6 and not k[5]}
    for k in _numbers(alone):
        if len(k) == 6 and not k[5] and k[:3] in shown:
            assert shown[k[:3]] == k[3:], k
    ledger = filtered.ledger["export"][get_spec(name).population.unit]
    assert any(reason.startswith("filter:") for reason in ledger["excluded"])
    assert filtered.settings["where"] == [f'kommune == "{kommune}"']


def test_costs_follow_a_kommune_filter_and_are_left_out_for_school_type() -> None:
    export = _export("udgaaende")
    odense = build_report(export, "udgaaende", ReportOptions(where=('kommune == "Odense"',)))
    costs = odense.table("costs")
    students = int((export["deltagere"]["kommune"] == "Odense").sum())
    budget = float(export["omkostninger"].loc[export["omkostninger"]["kommune"] == "Odense", "beloeb_kr"].sum())
    assert costs.cell("antal", "pr_elev").value == students
    assert costs.cell("gennemsnit", "pr_elev").value == round(budget / students, -2)   # printed to hundreds
    schools = build_report(export, "udgaaende", ReportOptions(where=("skoletype == produktionsskole",)))
    assert "costs" not in [t.id for t in schools.tables]
    assert any("omkostninger" in n.da and "skoletype" in n.da for n in schools.notes)


@pytest.mark.parametrize("expr, message", [
    ("kommun == Odense", "did you mean 'kommune'"),
    ("kommune == Odnese", "did you mean 'Odense'"),
])
def test_filters_naming_unknown_columns_or_values_suggest_the_nearest(expr: str, message: str) -> None:
    with pytest.raises(WhereError, match=message):
        build_report(_export("udgaaende"), "udgaaende", ReportOptions(where=(expr,)))


ADDITIVE = {"udgaaende": [("enrolment", ("kvinde", "mand", "total")), ("completion", ("gennemfoert", "frafaldet",
                                                                                       "total"))]}


def test_split_reports_add_up_to_the_whole() -> None:
    export = _export("udgaaende")
    # disclosure off: this checks the computation (the published split reports are checked for small counts
    # in test_split_reports_print_no_small_count)
    whole = build_report(export, "udgaaende", ReportOptions(disclosure=False))
    split = split_report(export, "udgaaende", ReportOptions(disclosure=False), by="kommune")
    assert not split.left_out
    assert set(split.reports) == set(export["deltagere"]["kommune"].unique())
    checked = 0
    for table_id, columns in ADDITIVE["udgaaende"]:
        for row in whole.table(table_id).rows:
            for col in columns:
                parts = [rep.table(table_id).cell(row.key, col) for rep in split.reports.values()]
                if row.cells[col].suppressed or any(p.suppressed for p in parts):
                    continue
                assert sum(p.value for p in parts) == row.cells[col].value, (table_id, row.key, col)
                checked += 1
    assert checked >= 6
    units = split.comparison.tables[0].row("units")
    assert sum(c.value for c in units.cells.values() if not c.suppressed) == len(export["deltagere"])


@pytest.mark.parametrize("sample, by", [("udgaaende", "kommune"), ("hcs", "kommune"), ("ung-rusmidler", "kommune")])
def test_split_reports_print_no_small_count(sample: str, by: str) -> None:
    """Every report written by a split (each level and the comparison) prints no count of 1-4 persons and
    no mean or share over 1-4 persons."""
    export = _export(sample)
    name = CASES[sample][0]
    split = split_report(export, name, ReportOptions(), by=by)
    assert split.reports
    for rep in [*split.reports.values(), split.comparison]:
        for t in rep.tables:
            for r in t.rows:
                for key, c in r.cells.items():
                    if c.suppressed:
                        continue
                    if c.kind == "count" and isinstance(c.value, (int, float)):
                        assert not 0 < c.value < 5, (rep.name, t.id, r.key, key, c.value)
                    if c.n is not None:
                        assert not 0 < c.n < 5, (rep.name, t.id, r.key, key, c.n)


def test_levels_below_the_threshold_get_no_report_of_their_own() -> None:
    export = _export("udgaaende")
    split = split_report(export, "udgaaende", ReportOptions(min_cell=25), by="kommune")
    assert split.left_out == {"Silkeborg": 22}
    assert "Silkeborg" not in split.reports
    assert any("Silkeborg" in n.da for n in split.comparison.tables[0].notes)


def test_by_combines_with_where_and_any_output_format(tmp_path: Path) -> None:
    """The command line: --by with --where writes one file per level plus the comparison, in the format of --out.

    In-process, through the console script's code path."""
    from typer.testing import CliRunner

    from evalkit.cli import app

    out = tmp_path / "r.json"
    run = CliRunner().invoke(app, ["report", str(SAMPLES / "udgaaende"), "--where", "skoletype == produktionsskole",
                                   "--by", "kommune", "--out", str(out), "--quiet"])
    assert run.exit_code == 0, (run.output[-2000:], run.exception)
    written = sorted(p.name for p in tmp_path.glob("r-*.json"))
    assert "r-sammenligning.json" in written and "r-odense.json" in written
    doc = json.loads((tmp_path / "r-odense.json").read_text(encoding="utf-8"))
    assert doc["settings"]["where"] == ["skoletype == produktionsskole", 'kommune == "Odense"']
    assert "costs" not in [t["id"] for t in doc["tables"]]      # a school-type filter: costs cannot follow
    xlsx = CliRunner().invoke(app, ["report", str(SAMPLES / "udgaaende"), "--period", "year",
                                    "--out", str(tmp_path / "y.xlsx"), "--quiet"])
    assert xlsx.exit_code == 0, (xlsx.output[-2000:], xlsx.exception)
    assert (tmp_path / "y-sammenligning.xlsx").exists() and len(list(tmp_path.glob("y-*.xlsx"))) >= 3
