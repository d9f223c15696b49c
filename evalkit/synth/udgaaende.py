"""Synthetic registry export for the outreach group courses of seeds 000/001 (``udgaaende``).

``generate()`` builds the 405-person dataset of spec ``seed000_figures.md`` section 4: one
export that reproduces every published count and mean of seeds 000 and 001 at once
(000-T3-organisering, 000-S4.1-alder, 000-F4.1b, 000-T7.1, 000-F7.1, 000-T7.2-progression,
000-F7.2a/c/d, 000-T7.2b, 000-T7.2e, 000-T8 / 001-omkostninger), under the spec's assumptions
A1 (cessation eligibility = completers with hash days > 0 at Indskrivning), A2 (the PS "6,1"
is the Opfølgning mean) and A3 ("forbedret trivsel" = strict WHO-5 increase Indskrivning ->
Afslutning). ``generate(persons=N)`` scales the same design to N persons, keeping every
proportion and mean.

How it works (constructive, no solver, no hand-edited rows):

1. The design (``PUBLISHED``) fixes the structure (cells, courses, schools) and, per school
   type, the counts (gender, completion, follow-up, cessation category, poly-drug users,
   improved WHO-5) and the exact integer *sums* behind every printed mean. Every free
   parameter of spec section 4.4 is decided there or in the constants below it.
2. Persons are placed in courses; attributes are dealt out by random permutation within
   school type.
3. Outcome values are drawn from plausible distributions inside per-person bounds that
   encode the category rules (e.g. a "halved" student has ``1 <= T1 < T0/2``), then
   :func:`evalkit.synth._common.repair_sum` moves single units until each sum is exact.

Category rules are built with a margin, so the published counts do not depend on the open
boundary questions: nobody has exactly half the intake hash days at Afslutning (so "<= T0/2"
and "< T0/2" agree, spec 2.4 item 8), and every WHO-5 improvement is at least 3 raw points
(12 points on 0-100) while every non-improvement is <= 0 (so "strict increase" and the
">= 10 points" rule of anchors.md 1.4 agree).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from evalkit.io.schema import dataset
from evalkit.synth._common import (
    apportion,
    beta_days,
    canonical_frame,
    make_ids,
    overdispersed_counts,
    repair_sum,
    scale_half_up,
    split_first,
    split_total,
    streams,
    tilted_pmf,
)

__all__ = ["Cell", "Stratum", "Design", "PUBLISHED", "design", "generate"]

_DS = dataset("udgaaende")
_SKOLETYPE = _DS.table("deltagere").column("skoletype").codes      # [erhvervsskole, produktionsskole]
_KOEN = _DS.table("deltagere").column("koen").codes                # [kvinde, mand]
_STATUS = _DS.table("deltagere").column("status").codes            # [gennemfoert, frafaldet]
_TIDSPUNKT = _DS.table("registreringer").column("tidspunkt").codes  # [indskrivning, afslutning, opfoelgning]


@dataclass(frozen=True)
class Cell:
    """One municipality x school-type cell of 000-T3-organisering."""

    kommune: str
    skoletype: str   #: dictionary code, ``erhvervsskole`` or ``produktionsskole``
    deltagere: int   #: enrolled students (000-T3 "deltagere")
    forloeb: int     #: group courses (000-T3 "forløb")
    skoler: int      #: schools (free: 000-T8 prints 13 schools in total, not per cell)


@dataclass(frozen=True)
class Stratum:
    """Counts and exact sums for one school type.

    Sums are integers over the stated population; the printed mean is ``sum / n``.
    Triples are (Indskrivning, Afslutning, Opfølgning). T0/T1 sums run over completers,
    T2 sums over completers with follow-up (000-T7.2 n = 333/333/290); the poly-drug sums run
    over the poly-drug users (000-T7.2 footnote, n = 146) and their follow-up subset.
    """

    kvinder: int
    maend: int
    gennemfoert: int             #: completers (000-T7.2e Total, 000-F7.1)
    opf_gennemfoert: int         #: completers with Opfølgning (sum 290)
    opf_frafaldet: int           #: dropouts with Opfølgning (sum 38, 000-F7.1 fn 13)
    alder_sum_kvinder: int
    alder_sum_maend: int
    hash_nul: int                #: completers with 0 hash days at T0 (not cessation-eligible, A1)
    hash_stoppet: int            #: 000-T7.2b "Helt stoppet"
    hash_halveret: int           #: 000-T7.2b "Halveret forbrug"
    hash_sum: tuple[int, int, int]
    poly_brugere: int            #: completers with poly-drug days > 0 at some time point
    poly_brugere_opf: int        #: ... of whom with Opfølgning
    poly_sum: tuple[int, int, int]
    fravaer_sum: tuple[int, int, int]
    who5_forbedret: int          #: 000-T7.2e "Forbedret trivsel" (strict increase T0 -> T1)
    who5_raw_sum: tuple[int, int, int]  #: raw WHO-5 (0-25); the 0-100 score is 4 x raw

    @property
    def n(self) -> int:
        return self.kvinder + self.maend


@dataclass(frozen=True)
class Design:
    """Everything the generator needs: cells, one :class:`Stratum` per school type, costs."""

    cells: tuple[Cell, ...]
    strata: dict[str, Stratum]
    budget_kr: int               #: total budget T, 000-T8 (kroner)
    raadgivne_elever: int        #: counselled students incl. group participants, 000-T8 "959"
    strict: bool = True          #: sums must be met exactly (False only for tiny scaled designs)

    @property
    def persons(self) -> int:
        return sum(c.deltagere for c in self.cells)


# ------------------------------------------------------------------------------------------
# The published design. Counts are printed in seeds 000/001; sums are chosen inside the
# intervals of spec seed000_figures.md 4.2 (S1-S14), as close to the centre as the joint
# constraints allow. Each choice is commented with the printed value it must round to.
# ------------------------------------------------------------------------------------------

#: 000-T3-organisering, printed order. ``skoler``: 13 schools (000-T8) = the 11 cells plus a
#: second school in the two largest production-school cells (free choice, spec 4.4).
CELLS: tuple[Cell, ...] = (
    Cell("Brøndby", "erhvervsskole", 38, 5, 1),
    Cell("Brøndby", "produktionsskole", 21, 3, 1),
    Cell("Lolland", "erhvervsskole", 34, 4, 1),
    Cell("Lolland", "produktionsskole", 117, 14, 2),
    Cell("Odense", "erhvervsskole", 11, 2, 1),
    Cell("Odense", "produktionsskole", 59, 8, 2),
    Cell("Silkeborg", "erhvervsskole", 5, 1, 1),
    Cell("Silkeborg", "produktionsskole", 17, 3, 1),
    Cell("Tårnby", "produktionsskole", 28, 4, 1),
    Cell("Vesthimmerland", "erhvervsskole", 36, 7, 1),
    Cell("Vesthimmerland", "produktionsskole", 39, 8, 1),
)

PUBLISHED = Design(
    cells=CELLS,
    strata={
        "erhvervsskole": Stratum(
            kvinder=37, maend=87,                   # 000-T7.1
            gennemfoert=105,                        # 000-T7.2e Total; 105/124 -> "85 pct." (000-F7.1)
            opf_gennemfoert=91, opf_frafaldet=10,   # free split of 290 and 38, proportional to n
            alder_sum_kvinder=730, alder_sum_maend=1805,   # 19.73 / 20.75 (free; 000-S4.1 ordering)
            hash_nul=0,                             # ES cessation N = 105 (free: 104 or 105)
            hash_stoppet=27, hash_halveret=42,      # 000-T7.2b
            hash_sum=(1869, 830, 555),              # 17.80 -> "18" (F7.2a); 7.90 < 8.90 "mere end halveret"; 6.10
            poly_brugere=45, poly_brugere_opf=39,   # free (34..56 feasible)
            poly_sum=(131, 40, 31),                 # 2.91 -> "2,9"; 0.89 -> "0,9" (F7.2c)
            fravaer_sum=(178, 60, 50),              # 1.70 -> "1,7"; 0.57 -> "0,6" (F7.2c)
            who5_forbedret=77,                      # 000-T7.2e
            who5_raw_sum=(1378, 1869, 1638),        # x4: 52.50 "omkring 52"; 71.20 "over 70"; 72.00
        ),
        "produktionsskole": Stratum(
            kvinder=91, maend=190,
            gennemfoert=228,                        # 228/281 -> "81 pct."
            opf_gennemfoert=199, opf_frafaldet=28,
            alder_sum_kvinder=1729, alder_sum_maend=3755,  # 19.00 / 19.76
            hash_nul=21,                            # forced: 124/207 -> "60 pct." needs N = 207
            hash_stoppet=57, hash_halveret=67,
            hash_sum=(3093, 1568, 1214),            # 13.57 -> "14"; 6.88; 6.10 -> "6,1" (A2)
            poly_brugere=101, poly_brugere_opf=88,
            poly_sum=(424, 121, 121),               # 4.20 -> "4,2"; 1.20 -> "1,2"
            fravaer_sum=(456, 244, 182),            # 2.00 -> "2"; 1.07 -> "1,1"
            who5_forbedret=174,
            who5_raw_sum=(2992, 4042, 3582),        # x4: 52.49; 70.91; 72.00
        ),
    },
    # T/24 = 484,304 -> "484.300"; T/13 = 894,100; T/59 = 197,005 -> "197.000";
    # T/405 = 28,699.5 -> "28.700"; the middle of the interval [11,622,650; 11,623,950).
    budget_kr=11_623_300,
    raadgivne_elever=959,
)
# Joint checks of these sums (all completers): hash 4962/333 = 14.90 "14,9", 2398/333 = 7.20
# "7,2", 1769/290 = 6.10 "6,1"; poly 555/146 = 3.80 "3,8", 161/146 = 1.10 "1,1", 152/127 = 1.20
# "1,2"; absence 634/333 = 1.90 "1,9", 304/333 = 0.91 "0,9", 232/290 = 0.80 "0,8"; WHO-5
# 4*4370/333 = 52.49 "52,5", 4*5911/333 = 71.00 "71", 4*5220/290 = 72.00 "72"; age 8019/405
# = 19.80 "19,8".

#: Ages 16..31 before the group sums are met: most students 18-20 (000-S4.1 "Langt
#: hovedparten er mellem 18 og 20 år"). The youngest is 16 and the oldest 31 (000-S4.1).
#: Each school type x gender group draws from this shape exponentially tilted to its mean, so
#: about three in four students of every group are 18-20 and the older tail carries the mean.
AGE_VALUES = np.arange(16, 32)
AGE_PMF = np.array([0.015, 0.04, 0.24, 0.31, 0.25, 0.04, 0.025, 0.02, 0.015, 0.012,
                    0.01, 0.008, 0.006, 0.004, 0.003, 0.002])
AGE_MIN, AGE_MAX = 16, 31

#: Dropouts (not published; free, spec 4.4). Means per dropout; chosen so that the 38 with
#: follow-up improve, but less than completers (000-F7.1 "ikke på samme niveau", Q1).
DROPOUT_MEANS = {
    "hash_t0": 16.5, "hash_t2": 12.0,
    "poly_share": 0.5, "poly_t0_users": 4.5, "poly_t2_users": 3.5,
    "fravaer_t0": 2.6, "fravaer_t2": 1.9,
    "who5_raw_t0": 12.0, "who5_raw_t2": 13.5,
}

#: Calendar year of project year 1 (the pool was announced in 2012; the project ran four years).
FIRST_PROJECT_YEAR = 2013
#: Share of each cell's courses started in project years 1..4 (free).
COURSE_YEAR_WEIGHTS = (0.2, 0.3, 0.3, 0.2)
#: Budget per project year (free): a lighter start-up year, then steady running.
BUDGET_YEAR_WEIGHTS = (0.22, 0.27, 0.27, 0.24)
#: Each municipality's budget share = half an equal share + half its share of participants (free).
BUDGET_EQUAL_PART = 0.5
#: Group sessions per course: "7-8 gange af 2-3 timers varighed" (000 p.4); weekly meetings.
SESSIONS = (7, 8)
#: Opfølgning three months after the *group's* end (000-F7.1 fn 13), plus up to two weeks.
FOLLOW_UP_DAYS = 91


def _scaled_stratum(s: Stratum, n: int) -> Stratum:
    kv, ma = (int(x) for x in apportion(n, [s.kvinder, s.maend]))
    g = split_first(n, s.gennemfoert, s.n)
    f = n - g
    opf_g = split_first(g, s.opf_gennemfoert, s.gennemfoert)
    opf_f = split_first(f, s.opf_frafaldet, s.n - s.gennemfoert)
    nul, stop, half, _ = (
        int(x)
        for x in apportion(
            g,
            [
                s.hash_nul,
                s.hash_stoppet,
                s.hash_halveret,
                s.gennemfoert - s.hash_nul - s.hash_stoppet - s.hash_halveret,
            ],
        )
    )
    users = min(split_first(g, s.poly_brugere, s.gennemfoert), g - nul)
    users_opf = split_first(users, s.poly_brugere_opf, s.poly_brugere)
    users_opf = int(np.clip(users_opf, max(0, users - (g - opf_g)), min(users, opf_g)))
    sc = s.gennemfoert

    def tri(t: tuple[int, int, int], n01: int, old01: int, n2: int, old2: int) -> tuple[int, int, int]:
        return (scale_half_up(t[0], n01, old01), scale_half_up(t[1], n01, old01), scale_half_up(t[2], n2, old2))

    return Stratum(
        kvinder=kv, maend=ma, gennemfoert=g, opf_gennemfoert=opf_g, opf_frafaldet=opf_f,
        alder_sum_kvinder=scale_half_up(s.alder_sum_kvinder, kv, s.kvinder),
        alder_sum_maend=scale_half_up(s.alder_sum_maend, ma, s.maend),
        hash_nul=nul, hash_stoppet=stop, hash_halveret=half,
        hash_sum=tri(s.hash_sum, g, sc, opf_g, s.opf_gennemfoert),
        poly_brugere=users, poly_brugere_opf=users_opf,
        poly_sum=tri(s.poly_sum, users, s.poly_brugere, users_opf, s.poly_brugere_opf),
        fravaer_sum=tri(s.fravaer_sum, g, sc, opf_g, s.opf_gennemfoert),
        who5_forbedret=split_first(g, s.who5_forbedret, sc),
        who5_raw_sum=tri(s.who5_raw_sum, g, sc, opf_g, s.opf_gennemfoert),
    )


def design(persons: int | None = None) -> Design:
    """The generator's design: the published one, or the same proportions and means at N persons.

    Parameters
    ----------
    persons : int, optional
        ``None`` gives :data:`PUBLISHED` (405 persons, seeds 000/001). An integer N >= 10
        scales every count by largest-remainder rounding and every sum by ``mean x n``
        (half-up), so ``design(405) == PUBLISHED``.

    Returns
    -------
    Design

    Examples
    --------
    >>> design().persons, design(1000).persons
    (405, 1000)
    >>> design(405) == PUBLISHED
    True
    """
    if persons is None:
        return PUBLISHED
    if isinstance(persons, bool) or not isinstance(persons, (int, np.integer)) or persons < 10:
        raise ValueError(f"`persons` must be None or an integer >= 10, got {persons!r}")
    persons = int(persons)
    pub = PUBLISHED
    n_cell = apportion(persons, [c.deltagere for c in pub.cells])
    cells = []
    for c, n in zip(pub.cells, n_cell, strict=True):
        n = int(n)
        courses = max(1, scale_half_up(c.forloeb, n, c.deltagere)) if n else 0
        courses = min(courses, n)
        schools = min(max(1, scale_half_up(c.skoler, n, c.deltagere)), courses) if n else 0
        cells.append(Cell(c.kommune, c.skoletype, n, courses, schools))
    strata = {}
    for st, s in pub.strata.items():
        n_st = sum(c.deltagere for c in cells if c.skoletype == st)
        strata[st] = _scaled_stratum(s, n_st)
    out = Design(cells=tuple(cells), strata=strata,
                 budget_kr=scale_half_up(pub.budget_kr // 100, persons, pub.persons) * 100,
                 raadgivne_elever=scale_half_up(pub.raadgivne_elever, persons, pub.persons),
                 strict=False)
    return replace(out, strict=True) if out == replace(pub, strict=False) else out


# ------------------------------------------------------------------------------------------
# structure: persons in courses, schools, dates
# ------------------------------------------------------------------------------------------


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


# ------------------------------------------------------------------------------------------
# outcome blocks (one school type at a time, vectorised over its persons)
# ------------------------------------------------------------------------------------------


def _hash(s: Stratum, cat: np.ndarray, fu: np.ndarray, rng, strict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Completers' hash days. ``cat``: 0 no use at T0, 1 stopped, 2 halved, 3 neither (000-T7.2b)."""
    n = cat.size
    zero, stop, half = cat == 0, cat == 1, cat == 2
    elig = ~zero
    lo0 = np.where(zero, 0, np.where(half, 3, 1))
    hi0 = np.where(zero, 0, 30)
    t0 = np.clip(beta_days(n, s.hash_sum[0] / max(elig.sum(), 1), 30, rng), lo0, hi0)
    t0 = repair_sum(t0, s.hash_sum[0], lo0, hi0, rng, strict=strict)
    # T1 bounds: stopped 0; halved 1 .. (T0-1)//2 (strictly below half); neither > T0/2
    lo1 = np.select([zero, stop, half], [0, 0, 1], t0 // 2 + 1)
    hi1 = np.select([zero, stop, half], [30, 0, (t0 - 1) // 2], 30)
    frac = np.where(half, rng.uniform(0.1, 0.45, n), rng.uniform(0.55, 1.1, n))
    t1 = np.where(zero, (rng.random(n) < 0.15) * rng.integers(1, 5, n), np.rint(t0 * frac))
    t1 = np.clip(t1.astype(np.int64), lo1, hi1)
    t1 = repair_sum(t1, s.hash_sum[1], lo1, hi1, rng, strict=strict)
    base = np.where(t1 > 0, np.rint(t1 * rng.uniform(0.55, 1.0, n)),
                    (rng.random(n) < 0.2) * rng.integers(1, 8, n))
    t2 = np.clip(base.astype(np.int64), 0, 30)
    # abstinent at follow-up stays abstinent: the repair only moves those who use
    hi2 = np.where(t2 > 0, 30, 0)[fu]
    t2[fu] = repair_sum(t2[fu], s.hash_sum[2], np.minimum(1, hi2), hi2, rng, strict=strict)
    return t0, t1, t2


def _poly(s: Stratum, users: np.ndarray, fu: np.ndarray, rng, strict) -> tuple[np.ndarray, ...]:
    """Completers' days with more than one illegal drug; non-users are 0 at every time point."""
    n = users.size
    t0, t1, t2 = (np.zeros(n, dtype=np.int64) for _ in range(3))
    k = int(users.sum())
    if k:
        mean0 = s.poly_sum[0] / k
        a0 = np.minimum(rng.geometric(1 / max(mean0, 1.0), k), 30)
        a0 = repair_sum(a0, s.poly_sum[0], 1, 30, rng, strict=strict)
        a1 = repair_sum(rng.binomial(a0, 0.3), s.poly_sum[1], 0, 30, rng, strict=strict)
        a2 = np.minimum(rng.poisson(a1 * 0.9 + 0.2), 30)
        ufu = fu[users]
        a2[ufu] = repair_sum(a2[ufu], s.poly_sum[2], 0, 30, rng, strict=strict)
        t0[users], t1[users], t2[users] = a0, a1, a2
    return t0, t1, t2


def _fravaer(s: Stratum, fu: np.ndarray, rng, strict) -> tuple[np.ndarray, ...]:
    n = fu.size
    t0 = repair_sum(overdispersed_counts(n, s.fravaer_sum[0] / max(n, 1), 14, rng), s.fravaer_sum[0], 0, 14, rng,
                    strict=strict)
    t1 = repair_sum(rng.binomial(t0, 0.45), s.fravaer_sum[1], 0, 14, rng, strict=strict)
    t2 = np.minimum(rng.binomial(t1, 0.7) + (rng.random(n) < 0.15), 14).astype(np.int64)
    t2[fu] = repair_sum(t2[fu], s.fravaer_sum[2], 0, 14, rng, strict=strict)
    return t0, t1, t2


def _who5(s: Stratum, improved: np.ndarray, fu: np.ndarray, rng, strict) -> tuple[np.ndarray, ...]:
    """Raw WHO-5 (0-25). Improved: T1 >= T0 + 3; not improved: T1 <= T0 (000-T7.2e, A3)."""
    n = improved.size
    hi0 = np.where(improved, 22, 25)
    t0 = np.clip(np.rint(rng.normal(s.who5_raw_sum[0] / max(n, 1), 4.5, n)).astype(np.int64), 0, hi0)
    t0 = repair_sum(t0, s.who5_raw_sum[0], 0, hi0, rng, strict=strict)
    down = np.maximum(t0 - rng.binomial(4, 0.35, n), 0)
    need = s.who5_raw_sum[1] - down[~improved].sum()
    k = max(int(improved.sum()), 1)
    lam = max(need / k - t0[improved].mean() - 3, 0.0) if improved.any() else 0.0
    up = t0 + 3 + rng.poisson(lam, n)
    lo1 = np.where(improved, t0 + 3, 0)
    hi1 = np.where(improved, 25, t0)
    t1 = np.clip(np.where(improved, up, down), lo1, hi1)
    t1 = repair_sum(t1, s.who5_raw_sum[1], lo1, hi1, rng, strict=strict)
    t2 = np.clip(t1 + np.rint(rng.normal(0.3, 2.0, n)).astype(np.int64), 0, 25)
    t2[fu] = repair_sum(t2[fu], s.who5_raw_sum[2], 0, 25, rng, strict=strict)
    return t0, t1, t2


def _dropouts(n: int, fu: np.ndarray, rng, strict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Dropouts' T0 and T2 values (T2 meaningful only where ``fu``), sums from DROPOUT_MEANS."""
    m = DROPOUT_MEANS

    def fit(values, mean, lo, hi, mask=None):
        mask = np.ones(values.size, bool) if mask is None else mask
        values = values.copy()
        values[mask] = repair_sum(values[mask], round(mean * mask.sum()), lo, hi, rng, strict=strict)
        return values

    out = {}
    h0 = fit(np.clip(beta_days(n, m["hash_t0"], 30, rng), 0, 30), m["hash_t0"], 0, 30)
    h2 = fit(np.rint(h0 * rng.uniform(0.4, 1.0, n)).astype(np.int64), m["hash_t2"], 0, 30, fu)
    out["hash"] = (h0, h2)
    users = rng.random(n) < m["poly_share"]
    p0 = np.where(users, np.minimum(rng.geometric(1 / m["poly_t0_users"], n), 30), 0)
    p0 = fit(p0, m["poly_t0_users"], 1, 30, users) if users.any() else p0
    p2 = np.where(users, rng.binomial(p0, 0.75), 0)
    ufu = users & fu
    p2 = fit(p2, m["poly_t2_users"], 0, 30, ufu) if ufu.any() else p2
    out["poly"] = (p0, p2)
    a0 = fit(overdispersed_counts(n, m["fravaer_t0"], 14, rng), m["fravaer_t0"], 0, 14)
    a2 = fit(rng.binomial(a0, 0.75), m["fravaer_t2"], 0, 14, fu)
    out["fravaer"] = (a0, a2)
    w0 = fit(np.clip(np.rint(rng.normal(m["who5_raw_t0"], 4.5, n)), 0, 25).astype(np.int64), m["who5_raw_t0"], 0, 25)
    w2 = fit(np.clip(w0 + np.rint(rng.normal(1.5, 3.0, n)).astype(np.int64), 0, 25), m["who5_raw_t2"], 0, 25, fu)
    out["who5"] = (w0, w2)
    return out


def _ages(d: Design, st_of: np.ndarray, female: np.ndarray, rng) -> np.ndarray:
    """Ages meeting each school type x gender sum; one 16-year-old and one 31-year-old (000-S4.1)."""
    n = st_of.size
    age = np.zeros(n, dtype=np.int64)
    frozen = np.zeros(n, bool)
    groups = [("erhvervsskole", False, "alder_sum_maend"), ("erhvervsskole", True, "alder_sum_kvinder"),
              ("produktionsskole", False, "alder_sum_maend"), ("produktionsskole", True, "alder_sum_kvinder")]
    idx = {g[:2]: np.flatnonzero((st_of == _SKOLETYPE.index(g[0])) & (female == g[1])) for g in groups}
    oldest, youngest = idx[("erhvervsskole", False)], idx[("produktionsskole", True)]
    if oldest.size > 1 and youngest.size > 1:
        age[oldest[0]], age[youngest[0]] = AGE_MAX, AGE_MIN
        frozen[[oldest[0], youngest[0]]] = True
    for st, fem, attr in groups:
        members = idx[(st, fem)]
        if members.size == 0:
            continue
        target = getattr(d.strata[st], attr)
        free = members[~frozen[members]]
        rest = target - age[members[frozen[members]]].sum()
        q = tilted_pmf(AGE_PMF, AGE_VALUES, rest / max(free.size, 1))
        # best of a few draws: the closest sum leaves only a few units for repair_sum to move,
        # so the repair hardly changes the 18-20 share
        tries = rng.choice(AGE_VALUES, size=(max(1, min(32, 1_000_000 // max(free.size, 1))), free.size), p=q)
        age[free] = tries[np.argmin(np.abs(tries.sum(axis=1) - rest))]
        age[free] = repair_sum(age[free], rest, AGE_MIN, AGE_MAX, rng, strict=d.strict)
    return age.astype(np.int64)


# ------------------------------------------------------------------------------------------
# assembly
# ------------------------------------------------------------------------------------------


def _costs(d: Design, s: _Structure, person_cell: np.ndarray) -> pd.DataFrame:
    kommuner = sorted({c.kommune for c in d.cells}, key=[c.kommune for c in d.cells].index)
    pub_share = np.array([sum(c.deltagere for c in PUBLISHED.cells if c.kommune == k) for k in kommuner], float)
    w_k = BUDGET_EQUAL_PART / len(kommuner) + (1 - BUDGET_EQUAL_PART) * pub_share / pub_share.sum()
    w = np.outer(w_k, BUDGET_YEAR_WEIGHTS).ravel()
    amounts = apportion(d.budget_kr // 100, w) * 100
    kom_of_cell = np.array([kommuner.index(c.kommune) for c in d.cells])
    year_of_person = s.course_year[s.course]
    enrolled = np.bincount(kom_of_cell[person_cell] * 4 + (year_of_person - 1), minlength=len(w))
    extra = apportion(max(d.raadgivne_elever - int(enrolled.sum()), 0), w)
    return canonical_frame("udgaaende", "omkostninger", {
        "kommune": np.repeat(np.array(kommuner, dtype=object), 4),
        "projektaar": np.tile(np.arange(1, 5), len(kommuner)),
        "beloeb_kr": amounts.astype(float),
        "raadgivne_elever": enrolled + extra,
    })


def generate(persons: int | None = None, seed: int = 2017) -> dict[str, pd.DataFrame]:
    """Synthetic ``udgaaende`` export: ``deltagere``, ``registreringer``, ``omkostninger``.

    With ``persons=None`` the 405-person dataset of spec seed000_figures.md section 4, which
    reproduces every published count and mean of seeds 000/001 (000-T3-organisering,
    000-S4.1-alder, 000-F4.1b-koensfordeling, 000-T7.1-indskrevne, 000-F7.1-gennemfoerelse,
    000-T7.2-progression, 000-F7.2a-hash-skoletype, 000-T7.2b-cannabis-ophoer,
    000-F7.2c-fravaer-polystof, 000-F7.2d-trivsel-skoletype, 000-T7.2e-forbedret-trivsel,
    000-T8-omkostninger, 001-omkostninger, 001-resultater) except the printed misprints of
    spec 4.3. With ``persons=N`` (N >= 10) the same design scaled to N persons.

    Parameters
    ----------
    persons : int, optional
        Number of enrolled students; ``None`` (default) for the published 405.
    seed : int, default 2017
        Seed of all random choices; the same ``(persons, seed)`` always gives identical frames.

    Returns
    -------
    dict of str to pandas.DataFrame
        Canonical tables with the data dictionary's columns and dtypes
        (``evalkit/io/dictionary/udgaaende.yaml``). ``registreringer`` has a row per person
        and time point actually registered: Indskrivning for everybody, Afslutning for
        completers, Opfølgning for those followed up. WHO-5 comes as the five 0-5 items
        (score = 4 x item sum, anchors.md 1.2).

    Notes
    -----
    The published design's sums and every free choice of spec section 4.4 are the module
    constants :data:`PUBLISHED`, :data:`AGE_PMF`, :data:`DROPOUT_MEANS` and the date/budget
    constants. The outcome tables contain no missing values among completers (000-T7.2 prints
    n = 333 for every row); dropouts have no Afslutning row (000-F7.1 footnote 13).

    Examples
    --------
    >>> t = generate()
    >>> sorted(t), len(t["deltagere"]), len(t["omkostninger"])
    (['deltagere', 'omkostninger', 'registreringer'], 405, 24)
    >>> int((t["deltagere"]["status"] == "gennemfoert").sum())
    333
    >>> reg = t["registreringer"]
    >>> t0 = reg[(reg["tidspunkt"] == "indskrivning") & reg["person_id"].isin(
    ...     t["deltagere"].loc[t["deltagere"]["status"] == "gennemfoert", "person_id"])]
    >>> round(float(t0["hash_dage_30"].mean()), 1)
    14.9
    >>> len(generate(persons=1000)["deltagere"])
    1000
    """
    d = design(persons)
    rng = streams(seed, ["structure", "deal", "age", "hash", "poly", "fravaer", "who5", "dropout", "items"])
    s = _structure(d, rng["structure"])
    n = s.cell.size
    st_code = np.array([_SKOLETYPE.index(c.skoletype) for c in d.cells])[s.cell]
    female = np.zeros(n, bool)
    completer = np.zeros(n, bool)
    fu = np.zeros(n, bool)
    val = {k: np.zeros((3, n), dtype=np.int64) for k in ("hash", "poly", "fravaer", "who5")}
    for st_name, st in d.strata.items():
        members = np.flatnonzero(st_code == _SKOLETYPE.index(st_name))
        if members.size == 0:
            continue
        deal = rng["deal"]
        female[members] = _deal(members.size, [st.kvinder, st.maend], deal) == 0
        done = _deal(members.size, [st.gennemfoert, st.n - st.gennemfoert], deal) == 0
        completer[members] = done
        comp, drop = members[done], members[~done]
        g = comp.size
        rest = g - st.hash_nul - st.hash_stoppet - st.hash_halveret
        cat = _deal(g, [st.hash_nul, st.hash_stoppet, st.hash_halveret, rest], deal)
        # poly-drug users among completers who used hash at intake; follow-up dealt so that
        # exactly poly_brugere_opf of them (and opf_gennemfoert in all) are followed up
        elig = np.flatnonzero(cat != 0)
        users = np.zeros(g, bool)
        users[deal.choice(elig, size=min(st.poly_brugere, elig.size), replace=False)] = True
        cfu = np.zeros(g, bool)
        u_idx, o_idx = np.flatnonzero(users), np.flatnonzero(~users)
        cfu[deal.choice(u_idx, size=st.poly_brugere_opf, replace=False)] = True
        cfu[deal.choice(o_idx, size=min(st.opf_gennemfoert - st.poly_brugere_opf, o_idx.size), replace=False)] = True
        fu[comp] = cfu
        dfu = _deal(drop.size, [st.opf_frafaldet, drop.size - st.opf_frafaldet], deal) == 0
        fu[drop] = dfu
        improved = _deal(g, [st.who5_forbedret, g - st.who5_forbedret], deal) == 0
        for key, vals in (("hash", _hash(st, cat, cfu, rng["hash"], d.strict)),
                          ("poly", _poly(st, users, cfu, rng["poly"], d.strict)),
                          ("fravaer", _fravaer(st, cfu, rng["fravaer"], d.strict)),
                          ("who5", _who5(st, improved, cfu, rng["who5"], d.strict))):
            for t in range(3):
                val[key][t, comp] = vals[t]
        if drop.size:
            dvals = _dropouts(drop.size, dfu, rng["dropout"], d.strict)
            for key, (v0, v2) in dvals.items():
                val[key][0, drop], val[key][2, drop] = v0, v2
    age = _ages(d, st_code, female, rng["age"])

    # persons in enrolment order (course start, then course), ids U0001...
    order = np.lexsort((s.course, s.course_start[s.course]))
    inv = np.empty(n, np.int64)
    inv[order] = np.arange(n)
    ids = make_ids("U", n)
    start = s.course_start[s.course]
    end = s.course_end[s.course]
    sess = s.course_sessions[s.course]
    left_after = 7 * rng["structure"].integers(1, np.maximum(sess - 1, 2))
    slut = np.where(completer, end, start + left_after)
    o = order
    deltagere = canonical_frame("udgaaende", "deltagere", {
        "person_id": ids,
        "kommune": np.array([c.kommune for c in d.cells], dtype=object)[s.cell[o]],
        "skoletype": st_code[o],
        "skole": np.array(s.school_names, dtype=object)[s.course_school[s.course[o]]],
        "forloeb": np.array(s.course_names, dtype=object)[s.course[o]],
        "koen": np.where(female[o], _KOEN.index("kvinde"), _KOEN.index("mand")),
        "alder": age[o],
        "status": np.where(completer[o], _STATUS.index("gennemfoert"), _STATUS.index("frafaldet")),
        "indskrivningsdato": start[o],
        "afslutningsdato": slut[o],
    })

    # registrations: T0 for all, T1 for completers, T2 for the followed-up
    fu_day = end + FOLLOW_UP_DAYS + rng["structure"].integers(0, 15, n)
    rows = [np.arange(n), np.flatnonzero(completer), np.flatnonzero(fu)]
    person = np.concatenate(rows)
    tp = np.concatenate([np.full(r.size, t) for t, r in enumerate(rows)])
    dates = np.stack([start, end, fu_day])[tp, person]
    by_person_time = np.lexsort((tp, inv[person]))
    person, tp, dates = person[by_person_time], tp[by_person_time], dates[by_person_time]
    who5_raw = val["who5"][tp, person]
    items = split_total(who5_raw, 5, 5, rng["items"])
    cols = {
        "person_id": ids.take(inv[person]),
        "tidspunkt": np.array([_TIDSPUNKT.index(c) for c in ("indskrivning", "afslutning", "opfoelgning")])[tp],
        "dato": dates,
        "hash_dage_30": val["hash"][tp, person],
        "flere_stoffer_dage_30": val["poly"][tp, person],
        "ulovligt_fravaer_dage_14": val["fravaer"][tp, person],
    }
    for i in range(5):
        cols[f"who5_{i + 1}"] = items[:, i]
    registreringer = canonical_frame("udgaaende", "registreringer", cols)
    return {"deltagere": deltagere, "registreringer": registreringer,
            "omkostninger": _costs(d, s, s.cell)}
