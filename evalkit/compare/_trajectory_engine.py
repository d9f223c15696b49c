"""LOCF as spans and the per-stratum summaries: the second half of the trajectory engine.

LOCF is defined once, here, as *spans*: after the forms of a unit are sorted and numbered
k = 0, 1, ..., upto - 1, a form whose value is observed holds that value from its own registration up
to (not including) the registration of the unit's next form with an observed value, or to ``upto``.
Before the first observed value nothing is held (leading missing stays missing). :func:`trajectory_stats`
sums the spans per stratum with difference arrays (O(forms)); :func:`evalkit.compare.locf` expands the
same spans onto the per-youth grid (the public view). Public names are re-exported by
:mod:`evalkit.compare.trajectories`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from evalkit.compare._form_order import FormPositions, sort_forms  # noqa: F401 (sort_forms: the examples)

__all__ = ["Events", "Strata", "Summary", "Trajectories", "trajectory_stats"]


@dataclass(frozen=True)
class Events:
    """The observed values of one measure on the kept forms: LOCF's spans (see the section comment).

    ``unit``, ``k`` and ``value`` of every kept form whose value is observed, in (unit, k) order;
    ``new`` marks the unit's first observed form, ``last`` its last; the span of form i ends at
    ``k[i + 1]`` when ``not last[i]``, else at ``upto``.
    """

    unit: np.ndarray
    k: np.ndarray
    value: np.ndarray
    new: np.ndarray
    last: np.ndarray
    kept: np.ndarray | None   # which kept forms have a value (None: all)

    @property
    def end(self) -> np.ndarray:
        """Registration (0-based, exclusive) up to which each value is carried."""
        return np.where(self.last, -1, np.roll(self.k.astype(np.int64), -1))

    @classmethod
    def of(cls, positions: FormPositions, values: np.ndarray) -> Events:
        """The events of ``values`` (one per input row) on ``positions``."""
        return cls.from_arrays(positions.unit, positions.k, positions.sorted_values(values))

    @classmethod
    def from_arrays(cls, unit: np.ndarray, k: np.ndarray, v: np.ndarray) -> Events:
        """Events from kept forms in (unit, k) order (``v``: their values, NaN = missing)."""
        ok = ~np.isnan(v)
        if ok.all():
            kept = None
        else:
            kept, unit, k, v = ok, unit[ok], k[ok], v[ok]
        new = np.ones(unit.size, dtype=bool)
        np.not_equal(unit[1:], unit[:-1], out=new[1:])
        last = np.ones(unit.size, dtype=bool)
        last[:-1] = new[1:]
        return cls(unit, k, v, new, last, kept)


def _unit_chunks(unit: np.ndarray, size: int) -> list[tuple[int, int]]:
    """Slices of about ``size`` kept forms that never split a unit (``unit`` is sorted)."""
    m = unit.size
    if m <= size:
        return [(0, m)]
    cuts = np.unique(np.searchsorted(unit, unit[np.arange(size, m, size)], side="left"))
    bounds = [0, *[int(c) for c in cuts if 0 < c < m], m]
    return list(itertools.pairwise(bounds))


def _expand(events: Events, upto: int, n_units: int) -> tuple[np.ndarray, np.ndarray]:
    """LOCF onto the dense (units x upto) grid: every value written over its span (for :func:`locf`)."""
    end = events.end
    end[end < 0] = upto
    start = events.unit.astype(np.int64) * upto + events.k
    length = end - events.k
    total = int(length.sum())
    cell = np.arange(total, dtype=np.int64)
    cell += np.repeat(start - (np.cumsum(length) - length), length)
    grid = np.full(n_units * upto, np.nan)
    grid[cell] = np.repeat(events.value, length)
    seen = np.zeros(n_units * upto, dtype=bool)
    seen[start] = True
    return grid, seen


class Strata:
    """Groupings of the units (per unit a group code, -1 = not in the grouping), prepared once per
    :class:`FormPositions` for :func:`trajectory_stats`.

    The units are partitioned into *cells* (the distinct combinations of the groupings' codes); the
    engine sums per cell and registration, and each grouping's groups are sums of cells.

    >>> pos = sort_forms(np.array([0, 1, 2]), np.array([0, 0, 0]), n_units=3).place(2)
    >>> strata = Strata(pos, {"sex": np.array([0, 1, 1]), "adult": np.array([-1, 0, 0])})
    >>> strata.n_cells, strata.groups
    (2, {'sex': 2, 'adult': 1})
    """

    def __init__(self, positions: FormPositions, groupings: Mapping[str, np.ndarray],
                 n_groups: Mapping[str, int] | None = None) -> None:
        n = positions.n_units
        self.positions = positions
        self.groups: dict[str, int] = {}
        if not groupings:
            groupings = {"all": np.zeros(n, dtype=np.int64)}
        combined = np.zeros(n, dtype=np.int64)
        for name, codes in groupings.items():
            codes = np.asarray(codes, dtype=np.int64)
            if codes.size != n:
                raise ValueError(f"grouping {name!r} has {codes.size} codes for {n} units")
            g = int((n_groups or {}).get(name, int(codes.max()) + 1 if codes.size else 0))
            self.groups[name] = g
            combined = combined * (g + 1) + (codes + 1)
        uniq, cell = np.unique(combined, return_inverse=True)
        self.n_cells = int(uniq.size)
        self.cell_of_unit = cell.astype(np.int64)
        # each cell's group in every grouping (decode the mixed-radix number)
        self.cell_group: dict[str, np.ndarray] = {}
        rest = uniq.copy()
        for name in reversed(list(groupings)):
            g = self.groups[name]
            self.cell_group[name] = rest % (g + 1) - 1
            rest //= g + 1
        upto = positions.upto
        index_type = np.int32 if self.n_cells * upto < 2**31 else np.int64
        index = self.cell_of_unit.astype(index_type)[positions.unit]
        index *= upto
        index += positions.k
        self.form_index = index    # cell * upto + k of every kept form

    def by_group(self, name: str, per_cell: np.ndarray) -> np.ndarray:
        """(cells x upto) -> (groups x upto) for grouping ``name``."""
        code = self.cell_group[name]
        out = np.zeros((self.groups[name], per_cell.shape[1]), dtype=per_cell.dtype)
        np.add.at(out, code[code >= 0], per_cell[code >= 0])
        return out


@dataclass(frozen=True)
class Summary:
    """One measure over one grouping: per group (rows) and registration (columns), LOCF and observed.

    ``n``/``sum``/``mean``/``sd``: LOCF (every unit of the group with a value, carried or not; for a
    0/1 measure ``mean`` is the share); ``n_observed``/``sum_observed``/...: observed cases only (the
    unit's k-th form has the value). ``n_imputed = n - n_observed``. SD with ddof = 1 (NaN when
    n < 2 or not asked for).
    """

    n: np.ndarray
    sum: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    n_observed: np.ndarray
    sum_observed: np.ndarray
    mean_observed: np.ndarray
    sd_observed: np.ndarray

    @property
    def n_imputed(self) -> np.ndarray:
        return self.n - self.n_observed


@dataclass(frozen=True)
class Trajectories:
    """:func:`trajectory_stats` of one measure: ``by[grouping]`` summaries and per-unit first/last.

    ``first``: the value at registration 1 (NaN if the first form lacks it: nothing is carried
    backwards), ``last``: the LOCF value at ``upto``, ``last_observed``: the ``upto``-th form has the
    value itself; one entry per unit.
    """

    by: dict[str, Summary]
    first: np.ndarray
    last: np.ndarray
    last_observed: np.ndarray


def _moments(n: np.ndarray, centred_sum: np.ndarray, centred_sq: np.ndarray | None, shift: float
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        total = centred_sum + n * shift
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        if centred_sq is None:
            sd = np.full(n.shape, np.nan)
        else:
            ss = np.maximum(centred_sq - centred_sum * centred_sum / np.maximum(n, 1), 0.0)
            sd = np.where(n > 1, np.sqrt(ss / np.maximum(n - 1, 1)), np.nan)
    return total, mean, sd


def trajectory_stats(strata: Strata, values: np.ndarray, *, sd: bool = True, chunk: int = 1 << 20) -> Trajectories:
    """LOCF and observed summaries per stratum and registration, and per-unit first/last values.

    Parameters
    ----------
    strata
        The kept forms and the groupings of their units (:class:`Strata`, built once for all measures).
    values
        One value per *input row* (float, NaN = missing; a yes/no measure as 0/1).
    sd
        Also the standard deviations (two more passes over the forms).
    chunk
        Forms handled at a time (whole units): the working memory is a few arrays of this length.

    Returns
    -------
    Trajectories

    Notes
    -----
    O(forms + units): a value observed at registration k of a unit in cell c is carried to every
    registration up to the unit's next observed value (UNG Rusmidler, footnotes 4, 8
    and 23). Its contribution to the LOCF sums of cell c is therefore a step: it starts at k and is
    replaced by the next value, so the per-(cell, k) *difference* of the LOCF sums is
    ``value - previous value of the unit`` (count: +1 at the unit's first value), and a cumulative
    sum over k gives the LOCF sums. One ``bincount`` per moment over the forms, no units x upto grid.
    Values are centred on the first observed value (exact for integer data) before the squares.
    :func:`locf` gives the same numbers through its dense per-youth grid (tested equal).

    Examples
    --------
    >>> unit = np.array([0, 0, 1, 1, 1])
    >>> date = np.array([1, 2, 1, 2, 3])
    >>> pos = sort_forms(unit, date, n_units=2).place(3)
    >>> t = trajectory_stats(Strata(pos, {}), np.array([5.0, 7.0, 4.0, np.nan, 9.0]))
    >>> t.by["all"].mean.tolist(), t.by["all"].n_observed.tolist()
    ([[4.5, 5.5, 8.0]], [[2, 1, 1]])
    >>> t.first.tolist(), t.last.tolist(), t.last_observed.tolist()
    ([5.0, 4.0], [7.0, 9.0], [False, True])
    """
    pos = strata.positions
    upto, n_units = pos.upto, pos.n_units
    values = np.asarray(values, dtype=np.float64)
    size = strata.n_cells * upto
    moments = ("n_obs", "s_obs", "n_new", "s_step") + (("q_obs", "q_step") if sd else ())
    acc = {name: np.zeros(size) for name in moments}
    first = np.full(n_units, np.nan)
    last = np.full(n_units, np.nan)
    last_observed = np.zeros(n_units, dtype=bool)
    shift: float | None = None
    for a, b in _unit_chunks(pos.unit, chunk):   # bounded memory: a few arrays of `chunk` forms at a time
        v = values[a:b] if pos.in_input_order else values[pos.rows[a:b]]
        ev = Events.from_arrays(pos.unit[a:b], pos.k[a:b], v)
        if not ev.value.size:
            continue
        index = strata.form_index[a:b] if ev.kept is None else strata.form_index[a:b][ev.kept]
        shift = float(ev.value[0]) if shift is None else shift
        c = ev.value - shift                   # centred values (a new array)
        step = c.copy()                        # step of the unit's LOCF value at this form
        step[1:] -= c[:-1]
        step[ev.new] = c[ev.new]
        acc["n_obs"] += np.bincount(index, minlength=size)
        acc["s_obs"] += np.bincount(index, weights=c, minlength=size)
        acc["n_new"] += np.bincount(index[ev.new], minlength=size)
        acc["s_step"] += np.bincount(index, weights=step, minlength=size)
        if sd:
            acc["q_obs"] += np.bincount(index, weights=c * c, minlength=size)
            step *= 2.0 * c - step             # c^2 - the unit's previous c^2
            acc["q_step"] += np.bincount(index, weights=step, minlength=size)
        at_one = ev.k == 0
        first[ev.unit[at_one]] = ev.value[at_one]
        last[ev.unit[ev.last]] = ev.value[ev.last]
        last_observed[ev.unit[ev.last]] = ev.k[ev.last] == upto - 1
    shift = 0.0 if shift is None else shift

    def grid(name: str) -> np.ndarray:
        return acc[name].reshape(strata.n_cells, upto)

    n_obs, s_obs = grid("n_obs"), grid("s_obs")
    n_loc = np.cumsum(grid("n_new"), axis=1)
    s_loc = np.cumsum(grid("s_step"), axis=1)
    q_obs = grid("q_obs") if sd else None
    q_loc = np.cumsum(grid("q_step"), axis=1) if sd else None
    by = {}
    for name in strata.groups:
        n_l, n_o = strata.by_group(name, n_loc).astype(np.int64), strata.by_group(name, n_obs).astype(np.int64)
        q_l = None if q_loc is None else strata.by_group(name, q_loc)
        q_o = None if q_obs is None else strata.by_group(name, q_obs)
        tl, ml, sl = _moments(n_l, strata.by_group(name, s_loc), q_l, shift)
        to, mo, so = _moments(n_o, strata.by_group(name, s_obs), q_o, shift)
        by[name] = Summary(n=n_l, sum=tl, mean=ml, sd=sl, n_observed=n_o, sum_observed=to, mean_observed=mo,
                           sd_observed=so)
    return Trajectories(by=by, first=first, last=last, last_observed=last_observed)
