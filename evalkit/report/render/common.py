"""Pieces shared by the renderers: ledger lines, disclosure note, test rows, published numbers.

Every string these helpers return that can hold data (labels, ledger names and reasons, settings,
test outcomes) has already passed :func:`evalkit.report.render.neutral.neutral`.
"""

from __future__ import annotations

import math
from typing import Any

from evalkit.report.labels import (
    DEFAULT_DECIMALS,
    cell_text,
    format_number,
    format_p,
    pack,
    round_half_up,
    word,
)
from evalkit.report.model import Cell, Report, Table, TestRow
from evalkit.report.render.neutral import neutral

# Kinds whose value is printed at a fixed precision; every format writes that rounded value only.
ROUNDED_KINDS = frozenset({"count", "percent", "mean", "median", "number", "money", "score"})


def cell_str(cell: Cell | None, lang: str) -> str:
    """The printed text of a cell, neutralised (text cells can hold data such as a municipality)."""
    return neutral(cell_text(cell, lang))


def published_value(cell: Cell) -> Any:
    """The number a machine-readable format may write for ``cell``: ``None`` when suppressed, else the
    value rounded half-up to its printed precision (a count as ``int``), so that no format carries
    more digits than the printed table (an unrounded mean times its ``n`` gives back sums).

    >>> published_value(Cell(261.0 / 7, "mean")), published_value(Cell(12.0, "count"))
    (37.3, 12)
    """
    if cell.suppressed or cell.value is None:
        return None
    if cell.kind == "text" or isinstance(cell.value, str):
        return neutral(cell.value)
    if cell.kind not in ROUNDED_KINDS:
        return cell.value
    try:
        value = float(cell.value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value):
        return None
    decimals = cell.decimals if cell.decimals is not None else DEFAULT_DECIMALS.get(cell.kind, 2)
    rounded = round_half_up(value, decimals)
    return int(rounded) if decimals <= 0 else float(rounded)


def ledger_entries(report: Report) -> list[tuple[str, int | None, int | None, int | None, str]]:
    """(table, read, kept, excluded, reasons) with the counts as numbers (``None`` when hidden by
    disclosure control), for every table of the export and every report stage; a stage is printed by
    its ``label`` (in the report's language), else by its code.

    The reasons text prints its own counts (``72: frafaldet``), hidden ones as ``x``.
    """
    lang = report.lang
    hidden = pack(lang)["suppressed"]

    def num(value: Any) -> str:
        return hidden if value is None else format_number(value, lang)

    out = []
    stages = list(report.ledger.get("export", {}).items()) + list(report.ledger.get("report", {}).items())
    for name, e in stages:
        excluded = e.get("excluded", {})
        reasons = neutral("; ".join(f"{num(n)}: {r}" for r, n in excluded.items()))
        read, kept = e.get("read"), e.get("kept")
        total_excluded = None if kept is None or read is None else read - kept
        out.append((neutral(e.get("label") or name), read, kept, total_excluded, reasons))
    return out


def ledger_rows(report: Report) -> list[tuple[str, str, str, str, str]]:
    """(table, read, kept, excluded, reasons) as printed; counts hidden by disclosure control print ``x``."""
    lang = report.lang
    hidden = pack(lang)["suppressed"]

    def num(value: Any) -> str:
        return hidden if value is None else format_number(value, lang)

    return [(name, num(read), num(kept), num(excluded), reasons)
            for name, read, kept, excluded, reasons in ledger_entries(report)]


def disclosure_note(report: Report) -> str:
    d = report.disclosure
    if not d.get("enabled", True):
        return word("disclosure", report.lang) + ": off"
    return word("disclosure_note", report.lang, min_cell=d.get("min_cell", 5), n=d.get("suppressed_cells", 0))


def _num(value: Any, lang: str, decimals: int) -> str:
    """``format_number`` that also prints an infinite bound (an odds ratio with a zero cell) as ``∞``."""
    if isinstance(value, (int, float)) and math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return format_number(value, lang, decimals)


def _ci(ci: tuple[Any, Any], lang: str, decimals: int = 2) -> str:
    lo, hi = ci
    if lo is None or hi is None:
        return ""
    return f"[{_num(lo, lang, decimals)}; {_num(hi, lang, decimals)}]"


def test_cells(test: TestRow, lang: str) -> list[str]:
    """Outcome, method, n, estimate [CI], effect size [CI], p, adjusted p."""
    method = neutral(test.method_label(lang))
    if test.suppressed:
        x = pack(lang)["suppressed"]
        return [neutral(test.outcome(lang)), method, x, x, x, x, x]
    est = ""
    if test.estimate is not None:
        d = 2 if test.decimals is None else test.decimals
        est = f"{neutral(test.estimate_label(lang) or '')} {_num(test.estimate, lang, d)} " \
              f"{_ci(test.estimate_ci, lang, d)}"
        est = est.strip()
    eff = ""
    if test.effect_size is not None:
        eff = f"{neutral(test.effect_size_label(lang) or '')} {_num(test.effect_size, lang, 2)} " \
              f"{_ci(test.effect_size_ci, lang)}".strip()
    n = "" if test.n is None else format_number(test.n, lang)
    p_text = format_p(test.p_value, lang)
    if test.p_value is None and test.reason is not None:
        p_text = f"{p_text} ({neutral(test.reason(lang))})"
    return [neutral(test.outcome(lang)), method, n, est, eff, p_text, format_p(test.p_adjusted, lang)]


def test_header(lang: str) -> list[str]:
    return [word("outcome", lang), word("method", lang), word("n", lang), word("estimate", lang),
            word("effect_size", lang), word("p_value", lang), word("p_adjusted", lang)]


_SETTING_NAMES = {
    "da": {"lang": "Sprog", "min_cell": "Diskretioneringsgrænse (mindste viste antal)", "disclosure": "Diskretionering",
           "multiplicity": "Justering for multipel testning", "where": "Filter", "by": "Opdelt efter",
           "evalkit_version": "evalkit-version", "rows": "Rækker", "cols": "Kolonner", "stats": "Statistikker",
           "test": "Test"},
    "en": {"lang": "Language", "min_cell": "Disclosure threshold (smallest count shown)",
           "disclosure": "Disclosure control",
           "multiplicity": "Multiplicity adjustment", "where": "Filter", "by": "Split by",
           "evalkit_version": "evalkit version", "rows": "Rows", "cols": "Columns", "stats": "Statistics",
           "test": "Test"},
}
_SETTING_VALUES = {"da": {True: "til", False: "fra", "holm": "Holm", "da": "dansk", "en": "engelsk", None: "–",
                          "": "–", "off": "fra", "on": "til"},
                   "en": {True: "on", False: "off", "holm": "Holm", "da": "Danish", "en": "English", None: "–",
                          "": "–", "off": "off", "on": "on"}}


def _setting_value(value: Any, lang: str) -> str:
    if isinstance(value, (list, tuple)):
        return "; ".join(_setting_value(v, lang) for v in value) or _SETTING_VALUES[lang][None]
    if isinstance(value, (bool, str)) or value is None:
        return _SETTING_VALUES[lang].get(value, str(value))
    return str(value)


def _option_labels(report: Report, lang: str) -> dict[str, str]:
    """The printed names of a report's own settings (its declared options' labels)."""
    from evalkit.report.spec import get_spec

    try:
        options = get_spec(report.name).options or ()
    except (KeyError, ValueError, ImportError):
        return {}
    return {o.key: o.label(lang) for o in options if o.label is not None}


def settings_lines(report: Report) -> list[str]:
    """The report's settings, named and valued in the report's language (a report's own settings by
    the labels its options declare, else by their keys)."""
    lang = report.lang if report.lang in _SETTING_NAMES else "da"
    names = {**_SETTING_NAMES[lang], **_option_labels(report, lang)}
    return [neutral(f"{names.get(k, k)}: {_setting_value(v, lang)}") for k, v in report.settings.items()]


def fingerprint(report: Report) -> str:
    """A content fingerprint: the first 16 hex digits of the SHA-256 of the report's JSON (every
    published number, label and setting), so the same numbers always give the same fingerprint and
    outputs stay byte-identical (no wall-clock time).

    Printed in groups of four: easier to read aloud and compare, and never ten digits in a row, which
    the CPR guard of every output would rightly mask (``0f8a2109651419ae`` holds ``210965-1419``).

    >>> from evalkit.report.model import T
    >>> import re
    >>> bool(re.fullmatch(r"[0-9a-f]{4}(-[0-9a-f]{4}){3}", fingerprint(Report("r", T("R"), []))))
    True
    """
    import hashlib

    from evalkit.report.render.json import render_json

    digest = hashlib.sha256(render_json(report).encode("utf-8")).hexdigest()[:16]
    return "-".join(digest[i:i + 4] for i in range(0, 16, 4))


def input_names(report: Report) -> list[str]:
    """The input files the report was built from (file names only, no folders), in ledger order.

    >>> from evalkit.report.model import T
    >>> input_names(Report("r", T("R"), [],
    ...     ledger={"export": {"a": {"file": "/x/export.xlsx[a]"}, "b": {"file": "/x/export.xlsx[b]"}}}))
    ['export.xlsx']
    """
    import re
    from pathlib import PurePath

    names: list[str] = []
    for entry in report.ledger.get("export", {}).values():
        file = entry.get("file") if isinstance(entry, dict) else None
        if not file:
            continue
        name = neutral(re.sub(r"\[[^\]]*\]$", "", PurePath(str(file).replace("\\", "/")).name))
        if name and name not in names:
            names.append(name)
    return names


def source_line(table: Table, lang: str, *, short: bool = False) -> str:
    """``"Kilde: <citation>"`` / ``"Source: <citation>"`` of a table in ``lang`` (``short`` without the
    publication's title), or ``""`` for a table with no citation (a custom table). The stable figure
    id is never printed here: the JSON carries it.

    >>> from evalkit.report.model import T
    >>> source_line(Table("t", "", T("t"), []), "da")
    ''
    """
    from evalkit.report.sources import citation_text

    if table.citation is None:
        return ""
    return neutral(f"{word('source', lang)}: {citation_text(table.citation, lang, short=short)}")


def bibliography_lines(report: Report) -> tuple[str, list[str]]:
    """The heading ("Kilder"/"Sources") and one entry per publication the report's tables cite."""
    from evalkit.report.sources import bibliography, reference, sources_heading

    return (sources_heading(report.lang),
            [neutral(reference(p, report.lang)) for p in bibliography(report)])
