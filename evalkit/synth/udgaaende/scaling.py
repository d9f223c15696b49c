"""The ``udgaaende`` design at any size: every count and sum of the published design scaled to N persons.

Counts are scaled by largest-remainder rounding and sums by ``mean x n`` (half-up), so every
proportion and mean printed in Socialstyrelsen (2017), *Evaluering af forsøg med udgående indsatser
til unge med rusmiddelproblemer* (completion, follow-up, cessation, poly-drug users, improved
trivsel, ages, hash days, absence, WHO-5, costs) holds at N persons up to rounding, and ``design(405)``
is the published design itself.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from evalkit.synth._common import apportion, scale_half_up, split_first
from evalkit.synth.udgaaende.published import PUBLISHED, Cell, Design, Stratum


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
