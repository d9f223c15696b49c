"""Schema test over every shipped rule file, and the WHO-5 band documentation against computation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from evalkit.rules import RuleFileError, interval_mask, load_rule, load_rule_file, shipped_rule_names, thaw


@pytest.mark.parametrize("name", shipped_rule_names())
def test_every_rule_file_has_the_header_and_explicit_bounds(name):
    rule = load_rule(name)
    assert rule["rule"] == name
    assert str(rule["version"]) and str(rule["source"])
    dt.date.fromisoformat(str(rule["valid_from"]))

    def walk(node):
        if isinstance(node, dict):
            # an interval states inclusion for every bound it gives (style convention C6)
            if isinstance(node.get("min"), int | float):
                assert isinstance(node.get("include_min"), bool), node
            if isinstance(node.get("max"), int | float | str) and "include_max" not in node:
                raise AssertionError(f"interval without include_max: {node}")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(thaw(rule))


def test_rules_are_read_only():
    rule = load_rule("stofscore")
    with pytest.raises(TypeError):
        rule["threshold"]["value"] = 10  # type: ignore[index]


def test_expected_rule_files_are_shipped():
    assert {"who5", "stofscore", "asi", "hcs_eligibility", "risikoprofil", "ungeprofil", "tem", "progression"} <= set(
        shipped_rule_names()
    )


@pytest.mark.parametrize("scheme", ["seed000", "standard"])
def test_who5_band_documentation_matches_the_4_step_scale(scheme):
    bands = load_rule("who5")["band_schemes"][scheme]["bands"]
    pct = np.arange(26) * 4.0
    for band in bands:
        inside = pct[interval_mask(pct, band)]
        assert [inside.min(), inside.max()] == list(band["reachable_percent"])
        assert [inside.min() / 4, inside.max() / 4] == list(band["raw"])


def test_user_rule_file_needs_a_header(tmp_path):
    bad = tmp_path / "r.yaml"
    bad.write_text("rule: x\nversion: 1\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match="source"):
        load_rule_file(bad)
    with pytest.raises(RuleFileError):
        load_rule_file(tmp_path / "missing.yaml")
    with pytest.raises(RuleFileError):
        load_rule("no_such_rule")
