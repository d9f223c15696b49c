"""The report cells the figure catalogues need, computed independently from the sample exports with pandas and
added to the built reports, turn every pending figure into a pass or its recorded known deviation.

This checks the proposed keys and definitions before the report has the cells: when the lead adds them
as described, verify goes from pending to checked without a catalogue change (other than dropping
``cell: pending``).
"""

from __future__ import annotations

import pandas as pd
import pytest

import evalkit
from evalkit.report.model import Cell, Column, Report, T, Table
from evalkit.verify import check, load_catalogue

from .conftest import SAMPLES


def _put(report: Report, table_id: str, row: str, column: str, value: float) -> None:
    """Set one cell, creating the table, row or column when the report lacks it."""
    try:
        table = report.table(table_id)
    except KeyError:
        table = Table(id=table_id, source="test", title=T(table_id), columns=[])
        report.tables.append(table)
    if column not in {c.key for c in table.columns}:
        table.columns.append(Column(column, T(column)))
    try:
        table.row(row).cells[column] = Cell(value)
    except KeyError:
        table.add_row(row, T(row), {column: Cell(value)})


def _cells_004() -> dict[tuple[str, str, str], float]:
    x = pd.read_excel(SAMPLES / "ung-rusmidler" / "export.xlsx", sheet_name=None)
    ep, um, tem = x["logbog_episodes"], x["ungmap_intake"], x["tem_registrations"]
    treat = ep["enrolment_type"] == "Indskrevet i behandling"
    ordered = ep.sort_values(["person_key", "start_date"])
    per_person = ordered.groupby("person_key")["enrolment_type"].agg(list)
    repeat = per_person[per_person.map(len) > 1]
    to_treatment = repeat.map(lambda kinds: kinds[0] != "Indskrevet i behandling"
                              and "Indskrevet i behandling" in kinds[1:])
    again = repeat.map(lambda kinds: kinds.count("Indskrevet i behandling") >= 2)
    um_k = um.merge(ep[["episode_id", "kommune"]], on="episode_id")
    opioid_share = um_k.groupby("kommune")["days_opioider_30"].apply(lambda d: (d > 0).mean() * 100)
    main = tem[tem["group_course"] == "nej"]
    group = tem[tem["group_course"] == "ja"].merge(ep[["episode_id", "kommune"]], on="episode_id")
    opioid_eps = set(um.loc[um["days_opioider_30"] > 0, "episode_id"])
    discharged = treat & ep["discharge_date"].notna()
    forms = main[main["episode_id"].isin(set(ep.loc[treat, "episode_id"]))].groupby("episode_id").size()
    return {
        ("forloeb_type", "raadgivning_i_alt", "total"): float((~treat).sum()),
        ("gengangere", "i_alt", "antal"): float(len(repeat)),
        ("gengangere", "raadgivning_til_behandling", "antal"): float(to_treatment.sum()),
        ("gengangere", "genindskrevet_i_behandling", "antal"): float(again.sum()),
        ("alder_koen", "under_18", "behandling"): float((treat & (ep["age_at_start"] < 18)).sum()),
        ("alder_koen", "over_18_pct", "behandling"): (treat & (ep["age_at_start"] >= 18)).sum() / treat.sum() * 100,
        ("alder_koen", "under_18_pct", "alle"): (ep["age_at_start"] < 18).mean() * 100,
        ("ungmap_daekning", "svarprocent", "behandling"): len(um) / treat.sum() * 100,
        ("ungmap_daekning", "under_15", "behandling"): float((um["age_at_ungmap"] < 15).sum()),
        ("ungeprofil", "ikke_lav", "pct"): (um["ungeprofil"] != "LAV").mean() * 100,
        ("opioider_kommune", "hoejeste", "pct"): float(opioid_share.max()),
        ("gruppeforloeb", "kommuner", "antal"): float(group["kommune"].nunique()),
        ("tem_antal_opioid", "antal_unge", "tem_1"): float(main["episode_id"].isin(opioid_eps).groupby(
            main["episode_id"]).any().sum()),
        ("udskrivning", "uafsluttet", "behandling"): float((treat & ep["discharge_date"].isna()).sum()),
        ("ydelser", "gruppeforloeb", "behandling_antal"): float((discharged & (ep["svc_gruppeforloeb"] == "ja")).sum()),
        ("tem_antal_behandling", "skemaer_pr_forloeb", "max"): float(forms.max()),
    }


@pytest.mark.parametrize("name", ["004", "000"])
def test_needed_cells_settle_every_pending_figure(name):
    cat = load_catalogue(name)
    if name == "004":
        report = evalkit.report(str(SAMPLES / "ung-rusmidler" / "export.xlsx"), disclosure=False)
        cells = _cells_004()
    else:
        report = evalkit.report(str(SAMPLES / "udgaaende"), disclosure=False)
        d = pd.read_csv(SAMPLES / "udgaaende" / "registreringer.csv", sep=";", encoding="cp1252", dtype=str)
        cells = {("progression", "flere_stoffer", "n_ikke_brugere"): _non_users_000(d)}
    pending = {(f.table, f.row, f.column): f.id for f in cat.figures if f.pending}
    assert set(pending) <= set(cells)
    # A cell the report has gained (its catalogue entry no longer pending) equals the independent value.
    for key in set(cells) - set(pending):
        table, row, column = key
        assert report.table(table).cell(row, column).value == pytest.approx(cells[key], abs=1e-9), key
    before = {r.id: r.status for r in check(report, cat)}
    assert {before[i] for i in pending.values()} <= {"pending"}
    for key in pending:
        _put(report, *key, cells[key])
    after = {r.id: r for r in check(report, cat)}
    for key, fid in pending.items():
        figure = next(f for f in cat.figures if f.id == fid)
        want = "known-deviation" if figure.status == "known-deviation" else "pass"
        assert after[fid].status == want, (fid, cells[key], after[fid].reason)
        assert "drop 'cell: pending'" in after[fid].reason


def _non_users_000(d: pd.DataFrame) -> float:
    """Completers with 0 days of more than one drug at every registration (000, footnote to the progression table)."""
    people = pd.read_csv(SAMPLES / "udgaaende" / "deltagere.csv", sep=";", encoding="cp1252", dtype=str)
    done = set(people.loc[people["status"] == "Gennemført", "person_id"])
    days = pd.to_numeric(d["flere_stoffer_dage_30"], errors="coerce").fillna(0)
    used = d.loc[days > 0, "person_id"]
    return float(len(done - set(used)))
