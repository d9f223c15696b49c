"""Report ``udgaaende``: outreach group courses at erhvervsskoler and produktionsskoler (seeds 000/001).

Every table of seed 000 (Socialstyrelsen 2017) and the 001 summary card that a person-level export
determines, in the published order, plus what the documents lacked: the n behind every cell, the
paired test and effect size behind every "signifikant", the eligibility rules behind every
denominator and the row ledger. Figure ids are those of the spec's seed 000 catalogue.

The package: :mod:`.vocabulary` (codes, text lookup, constants), :mod:`.prepare` (the export as
person-level arrays, once), one module per chapter of the document (:mod:`.participants` ch. 3-4,
:mod:`.completion` 7.1, :mod:`.progression` / :mod:`.reduction` / :mod:`.wellbeing` 7.2,
:mod:`.goals` ch. 7 goals, :mod:`.costs` ch. 8) and :mod:`.spec`. Every printed text is in
``text.yaml``; the rules a data owner may change are in ``constants.yaml``.

Examples
--------
>>> from evalkit.synth.udgaaende import generate
>>> ctx = context_from_tables(generate())
>>> prepare(ctx)
>>> t = progression(ctx)
>>> round(t.cell("hash", "indskrivning").value, 1), t.cell("hash", "n_indskrivning").value
(14.9, 333)
"""

from evalkit.report.udgaaende.completion import (
                                                  completion,
                                                  dropouts,
                                                  enrolment,
                                                  follow_up,
)
from evalkit.report.udgaaende.costs import costs
from evalkit.report.udgaaende.goals import goals
from evalkit.report.udgaaende.participants import age, organisation
from evalkit.report.udgaaende.prepare import (
                                                  Prepared,
                                                  context_from_tables,
                                                  prepare,
                                                  sample_context,
)
from evalkit.report.udgaaende.progression import (
                                                  absence_by_school,
                                                  hash_by_school,
                                                  polydrug_by_school,
                                                  progression,
                                                  who5_by_school,
)
from evalkit.report.udgaaende.reduction import cannabis_reduction
from evalkit.report.udgaaende.spec import SPEC
from evalkit.report.udgaaende.vocabulary import constants
from evalkit.report.udgaaende.wellbeing import (
                                                  who5_bands,
                                                  who5_improved,
                                                  who5_improved_10,
)

__all__ = [
                                                  "SPEC",
                                                  "Prepared",
                                                  "absence_by_school",
                                                  "age",
                                                  "cannabis_reduction",
                                                  "completion",
                                                  "constants",
                                                  "context_from_tables",
                                                  "costs",
                                                  "dropouts",
                                                  "enrolment",
                                                  "follow_up",
                                                  "goals",
                                                  "hash_by_school",
                                                  "organisation",
                                                  "polydrug_by_school",
                                                  "prepare",
                                                  "progression",
                                                  "sample_context",
                                                  "who5_bands",
                                                  "who5_by_school",
                                                  "who5_improved",
                                                  "who5_improved_10",
]
