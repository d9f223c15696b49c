"""Synthetic registry export for the outreach group courses at erhvervs- and produktionsskoler (``udgaaende``).

The figures come from Socialstyrelsen (2017), *Evaluering af forsøg med udgående indsatser til unge
med rusmiddelproblemer*, and its summary card *Udgående indsatser til unge med rusmiddelproblemer*.
``generate()`` builds the 405-person dataset that reproduces every published count and mean of both
at once: the organisation table of chapter 3 (p. 9), the ages and gender shares of section 4.1 (pp.
10-11), "Antal elever indskrevet i forløb" (p. 24), "Gennemførselsrate på tværs af skoletype" (p.
25), "Deltagernes progression i projektet" (p. 26), hash days, cessation, absence, poly-drug use and
trivsel by school type (pp. 27-31), the costs of chapter 8 (p. 33) and the card's costs and results.
Where the report is ambiguous it reads: only completers with hash days > 0 at Indskrivning can stop
or halve their use; the produktionsskoler's "6,1" is the Opfølgning mean; "forbedret trivsel" is a
strict WHO-5 increase from Indskrivning to Afslutning. ``generate(persons=N)`` scales the same
design to N persons, keeping every proportion and mean.

How it works (constructive, no solver, no hand-edited rows), one module per step:

1. The design (:mod:`.published`: ``PUBLISHED``) fixes the structure (cells, courses, schools)
   and, per school type, the counts (gender, completion, follow-up, cessation category, poly-drug
   users, improved WHO-5) and the exact integer *sums* behind every printed mean. Every free
   parameter is decided there or in the constants below it; :mod:`.scaling` scales the design.
2. Persons are placed in courses (:mod:`.courses`); attributes are dealt out by random
   permutation within school type (:mod:`.export`).
3. Outcome values are drawn from plausible distributions inside per-person bounds that
   encode the category rules (e.g. a "halved" student has ``1 <= T1 < T0/2``), then
   :func:`evalkit.synth._common.repair_sum` moves single units until each sum is exact
   (:mod:`.outcomes`).

Category rules are built with a margin, so the published counts do not depend on the open
boundary questions: nobody has exactly half the intake hash days at Afslutning (so "<= T0/2"
and "< T0/2" agree), and every WHO-5 improvement is at least 3 raw points (12 points on 0-100)
while every non-improvement is <= 0 (so "strict increase" and the ">= 10 points" rule of the WHO-5
literature agree).
"""

from __future__ import annotations

from evalkit.synth.udgaaende.export import generate
from evalkit.synth.udgaaende.published import (  # noqa: F401 (the design's free parameters stay module constants)
    AGE_MAX,
    AGE_MIN,
    AGE_PMF,
    AGE_VALUES,
    BUDGET_EQUAL_PART,
    BUDGET_YEAR_WEIGHTS,
    CELLS,
    COURSE_YEAR_WEIGHTS,
    DROPOUT_MEANS,
    FIRST_PROJECT_YEAR,
    FOLLOW_UP_DAYS,
    PUBLISHED,
    SESSIONS,
    Cell,
    Design,
    Stratum,
)
from evalkit.synth.udgaaende.scaling import design

__all__ = ["Cell", "Stratum", "Design", "PUBLISHED", "design", "generate"]
