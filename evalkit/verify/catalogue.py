"""Figure catalogues: the schema, loading and validation with messages that name the file, line and key.

A catalogue is a YAML file::

    document: "000"            # the publication the figures come from
    report: udgaaende          # the evalkit report whose cells reproduce them
    version: 1
    figures:
      - id: "000-T7.1/erhvervsskole/total"   # unique within the file
        source: "000-T7.1"                  # the table or figure of the publication
        lines: "L1020-1030"                 # optional: where the figure is printed
        table: enrolment                    # report table id ...
        row: erhvervsskole                  # ... row key ...
        column: total                       # ... and column key of the cell
        printed: "105"                      # the printed string, verbatim
        decimals: 0                         # printed precision (-2 = nearest hundred)
        rounding: half-up                   # or truncate
        status: reproducible                # or known-deviation (then reason and expected)
        reason: null
        expected: null                      # known deviation: {value: x} or {between: [lo, hi]}, and basis
        cell: null                          # "pending": the report has no such cell yet

A ``known-deviation`` records what the computation gives instead of the print: ``expected: {value: x}``
(the value on the bundled sample) or ``expected: {between: [lo, hi]}`` (the interval the publication's
own numbers imply), with ``basis`` saying which. ``evalkit verify`` fails when the computed value leaves
it, so a misprint stays protected like any other figure.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Catalogue", "CatalogueError", "Expected", "Figure", "bundled_catalogues", "load_catalogue",
           "parse_printed"]

TOP_KEYS = ("document", "report", "version", "figures")
REQUIRED_KEYS = ("id", "source", "table", "row", "column", "printed", "decimals")
OPTIONAL_KEYS = ("lines", "rounding", "status", "reason", "expected", "cell")
EXPECTED_KEYS = ("value", "between", "basis")
FIGURE_STATUSES = ("reproducible", "known-deviation")
ROUNDINGS = ("half-up", "truncate")
CELL_STATES = ("pending",)
VERSIONS = (1,)


class CatalogueError(ValueError):
    """A catalogue file is malformed; the message names the file, the figure (line and id) and the key."""


@dataclass(frozen=True)
class Expected:
    """What a known deviation computes instead of the print: one value, or a closed interval.

    >>> Expected(value=31.4079, basis="87/277").contains(31.4079), Expected(low=6.2, high=10.6).contains(6.1)
    (True, False)
    """

    value: float | None = None
    low: float | None = None
    high: float | None = None
    basis: str = ""

    def contains(self, computed: float) -> bool:
        """Whether ``computed`` is the recorded value (to 1e-9 relative) or inside the interval.

        >>> Expected(value=0.1 + 0.2).contains(0.3), Expected(low=1, high=2).contains(2.0)
        (True, True)
        """
        if self.value is not None:
            return math.isclose(computed, self.value, rel_tol=1e-9, abs_tol=1e-12)
        return self.low is not None and self.high is not None and self.low <= computed <= self.high

    def describe(self) -> str:
        """``"31.4079 (87/277)"`` or ``"[6.275, 10.59] (basis)"``.

        >>> Expected(low=1, high=2, basis="the table's n").describe()
        "[1, 2] (the table's n)"
        """
        text = f"{self.value:.6g}" if self.value is not None else f"[{self.low:.6g}, {self.high:.6g}]"
        return f"{text} ({self.basis})" if self.basis else text


@dataclass(frozen=True)
class Figure:
    """One printed figure and the report cell that reproduces it (see the module docstring)."""

    id: str
    source: str
    table: str
    row: str
    column: str
    printed: str
    decimals: int
    rounding: str = "half-up"
    status: str = "reproducible"
    reason: str | None = None
    expected: Expected | None = None
    pending: bool = False
    lines: str | None = None
    line: int | None = None  # line of the entry in the catalogue file


@dataclass(frozen=True)
class Catalogue:
    """A loaded catalogue: ``path`` as shown to users, ``file`` the file on disk (for CI annotations)."""

    document: str
    report: str
    figures: tuple[Figure, ...]
    path: str
    file: str = ""


def parse_printed(printed: str) -> Decimal:
    """The number in a printed string: ``"1.234,5"`` -> 1234.5, ``"39,7 %"`` -> 39.7, ``"52"`` -> 52.

    >>> parse_printed("484.300"), parse_printed("39,7 %"), parse_printed("-0,25")
    (Decimal('484300'), Decimal('39.7'), Decimal('-0.25'))
    """
    text = printed.strip().replace("\u2212", "-").replace("pct.", "").replace("%", "").replace("kr.", "").strip()
    text = text.replace(" ", "").replace(".", "").replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise CatalogueError(f"printed value {printed!r} is not a number") from exc


def bundled_catalogues() -> list[str]:
    """Names of the catalogues shipped with evalkit.

    >>> "004" in bundled_catalogues()
    True
    """
    folder = resources.files("evalkit.verify") / "catalogues"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_catalogue(path_or_name: str | Path) -> Catalogue:
    """Load and validate a catalogue by path, or by document name (``"000"``, ``"004"``) from the bundled ones.

    Unknown keys are refused by name (with the closest known key); missing keys, wrong types, unknown
    statuses, unparseable printed values, duplicate ids and known deviations without ``reason`` and
    ``expected`` are refused with the file, the line and the figure id.

    >>> cat = load_catalogue("000")
    >>> cat.report, len(cat.figures) > 100
    ('udgaaende', True)
    """
    path = Path(path_or_name)
    if path.is_file():
        text, where, file = path.read_text(encoding="utf-8"), str(path), str(path.resolve())
    else:
        bundled = resources.files("evalkit.verify") / "catalogues" / f"{path_or_name}.yaml"
        if not bundled.is_file():
            raise CatalogueError(f"no catalogue file or bundled catalogue {str(path_or_name)!r}; "
                                 f"bundled: {', '.join(bundled_catalogues())}")
        text, where, file = bundled.read_text(encoding="utf-8"), f"catalogues/{path_or_name}.yaml", str(bundled)
    try:
        raw = yaml.safe_load(text)
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{where}: not valid YAML ({exc})") from exc
    return _validate(raw, node, where, file)


def _suggest(key: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(known)})"


def _entry_lines(node: Any) -> list[int | None]:
    """Line (1-based) of every figure entry, from the composed YAML node."""
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if getattr(key, "value", None) == "figures" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _validate(raw: Any, node: Any, where: str, file: str) -> Catalogue:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: a catalogue is a mapping with the keys {', '.join(TOP_KEYS)}")
    for key in raw:
        if key not in TOP_KEYS:
            raise CatalogueError(f"{where}: unknown top-level key {key!r}{_suggest(str(key), TOP_KEYS)}")
    for key in ("report", "figures"):
        if key not in raw:
            raise CatalogueError(f"{where}: missing top-level key {key!r}")
    if raw.get("version", 1) not in VERSIONS:
        raise CatalogueError(f"{where}: version {raw.get('version')!r} is not supported (supported: "
                             f"{', '.join(map(str, VERSIONS))})")
    entries = raw["figures"]
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{where}: 'figures' must be a non-empty list of figure entries")
    lines = _entry_lines(node)
    figures = []
    seen: dict[str, int | None] = {}
    for i, entry in enumerate(entries):
        line = lines[i] if i < len(lines) else None
        figure = _figure(entry, f"{where}, figure {i + 1}" + (f" (line {line})" if line else ""), line)
        if figure.id in seen:
            raise CatalogueError(f"{where}: duplicate figure id {figure.id!r} (lines {seen[figure.id]} and {line})")
        seen[figure.id] = line
        figures.append(figure)
    return Catalogue(document=str(raw.get("document", "")), report=str(raw["report"]), figures=tuple(figures),
                     path=where, file=file)


def _text(entry: dict, key: str, at: str) -> str:
    value = entry[key]
    if value is None or isinstance(value, (dict, list, bool)):
        raise CatalogueError(f"{at}: {key!r} must be a string, not {value!r}")
    return str(value)


def _figure(entry: Any, at: str, line: int | None) -> Figure:
    if not isinstance(entry, dict):
        raise CatalogueError(f"{at}: a figure entry is a mapping with the keys {', '.join(REQUIRED_KEYS)}")
    known = REQUIRED_KEYS + OPTIONAL_KEYS
    if "id" in entry:
        at += f", id {entry['id']!r}"
    for key in entry:
        if key not in known:
            raise CatalogueError(f"{at}: unknown key {key!r}{_suggest(str(key), known)}")
    for key in REQUIRED_KEYS:
        if key not in entry:
            raise CatalogueError(f"{at}: missing key {key!r}")
    values = {k: _text(entry, k, at) for k in ("id", "source", "table", "row", "column", "printed")}
    decimals = entry["decimals"]
    if isinstance(decimals, bool) or not isinstance(decimals, int):
        raise CatalogueError(f"{at}: 'decimals' must be a whole number (printed precision), not {decimals!r}")
    rounding = entry.get("rounding") or "half-up"
    if rounding not in ROUNDINGS:
        raise CatalogueError(f"{at}: 'rounding' is {rounding!r}; use one of {', '.join(ROUNDINGS)}")
    status = entry.get("status") or "reproducible"
    if status not in FIGURE_STATUSES:
        raise CatalogueError(f"{at}: 'status' is {status!r}; use one of {', '.join(FIGURE_STATUSES)}")
    cell = entry.get("cell")
    if cell is not None and cell not in CELL_STATES:
        raise CatalogueError(f"{at}: 'cell' is {cell!r}; use 'pending' (the report has no such cell yet) or leave "
                             "it out")
    try:
        parse_printed(values["printed"])
    except CatalogueError as exc:
        raise CatalogueError(f"{at}: {exc}") from exc
    reason = entry.get("reason")
    expected = _expected(entry.get("expected"), at)
    if status == "known-deviation":
        if not reason:
            raise CatalogueError(f"{at}: a known deviation needs a 'reason' (why the print cannot be reproduced)")
        if expected is None:
            raise CatalogueError(f"{at}: a known deviation needs 'expected' ({{value: x}} computed on your export, "
                                 "or {between: [low, high]} implied by the publication) so that verify can tell "
                                 "when it moves")
    elif expected is not None:
        raise CatalogueError(f"{at}: 'expected' belongs to known deviations only; a reproducible figure is checked "
                             "against its printed value")
    return Figure(id=values["id"], source=values["source"], table=values["table"], row=values["row"],
                  column=values["column"], printed=values["printed"], decimals=decimals, rounding=rounding,
                  status=status, reason=None if reason is None else str(reason), expected=expected,
                  pending=cell == "pending", lines=None if entry.get("lines") is None else str(entry["lines"]),
                  line=line)


def _number(value: Any, at: str, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CatalogueError(f"{at}: {what} must be a number, not {value!r}")
    return float(value)


def _expected(raw: Any, at: str) -> Expected | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise CatalogueError(f"{at}: 'expected' is a mapping: {{value: x, basis: ...}} or "
                             "{between: [low, high], basis: ...}")
    for key in raw:
        if key not in EXPECTED_KEYS:
            raise CatalogueError(f"{at}: unknown key {key!r} in 'expected'{_suggest(str(key), EXPECTED_KEYS)}")
    basis = str(raw.get("basis") or "")
    if ("value" in raw) == ("between" in raw):
        raise CatalogueError(f"{at}: 'expected' needs exactly one of 'value' and 'between'")
    if "value" in raw:
        return Expected(value=_number(raw["value"], at, "expected.value"), basis=basis)
    pair = raw["between"]
    if not isinstance(pair, list) or len(pair) != 2:
        raise CatalogueError(f"{at}: expected.between must be a list [low, high], not {pair!r}")
    low, high = (_number(v, at, "expected.between") for v in pair)
    if low > high:
        raise CatalogueError(f"{at}: expected.between has low {low} above high {high}")
    return Expected(low=low, high=high, basis=basis)
