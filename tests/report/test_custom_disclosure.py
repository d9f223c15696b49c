"""No written custom table shows an unsuppressed count of 1 to min_cell - 1 (random exports, variables, formats)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.report._build.custom import custom_table
from evalkit.report.render import render
from evalkit.report.udgaaende import context_from_tables
from evalkit.synth import generate

CATEGORICAL = ["kommune", "skoletype", "koen", "status"]


def _small_counts(doc: dict, min_cell: int) -> list:
    bad = []
    for t in doc["tables"]:
        for r in t["rows"]:
            for key, c in r["cells"].items():
                v = c["value"]
                if not c["suppressed"] and isinstance(v, int) and 0 < v < min_cell and "n" not in (key,) + ():
                    bad.append((t["id"], r["key"], key, v))
                if not c["suppressed"] and isinstance(c["n"], int) and 0 < c["n"] < min_cell:
                    bad.append((t["id"], r["key"], key, "n", c["n"]))
        for x in t["tests"]:
            if not x["suppressed"] and isinstance(x["n"], int) and 0 < x["n"] < min_cell:
                bad.append((t["id"], "test", x["n"]))
    return bad


@given(persons=st.integers(10, 80), seed=st.integers(0, 10_000), rows=st.sampled_from(CATEGORICAL + ["alder"]),
       cols=st.sampled_from(CATEGORICAL + [None]), min_cell=st.sampled_from([3, 5]))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_custom_tables_never_print_a_small_count(persons, seed, rows, cols, min_cell):
    if rows == cols:
        cols = None
    export = context_from_tables(generate("udgaaende", persons, seed)).export
    rep = custom_table(export, rows, cols, min_cell=min_cell)
    doc = json.loads(render(rep, "json"))
    assert _small_counts(doc, min_cell) == []


def test_the_check_finds_small_counts_when_disclosure_is_off():
    export = context_from_tables(generate("udgaaende", 30, 1)).export
    rep = custom_table(export, "kommune", "skoletype", min_cell=5, disclosure=False)
    assert _small_counts(json.loads(render(rep, "json")), 5)
