"""Statistical disclosure control for a whole report: its tables and its row ledger as one problem.

Method (docs/security.md, "Disclosure control"): cell suppression over linked tables, as in
tau-Argus and sdcTable. Every printed number becomes part of one linear system
(:mod:`~evalkit.report.disclosure.problem`): counts, the ``n`` of every mean, share and test,
shares as numerator and base, ledger counts, the sums of additive tables and the ledger's
``read = kept + excluded``. Small counts (``0 < k < min_cell``) are hidden; a line heuristic adds
the classic complementary suppressions; then an exact audit (a linear program per hidden small
count) and, where it fails, a mixed-integer repair (:mod:`~evalkit.report.disclosure.solve`,
scipy's HiGHS) hide more until no small count can be pinned below ``min_cell``. Every item that
depends on a hidden count is hidden (a mean or share whose base is hidden, a share whose numerator
is). Published means, shares and test estimates are rounded to their printed precision, so no
format carries more digits than the printed table.

:func:`apply` is pure: it returns new tables and a new ledger and never changes its arguments.

>>> from evalkit.report.model import Cell, Column, T, Table
>>> t = Table(id="t", source="s", title=T("t"), additive=True, columns=[Column("a", T("a")), Column("b", T("b"))])
>>> _ = t.add_row("r1", T("r1"), {"a": Cell(3, "count"), "b": Cell(9, "count")})
>>> _ = t.add_row("r2", T("r2"), {"a": Cell(8, "count"), "b": Cell(7, "count")})
>>> out = apply([t], DisclosureSettings())
>>> [[c.suppressed for c in r.cells.values()] for r in out.tables[0].rows], t.cell("r1", "a").suppressed
([[True, True], [True, True]], False)
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evalkit.report.disclosure.problem import (
    Problem,
    build,
    finite_number,
    ledger_entries,
)
from evalkit.report.disclosure.solve import Solution, protect_variables
from evalkit.report.labels import DEFAULT_DECIMALS, round_half_up
from evalkit.report.model import Cell, Table, TestRow

ROUNDED_KINDS = frozenset({"percent", "mean", "median", "number", "money", "score"})
RULES = ("primary", "complementary", "derived", "linked", "ledger")


@dataclass(frozen=True)
class DisclosureSettings:
    min_cell: int = 5
    suppress_zero: bool = False
    enabled: bool = True


@dataclass
class Protected:
    """What may be published: new tables, the protected ledger and how many cells each rule hid."""

    tables: list[Table]
    ledger: dict[str, Any]
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULES, 0))
    audited: int = 0      # small counts checked by the attacker's linear program
    repaired: int = 0     # of them, how many needed the mixed-integer repair
    unprotected: int = 0  # small counts that totals known from elsewhere pin whatever is hidden (expected 0)


def apply(tables: list[Table], settings: DisclosureSettings, ledger: dict | None = None) -> Protected:
    """Protect ``tables`` and ``ledger`` together; returns new objects (the arguments are not changed)."""
    tables = copy.deepcopy(tables)
    ledger = copy.deepcopy(ledger or {})
    if not settings.enabled:
        return Protected(tables, ledger)
    problem = build(tables, ledger, settings.min_cell, settings.suppress_zero)
    costs = np.zeros(len(problem.values))
    seed: set[int] = set()
    for item in problem.items:
        if item.primary and item.kind in ("count", "ledger"):
            seed.update(item.vars)
        if not item.primary:
            for v in item.vars:
                costs[v] += item.cost
    solution = protect_variables(problem, costs + 1e-3, seed)
    out = Protected(tables, ledger, audited=solution.audited, repaired=solution.repaired,
                    unprotected=len(solution.unprotected))
    _publish(problem, solution, out)
    return out


def _reason(problem: Problem, solution: Solution, item_vars: tuple[int, ...], kind: str, ti: int | None,
            primary: bool) -> str | None:
    hidden = [v for v in item_vars if v in solution.hidden]
    if primary or (kind == "count" and any(v in problem.sensitive for v in hidden)):
        return "primary"
    if not hidden:
        return None
    if kind != "count":
        return "derived"
    return "complementary" if solution.origin.get(hidden[0], ti) == ti else "linked"


def _publish(problem: Problem, solution: Solution, out: Protected) -> None:
    for item in problem.items:
        why = _reason(problem, solution, item.vars, item.kind, item.table, item.primary)
        if why is None:
            continue
        where = item.ref
        if where[0] == "cell":
            cell = out.tables[where[1]].cell(where[2], where[3])
            if not cell.suppressed:
                out.counts[why] += 1
            cell.suppress(why)
        elif where[0] == "test":
            out.tables[where[1]].tests[where[2]].suppressed = True
        else:
            _hide_ledger(out.ledger, where[1], where[2])
            out.counts["ledger"] += 1
    for t in out.tables:
        for r in t.rows:
            for cell in r.cells.values():
                if cell is not None and not cell.suppressed:
                    _round_cell(cell)
        for test in t.tests:
            if not test.suppressed:
                _round_test(test)


def _hide_ledger(ledger: dict, path: tuple[str, ...], name: Any) -> None:
    node = ledger
    for key in path:
        node = node[key]
    if isinstance(name, tuple):
        node["excluded"][name[1]] = None
    else:
        node[name] = None
    node["suppressed"] = True


def _round(value: Any, decimals: int) -> Any:
    v = finite_number(value)
    return value if v is None else float(round_half_up(v, decimals))


def _round_cell(cell: Cell) -> None:
    if cell.kind in ROUNDED_KINDS:
        cell.value = _round(cell.value, cell.decimals if cell.decimals is not None else DEFAULT_DECIMALS[cell.kind])


def _round_test(test: TestRow) -> None:
    d = 2 if test.decimals is None else test.decimals
    test.estimate = _round(test.estimate, d)
    test.estimate_ci = (_round(test.estimate_ci[0], d), _round(test.estimate_ci[1], d))
    test.effect_size = _round(test.effect_size, 2)
    test.effect_size_ci = (_round(test.effect_size_ci[0], 2), _round(test.effect_size_ci[1], 2))


def protect_ledger(ledger: dict, settings: DisclosureSettings) -> dict:
    """The row ledger alone protected (small counts ``None``, never exactly one unknown per entry)."""
    return apply([], settings, ledger).ledger


def suppressed_total(tables: list[Table]) -> int:
    return sum(1 for t in tables for r in t.rows for c in r.cells.values() if c is not None and c.suppressed)


__all__ = ["DisclosureSettings", "Protected", "apply", "ledger_entries", "protect_ledger", "suppressed_total"]
