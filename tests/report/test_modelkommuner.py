"""Report ``modelkommuner`` (NIRAS: Evaluering af modelkommuneprojekt Unge, alkohol og stoffer, seed 003).

Every format and both languages; disclosure control on institution counts (no small count shown, no
suppressed count recoverable along any declared line, no share or test over a hidden count); the
tests against an independent computation; text that cites the publication, never a file or an id.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from typer.testing import CliRunner

import evalkit
from evalkit.cli import app
from evalkit.io.writers import write_export
from evalkit.report.spec import ReportOptions, build_report
from evalkit.synth import generate
from evalkit.verify import check, load_catalogue, summary

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "modelkommuner"
FORMATS = {"markdown": "r.md", "json": "r.json", "html": "r.html", "xlsx": "r.xlsx", "csv": "csv", "terminal": None}


@pytest.fixture(scope="module")
def export():
    return evalkit.read_export(SAMPLE)


@pytest.fixture(scope="module")
def open_report(export):
    return build_report(export, options=ReportOptions(disclosure=False))


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_and_language(tmp_path, fmt, lang):
    args = ["report", str(SAMPLE), "--format", fmt, "--lang", lang, "--quiet"]
    if FORMATS[fmt]:
        args += ["--out", str(tmp_path / FORMATS[fmt])]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, (result.output[-1500:], result.exception)
    if fmt == "json":
        payload = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
        assert len(payload["tables"]) == 20
    if fmt == "csv":
        assert (tmp_path / "csv" / "counselling_location.csv").exists()


def test_verify_passes_every_reproducible_figure(export, open_report):
    cat = load_catalogue("003")
    results = check(open_report, cat)
    counts = summary(results)
    assert counts["fail"] == 0 and counts["pass"] >= 60 and counts["total"] == len(cat.figures)
    deviations = [r for r in results if r.status == "known-deviation"]
    assert {r.id for r in deviations} >= {"S003-04-SUM", "S003-06-00", "S003-06-11/quantifier",
                                          "S003-08-11/municipality_base44"}
    # every known deviation records the value evalkit computes on the sample, and it still holds
    figures = {f.id: f for f in cat.figures}
    import yaml
    raw = {f["id"]: f for f in yaml.safe_load((Path(evalkit.__file__).parent / "verify" / "catalogues" /
                                               "003.yaml").read_text(encoding="utf-8"))["figures"]}
    for r in deviations:
        assert figures[r.id].reason and raw[r.id]["expected"]["value"] == pytest.approx(r.computed, rel=1e-9), r.id
    assert any(f"{len(cat.figures)} " in n.en for n in open_report.notes)


def test_crosstab_tests_against_scipy_and_brute_force(export, open_report):
    r = export["mk_institutioner"]
    r = r[r["responded"].astype(bool)]
    table = open_report.table("plan_by_training")
    counts = [[table.cell(k, c).value for c in ("yes", "no")] for k in ("yes", "no")]
    fisher = stats.fisher_exact(counts)
    test = table.tests[0]
    assert test.method == "Fisher's exact test" and test.p_value == pytest.approx(fisher.pvalue)
    students = open_report.table("students_by_policy")
    perm = students.tests[1]
    # exact permutation over the 6 projects, by hand: each project's share of students involved
    projects = evalkit.read_export(SAMPLE)["mk_projekter"]
    approach = dict(zip(projects["project"].astype(object), projects["politik"].astype(object), strict=True))
    shares = {p: float(g["involved_elever"].astype(float).mean())
              for p, g in r.groupby(r["project"].astype(object))}
    names = sorted(shares)
    individual = {p for p in names if approach[p] != "faelles"}
    def diff(grp):
        return np.mean([shares[p] for p in grp]) - np.mean([shares[p] for p in names if p not in grp])
    observed = diff(individual)
    all_diffs = [abs(diff(set(c))) for c in itertools.combinations(names, len(individual))]
    assert perm.n == 6 and perm.statistic == pytest.approx(observed)
    assert perm.p_value == pytest.approx(np.mean([d >= abs(observed) - 1e-12 for d in all_diffs]))
    assert perm.p_value >= 0.1


def _lines(table):
    """Every declared additive line of count cells (as the disclosure rules define them)."""
    count_cols = [c.key for c in table.columns if any(
        r.cells.get(c.key) is not None and r.cells[c.key].kind == "count" for r in table.rows)]
    groups = [tuple(count_cols)] if table.row_lines is None else list(table.row_lines)
    lines = [[r.cells[k] for k in g if k in r.cells and r.cells[k].kind == "count"] for r in table.rows for g in groups]
    lines += [[r.cells[k] for r in table.rows if k in r.cells and r.cells[k].kind == "count"] for k in count_cols]
    return [ln for ln in lines if len(ln) > 1]


def _sources(table, ref):
    out = []
    for key in (ref or "").split("+"):
        row, _, col = key.partition("|")
        try:
            out.append(table.cell(row, col))
        except KeyError:
            pass
    return out


def _assert_protected(report, min_cell):
    for table in report.tables:
        if not table.additive:
            continue
        for row in table.rows:
            for cell in row.cells.values():
                if cell.kind == "count" and not cell.suppressed and cell.value is not None:
                    assert not (0 < cell.value < min_cell), (table.id, row.key, cell.value)
                if cell.count_of and any(s.suppressed for s in _sources(table, cell.count_of)):
                    assert cell.suppressed, (table.id, row.key)
        for line in _lines(table):
            assert sum(c.suppressed for c in line) != 1, (table.id, [c.value for c in line])
        for test in table.tests:
            if any(s.suppressed for s in _sources(table, test.count_of)):
                assert test.suppressed, table.id


@pytest.mark.parametrize("min_cell", [3, 5, 10])
def test_disclosure_on_the_sample(export, min_cell):
    report = build_report(export, options=ReportOptions(min_cell=min_cell))
    _assert_protected(report, min_cell)
    assert report.disclosure["suppressed_cells"] > 0
    # counts of projects are numbers, never suppressed (the projects are named in the publication)
    assert not any(c.suppressed for r in report.table("project_partitions").rows for c in r.cells.values())


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), min_cell=st.integers(2, 8))
def test_disclosure_property_on_other_samples(tmp_path_factory, seed, min_cell):
    folder = tmp_path_factory.mktemp("mk")
    write_export(generate("modelkommuner", seed=seed), folder, "parquet")
    report = build_report(evalkit.read_export(folder), options=ReportOptions(min_cell=min_cell))
    _assert_protected(report, min_cell)


def test_text_cites_the_publication_and_nothing_internal(open_report):
    from evalkit.report.sources import citation_text

    for lang in ("da", "en"):
        texts = [n(lang) for n in open_report.notes] + [n(lang) for t in open_report.tables for n in t.notes]
        texts += [t.title(lang) for t in open_report.tables]
        texts += [citation_text(t.citation, lang) for t in open_report.tables]
        blob = "\n".join(texts)
        for bad in (r"seed ?00\d", r"S003-", r"\bL\d{3,4}\b", r"\.ya?ml", r"spec ", r"--\w"):
            assert not re.search(bad, blob, flags=re.IGNORECASE), (lang, bad)
        for t in open_report.tables:
            assert citation_text(t.citation, lang).count("NIRAS") == 1, t.id


def test_ledger_accounts_for_every_institution(open_report):
    stage = open_report.ledger["report"]["modelkommuner: survey respondents"]
    assert stage["read"] == stage["kept"] + sum(stage["excluded"].values()) == 52
    # reasons are codes printed through the report's text file, in the report's language (Danish here)
    assert stage["excluded"] == {"trådt ud af projektet": 7, "besvarede ikke spørgeskemaet": 1}
    assert stage["label"] == "Institutioner, der besvarede spørgeskemaet"


def test_paired_mcnemar_against_the_binomial(export, open_report):
    r = export["mk_institutioner"]
    r = r[r["responded"].astype(bool)]
    first = r["training_opspore"].astype(object).isin(["over_halvdelen", "alle"]).to_numpy()
    second = r["training_stoette"].astype(object).isin(["over_halvdelen", "alle"]).to_numpy()
    b, c = int((first & ~second).sum()), int((~first & second).sum())
    test = open_report.table("training").tests[0]
    assert test.method.startswith("McNemar") and test.n == 44
    assert test.p_value == pytest.approx(stats.binomtest(c, b + c, 0.5).pvalue)
    assert test.estimate == pytest.approx((c - b) / 44)


@pytest.mark.parametrize("where,projects,status", [('project == "skive"', 1, "too_small"),
                                                   ('municipality == "odense" or municipality == "skive"', 2, "ok"),
                                                   ("responded == nej", 5, "too_small")])
def test_filtered_reports_follow_the_projects(export, where, projects, status):
    # the project rows follow the kept institutions; with one policy group (or no respondent) the
    # permutation test over projects says so instead of giving a p-value
    report = build_report(export, options=ReportOptions(where=(where,), disclosure=False))
    part = report.table("project_partitions")
    assert {c.value for r in part.rows for k, c in r.cells.items() if k == "of"} == {projects}
    assert report.table("students_by_policy").tests[1].status == status
