"""Every published number of a report as one linear protection problem.

*Variables* are counts of persons. Each count cell is one; the same count in several places is one
variable: cells with the same ``link``; the ``n`` of a mean, median, share or test and the count cell
of the same table (same column or same row, or for a test anywhere in its table) that holds exactly
that number (the base an attacker would pair it with); a row-ledger number of at least ``min_cell``
and every table total (total row or column) equal to it; a ledger number that another table count
prints is known. Merging more than the truth only narrows the attacker's feasible
set in our model, so the audit stays conservative.

*Items* are what a format prints: a cell, a test row or a ledger number. An item publishes the
variables it depends on (a count publishes itself; a share its numerator counts and its base ``n``;
a mean or test its ``n``); hiding any of those variables hides the item (the *derived* rule).

*Lines* are the linear relations an attacker knows: in an additive table every row (or row group of
``Table.row_lines``) and every column sums to its total; a line whose total is not printed sums to a
constant the attacker is assumed to know from elsewhere (fixed, when it is at least ``min_cell``);
a ledger entry gives ``read = kept + excluded``.

>>> from evalkit.report.model import Cell, Column, T, Table
>>> t = Table(id="t", source="s", title=T("t"), additive=True, columns=[Column("a", T("a")), Column("b", T("b"))])
>>> _ = t.add_row("r", T("r"), {"a": Cell(3, "count"), "b": Cell(9, "count")})
>>> p = build([t], {}, min_cell=5, suppress_zero=False)
>>> len(p.values), len(p.lines), sorted(p.values[v] for v in p.sensitive)
(3, 1, [3.0])
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from evalkit.report.model import Cell, Table

STAT_KINDS = frozenset({"mean", "median", "score", "number", "money", "percent"})
COSTS = {"count": 2.0, "total": 3.0, "stat": 2.0, "test": 4.0, "ledger": 1.0}


@dataclass
class Item:
    """One printed thing: ``ref`` says where, ``vars`` what it publishes."""

    ref: tuple[Any, ...]
    vars: tuple[int, ...]
    primary: bool
    cost: float
    table: int | None = None   # index of its table (None for the ledger)
    kind: str = "count"        # "count", "stat", "test" or "ledger"


@dataclass
class Problem:
    values: list[float] = field(default_factory=list)
    fixed: set[int] = field(default_factory=set)         # known to the attacker whatever is printed
    sensitive: set[int] = field(default_factory=set)     # small counts: must stay protected
    lines: list[dict[int, float]] = field(default_factory=list)
    line_table: list[int | None] = field(default_factory=list)
    # The printed cells of each line (one variable per cell, repeated when merged): the line heuristic
    # keeps every line of cells from holding exactly one hidden cell.
    members: list[tuple[list[int], int | None]] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    min_cell: int = 5


class _Union:
    def __init__(self) -> None:
        self.parent: list[int] = []
        self.value: list[float] = []

    def new(self, value: float) -> int:
        self.parent.append(len(self.parent))
        self.value.append(float(value))
        return len(self.parent) - 1

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def finite_number(value: Any) -> float | None:
    """``value`` as a finite float, else ``None`` (text, booleans, NaN and infinities are not numbers here)."""
    if value is None or isinstance(value, (str, bool)):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _small(v: float, min_cell: int, suppress_zero: bool) -> bool:
    return (v == 0 and suppress_zero) or 0 < v < min_cell


def _sources(table: Table, count_of: str | None) -> list[tuple[str, str]]:
    out = []
    for key in (count_of or "").split("+"):
        row, _, col = key.strip().partition("|")
        if row and col:
            out.append((row, col))
    return out


def ledger_entries(ledger: dict, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict]]:
    """Every ``{"read", "kept", "excluded"}`` entry of a (nested) row ledger with its key path."""
    for key, value in ledger.items():
        if isinstance(value, dict) and "read" in value and "kept" in value:
            yield path + (key,), value
        elif isinstance(value, dict):
            yield from ledger_entries(value, path + (key,))


class _Builder:
    def __init__(self, min_cell: int, suppress_zero: bool) -> None:
        self.m, self.zero = min_cell, suppress_zero
        self.u = _Union()
        self.items: list[Item] = []
        self.lines: list[tuple[dict[int, float], int | None]] = []
        self.virtual: list[int] = []
        self.known: list[int] = []     # ledger numbers a table prints: fixed
        self.cell_var: dict[tuple[int, str, str], int] = {}
        self.link_var: dict[str, int] = {}
        self.near: dict[tuple[Any, ...], list[int]] = {}   # ("row"|"col"|"table", ti, key) -> count variables

    # --- tables -------------------------------------------------------------------------------
    def counts(self, ti: int, table: Table) -> None:
        for r in table.rows:
            for key, cell in r.cells.items():
                v = finite_number(cell.value) if cell is not None and cell.kind == "count" else None
                if v is None:
                    continue
                var = self.u.new(v)
                self.cell_var[(ti, r.key, key)] = var
                for where in (("row", ti, r.key), ("col", ti, key), ("table", ti, None)):
                    self.near.setdefault(where, []).append(var)
                if cell.link:
                    if cell.link in self.link_var:
                        self.u.union(var, self.link_var[cell.link])
                    else:
                        self.link_var[cell.link] = var

    def _base(self, ti: int, table: Table, row: str | None, col: str | None, n: float) -> int:
        """The variable of ``n``: the count of the same row holding ``n`` if there is exactly one, else
        the one of the same column, else every such count of the row and column (of the table for a
        test)."""
        var = self.u.new(n)
        places: list[list[tuple[Any, ...]]] = (
            [[("table", ti, None)]] if row is None
            else [[("row", ti, row)], [("col", ti, col)], [("row", ti, row), ("col", ti, col)]])
        for i, group in enumerate(places):
            found = [cv for where in group for cv in self.near.get(where, ()) if self.u.value[cv] == n]
            if len(found) == 1 or (found and i == len(places) - 1):
                for cv in found:
                    self.u.union(var, cv)
                break
        return var

    def stats_and_tests(self, ti: int, table: Table) -> None:
        col_total = {c.key: c.is_total for c in table.columns}
        for r in table.rows:
            for key, cell in r.cells.items():
                if cell is None:
                    continue
                ref = ("cell", ti, r.key, key)
                if cell.kind == "count":
                    var = self.cell_var.get((ti, r.key, key))
                    if var is not None:
                        total = r.is_total or col_total.get(key, False)
                        primary = cell.suppressed or _small(self.u.value[var], self.m, self.zero)
                        self.items.append(Item(ref, (var,), primary, COSTS["total" if total else "count"], ti, "count"))
                    continue
                self._stat(ti, table, r.key, key, cell, ref)
        for i, test in enumerate(table.tests):
            n = finite_number(test.n)
            vars_ = [self._base(ti, table, None, None, n)] if n is not None and n > 0 else []
            vars_ += [self.cell_var[(ti, r, c)] for r, c in _sources(table, test.count_of)
                      if (ti, r, c) in self.cell_var]
            primary = test.suppressed or (n is not None and n < self.m)
            self.items.append(Item(("test", ti, i), tuple(vars_), primary, COSTS["test"], ti, "test"))

    def _stat(self, ti: int, table: Table, row: str, col: str, cell: Cell, ref: tuple[Any, ...]) -> None:
        n = finite_number(cell.n)
        sources = [self.cell_var[(ti, r, c)] for r, c in _sources(table, cell.count_of) if (ti, r, c) in self.cell_var]
        vars_: list[int] = []
        primary = cell.suppressed
        if n is not None and n >= 0:
            # A source that equals n is the declared base of the share ("r|k+r|n"); else the base is found.
            declared = [j for j, s in enumerate(sources) if self.u.value[s] == n] if len(sources) > 1 else []
            if declared:
                vars_.append(sources.pop(declared[-1]))
            else:
                vars_.append(self._base(ti, table, row, col, n))
            primary = primary or 0 < n < self.m
            if cell.kind == "percent" and not cell.count_of:
                value = finite_number(cell.value)
                if value is not None:
                    k = round(value * n / 100.0)
                    # A share printed without its count stands for k of n (and n - k left out).
                    for implied in (k, n - k):
                        var = self.u.new(implied)
                        vars_.append(var)
                        primary = primary or _small(implied, self.m, False)
        vars_ += sources
        if vars_ or primary:
            self.items.append(Item(ref, tuple(vars_), primary, COSTS["stat"], ti, "stat"))

    def table_lines(self, ti: int, table: Table) -> None:
        if not table.additive:
            return
        count_cols = [c.key for c in table.columns
                      if any((ti, r.key, c.key) in self.cell_var for r in table.rows)]
        declared = table.row_lines is not None
        groups = [tuple(count_cols)] if not declared else [tuple(g) for g in table.row_lines or ()]
        total_col = {c.key for c in table.columns if c.is_total}
        for r in table.rows:
            for group in groups:
                members = [(self.cell_var[(ti, r.key, k)], k in total_col) for k in group
                           if (ti, r.key, k) in self.cell_var]
                self._line(members, ti, last_is_total=declared)
        for k in count_cols:
            members = [(self.cell_var[(ti, r.key, k)], r.is_total) for r in table.rows
                       if (ti, r.key, k) in self.cell_var and getattr(r, "in_sums", True)]
            self._line(members, ti, last_is_total=False)
            for r in table.rows:   # declared subtotals: subtotal = sum of its rows
                parts = getattr(r, "sum_of", None)
                if parts and (ti, r.key, k) in self.cell_var:
                    members = [(self.cell_var[(ti, p, k)], False) for p in parts if (ti, p, k) in self.cell_var]
                    self._line(members + [(self.cell_var[(ti, r.key, k)], True)], ti, last_is_total=True)

    def _line(self, members: list[tuple[int, bool]], ti: int | None, last_is_total: bool) -> None:
        """Add ``total = sum(others)``; the total is found by flag, position or value, else a known constant."""
        if len(members) < 2:
            return
        values = [self.u.value[v] for v, _ in members]
        whole = sum(values)
        order = [i for i, (_, flag) in enumerate(members) if flag]
        order += [len(members) - 1] if last_is_total else []
        order += list(reversed(range(len(members))))
        total = next((i for i in order if 2 * values[i] == whole), None)
        eq: dict[int, float] = {}
        if total is None:
            virtual = self.u.new(whole)
            self.virtual.append(virtual)
            eq[virtual] = 1.0
            for v, _ in members:
                eq[v] = eq.get(v, 0.0) - 1.0
        else:
            for i, (v, _) in enumerate(members):
                eq[v] = eq.get(v, 0.0) + (1.0 if i == total else -1.0)
        self.lines.append((eq, ti))

    # --- ledger -------------------------------------------------------------------------------
    def ledger(self, ledger: dict, tables: list[Table]) -> None:
        """Ledger entries as lines. A ledger number of at least ``min_cell`` is the same variable as every
        table total (total row or column) holding it; one that equals any other printed count is
        taken as known (it cannot be hidden in the ledger while a table prints it)."""
        totals: dict[float, list[int]] = {}
        printed: set[float] = set()
        for (ti, r, c), var in self.cell_var.items():
            value = self.u.value[var]
            printed.add(value)
            t = tables[ti]
            if t.row(r).is_total or any(col.key == c and col.is_total for col in t.columns):
                totals.setdefault(value, []).append(var)
        for path, entry in ledger_entries(ledger):
            fields: list[tuple[Any, Any]] = [("read", entry.get("read")), ("kept", entry.get("kept"))]
            fields += [(("excluded", k), v) for k, v in (entry.get("excluded") or {}).items()]
            members = []
            for name, raw in fields:
                v = finite_number(raw)
                if v is None:
                    continue
                var = self.u.new(v)
                if v >= self.m and v in totals:
                    for other in totals[v]:
                        self.u.union(var, other)
                elif v >= self.m and v in printed:
                    self.known.append(var)
                self.items.append(Item(("ledger", path, name), (var,), _small(v, self.m, False), COSTS["ledger"],
                                       None, "ledger"))
                members.append((var, name == "read"))
            if len(members) > 1 and members[0][1]:
                self._line(members, None, last_is_total=False)

    # --- result -------------------------------------------------------------------------------
    def problem(self) -> Problem:
        roots: dict[int, int] = {}
        values: list[float] = []
        for v in range(len(self.u.parent)):
            root = self.u.find(v)
            if root not in roots:
                roots[root] = len(values)
                values.append(self.u.value[root])
        idx = [roots[self.u.find(v)] for v in range(len(self.u.parent))]
        p = Problem(values=values, min_cell=self.m)
        virtual = set(self.virtual)
        for eq, ti in self.lines:
            p.members.append(([idx[v] for v in eq if v not in virtual], ti))
            merged: dict[int, float] = {}
            for v, coef in eq.items():
                merged[idx[v]] = merged.get(idx[v], 0.0) + coef
            merged = {v: c for v, c in merged.items() if c != 0}
            if merged:
                p.lines.append(merged)
                p.line_table.append(ti)
        for item in self.items:
            item.vars = tuple(sorted({idx[v] for v in item.vars}))
            p.items.append(item)
        for v in self.virtual:
            if values[idx[v]] >= self.m:
                p.fixed.add(idx[v])
        p.fixed.update(idx[v] for v in self.known)
        p.sensitive = {i for i, v in enumerate(values) if _small(v, self.m, self.zero)} - p.fixed
        return p


def build(tables: list[Table], ledger: dict, min_cell: int, suppress_zero: bool) -> Problem:
    """The protection problem of ``tables`` and ``ledger`` (see the module docstring)."""
    b = _Builder(min_cell, suppress_zero)
    for ti, t in enumerate(tables):
        b.counts(ti, t)
    for ti, t in enumerate(tables):
        b.stats_and_tests(ti, t)
        b.table_lines(ti, t)
    b.ledger(ledger, tables)
    return b.problem()
