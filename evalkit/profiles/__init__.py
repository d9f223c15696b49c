"""Profiles: Ungeprofil (LAV/SIP/SEP/SEIP), Risikoprofil R0-R3 and the HCS inclusion rules.

Pure, vectorised functions on pandas objects; rules and labels come from ``evalkit/rules``.
Pass a :class:`evalkit.measures.MeasureLedger` as ``ledger=`` to record counts and policies.
"""

from __future__ import annotations

from evalkit.profiles.eligibility import RULE_STATUSES, hcs_eligibility, no_show_counts
from evalkit.profiles.risiko import RISIKOPROFILER, risikoprofil, risikoprofil_from_ungmap
from evalkit.profiles.ungeprofil import (
    UNGEPROFILER,
    resolve_ungeprofil,
    ungeprofil,
    ungeprofil_from_codes,
    ungeprofil_from_items,
)

__all__ = [
    "RISIKOPROFILER",
    "RULE_STATUSES",
    "UNGEPROFILER",
    "hcs_eligibility",
    "no_show_counts",
    "resolve_ungeprofil",
    "risikoprofil",
    "risikoprofil_from_ungmap",
    "ungeprofil",
    "ungeprofil_from_codes",
    "ungeprofil_from_items",
]
