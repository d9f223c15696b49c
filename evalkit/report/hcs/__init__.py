"""Report ``hcs``: the HCS group-treatment model for hash and central stimulants (seed 002).

Socialstyrelsen's model description states rules (eligibility, 16 weekly sessions, attendance
registration, follow-up) and, in chapter 4, five results without a single number. This report
therefore reproduces no printed figure; it computes, from a person-level export, the tables the model
implies (spec ``seed002_003_figures.md`` part 1) and the tests part 4.1 proposes for each claim.

Modules: :mod:`.spec` (the table list), :mod:`.prepare` (the typed prepared data), one module per
chapter of the model description (:mod:`.visitation` chapter 3, :mod:`.course` chapter 2,
:mod:`.results` and :mod:`.dose_response` chapter 4), ``text.yaml`` (every title, note and label in
Danish and English) and ``constants.yaml`` (every constant a data owner may change: K of the no-show
rule, the contrasts tested, the bands, the follow-up rule). No figure catalogue: ``evalkit verify``
has nothing to compare for this report.
"""

from __future__ import annotations

from evalkit.profiles.attendance import ATTENDANCE_STATUSES as STATUSES
from evalkit.report.hcs.prepare import HcsPrepared, load_constants, prepare
from evalkit.report.hcs.spec import SPEC

__all__ = ["SPEC", "STATUSES", "HcsPrepared", "load_constants", "prepare"]
