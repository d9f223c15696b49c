"""Run the docstring examples of evalkit.measures, evalkit.profiles and evalkit.rules in CI.

The examples are the documentation researchers copy into notebooks, so they must keep running.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "evalkit.measures._ledger",
    "evalkit.measures.who5",
    "evalkit.measures.asi",
    "evalkit.measures.stofscore",
    "evalkit.measures.tem",
    "evalkit.measures.progression",
    "evalkit.profiles.ungeprofil",
    "evalkit.profiles.risiko",
    "evalkit.profiles.eligibility",
    "evalkit.rules._loader",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
