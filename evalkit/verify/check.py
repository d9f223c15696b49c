"""Compare a built report with a catalogue: every figure gets one of pass, fail, known-deviation, pending.

* reproducible figure: ``pass`` when the computed cell prints as the printed string, else ``fail``.
* known deviation: ``known-deviation`` while the computed value stays at its recorded ``expected`` value
  or interval; ``fail`` when it moves (both numbers in the reason) or when its cell disappears.
* ``cell: pending`` figure whose cell the report does not have yet: ``pending`` (counted and listed, not
  failed). Once the cell exists the figure is checked like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from evalkit.report.model import Report
from evalkit.verify.catalogue import Catalogue, CatalogueError, Figure, parse_printed

STATUSES = ("pass", "fail", "known-deviation", "pending")
__all__ = ["FigureResult", "STATUSES", "check", "interval", "matches", "summary"]


@dataclass(frozen=True)
class FigureResult:
    """The outcome for one figure; ``expected`` describes a known deviation's recorded value."""

    id: str
    source: str
    printed: str
    computed: float | None
    status: str
    reason: str | None
    expected: str | None = None
    table: str = ""
    row: str = ""
    column: str = ""
    catalogue: str = ""
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dict.

        >>> FigureResult("a", "s", "1", 1.0, "pass", None).to_dict()["status"]
        'pass'
        """
        return asdict(self)


def interval(printed: str, decimals: int, rounding: str = "half-up") -> tuple[Decimal, Decimal]:
    """The half-open interval of true values that print as ``printed``.

    >>> interval("52,5", 1)
    (Decimal('52.45'), Decimal('52.55'))
    >>> interval("26", 0, "truncate")
    (Decimal('26'), Decimal('27'))
    """
    value = parse_printed(printed)
    step = Decimal(1).scaleb(-decimals)
    if rounding == "half-up":
        return value - step / 2, value + step / 2
    if rounding == "truncate":
        return (value, value + step) if value >= 0 else (value - step, value)
    raise CatalogueError(f"unknown rounding rule {rounding!r}")


def matches(computed: float, printed: str, decimals: int, rounding: str = "half-up") -> bool:
    """Whether ``computed`` prints as ``printed`` at the given precision and rounding rule.

    >>> matches(52.449, "52,5", 1), matches(52.45, "52,5", 1), matches(52.55, "52,5", 1)
    (False, True, False)
    """
    low, high = interval(printed, decimals, rounding)
    value = Decimal(repr(float(computed)))
    return low <= value < high


def _lookup(report: Report, f: Figure) -> tuple[float | None, str | None]:
    """The computed value of the figure's cell, or None and why not."""
    try:
        cell = report.table(f.table).cell(f.row, f.column)
    except KeyError as exc:
        return None, f"no cell {f.table}/{f.row}/{f.column}: {exc.args[0]}"
    if cell.value is None or isinstance(cell.value, (str, bool)):
        return None, f"cell {f.table}/{f.row}/{f.column} is empty"
    return float(cell.value), None


def _one(report: Report, f: Figure, where: str) -> FigureResult:
    computed, problem = _lookup(report, f)

    def result(status: str, reason: str | None) -> FigureResult:
        return FigureResult(f.id, f.source, f.printed, computed, status, reason,
                            f.expected.describe() if f.expected else None, f.table, f.row, f.column, where, f.line)

    if problem is not None:
        if f.pending:
            note = f"no report cell yet (proposed: {f.table}/{f.row}/{f.column})"
            return result("pending", f"{note}; known deviation: {f.reason}" if f.reason else note)
        if f.status == "known-deviation":
            return result("fail", f"known deviation lost its cell ({problem}); printed {f.printed}, expected "
                                  f"{f.expected.describe() if f.expected else '?'}")
        return result("fail", f"not computed: {problem}")
    assert computed is not None
    stale = "; catalogued as pending a report cell, which now exists: drop 'cell: pending'" if f.pending else ""
    if f.status == "known-deviation":
        assert f.expected is not None
        if f.expected.contains(computed):
            return result("known-deviation", (f.reason or "known deviation") + stale)
        now = " (it now prints as the publication: mark the figure reproducible)" \
            if matches(computed, f.printed, f.decimals, f.rounding) else ""
        return result("fail", f"known deviation moved: expected {f.expected.describe()}, computed {computed:.6g}; "
                              f"printed {f.printed}{now}. Recorded reason: {f.reason}")
    if matches(computed, f.printed, f.decimals, f.rounding):
        return result("pass", ((f.reason or "") + stale).lstrip("; ") or None)
    low, high = interval(f.printed, f.decimals, f.rounding)
    return result("fail", f"printed {f.printed}, computed {computed:.6g}: outside [{low}, {high}){stale}")


def check(report: Report, catalogue: Catalogue) -> list[FigureResult]:
    """Compare every catalogued figure with the report's computed cell (one result per figure, in order).

    >>> import evalkit
    >>> from evalkit.verify import load_catalogue
    >>> results = check(evalkit.report("data/samples/udgaaende", disclosure=False), load_catalogue("000"))
    >>> summary(results)["fail"]
    0
    """
    return [_one(report, f, catalogue.path) for f in catalogue.figures]


def summary(results: Iterable[FigureResult]) -> dict[str, int]:
    """Counts of pass / fail / known-deviation / pending and the total.

    >>> summary([FigureResult("a", "s", "1", 1.0, "pass", None)])
    {'pass': 1, 'fail': 0, 'known-deviation': 0, 'pending': 0, 'total': 1}
    """
    out = {s: 0 for s in STATUSES}
    n = 0
    for r in results:
        out[r.status] += 1
        n += 1
    out["total"] = n
    return out
