"""The specification of report ``udgaaende``: its tables in the published order (seed 000, card 001).

Each table is declared once in its chapter module (id, seed figure, population); its title is
``<id>.title`` in ``text.yaml``. The report reads no ``--set`` keys: every rule a data owner may
change is in ``constants.yaml``.

>>> [t.id for t in SPEC.tables][:3], SPEC.tables[2].title.en
(['organisation', 'age', 'enrolment'], 'Students enrolled in group courses')
"""

from __future__ import annotations

from dataclasses import replace

from evalkit.report._build.subset import Population
from evalkit.report.model import T
from evalkit.report.spec import ReportSpec
from evalkit.report.udgaaende.completion import (
                                                 COMPLETION,
                                                 DROPOUTS,
                                                 ENROLMENT,
                                                 FOLLOW_UP,
                                                 completion,
                                                 dropouts,
                                                 enrolment,
                                                 follow_up,
)
from evalkit.report.udgaaende.costs import COSTS, costs
from evalkit.report.udgaaende.goals import GOALS, goals
from evalkit.report.udgaaende.participants import AGE, ORGANISATION, age, organisation
from evalkit.report.udgaaende.prepare import prepare
from evalkit.report.udgaaende.progression import (
                                                 ABSENCE_BY_SCHOOL,
                                                 HASH_BY_SCHOOL,
                                                 POLYDRUG_BY_SCHOOL,
                                                 PROGRESSION,
                                                 WHO5_BY_SCHOOL,
                                                 absence_by_school,
                                                 hash_by_school,
                                                 polydrug_by_school,
                                                 progression,
                                                 who5_by_school,
)
from evalkit.report.udgaaende.reduction import CANNABIS_REDUCTION, cannabis_reduction
from evalkit.report.udgaaende.variables import VARIABLES
from evalkit.report.udgaaende.vocabulary import TXT
from evalkit.report.udgaaende.wellbeing import (
                                                 WHO5_BANDS,
                                                 WHO5_IMPROVED,
                                                 WHO5_IMPROVED_10,
                                                 who5_bands,
                                                 who5_improved,
                                                 who5_improved_10,
)

__all__ = ["SPEC"]

SPEC = ReportSpec(
    name="udgaaende",
    dataset="udgaaende",
    title=TXT("report.title"),
    prepare=prepare,
    options=(),  # no --set keys: every rule a data owner may change is in constants.yaml
    # --where/--by select students; registrations follow them; costs (per kommune and project year)
    # follow only a filter on their own columns (kommune, projektaar), else the costs table is left out.
    population=Population("deltagere", T("elever", "students"), intake_date="indskrivningsdato",
                          own_columns=("omkostninger",)),
    variables=VARIABLES,
    key_figures=(("completion", "total", "gennemfoert_pct"), ("follow_up", "gennemfoert", "opfoelgning_pct"),
                 ("cannabis_reduction", "total", "total_pct"), ("who5_improved", "total", "forbedret_pct")),
    description="Seeds 000/001: Socialstyrelsen's evaluation of outreach group courses "
                "(6 municipalities, 405 students).",
    tables=(
        ORGANISATION.spec(organisation),
        AGE.spec(age),
        ENROLMENT.spec(enrolment),
        COMPLETION.spec(completion),
        FOLLOW_UP.spec(follow_up),
        PROGRESSION.spec(progression),
        HASH_BY_SCHOOL.spec(hash_by_school),
        ABSENCE_BY_SCHOOL.spec(absence_by_school),
        POLYDRUG_BY_SCHOOL.spec(polydrug_by_school),
        WHO5_BY_SCHOOL.spec(who5_by_school),
        DROPOUTS.spec(dropouts),
        CANNABIS_REDUCTION.spec(cannabis_reduction),
        WHO5_IMPROVED.spec(who5_improved),
        WHO5_IMPROVED_10.spec(who5_improved_10),
        WHO5_BANDS.spec(who5_bands),
        GOALS.spec(goals),
        replace(COSTS.spec(costs), needs=("omkostninger",)),  # costs follow only a kommune/year filter
    ),
)
