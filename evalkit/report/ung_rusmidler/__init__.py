"""Report ``ung-rusmidler``: UNG Rusmidler in 15 municipalities (Erfaringsopsamling UNG Rusmidler, chapter 6).

Logbog episodes, UngMap at intake and TEM registrations become the tables and charts of chapter 6 of
*Erfaringsopsamling - UNG Rusmidler*, with what the document lacked: the n behind every cell, the test
behind every "signifikant" and "markant", the cohort of every figure in the row ledger, and for every
TEM trajectory the observed cases beside the LOCF line.

Layout: :mod:`.spec` (the table list), :mod:`.prepare` (``prepare(ctx)``: everything person-level, once; the TEM
trajectories come from :mod:`evalkit.compare.trajectories`), one ``ch_*`` module per section of the
chapter, ``constants.yaml`` (values a data owner may change: cut-off date, age filter, reference
values, test choice; :func:`constants`).
"""

from __future__ import annotations

from evalkit.report.ung_rusmidler.prepared import Prepared
from evalkit.report.ung_rusmidler.settings import constants
from evalkit.report.ung_rusmidler.spec import SPEC

__all__ = ["SPEC", "Prepared", "constants"]
