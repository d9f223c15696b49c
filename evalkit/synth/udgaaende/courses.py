"""Courses of the synthetic ``udgaaende`` export: persons in courses, schools, start and end dates.

Students, courses and schools per kommune and school type follow the organisation table of chapter 3
(p. 9) and the 13 schools of chapter 8 (p. 33) of Socialstyrelsen (2017), *Evaluering af forsøg med
udgående indsatser til unge med rusmiddelproblemer*; courses meet weekly "7-8 gange" (p. 4) and start
on a Monday in one of the project's four years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evalkit.synth._common import apportion
from evalkit.synth.udgaaende.published import COURSE_YEAR_WEIGHTS, FIRST_PROJECT_YEAR, SESSIONS, Design


@dataclass(frozen=True)
class _Structure:
    cell: np.ndarray        # per person: cell index
    course: np.ndarray      # per person: global course index
    course_cell: np.ndarray
    course_school: np.ndarray   # global school index
    course_year: np.ndarray     # project year 1..4
    course_start: np.ndarray    # datetime64[D]
    course_end: np.ndarray
    course_sessions: np.ndarray
    course_names: list[str]
    school_names: list[str]


def _structure(d: Design, rng: np.random.Generator) -> _Structure:
    course_cell, course_school, course_year, school_names, start_off = [], [], [], [], []
    names: list[str] = []
    sizes = []
    n_school = 0
    for ci, c in enumerate(d.cells):
        if c.deltagere == 0:
            continue
        kind = "ES" if c.skoletype == "erhvervsskole" else "PS"
        sizes.append(apportion(c.deltagere, np.ones(c.forloeb)))
        per_school = apportion(c.forloeb, np.ones(c.skoler))
        label = "Erhvervsskole" if kind == "ES" else "Produktionsskole"
        for j in range(c.skoler):
            school_names.append(f"{c.kommune} {label}" + (f" {j + 1}" if c.skoler > 1 else ""))
        course_school.append(n_school + np.repeat(np.arange(c.skoler), per_school))
        n_school += c.skoler
        per_year = apportion(c.forloeb, COURSE_YEAR_WEIGHTS)
        years = np.repeat(np.arange(1, 5), per_year)
        course_year.append(years)
        rank = np.arange(c.forloeb) - np.repeat(np.cumsum(per_year) - per_year, per_year)
        m = per_year[years - 1]
        start_off.append(20 + ((rank + 0.5) * 300 / m).astype(np.int64))
        course_cell.append(np.full(c.forloeb, ci))
        width = max(2, len(str(c.forloeb)))
        names.extend(f"{c.kommune}-{kind}-{k + 1:0{width}d}" for k in range(c.forloeb))
    course_cell_a = np.concatenate(course_cell)
    course_year_a = np.concatenate(course_year)
    jan1 = (FIRST_PROJECT_YEAR - 1970 + course_year_a - 1).astype("datetime64[Y]").astype("datetime64[D]")
    raw_start = jan1 + np.concatenate(start_off) + rng.integers(0, 7, course_cell_a.size)
    start = np.busday_offset(raw_start, 0, roll="forward", weekmask="Mon")
    sessions = rng.choice(np.array(SESSIONS), size=course_cell_a.size)
    end = start + 7 * (sessions - 1)
    size_a = np.concatenate(sizes)
    course = np.repeat(np.arange(course_cell_a.size), size_a)
    return _Structure(cell=course_cell_a[course], course=course, course_cell=course_cell_a,
                      course_school=np.concatenate(course_school), course_year=course_year_a,
                      course_start=start, course_end=end, course_sessions=sessions,
                      course_names=names, school_names=school_names)


def _deal(n: int, counts: list[int], rng: np.random.Generator) -> np.ndarray:
    """Labels 0..k-1 with the given counts, in random order."""
    return rng.permutation(np.repeat(np.arange(len(counts)), counts))
