"""The integer solver and the random draws behind the synthetic UNG Rusmidler sample.

Every stage draws values from plausible distributions, rakes them towards their targets (group means
by a common shift, expected counts on the logit scale, table margins by iterative proportional
fitting) and hands the draws to :func:`_solve`, which moves them to the nearest integers (weighted L1
distance) that meet every printed count and mean of chapter 6 of Socialstyrelsen's *Erfaringsopsamling
– UNG Rusmidler* exactly (:func:`scipy.optimize.milp`, HiGHS). This module holds no figure itself: the
stage modules pass the published targets as linear constraints.

>>> rows = _Rows(3)
>>> rows.add([0, 1, 2], 6)
>>> _solve(np.array([1.2, 1.9, 2.2]), 0, 10, rows, np.random.default_rng(1), "example").tolist()
[1, 2, 3]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp


@dataclass
class _Rows:
    """Linear constraints ``lo <= sum(coef * x[idx]) <= hi``, collected row by row."""

    n: int
    idx: list[np.ndarray] = field(default_factory=list)
    coef: list[np.ndarray] = field(default_factory=list)
    lo: list[float] = field(default_factory=list)
    hi: list[float] = field(default_factory=list)

    def add(self, idx: Any, lo: float, hi: float | None = None, coef: Any = None) -> None:
        i = np.asarray(idx, dtype=np.int64).ravel()
        c = np.ones(i.size) if coef is None else np.broadcast_to(np.asarray(coef, dtype=float), i.shape)
        self.idx.append(i)
        self.coef.append(np.asarray(c, dtype=float))
        self.lo.append(float(lo))
        self.hi.append(float(lo if hi is None else hi))

    def matrix(self) -> sparse.csr_matrix:
        rows = np.repeat(np.arange(len(self.idx)), [i.size for i in self.idx])
        cols = np.concatenate(self.idx) if self.idx else np.zeros(0, np.int64)
        vals = np.concatenate(self.coef) if self.coef else np.zeros(0)
        return sparse.csr_matrix((vals, (rows, cols)), shape=(len(self.idx), self.n))


def _solve(seed: np.ndarray, lb: Any, ub: Any, rows: _Rows, rng: np.random.Generator, what: str) -> np.ndarray:
    """Integers ``x`` in ``[lb, ub]`` meeting ``rows`` with the least weighted ``sum w |x - seed|``.

    The weights are drawn from [1, 2) so that the optimum is unique; HiGHS runs to a zero gap.
    """
    s = np.asarray(seed, dtype=float)
    n = s.size
    lb_a = np.broadcast_to(np.asarray(lb, dtype=float), (n,))
    ub_a = np.broadcast_to(np.asarray(ub, dtype=float), (n,))
    if (lb_a > ub_a).any():
        bad = int(np.flatnonzero(lb_a > ub_a)[0])
        raise ValueError(f"{what}: empty bounds for variable {bad}: [{lb_a[bad]}, {ub_a[bad]}]")
    w = 1.0 + rng.random(n)
    eye = sparse.identity(n, format="csr")
    # variables [x, t]; t >= |x - s|
    dev = sparse.vstack([sparse.hstack([eye, -eye]), sparse.hstack([-eye, -eye])]).tocsr()
    cons = [LinearConstraint(dev, -np.inf, np.concatenate([s, -s]))]
    if rows.idx:
        a = sparse.hstack([rows.matrix(), sparse.csr_matrix((len(rows.idx), n))]).tocsr()
        cons.append(LinearConstraint(a, np.asarray(rows.lo), np.asarray(rows.hi)))
    res = milp(
        c=np.concatenate([np.zeros(n), w]),
        integrality=np.concatenate([np.ones(n), np.zeros(n)]),
        bounds=Bounds(np.concatenate([lb_a, np.zeros(n)]), np.concatenate([ub_a, np.full(n, np.inf)])),
        constraints=cons,
        options={"disp": False, "presolve": False, "mip_rel_gap": 0.0, "time_limit": 120.0},
    )
    if res.status != 0 or res.x is None:
        raise RuntimeError(f"{what}: no integer solution meets the design ({res.message})")
    return np.rint(res.x[:n]).astype(np.int64)


def _rake_add(values: np.ndarray, groups: Sequence[tuple[np.ndarray, float]], lo: float, hi: float,
              rounds: int = 60) -> np.ndarray:
    """Shift the members of each group by a common amount until every group mean is on target."""
    v = values.astype(float).copy()
    for _ in range(rounds):
        for idx, target in groups:
            if idx.size:
                v[idx] += target - v[idx].mean()
        np.clip(v, lo, hi, out=v)
    return v


def _rake_prob(p: np.ndarray, groups: Sequence[tuple[np.ndarray, float]], rounds: int = 60) -> np.ndarray:
    """Move probabilities on the logit scale until every group's expected count is on target."""
    z = np.log(np.clip(p, 1e-4, 1 - 1e-4) / (1 - np.clip(p, 1e-4, 1 - 1e-4)))
    for _ in range(rounds):
        for idx, target in groups:
            if idx.size:
                q = 1 / (1 + np.exp(-z[idx]))
                z[idx] += (target - q.sum()) / max((q * (1 - q)).sum(), 1e-6)
                np.clip(z, -9, 9, out=z)
    return 1 / (1 + np.exp(-z))


def _draw(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """Bernoulli draws (as 0.0/1.0) from probabilities ``p``: the seed the solver then repairs."""
    return (rng.random(np.shape(p)) < p).astype(float)


def _ipf(seed: np.ndarray, groups: list[tuple[np.ndarray, float]], rounds: int = 300) -> np.ndarray:
    """Iterative proportional fitting of a positive table to group totals."""
    t = seed.astype(float).copy()
    for _ in range(rounds):
        for idx, target in groups:
            cur = t[idx].sum()
            if cur > 0:
                t[idx] *= target / cur
    return t


def _uniform(rng: np.random.Generator, bounds: Sequence[float], size: int | tuple[int, ...]) -> np.ndarray:
    """``rng.uniform(low, high, size)`` for ``bounds = (low, high)`` as the design file gives them."""
    low, high = bounds
    return rng.uniform(low, high, size)


def _gamma(rng: np.random.Generator, params: Sequence[float], size: int) -> np.ndarray:
    """``rng.gamma(shape, scale, size)`` for ``params = (shape, scale)`` as the design file gives them."""
    shape, scale = params
    return rng.gamma(shape, scale, size)


def _choose(rng: np.random.Generator, candidates: np.ndarray, k: int, weight: np.ndarray | None = None) -> np.ndarray:
    """``k`` distinct members of ``candidates``, drawn with probability proportional to ``weight``."""
    candidates = np.asarray(candidates)
    if k > candidates.size:
        raise ValueError(f"cannot choose {k} of {candidates.size}")
    if k == 0:
        return candidates[:0]
    p = None if weight is None else np.asarray(weight, float) / np.sum(weight)
    return np.sort(rng.choice(candidates, size=k, replace=False, p=p))


def _deal(rng: np.random.Generator, members: np.ndarray, counts: Sequence[int] | np.ndarray) -> np.ndarray:
    """Labels 0..len(counts)-1 dealt to ``members`` in random order, ``counts[j]`` of label j."""
    sizes = np.asarray(counts, dtype=np.int64)
    if sizes.sum() != len(members):
        raise ValueError(f"counts sum to {sizes.sum()}, not to the {len(members)} members")
    return rng.permutation(np.repeat(np.arange(sizes.size), sizes))
