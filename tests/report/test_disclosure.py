"""Disclosure control: no suppressed count can be recomputed by subtraction along a row or column."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.report.disclosure import DisclosureSettings, apply
from evalkit.report.model import Cell, Column, T, Table


def _table(counts: np.ndarray, with_margins: bool = True, tid: str = "t", links: dict | None = None) -> Table:
    r, c = counts.shape
    cols = [Column(f"c{j}", T(f"c{j}")) for j in range(c)]
    if with_margins:
        cols.append(Column("total", T("I alt"), is_total=True))
    table = Table(id=tid, source="test", title=T("t"), columns=cols, additive=True)
    for i in range(r):
        cells = {f"c{j}": Cell(int(counts[i, j]), "count", link=(links or {}).get((i, j))) for j in range(c)}
        cells[f"c0_pct"] = None  # placeholder removed below
        del cells["c0_pct"]
        if with_margins:
            cells["total"] = Cell(int(counts[i].sum()), "count")
        table.add_row(f"r{i}", T(f"r{i}"), cells)
    if with_margins:
        cells = {f"c{j}": Cell(int(counts[:, j].sum()), "count") for j in range(c)}
        cells["total"] = Cell(int(counts.sum()), "count")
        table.add_row("total", T("I alt"), cells, is_total=True)
    return table


def _grid(table: Table) -> tuple[np.ndarray, np.ndarray]:
    keys = [c.key for c in table.columns]
    values = np.array([[r.cells[k].value for k in keys] for r in table.rows], dtype=float)
    hidden = np.array([[r.cells[k].suppressed for k in keys] for r in table.rows], dtype=bool)
    return values, hidden


def recoverable_by_subtraction(values: np.ndarray, hidden: np.ndarray) -> list[tuple[int, int]]:
    """Cells an attacker recovers from one row or column: the only hidden member of that line.

    The attacker knows every line sums to its total (last row/column), printed or not.
    """
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


counts_strategy = st.integers(2, 5).flatmap(lambda r: st.integers(2, 5).flatmap(
    lambda c: st.lists(st.lists(st.integers(0, 30), min_size=c, max_size=c), min_size=r, max_size=r)))


@settings(max_examples=300, deadline=None)
@given(counts=counts_strategy, min_cell=st.sampled_from([3, 5, 10]))
def test_no_suppressed_cell_recoverable(counts, min_cell):
    arr = np.array(counts)
    table = _table(arr)
    apply([table], DisclosureSettings(min_cell=min_cell))
    values, hidden = _grid(table)
    small = (values > 0) & (values < min_cell)
    assert hidden[small].all(), "a small count is shown"
    assert recoverable_by_subtraction(values, hidden) == []


@settings(max_examples=150, deadline=None)
@given(counts=counts_strategy)
def test_unprinted_margins_are_still_protected(counts):
    arr = np.array(counts)
    table = _table(arr, with_margins=False)
    apply([table], DisclosureSettings(min_cell=5))
    values, hidden = _grid(table)
    # The attacker may know the totals from elsewhere: add them and check again.
    full_values = np.vstack([np.column_stack([values, values.sum(1)]), np.append(values.sum(0), values.sum())])
    full_hidden = np.zeros_like(full_values, dtype=bool)
    full_hidden[:-1, :-1] = hidden
    assert recoverable_by_subtraction(full_values, full_hidden) == []


@settings(max_examples=100, deadline=None)
@given(a=counts_strategy, b=counts_strategy)
def test_linked_counts_are_suppressed_in_both_tables(a, b):
    a, b = np.array(a), np.array(b)
    b[0, 0] = a[0, 0]  # the same count shown in two tables
    t1 = _table(a, tid="t1", links={(0, 0): "shared"})
    t2 = _table(b, tid="t2", links={(0, 0): "shared"})
    apply([t1, t2], DisclosureSettings(min_cell=5))
    assert t1.cell("r0", "c0").suppressed == t2.cell("r0", "c0").suppressed
    for t in (t1, t2):
        assert recoverable_by_subtraction(*_grid(t)) == []


def test_percentages_of_suppressed_counts_are_suppressed():
    table = Table(id="p", source="test", title=T("p"), additive=True,
                  columns=[Column("n", T("n")), Column("pct", T("%"))])
    table.add_row("a", T("a"), {"n": Cell(3, "count"), "pct": Cell(30.0, "percent", n=10, count_of="a|n")})
    table.add_row("b", T("b"), {"n": Cell(7, "count"), "pct": Cell(70.0, "percent", n=10, count_of="b|n")})
    counts = apply([table], DisclosureSettings(min_cell=5))
    assert table.cell("a", "pct").suppressed and table.cell("b", "pct").suppressed
    assert counts["primary"] == 1 and counts["complementary"] == 1 and counts["derived"] == 2


def test_means_over_few_persons_and_zero_counts():
    table = Table(id="m", source="test", title=T("m"), columns=[Column("mean", T("m")), Column("n", T("n"))])
    table.add_row("a", T("a"), {"mean": Cell(4.2, "mean", n=4), "n": Cell(0, "count")})
    table.add_row("b", T("b"), {"mean": Cell(4.2, "mean", n=40), "n": Cell(40, "count")})
    apply([table], DisclosureSettings(min_cell=5))
    assert table.cell("a", "mean").suppressed and not table.cell("b", "mean").suppressed
    assert not table.cell("a", "n").suppressed  # zero is shown by default
    table2 = Table(id="z", source="test", title=T("z"), columns=[Column("n", T("n"))])
    table2.add_row("a", T("a"), {"n": Cell(0, "count")})
    apply([table2], DisclosureSettings(min_cell=5, suppress_zero=True))
    assert table2.cell("a", "n").suppressed


def test_disabled():
    table = _table(np.array([[1, 2], [3, 4]]))
    assert apply([table], DisclosureSettings(enabled=False)) == {"primary": 0, "complementary": 0, "derived": 0,
                                                                   "linked": 0}
    assert not any(c.suppressed for r in table.rows for c in r.cells.values())


@settings(max_examples=200, deadline=None)
@given(kept=st.integers(0, 60), excluded=st.lists(st.integers(0, 12), max_size=4))
def test_ledger_counts_protected(kept, excluded):
    from evalkit.report.disclosure import protect_ledger

    entry = {"read": kept + sum(excluded), "kept": kept, "excluded": {f"r{i}": n for i, n in enumerate(excluded)}}
    out = protect_ledger({"export": {"t": entry}}, DisclosureSettings(min_cell=5))["export"]["t"]
    shown = [out["read"], out["kept"]] + list(out["excluded"].values())
    original = [entry["read"], kept] + excluded
    for o, s in zip(original, shown):
        if 0 < o < 5:
            assert s is None
    # read = kept + sum(excluded): never exactly one unknown in that line
    assert sum(1 for s in shown if s is None) != 1
