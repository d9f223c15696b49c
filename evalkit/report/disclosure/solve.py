"""Secondary cell suppression over one :class:`~evalkit.report.disclosure.problem.Problem`.

1. *Primary*: every small count (``0 < k < min_cell``) is hidden, and every count an item already
   hides.
2. *Line heuristic* (warm start, the classic complementary rule): while a line holds exactly one
   hidden count, hide its cheapest other count (fewest printed numbers depend on it; then smallest).
3. *Audit and repair* (exact): for each hidden small count ``s`` with value ``v`` an attacker solves
   ``min``/``max x_s`` subject to every line, every printed count fixed at its value and ``x >= 0``
   (a linear program, HiGHS). ``s`` is protected when the interval reaches ``min_cell`` above and
   ``v - 1`` below (``[v-1, min_cell]`` inside it: the attacker can neither show the count is small nor
   that it is at least ``v``). For an unprotected ``s`` a mixed-integer program chooses the cheapest
   further counts to hide such that two deviations of the hidden counts exist that keep every line
   and every printed number and move ``x_s`` up by ``min_cell - v`` and down by 1: the per-cell
   attacker subproblem of Fischetti & Salazar-González (2001), solved by ``scipy.optimize.milp``.
   Hiding more never narrows another interval, so the loop ends with every small count protected.

>>> from evalkit.report.disclosure.problem import Problem
>>> p = Problem(values=[3.0, 9.0, 12.0], fixed={2}, sensitive={0}, lines=[{2: 1.0, 0: -1.0, 1: -1.0}],
...             line_table=[0], members=[([0, 1], 0)])
>>> sorted(protect_variables(p).hidden)
[0, 1]
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

from evalkit.report.disclosure.problem import Problem

TOL = 1e-6


@dataclass
class Solution:
    hidden: set[int]
    origin: dict[int, int | None] = field(default_factory=dict)   # variable -> table whose line hid it
    audited: int = 0
    repaired: int = 0
    unprotected: list[int] = field(default_factory=list)   # pinned by known totals whatever is hidden


def protection(p: Problem, s: int) -> tuple[float, float]:
    """(how far ``x_s`` must reach down, up) from its value: 1 below (not at zero), ``min_cell - v`` above."""
    v = p.values[s]
    return min(1.0, v), max(float(p.min_cell) - v, 1.0)


def _incidence(p: Problem) -> sparse.csr_matrix:
    from scipy import sparse

    rows, cols, data = [], [], []
    for i, line in enumerate(p.lines):
        for v, c in line.items():
            rows.append(i)
            cols.append(v)
            data.append(c)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(p.lines), len(p.values)))


def _heuristic(p: Problem, hidden: set[int], origin: dict[int, int | None], costs: np.ndarray) -> None:
    changed = True
    while changed:
        changed = False
        for members, ti in p.members:
            if sum(1 for v in members if v in hidden) != 1:
                continue
            candidates = [v for v in members if v not in hidden and v not in p.fixed]
            if not candidates:
                continue
            # The cheapest count (fewest printed numbers depend on it), then the smallest.
            pick = min(candidates, key=lambda v: (costs[v], p.values[v], v))
            hidden.add(pick)
            origin[pick] = ti
            changed = True


def interval(p: Problem, a: sparse.csr_matrix, hidden: set[int], s: int) -> tuple[float, float]:
    """The attacker's bounds on ``x_s``: LP over the hidden counts, every printed count fixed."""
    from scipy.optimize import linprog

    free = sorted(hidden - p.fixed)
    pos = {v: i for i, v in enumerate(free)}
    values = np.asarray(p.values)
    mask = np.zeros(len(p.values), dtype=bool)
    mask[free] = True
    touching = np.unique(a[:, free].nonzero()[0]) if free else np.array([], dtype=int)
    # Only the lines that hold hidden counts of s's component matter.
    sub = a[touching]
    a_free = sub[:, free]
    b = -(sub[:, ~mask] @ values[~mask])
    comp = _component(a_free, pos[s])
    rows = np.unique(a_free[:, comp].nonzero()[0])
    a_c = a_free[rows][:, comp]
    b_c = b[rows]
    c = np.zeros(len(comp))
    j = int(np.flatnonzero(np.asarray(comp) == pos[s])[0])
    out = []
    for sign in (1.0, -1.0):
        c[j] = sign
        res = linprog(c, A_eq=a_c if rows.size else None, b_eq=b_c if rows.size else None, bounds=(0, None),
                      method="highs")
        if res.status == 3:          # unbounded: only upwards
            out.append(np.inf if sign < 0 else 0.0)
        elif res.status != 0:
            raise RuntimeError(f"disclosure audit LP failed: {res.message}")
        else:
            out.append(sign * res.fun)
    return out[0], out[1]


def _component(a_free: sparse.csr_matrix, start: int) -> list[int]:
    """Columns connected to ``start`` through shared rows."""
    from scipy.sparse.csgraph import connected_components

    if a_free.shape[0] == 0:
        return [start]
    adj = (abs(a_free.T) @ abs(a_free)).tocsr()
    _, labels = connected_components(adj, directed=False)
    return [int(i) for i in np.flatnonzero(labels == labels[start])]


def _protected(p: Problem, a: sparse.csr_matrix, hidden: set[int], s: int) -> bool:
    lo, hi = interval(p, a, hidden, s)
    down, up = protection(p, s)
    v = p.values[s]
    return lo <= v - down + TOL and hi >= v + up - TOL


def _repair(p: Problem, a: sparse.csr_matrix, hidden: set[int], s: int, costs: np.ndarray) -> set[int]:
    """Cheapest further counts to hide so that ``s`` is protected (MILP); every count of the component
    as a fallback when the program has no solution."""
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse.csgraph import connected_components

    adj = (abs(a.T) @ abs(a)).tocsr()
    _, labels = connected_components(adj, directed=False)
    comp = np.flatnonzero(labels == labels[s])
    rows = np.unique(a[:, comp].nonzero()[0])
    a_c = a[rows][:, comp]
    n = len(comp)
    values = np.asarray(p.values)[comp]
    big = 2.0 * max(float(values.sum()), float(p.min_cell))
    j = int(np.flatnonzero(comp == s)[0])
    down, up = protection(p, s)
    # x = [y_up (n), y_down (n), z (n)]
    eye = sparse.identity(n, format="csr")
    zero = sparse.csr_matrix((a_c.shape[0], n))
    constraints = [
        LinearConstraint(sparse.hstack([a_c, zero, zero]), 0, 0),
        LinearConstraint(sparse.hstack([zero, a_c, zero]), 0, 0),
        LinearConstraint(sparse.hstack([eye, sparse.csr_matrix((n, n)), -big * eye]), -np.inf, 0),
        LinearConstraint(sparse.hstack([-eye, sparse.csr_matrix((n, n)), -big * eye]), -np.inf, 0),
        LinearConstraint(sparse.hstack([sparse.csr_matrix((n, n)), eye, -big * eye]), -np.inf, 0),
        LinearConstraint(sparse.hstack([sparse.csr_matrix((n, n)), -eye, -big * eye]), -np.inf, 0),
    ]
    lower = np.concatenate([-values, -values, np.zeros(n)])
    upper = np.concatenate([np.full(n, big), np.full(n, big), np.ones(n)])
    lower[j] = max(lower[j], up)               # y_up[s] >= min_cell - v
    upper[n + j] = -down                       # y_down[s] <= -1
    for k, v in enumerate(comp):
        if v in hidden and v not in p.fixed:
            lower[2 * n + k] = 1.0
        if v in p.fixed:
            upper[2 * n + k] = 0.0
    c = np.concatenate([np.zeros(2 * n), costs[comp]])
    integrality = np.concatenate([np.zeros(2 * n), np.ones(n)])
    with _quiet_solver():
        res = milp(c, constraints=constraints, bounds=Bounds(lower, upper), integrality=integrality,
                   options={"time_limit": 20.0})
    if res.x is None:
        return {int(v) for v in comp if v not in p.fixed} - hidden
    z = res.x[2 * n:]
    return {int(comp[k]) for k in np.flatnonzero(z > 0.5)} - hidden - p.fixed


@contextmanager
def _quiet_solver() -> Iterator[None]:
    """Silence the solver's own prints (HiGHS can write diagnostics straight to file descriptor 1)."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):      # no file descriptor 1 (a daemon, an embedded interpreter)
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def protect_variables(p: Problem, costs: np.ndarray | None = None, hidden: set[int] | None = None) -> Solution:
    """Hide counts until every sensitive count is protected (see the module docstring)."""
    hidden = set(p.sensitive) | (hidden or set())
    sol = Solution(hidden=hidden)
    if not p.lines and not p.members:
        return sol
    costs = np.ones(len(p.values)) if costs is None else costs
    _heuristic(p, hidden, sol.origin, costs)
    in_line = {v for line in p.lines for v in line}
    pending = sorted(v for v in p.sensitive if v in in_line)
    if not pending:
        return sol
    a = _incidence(p)
    while pending:
        s = pending.pop(0)
        sol.audited += 1
        if _protected(p, a, hidden, s):
            continue
        added = _repair(p, a, hidden, s, costs)
        sol.repaired += 1
        table = next((ti for line, ti in zip(p.lines, p.line_table, strict=True) if s in line), None)
        for v in added:
            sol.origin.setdefault(v, table)
        hidden |= added
        _heuristic(p, hidden, sol.origin, costs)
        if not added:
            if not _protected(p, a, hidden, s):
                sol.unprotected.append(s)
            continue
        pending.append(s)          # re-check: the repair must have protected it
        pending = sorted(set(pending))
    return sol
