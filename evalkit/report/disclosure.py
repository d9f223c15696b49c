"""Statistical disclosure control: primary and complementary suppression of small counts.

Rules (anchors.md section 6.1; Danmarks Statistik and Sundhedsdatastyrelsen block counts under 5):

1. *Primary*: a count ``0 < k < min_cell`` is suppressed; so is a mean, median or test computed
   over fewer than ``min_cell`` persons. Zero counts are shown (``suppress_zero=True`` hides them too).
   A percentage shown without its count (no ``count_of``) stands for the count
   ``k = round(value * n / 100)``: it is suppressed when ``0 < k < min_cell`` or when the persons
   it leaves out, ``0 < n - k < min_cell``, are that few (a share of 96 % of 100 reveals 4).
2. *Complementary*: in an additive table (counts that add up along rows and columns, totals printed
   or not) no row or column may hold exactly one suppressed count, because that count would follow
   by subtraction from the total. The smallest other count of such a line is suppressed too, until
   every line holds zero or at least two suppressed counts.
3. *Derived*: a percentage whose count is suppressed is suppressed. ``count_of`` may name several
   count cells joined by ``+`` (``"r1|n+r2|n"``, a share of a sum): suppressing any of them
   suppresses the percentage. A test with ``count_of`` is suppressed in the same way.
4. *Linked*: the same count shown in several tables of one report (same ``link``) is suppressed
   everywhere once it is suppressed anywhere; complementary suppression then runs again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from evalkit.report.model import Cell, Table, TestRow

MEASURE_KINDS = frozenset({"mean", "median", "score", "number"})


@dataclass(frozen=True)
class DisclosureSettings:
    min_cell: int = 5
    suppress_zero: bool = False
    enabled: bool = True


def _is_small(value: object, settings: DisclosureSettings) -> bool:
    if value is None:
        return False
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    if v == 0:
        return settings.suppress_zero
    return 0 < v < settings.min_cell


def _lines(table: Table) -> list[list[Cell]]:
    """Every row and column of count cells, totals included (each line sums to its total).

    A row gives one line per group of ``table.row_lines`` (default: all its count cells).
    """
    count_cols = [c.key for c in table.columns if any(
        r.cells.get(c.key) is not None and r.cells[c.key].kind == "count" for r in table.rows)]
    lines = []
    groups = [tuple(count_cols)] if table.row_lines is None else [tuple(g) for g in table.row_lines]
    for r in table.rows:
        for group in groups:
            line = [r.cells[k] for k in group if k in r.cells and r.cells[k].kind == "count"]
            if len(line) > 1:
                lines.append(line)
    for k in count_cols:
        line = [r.cells[k] for r in table.rows if k in r.cells and r.cells[k].kind == "count"]
        if len(line) > 1:
            lines.append(line)
    return lines


def _complementary(table: Table) -> int:
    """Suppress further counts until no line holds exactly one suppressed count. Returns how many."""
    if not table.additive:
        return 0
    added = 0
    lines = _lines(table)
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [c for c in line if c.suppressed]
            if len(hidden) != 1:
                continue
            candidates = [c for c in line if not c.suppressed and c.value is not None]
            if not candidates:
                continue
            # Prefer the smallest cell (least information lost); among equals, the first in reading order.
            candidates.sort(key=lambda c: float(c.value))
            candidates[0].suppress("complementary")
            added += 1
            changed = True
    return added


def _sources(table: Table, cell: Cell | TestRow) -> list[Cell]:
    """The count cells a percentage (or a test) is computed from (``count_of``, ``+``-separated)."""
    out = []
    for key in (cell.count_of or "").split("+"):
        row_key, _, col_key = key.strip().partition("|")
        try:
            out.append(table.cell(row_key, col_key))
        except KeyError:
            continue
    return out


def _derived(table: Table) -> int:
    n = 0
    for r in table.rows:
        for cell in r.cells.values():
            if cell.count_of and not cell.suppressed and any(s.suppressed for s in _sources(table, cell)):
                cell.suppress("derived")
                n += 1
    return n


def _implied_small(cell: Cell, settings: DisclosureSettings) -> bool:
    """A percentage without its count: is the count it implies, or its complement, small?"""
    if cell.kind != "percent" or cell.count_of or cell.n is None or cell.value is None:
        return False
    try:
        n = float(cell.n)
        k = round(float(cell.value) * n / 100.0)
    except (TypeError, ValueError):
        return False
    return _is_small(k, settings) or _is_small(n - k, settings)


def _primary(table: Table, settings: DisclosureSettings) -> int:
    n = 0
    for r in table.rows:
        for cell in r.cells.values():
            if cell.suppressed:
                continue
            if cell.kind == "count" and _is_small(cell.value, settings):
                cell.suppress("primary")
                n += 1
            elif cell.kind in MEASURE_KINDS | {"percent"} and cell.n is not None and 0 < cell.n < settings.min_cell:
                cell.suppress("primary")
                n += 1
            elif _implied_small(cell, settings):
                cell.suppress("primary")
                n += 1
    for test in table.tests:
        if test.n is not None and test.n < settings.min_cell:
            test.suppressed = True
    return n


def _cells(tables: Iterable[Table]) -> Iterable[Cell]:
    for t in tables:
        for r in t.rows:
            yield from r.cells.values()


def apply(tables: list[Table], settings: DisclosureSettings) -> dict[str, int]:
    """Apply disclosure control in place to the tables of one report; returns counts per rule."""
    counts = {"primary": 0, "complementary": 0, "derived": 0, "linked": 0}
    if not settings.enabled:
        return counts
    for t in tables:
        counts["primary"] += _primary(t, settings)
    while True:
        for t in tables:
            counts["complementary"] += _complementary(t)
        hidden_links = {c.link for c in _cells(tables) if c.link and c.suppressed}
        newly = 0
        for c in _cells(tables):
            if c.link in hidden_links and not c.suppressed:
                c.suppress("linked")
                newly += 1
        counts["linked"] += newly
        if not newly:
            break
    for t in tables:
        counts["derived"] += _derived(t)
        for test in t.tests:
            if test.count_of and not test.suppressed and any(s.suppressed for s in _sources(t, test)):
                test.suppressed = True
    return counts


def suppressed_total(tables: list[Table]) -> int:
    return sum(1 for c in _cells(tables) if c.suppressed)


def protect_ledger(ledger: dict, settings: DisclosureSettings) -> dict:
    """The row ledger with small counts hidden (``None``) the same way as table counts.

    For each table (and each report stage) the counts kept + excluded-by-reason add up to the rows
    read, so a hidden count needs a second hidden count in the same line; ``read`` stays visible.
    """
    import copy

    if not settings.enabled:
        return ledger
    out = copy.deepcopy(ledger)

    def walk(node: dict) -> None:
        for value in node.values():
            if isinstance(value, dict) and "read" in value and "kept" in value:
                _protect_entry(value, settings)
            elif isinstance(value, dict):
                walk(value)

    walk(out)
    return out


def _protect_entry(entry: dict, settings: DisclosureSettings) -> None:
    excluded = entry.get("excluded", {})
    members: list[tuple[str, int]] = ([("read", int(entry["read"])), ("kept", int(entry["kept"]))]
                                      + [(f"excluded:{k}", int(v)) for k, v in excluded.items()])
    hidden = {k for k, v in members if _is_small(v, settings)}
    if len(hidden) == 1:
        others = sorted((v, k != "read", k) for k, v in members if k not in hidden)
        if others:
            hidden.add(others[0][2])
    if not hidden:
        return
    for key in ("read", "kept"):
        if key in hidden:
            entry[key] = None
    entry["excluded"] = {k: (None if f"excluded:{k}" in hidden else v) for k, v in excluded.items()}
    entry["suppressed"] = True
