"""The disclosure attacks of issue 16, each replayed on a crafted synthetic export.

1. A hidden count comes back from the ``n`` of a visible mean or share (counselling episodes =
   40 - 22 - 15 = 3, where 15 was hidden but printed as a mean's n).
2. A hidden count comes back from a linear system over linked tables (discharges with Risikoprofil
   R3 = 38 - (15+10+7+5) = 1, with the discharges per profile from the n of their mean lengths of stay).
3. A single person's length of stay comes back from unrounded means (261.000 days): means and
   shares are written at their printed precision in every format, and a hidden group's total cannot
   be pinned to a day.
4. The row ledger hides ``cannabis_reduction_eligible`` kept/excluded (25 | x | x) while the
   cannabis_reduction table prints the kept number (23): the hidden 2 follows.

The attacker knows how the tables are made (the relations are taken from the report's design, not
from evalkit's disclosure code) and solves every relation exactly with linear programs.
"""

from __future__ import annotations

import json
import re

import numpy as np
import openpyxl
import pytest
from scipy.optimize import linprog

from evalkit.io import read_export
from evalkit.io.writers import write_export
from evalkit.report.render import render
from evalkit.report.spec import ReportOptions, build_report
from evalkit.synth import generate

MIN_CELL = 5
DISCHARGE_SHARES = {"faerdigbehandlet_pct", "udeblevet_pct", "andet_pct"}   # shares of the discharges ("antal")


def _reports(tmp_path_factory, name: str, persons: int, seed: int | None = None):
    folder = tmp_path_factory.mktemp(f"{name}-{persons}-{seed}")
    write_export(generate(name, persons=persons, seed=seed), folder, "parquet")
    export = read_export(folder)
    return (build_report(export, name, ReportOptions(disclosure=False)),
            build_report(export, name, ReportOptions(min_cell=MIN_CELL)))


@pytest.fixture(scope="module", params=[1, 2])
def ung(request, tmp_path_factory):
    return _reports(tmp_path_factory, "ung-rusmidler", 120, request.param)


@pytest.fixture(scope="module")
def udg(tmp_path_factory):
    return _reports(tmp_path_factory, "udgaaende", 30)


class LP:
    """Unknowns ``x >= 0`` named by key; ``eq`` adds a known linear relation; ``interval`` solves."""

    def __init__(self) -> None:
        self.index: dict[object, int] = {}
        self.rows: list[dict[int, float]] = []
        self.rhs: list[float] = []

    def var(self, key: object) -> int:
        return self.index.setdefault(key, len(self.index))

    def eq(self, terms: dict[object, float], value: float) -> None:
        row: dict[int, float] = {}
        for key, coef in terms.items():
            row[self.var(key)] = row.get(self.var(key), 0.0) + coef
        self.rows.append(row)
        self.rhs.append(float(value))

    def interval(self, key: object) -> tuple[float, float]:
        n = len(self.index)
        a = np.zeros((len(self.rows), n))
        for i, row in enumerate(self.rows):
            for j, c in row.items():
                a[i, j] = c
        c = np.zeros(n)
        c[self.index[key]] = 1.0
        lo = linprog(c, A_eq=a, b_eq=np.array(self.rhs), bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=a, b_eq=np.array(self.rhs), bounds=(0, None), method="highs")
        assert lo.status == 0, lo.message
        return lo.fun, (np.inf if hi.status == 3 else -hi.fun)


def _assert_protected(lp: LP, key: object, value: float) -> None:
    lo, hi = lp.interval(key)
    assert hi >= MIN_CELL - 1e-6 and lo <= value - 1 + 1e-6, f"{key} = {value}: the attacker knows [{lo}, {hi}]"


def _count_keys(rep):
    for t in rep.tables:
        for r in t.rows:
            for k, c in r.cells.items():
                if c is not None and c.kind == "count" and c.value is not None:
                    yield t, r, k, c


def test_a_hidden_count_is_never_printed_as_the_n_of_a_mean_or_share(ung):
    plain, rep = ung
    hidden = 0
    for t, r, key, cell in _count_keys(rep):
        if not cell.suppressed:
            continue
        hidden += 1
        truth = plain.table(t.id).cell(r.key, key).value
        if truth == 0:
            continue
        # Every visible n of the same row or column (the mean over those persons, the share of them) and of the
        # table's tests.
        for r2 in t.rows:
            for k2, c2 in r2.cells.items():
                if c2 is not None and c2.kind != "count" and not c2.suppressed and (r2.key == r.key or k2 == key):
                    assert c2.n != truth, (t.id, r.key, key, "printed as n of", r2.key, k2)
    assert hidden > 0


def _ung_attacker(plain, rep) -> LP:
    """Counts of the report as unknowns with every relation of the ung-rusmidler design."""
    lp = LP()
    for t, r, key, cell in _count_keys(rep):
        x = (t.id, r.key, key)
        lp.var(x)
        if not cell.suppressed:
            lp.eq({x: 1}, cell.value)
        if cell.link:
            lp.eq({x: 1, ("link", cell.link): -1}, 0)
    for t in rep.tables:
        ptab = plain.table(t.id)
        counts = {(r.key, k) for r in t.rows for k, c in r.cells.items() if c is not None and c.kind == "count"
                  and c.value is not None}
        # The n of a printed mean, and of a share of the discharges, is the count in the "antal" row of its column.
        for r in t.rows:
            for k, c in r.cells.items():
                base_is_antal = c is not None and (c.kind in ("mean", "median") or r.key in DISCHARGE_SHARES)
                if base_is_antal and not c.suppressed and c.n and ("antal", k) in counts:
                    lp.eq({(t.id, "antal", k): 1}, c.n)
        if not t.additive:
            continue
        total_cols = {c.key for c in t.columns if c.is_total}
        groups = ([tuple(c.key for c in t.columns)] if t.row_lines is None else list(t.row_lines))
        lines = [[(r.key, k) for k in g if (r.key, k) in counts] for r in t.rows for g in groups]
        # Column sums over the rows inside the sums; a declared subtotal is the sum of its rows.
        lines += [[(r.key, c.key) for r in t.rows if (r.key, c.key) in counts and r.in_sums] for c in t.columns]
        lines += [[(p, c.key) for p in r.sum_of if (p, c.key) in counts] + [(r.key, c.key)]
                  for r in t.rows if r.sum_of for c in t.columns if (r.key, c.key) in counts]
        for line in lines:
            if len(line) < 2:
                continue
            values = [ptab.cell(*m).value for m in line]
            tot = [i for i, (rk, ck) in enumerate(line) if ck in total_cols or t.row(rk).is_total]
            tot = tot or ([len(line) - 1] if t.row_lines else [])
            tot = [i for i in tot if 2 * values[i] == sum(values)] or \
                  [i for i in range(len(line)) if 2 * values[i] == sum(values)]
            if tot:
                lp.eq({(t.id, *m): (1 if i == tot[-1] else -1) for i, m in enumerate(line)}, 0)
            else:   # a total printed elsewhere: the attacker knows the sum
                lp.eq({(t.id, *m): 1 for m in line}, sum(values))
    # Discharges per risk profile add up to the discharges from treatment (validated on the truth).
    profiles = plain.table("udskrivning_risikoprofil").row("antal").cells
    behandling = plain.table("udskrivning").cell("antal", "behandling").value
    if sum(c.value for c in profiles.values() if c.kind == "count") == behandling:
        lp.eq({("udskrivning_risikoprofil", "antal", k): 1 for k, c in profiles.items() if c.kind == "count"}
              | {("udskrivning", "antal", "behandling"): -1}, 0)
    return lp


def test_no_hidden_small_count_follows_from_the_linear_system_of_linked_tables(ung):
    plain, rep = ung
    lp = _ung_attacker(plain, rep)
    checked = 0
    for t, r, key, cell in _count_keys(rep):
        truth = plain.table(t.id).cell(r.key, key).value
        if cell.suppressed and 0 < truth < MIN_CELL and t.additive:
            _assert_protected(lp, (t.id, r.key, key), truth)
            checked += 1
    assert checked > 0


def _decimals(text: str) -> int:
    _, _, frac = text.replace(".", "").partition(",")
    return len(frac)


def test_means_and_shares_are_written_at_printed_precision(ung, tmp_path):
    _, rep = ung
    payload = json.loads(render(rep, "json"))
    numbers = 0
    for t in payload["tables"]:
        for row in t["rows"]:
            for cell in row["cells"].values():
                if isinstance(cell["value"], float) and re.fullmatch(r"-?[\d.]+(,\d+)?", cell["text"]):
                    d = _decimals(cell["text"])
                    assert round(cell["value"], d) == cell["value"], cell
                    numbers += 1
    assert numbers > 100
    render(rep, "xlsx", tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                # p-values keep their value ('[<0.001]"<0,001";0.000', as the JSON): they reveal no count
                if isinstance(c.value, float) and "." in c.number_format and not c.number_format.startswith("["):
                    d = len(c.number_format.split(".")[1])
                    assert round(c.value, d) == c.value, (ws.title, c.coordinate, c.value)


def test_a_hidden_groups_length_of_stay_is_not_recovered(ung):
    """Sum of stays of a hidden risk-profile group from the JSON's means x n, solved by LP; a mean
    carries +-half a unit of its last printed digit only if the file holds it rounded."""
    plain, rep = ung
    groups = [k for k, c in plain.table("udskrivning_risikoprofil").row("antal").cells.items() if c.kind == "count"]
    p_means = plain.table("udskrivning_risikoprofil").row("gns_laengde").cells
    p_total = plain.table("udskrivning").cell("gns_laengde", "behandling")
    if not np.isclose(sum(p_means[k].value * p_means[k].n for k in groups if p_means[k].n),
                      p_total.value * p_total.n):
        pytest.skip("the groups do not partition the treatment discharges in this export")
    payload = {t["id"]: {r["key"]: r["cells"] for r in t["rows"]} for t in json.loads(render(rep, "json"))["tables"]}
    means = payload["udskrivning_risikoprofil"]["gns_laengde"]
    total = payload["udskrivning"]["gns_laengde"]["behandling"]
    assert not total["suppressed"]

    def half(cell) -> float:   # what the file tells: exact digits, or a value rounded to the printed one
        return 0.05 if round(cell["value"], 1) == cell["value"] else 0.0

    lp = LP()
    lp.eq({("S", k): 1 for k in groups} | {"slack_total": 1}, (total["value"] + half(total)) * total["n"])
    lp.eq({"slack_total": 1, "slack_total_hi": 1}, 2 * half(total) * total["n"])
    for k in groups:
        if not means[k]["suppressed"] and means[k]["n"]:
            lp.eq({("S", k): 1, ("slack", k): -1}, (means[k]["value"] - half(means[k])) * means[k]["n"])
            lp.eq({("slack", k): 1, ("slack_hi", k): 1}, 2 * half(means[k]) * means[k]["n"])
    for k in groups:
        n_true = p_means[k].n or 0
        if means[k]["suppressed"] and 0 < n_true < MIN_CELL:
            lo, hi = lp.interval(("S", k))
            assert hi - lo >= 1.0, f"group {k}: total stay of {n_true} known to within {hi - lo:.3f} days"


def test_the_ledger_and_the_tables_do_not_give_away_a_hidden_exclusion(udg):
    plain, rep = udg
    entry = plain.ledger["report"]["cannabis_reduction_eligible"]
    small = {k: v for k, v in entry["excluded"].items() if 0 < v < MIN_CELL}
    assert small, "the crafted export must exclude a few completers from the cannabis table"
    shown = rep.ledger["report"]["cannabis_reduction_eligible"]
    lp = LP()
    lp.eq({"read": 1, "kept": -1} | {("excl", k): -1 for k in entry["excluded"]}, 0)
    for key in ("read", "kept"):
        if shown[key] is not None:
            lp.eq({key: 1}, shown[key])
    for k, v in shown["excluded"].items():
        if v is not None:
            lp.eq({("excl", k): 1}, v)
    # The table prints the kept number as its n; every report stage reads the completers.
    n_cell = rep.table("cannabis_reduction").cell("total", "n")
    if not n_cell.suppressed:
        lp.eq({"kept": 1}, n_cell.value)
    completers = rep.ledger["report"]["completers"]["kept"]
    if completers is not None:
        lp.eq({"read": 1}, completers)
    for stage in rep.ledger["report"].values():
        if stage is not rep.ledger["report"]["completers"] and stage.get("read") is not None:
            lp.eq({"read": 1}, stage["read"])
    for k, v in small.items():
        _assert_protected(lp, ("excl", k), v)
