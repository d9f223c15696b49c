"""The published design of the synthetic ``udgaaende`` export: cells, strata and the free parameters.

Counts are printed in Socialstyrelsen (2017), *Evaluering af forsøg med udgående indsatser til unge
med rusmiddelproblemer*: students and courses per kommune and school type (the organisation table
of chapter 3, p. 9), gender per school type ("Antal elever indskrevet i forløb", p. 24), completers
("Gennemførselsrate på tværs af skoletype", p. 25), cessation ("Antal unge, der helt stopper med at
indtage cannabis", pp. 27-28), improved trivsel ("Antal unge, der oplever forbedret trivsel", p.
31) and the budget (chapter 8, p. 33, and the summary card). The exact integer sums behind every
printed mean ("Deltagernes progression i projektet", p. 26, and the figures of section 7.2) are
chosen as close to the middle of their rounding intervals as the joint constraints allow. The
unpublished choices (age shape, dropouts' outcomes, course years, budget split, sessions per
course, follow-up delay) are named constants with their reasons.

>>> PUBLISHED.persons, sum(c.forloeb for c in CELLS)
(405, 59)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evalkit.io.schema import dataset

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
