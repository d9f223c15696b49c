"""JSON: the machine contract of a report (keys listed in docs/reports.md).

Each table keeps its stable figure id in ``source`` and adds ``citation``: the publication's
bibliography key, the document's table/figure number or caption, section, chapter, page, whether
the table is evalkit's own, and the printed ``text``; ``bibliography`` lists the publications cited.

Numbers are written as printed: a mean or share rounded to its printed precision, never the
unrounded value (a full-precision mean times its ``n`` gives back sums the table does not show).
Strings pass :func:`~evalkit.report.render.neutral.neutral` (CPR masked, no control characters);
JSON escaping does the rest.
"""

from __future__ import annotations

import json
import math
from typing import Any

from evalkit.report.labels import round_half_up
from evalkit.report.model import Report, TestRow
from evalkit.report.render.common import cell_str, published_value
from evalkit.report.render.neutral import neutral, neutral_tree
from evalkit.report.sources import bibliography, citation_text, reference

# Printed precision of the numbers of a test row (render.common.test_cells): estimate and its interval
# at TestRow.decimals (default 2), effect sizes at 2; the statistic is not printed, written at 3.
_TEST_DECIMALS = {"statistic": 3, "effect_size": 2}


def _num(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item"):
        return _num(value.item())
    return value


def _rounded(value: Any, decimals: int) -> Any:
    value = _num(value)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return value
    return float(round_half_up(float(value), decimals))


def _test_dict(test: TestRow, lang: str) -> dict[str, Any]:
    d = test.to_dict(lang)
    if test.suppressed:
        for k in ("statistic", "p_value", "p_adjusted", "estimate", "effect_size"):
            d[k] = None
        d["estimate_ci"] = [None, None]
        d["effect_size_ci"] = [None, None]
        d["n"] = None
    else:
        est = 2 if test.decimals is None else test.decimals
        d["estimate"] = _rounded(d["estimate"], est)
        d["estimate_ci"] = [_rounded(x, est) for x in d["estimate_ci"]]
        d["effect_size_ci"] = [_rounded(x, 2) for x in d["effect_size_ci"]]
        for key, decimals in _TEST_DECIMALS.items():
            d[key] = _rounded(d[key], decimals)
    # the names are printed text in the report's language (the codes are under "codes")
    d["method"], d["estimate_name"], d["effect_size_name"] = d["method_label"], d["estimate_label"], \
        d["effect_size_label"]
    for key in ("outcome", "method", "estimate_name", "effect_size_name", "family", "note"):
        if isinstance(d.get(key), str):
            d[key] = neutral(d[key])
    return {k: (_num(v) if not isinstance(v, list) else [_num(x) for x in v]) for k, v in d.items()}


def report_dict(report: Report) -> dict[str, Any]:
    lang = report.lang
    tables = []
    for t in report.tables:
        rows = []
        for r in t.rows:
            cells = {}
            for c in t.columns:
                cell = r.cells.get(c.key)
                if cell is None:
                    continue
                cells[c.key] = {"value": _num(published_value(cell)), "text": cell_str(cell, lang),
                                "n": None if cell.suppressed else _num(cell.n), "suppressed": cell.suppressed}
            rows.append({"key": neutral(r.key), "label": neutral(r.label(lang)), "cells": cells})
        citation = None
        if t.citation is not None:
            citation = {k: neutral(v) if isinstance(v, str) else v for k, v in t.citation.to_dict().items()}
            citation["text"] = neutral(citation_text(t.citation, lang))
        tables.append({"id": t.id, "source": neutral(t.source), "citation": citation, "title": neutral(t.title(lang)),
                       "columns": [{"key": neutral(c.key), "label": neutral(c.label(lang))} for c in t.columns],
                       "rows": rows, "notes": [neutral(n(lang)) for n in t.notes],
                       "tests": [_test_dict(x, lang) for x in t.tests]})
    return {"report": report.name, "evalkit_version": report.settings.get("evalkit_version"), "lang": lang,
            "title": neutral(report.title(lang)), "settings": neutral_tree(report.settings),
            "ledger": neutral_tree(report.ledger), "disclosure": neutral_tree(report.disclosure),
            "notes": [neutral(n(lang)) for n in report.notes], "tables": tables,
            "bibliography": [{"key": p.key, "author": neutral(p.author), "year": p.year, "title": neutral(p.title),
                              "text": neutral(reference(p, lang))} for p in bibliography(report)]}


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
