"""Pieces shared by the text renderers: ledger lines, disclosure note, test rows."""

from __future__ import annotations

from typing import Any

from evalkit.report.labels import format_number, format_p, pack, word
from evalkit.report.model import Report, TestRow


def ledger_rows(report: Report) -> list[tuple[str, str, str, str, str]]:
    """(table, read, kept, excluded, reasons) for every table of the export and every report stage.

    Counts hidden by disclosure control (``None`` in the ledger) print as ``x``.
    """
    lang = report.lang
    hidden = pack(lang)["suppressed"]

    def num(value: Any) -> str:
        return hidden if value is None else format_number(value, lang)

    out = []
    stages = list(report.ledger.get("export", {}).items()) + list(report.ledger.get("report", {}).items())
    for name, e in stages:
        excluded = e.get("excluded", {})
        reasons = "; ".join(f"{num(n)}: {r}" for r, n in excluded.items())
        total_excluded = None if e.get("kept") is None or e.get("read") is None else e["read"] - e["kept"]
        out.append((name, num(e.get("read")), num(e.get("kept")), num(total_excluded), reasons))
    return out


def disclosure_note(report: Report) -> str:
    d = report.disclosure
    if not d.get("enabled", True):
        return word("disclosure", report.lang) + ": off"
    return word("disclosure_note", report.lang, min_cell=d.get("min_cell", 5), n=d.get("suppressed_cells", 0))


def _ci(ci: tuple[Any, Any], lang: str, decimals: int = 2) -> str:
    lo, hi = ci
    if lo is None or hi is None:
        return ""
    return f"[{format_number(lo, lang, decimals)}; {format_number(hi, lang, decimals)}]"


def test_cells(test: TestRow, lang: str) -> list[str]:
    """Outcome, method, n, estimate [CI], effect size [CI], p, adjusted p."""
    if test.suppressed:
        x = "x"
        return [test.outcome(lang), test.method, x, x, x, x, x]
    est = ""
    if test.estimate is not None:
        d = 2 if test.decimals is None else test.decimals
        est = f"{test.estimate_name or ''} {format_number(test.estimate, lang, d)} {_ci(test.estimate_ci, lang, d)}".strip()
    eff = ""
    if test.effect_size is not None:
        eff = f"{test.effect_size_name or ''} {format_number(test.effect_size, lang, 2)} " \
              f"{_ci(test.effect_size_ci, lang)}".strip()
    return [test.outcome(lang), test.method, "" if test.n is None else format_number(test.n, lang), est, eff,
            format_p(test.p_value, lang), format_p(test.p_adjusted, lang)]


def test_header(lang: str) -> list[str]:
    return [word("outcome", lang), word("method", lang), word("n", lang), word("estimate", lang),
            word("effect_size", lang), word("p_value", lang), word("p_adjusted", lang)]


def settings_lines(report: Report) -> list[str]:
    return [f"{k}: {v}" for k, v in report.settings.items()]
