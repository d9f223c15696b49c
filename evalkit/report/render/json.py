"""JSON: the machine contract of a report (keys listed in docs/reports.md)."""

from __future__ import annotations

import json
import math
from typing import Any

from evalkit.report.labels import cell_text
from evalkit.report.model import Report


def _num(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item"):
        return _num(value.item())
    return value


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
                cells[c.key] = {"value": None if cell.suppressed else _num(cell.value), "text": cell_text(cell, lang),
                                "n": None if cell.suppressed else _num(cell.n), "suppressed": cell.suppressed}
            rows.append({"key": r.key, "label": r.label(lang), "cells": cells})
        tests = []
        for test in t.tests:
            d = test.to_dict(lang)
            if test.suppressed:
                for k in ("statistic", "p_value", "p_adjusted", "estimate", "effect_size"):
                    d[k] = None
                d["estimate_ci"] = [None, None]
                d["effect_size_ci"] = [None, None]
                d["n"] = None
            tests.append({k: (_num(v) if not isinstance(v, list) else [_num(x) for x in v]) for k, v in d.items()})
        tables.append({"id": t.id, "source": t.source, "title": t.title(lang),
                       "columns": [{"key": c.key, "label": c.label(lang)} for c in t.columns],
                       "rows": rows, "notes": [n(lang) for n in t.notes], "tests": tests})
    return {"report": report.name, "evalkit_version": report.settings.get("evalkit_version"), "lang": lang,
            "title": report.title(lang), "settings": report.settings, "ledger": report.ledger,
            "disclosure": report.disclosure, "notes": [n(lang) for n in report.notes], "tables": tables}


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
