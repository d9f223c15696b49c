"""Disclosure control: no suppressed count can be pinned below min_cell from every published number.

The attacker here is written independently of ``evalkit.report.disclosure``: it knows the true
relations of the generated report (how the tables were made, not what the library infers) and
solves them exactly as linear programs: every printed count, the ``n`` of every printed mean and
test, printed means times their ``n``, and the row-ledger counts.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from evalkit.report.disclosure import DisclosureSettings, apply, protect_ledger
from evalkit.report.model import Cell, Column, T, Table
from evalkit.report.model import TestRow as TRow


def _table(counts: np.ndarray, with_margins: bool = True, tid: str = "t", links: dict | None = None) -> Table:
    r, c = counts.shape
    cols = [Column(f"c{j}", T(f"c{j}")) for j in range(c)]
    if with_margins:
        cols.append(Column("total", T("I alt"), is_total=True))
    table = Table(id=tid, source="test", title=T("t"), columns=cols, additive=True)
    for i in range(r):
        cells = {f"c{j}": Cell(int(counts[i, j]), "count", link=(links or {}).get((i, j))) for j in range(c)}
        if with_margins:
            cells["total"] = Cell(int(counts[i].sum()), "count", link=(links or {}).get((i, "total")))
        table.add_row(f"r{i}", T(f"r{i}"), cells)
    if with_margins:
        cells = {f"c{j}": Cell(int(counts[:, j].sum()), "count", link=(links or {}).get(("total", j)))
                 for j in range(c)}
        cells["total"] = Cell(int(counts.sum()), "count", link=(links or {}).get(("total", "total")))
        table.add_row("total", T("I alt"), cells, is_total=True)
    return table


def _grid(table: Table) -> tuple[np.ndarray, np.ndarray]:
    keys = [c.key for c in table.columns]
    values = np.array([[r.cells[k].value for k in keys] for r in table.rows], dtype=float)
    hidden = np.array([[r.cells[k].suppressed for k in keys] for r in table.rows], dtype=bool)
    return values, hidden


def recoverable_by_subtraction(values: np.ndarray, hidden: np.ndarray) -> list[tuple[int, int]]:
    """Cells an attacker recovers from one row or column: the only hidden member of that line."""
    found = []
    for i in range(values.shape[0]):
        idx = np.flatnonzero(hidden[i])
        if len(idx) == 1:
            found.append((i, int(idx[0])))
    for j in range(values.shape[1]):
        idx = np.flatnonzero(hidden[:, j])
        if len(idx) == 1:
            found.append((int(idx[0]), j))
    return found


# --- an exact attacker ----------------------------------------------------------------------------

class Attacker:
    """Unknowns are the true interior counts (and ledger reasons); every published number is an
    equation ``a @ x = value`` and ``x >= 0``; ``bounds(f)`` is the LP interval of a linear form ``f``."""

    def __init__(self, n_unknowns: int) -> None:
        self.n = n_unknowns
        self.rows: list[np.ndarray] = []
        self.rhs: list[float] = []

    def knows(self, form: np.ndarray, value: float) -> None:
        self.rows.append(np.asarray(form, dtype=float))
        self.rhs.append(float(value))

    def bounds(self, form: np.ndarray) -> tuple[float, float]:
        a = np.array(self.rows) if self.rows else None
        b = np.array(self.rhs) if self.rows else None
        lo = linprog(form, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        hi = linprog(-form, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        assert lo.status == 0, lo.message
        return lo.fun, (np.inf if hi.status == 3 else -hi.fun)


def assert_protected(att: Attacker, form: np.ndarray, value: float, min_cell: int, what: str) -> None:
    """The documented guarantee: the attacker's interval holds [value - 1, min_cell]."""
    lo, hi = att.bounds(form)
    assert hi >= min_cell - 1e-6, f"{what} = {value} is pinned below {min_cell}: [{lo}, {hi}]"
    assert lo <= value - 1 + 1e-6, f"{what} = {value} is known to be at least {lo}"


def _unit(n: int, *idx: int) -> np.ndarray:
    f = np.zeros(n)
    for i in idx:
        f[i] += 1
    return f


def linked_report(counts: np.ndarray, excluded: list[int], lengths: np.ndarray):
    """A crosstab A (r x c with margins); a table B of per-column counts (linked to A's total row),
    mean length of stay per column (n = that count) and its test; a row ledger whose export entry
    keeps A's grand total and whose report stage keeps A's first column. Returns the tables, the
    ledger; :func:`attack` holds the attacker's view of the true relations."""
    c = counts.shape[1]
    links = {("total", j): f"col{j}" for j in range(c)} | {("total", "total"): "all"}
    a = _table(counts, tid="a", links=links)
    b = Table(id="b", source="test", title=T("b"), additive=True, row_lines=(),
              columns=[Column(f"c{j}", T(f"c{j}")) for j in range(c)] + [Column("total", T("I alt"), is_total=True)])
    col_n = counts.sum(0)
    sums = lengths  # total length of stay per column (integer days)
    b.add_row("antal", T("antal"), {f"c{j}": Cell(int(col_n[j]), "count", link=f"col{j}") for j in range(c)}
              | {"total": Cell(int(col_n.sum()), "count", link="all")})
    b.add_row("gns", T("gns"), {f"c{j}": Cell(sums[j] / col_n[j] if col_n[j] else None, "mean", n=int(col_n[j]))
                                for j in range(c)}
              | {"total": Cell(sums.sum() / col_n.sum() if col_n.sum() else None, "mean", n=int(col_n.sum()))})
    b.tests.append(TRow(row="gns", outcome=T("o"), method="m", n=int(col_n[0]), statistic=1.0, p_value=0.5))
    ledger = {"export": {"f": {"read": int(counts.sum()) + sum(excluded), "kept": int(counts.sum()),
                               "excluded": {f"e{k}": int(v) for k, v in enumerate(excluded)}}},
              "report": {"stage": {"read": int(counts.sum()), "kept": int(col_n[0]),
                                   "excluded": {"other columns": int(counts.sum() - col_n[0])}}}}
    return [a, b], ledger


def attack(tables: list[Table], ledger: dict, counts: np.ndarray, excluded: list[int], min_cell: int) -> None:
    """Every published number of the output as an equation; every hidden small count must stay protected."""
    r, c = counts.shape
    n = r * c + len(excluded)
    cell = np.arange(r * c).reshape(r, c)
    forms: dict[tuple, np.ndarray] = {}
    for i in range(r):
        for j in range(c):
            forms[("a", f"r{i}", f"c{j}")] = _unit(n, cell[i, j])
        forms[("a", f"r{i}", "total")] = _unit(n, *cell[i])
    for j in range(c):
        forms[("a", "total", f"c{j}")] = forms[("b", "antal", f"c{j}")] = _unit(n, *cell[:, j])
    forms[("a", "total", "total")] = forms[("b", "antal", "total")] = _unit(n, *cell.ravel())
    att = Attacker(n)
    a, b = tables
    for t in (a, b):
        for row in t.rows:
            for key, x in row.cells.items():
                if x.suppressed:
                    continue
                if x.kind == "count":
                    att.knows(forms[(t.id, row.key, key)], x.value)
                elif x.n is not None:          # the n of a printed mean is the count of its column
                    att.knows(forms[("b", "antal", key)], x.n)
    for test in b.tests:
        if not test.suppressed:
            att.knows(forms[("b", "antal", "c0")], test.n)
    e = [_unit(n, r * c + k) for k in range(len(excluded))]
    entry = ledger["export"]["f"]
    grand = forms[("a", "total", "total")]
    if entry["read"] is not None:
        att.knows(grand + sum(e, np.zeros(n)), entry["read"])
    if entry["kept"] is not None:
        att.knows(grand, entry["kept"])
    for k, v in enumerate(entry["excluded"].values()):
        if v is not None:
            att.knows(e[k], v)
    stage = ledger["report"]["stage"]
    if stage["read"] is not None:
        att.knows(grand, stage["read"])
    if stage["kept"] is not None:
        att.knows(forms[("b", "antal", "c0")], stage["kept"])
    if stage["excluded"]["other columns"] is not None:
        att.knows(grand - forms[("b", "antal", "c0")], stage["excluded"]["other columns"])
    # Every small true count of the output (table interior, margins and ledger reasons) must be protected.
    truth = {key: float(f @ np.concatenate([counts.ravel(), excluded])) for key, f in forms.items()}
    for key, value in truth.items():
        if 0 < value < min_cell:
            assert_protected(att, forms[key], value, min_cell, f"{key}")
    for k, v in enumerate(excluded):
        if 0 < v < min_cell:
            assert_protected(att, e[k], v, min_cell, f"ledger reason e{k}")


counts_strategy = st.integers(2, 4).flatmap(lambda r: st.integers(2, 4).flatmap(
    lambda c: st.lists(st.lists(st.integers(0, 25), min_size=c, max_size=c), min_size=r, max_size=r)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=counts_strategy, excluded=st.lists(st.integers(0, 9), min_size=1, max_size=3),
       min_cell=st.sampled_from([3, 5]), data=st.data())
def test_exact_attacker_on_linked_tables_means_tests_and_ledger(counts, excluded, min_cell, data):
    arr = np.array(counts)
    lengths = np.array([data.draw(st.integers(int(k), 400 * int(k))) for k in arr.sum(0)], dtype=float)
    tables, ledger = linked_report(arr, excluded, lengths)
    out = apply(tables, DisclosureSettings(min_cell=min_cell), ledger=ledger)
    assert out.unprotected == 0
    attack(out.tables, out.ledger, arr, excluded, min_cell)
    # Means of hidden bases are hidden; printed means carry only their printed precision.
    b = out.tables[1]
    for key, x in b.row("gns").cells.items():
        base = b.cell("antal", key)
        if base.suppressed:
            assert x.suppressed, key
        elif not x.suppressed and x.value is not None:
            assert round(x.value, 1) == x.value
    attack_means(b, arr.sum(0), min_cell)


def attack_means(b: Table, col_n: np.ndarray, min_cell: int) -> None:
    """Means times n: the columns' total stays S_j >= 0 add up to the total's; every printed mean gives
    its S_j to within half a printed unit times n. A hidden group of fewer than min_cell persons
    (at least one day each) must not have its total stay pinned to within a day."""
    c = len(col_n)
    rows, rhs, bounds = [], [], [(0, None)] * c + [(0, None)] * (c + 1)
    # unknowns: S_0..S_{c-1}, then one rounding slack in [0, n] per printed mean (and the total)
    def slack_row(j_slack: int, coef: dict[int, float], value: float) -> None:
        row = np.zeros(2 * c + 1)
        for j, a in coef.items():
            row[j] = a
        row[c + j_slack] = -1.0
        rows.append(row)
        rhs.append(value)

    total = b.cell("gns", "total")
    shown = [j for j in range(c) if not b.cell("gns", f"c{j}").suppressed and col_n[j]]
    if total.suppressed or total.value is None:
        return
    slack_row(c, dict.fromkeys(range(c), 1.0), (total.value - 0.05) * total.n)
    bounds[2 * c] = (0, 0.1 * total.n)
    for j in shown:
        x = b.cell("gns", f"c{j}")
        slack_row(j, {j: 1.0}, (x.value - 0.05) * x.n)
        bounds[c + j] = (0, 0.1 * x.n)
    for j in range(c):
        if j in shown:
            continue
        bounds[c + j] = (0, 0)
        if b.cell("gns", f"c{j}").suppressed and 0 < col_n[j] < min_cell:
            f = np.zeros(2 * c + 1)
            f[j] = 1.0
            lo = linprog(f, A_eq=np.array(rows), b_eq=np.array(rhs), bounds=bounds, method="highs")
            hi = linprog(-f, A_eq=np.array(rows), b_eq=np.array(rhs), bounds=bounds, method="highs")
            assert lo.status == 0, lo.message
            width = np.inf if hi.status == 3 else -hi.fun - lo.fun
            assert width >= 1.0, f"column {j}: {col_n[j]} persons' total stay known to within {width:.2f} days"


@settings(max_examples=60, deadline=None)
@given(counts=st.integers(2, 5).flatmap(lambda r: st.integers(2, 5).flatmap(
    lambda c: st.lists(st.lists(st.integers(0, 30), min_size=c, max_size=c), min_size=r, max_size=r))),
       min_cell=st.sampled_from([3, 5, 10]))
def test_no_suppressed_cell_recoverable(counts, min_cell):
    arr = np.array(counts)
    table = apply([_table(arr)], DisclosureSettings(min_cell=min_cell)).tables[0]
    values, hidden = _grid(table)
    small = (values > 0) & (values < min_cell)
    assert hidden[small].all(), "a small count is shown"
    assert recoverable_by_subtraction(values, hidden) == []


@settings(max_examples=40, deadline=None)
@given(counts=counts_strategy)
def test_unprinted_margins_are_still_protected(counts):
    arr = np.array(counts)
    table = apply([_table(arr, with_margins=False)], DisclosureSettings(min_cell=5)).tables[0]
    values, hidden = _grid(table)
    # The attacker may know the totals from elsewhere: add them and check again.
    full_values = np.vstack([np.column_stack([values, values.sum(1)]), np.append(values.sum(0), values.sum())])
    full_hidden = np.zeros_like(full_values, dtype=bool)
    full_hidden[:-1, :-1] = hidden
    assert recoverable_by_subtraction(full_values, full_hidden) == []


@settings(max_examples=30, deadline=None)
@given(a=counts_strategy, b=counts_strategy)
def test_linked_counts_are_suppressed_in_both_tables(a, b):
    a, b = np.array(a), np.array(b)
    b[0, 0] = a[0, 0]  # the same count shown in two tables
    out = apply([_table(a, tid="t1", links={(0, 0): "shared"}), _table(b, tid="t2", links={(0, 0): "shared"})],
                DisclosureSettings(min_cell=5))
    t1, t2 = out.tables
    assert t1.cell("r0", "c0").suppressed == t2.cell("r0", "c0").suppressed
    for t in (t1, t2):
        assert recoverable_by_subtraction(*_grid(t)) == []


def test_apply_is_pure():
    table = _table(np.array([[1, 7], [8, 9]]))
    before = repr(table)
    ledger = {"export": {"f": {"read": 12, "kept": 10, "excluded": {"a": 2}}}}
    out = apply([table], DisclosureSettings(), ledger=ledger)
    assert repr(table) == before and ledger == {"export": {"f": {"read": 12, "kept": 10, "excluded": {"a": 2}}}}
    assert out.tables[0] is not table and out.tables[0].cell("r0", "c0").suppressed
    assert out.ledger["export"]["f"]["excluded"]["a"] is None


def test_percentages_of_suppressed_counts_are_suppressed():
    table = Table(id="p", source="test", title=T("p"), additive=True,
                  columns=[Column("n", T("n")), Column("pct", T("%"))])
    table.add_row("a", T("a"), {"n": Cell(3, "count"), "pct": Cell(30.0, "percent", n=10, count_of="a|n")})
    table.add_row("b", T("b"), {"n": Cell(7, "count"), "pct": Cell(70.0, "percent", n=10, count_of="b|n")})
    out = apply([table], DisclosureSettings(min_cell=5))
    t = out.tables[0]
    assert t.cell("a", "pct").suppressed and t.cell("b", "pct").suppressed
    assert out.counts["primary"] == 1 and out.counts["complementary"] == 1 and out.counts["derived"] == 2


def test_means_over_few_persons_and_zero_counts():
    table = Table(id="m", source="test", title=T("m"), columns=[Column("mean", T("m")), Column("n", T("n"))])
    table.add_row("a", T("a"), {"mean": Cell(4.2, "mean", n=4), "n": Cell(0, "count")})
    table.add_row("b", T("b"), {"mean": Cell(4.25, "mean", n=40), "n": Cell(40, "count")})
    t = apply([table], DisclosureSettings(min_cell=5)).tables[0]
    assert t.cell("a", "mean").suppressed and not t.cell("b", "mean").suppressed
    assert t.cell("b", "mean").value == 4.3          # published at its printed precision (half up)
    assert not t.cell("a", "n").suppressed  # zero is shown by default
    table2 = Table(id="z", source="test", title=T("z"), columns=[Column("n", T("n"))])
    table2.add_row("a", T("a"), {"n": Cell(0, "count")})
    assert apply([table2], DisclosureSettings(min_cell=5, suppress_zero=True)).tables[0].cell("a", "n").suppressed


def test_disabled():
    table = _table(np.array([[1, 2], [3, 4]]))
    out = apply([table], DisclosureSettings(enabled=False))
    assert not any(out.counts.values())
    assert not any(c.suppressed for r in out.tables[0].rows for c in r.cells.values())


@settings(max_examples=60, deadline=None)
@given(kept=st.integers(0, 60), excluded=st.lists(st.integers(0, 12), max_size=4))
def test_ledger_counts_protected(kept, excluded):
    entry = {"read": kept + sum(excluded), "kept": kept, "excluded": {f"r{i}": n for i, n in enumerate(excluded)}}
    out = protect_ledger({"export": {"t": entry}}, DisclosureSettings(min_cell=5))["export"]["t"]
    shown = [out["read"], out["kept"]] + list(out["excluded"].values())
    original = [entry["read"], kept] + excluded
    for o, s in zip(original, shown, strict=True):
        if 0 < o < 5:
            assert s is None
    # read = kept + sum(excluded): never exactly one unknown in that line
    assert sum(1 for s in shown if s is None) != 1


def test_a_declared_subtotal_is_a_relation_the_attacker_knows():
    """anonymous 3 (hidden) + named 95 = counselling 98: printing the subtotal would give the 3 away."""
    table = Table(id="s", source="test", title=T("s"), additive=True, row_lines=(),
                  columns=[Column("a", T("a")), Column("b", T("b"))])
    table.add_row("anonym", T("anonym"), {"a": Cell(3, "count"), "b": Cell(40, "count")})
    table.add_row("navngivet", T("navngivet"), {"a": Cell(95, "count"), "b": Cell(60, "count")})
    table.add_row("behandling", T("behandling"), {"a": Cell(200, "count"), "b": Cell(300, "count")})
    table.add_row("total", T("I alt"), {"a": Cell(298, "count"), "b": Cell(400, "count")}, is_total=True)
    table.add_row("raadgivning", T("rådgivning i alt"), {"a": Cell(98, "count"), "b": Cell(100, "count")},
                  sum_of=("anonym", "navngivet"))
    out = apply([table], DisclosureSettings(min_cell=5)).tables[0]
    assert out.cell("anonym", "a").suppressed
    subtotal, named = out.cell("raadgivning", "a"), out.cell("navngivet", "a")
    assert subtotal.suppressed or named.suppressed     # else 98 - 95 = 3


def test_a_row_outside_the_sums_is_not_taken_as_part_of_them():
    table = Table(id="o", source="test", title=T("o"), additive=True, row_lines=(),
                  columns=[Column("a", T("a"))])
    table.add_row("k", T("k"), {"a": Cell(40, "count")})
    table.add_row("m", T("m"), {"a": Cell(60, "count")})
    table.add_row("total", T("I alt"), {"a": Cell(100, "count")}, is_total=True)
    table.add_row("under_18", T("under 18"), {"a": Cell(2, "count")}, in_sums=False)
    out = apply([table], DisclosureSettings(min_cell=5)).tables[0]
    assert out.cell("under_18", "a").suppressed
    assert not any(out.cell(k, "a").suppressed for k in ("k", "m", "total"))   # nothing else needs hiding
