"""Versioned rule and threshold files (YAML) and their loader.

Thresholds, labels and rules a data owner may change live here as data, never as literals in code.
Each file carries ``rule``, ``version``, ``source`` and ``valid_from``; see :mod:`evalkit.rules._loader`.
"""

from __future__ import annotations

from evalkit.rules._loader import (
    RuleFileError,
    interval_mask,
    load_rule,
    load_rule_file,
    rule_id,
    shipped_rule_names,
    thaw,
    validate_header,
)

__all__ = [
    "RuleFileError",
    "interval_mask",
    "load_rule",
    "load_rule_file",
    "rule_id",
    "shipped_rule_names",
    "thaw",
    "validate_header",
]
