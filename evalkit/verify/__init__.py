"""Published-figure regression: compare a report's computed values with catalogues of printed figures.

A catalogue (``evalkit/verify/catalogues/<document>.yaml``) lists every printed figure of a seed
document with the report cell it maps to (table, row, column), the printed string, its precision and
rounding rule, and for misprints the status ``known-deviation`` with the reason. Catalogues hold
printed values only; nothing here writes to them.

A printed ``"52,5"`` (one decimal, half-up) matches any computed value in ``[52.45, 52.55)``; with
``rounding: truncate`` it matches ``[52.5, 52.6)``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import yaml

from evalkit.report.model import Report

STATUSES = ("pass", "fail", "known-deviation")
__all__ = ["Catalogue", "CatalogueError", "Figure", "FigureResult", "bundled_catalogues", "check", "interval",
           "load_catalogue", "matches", "parse_printed", "summary"]


class CatalogueError(ValueError):
    """A catalogue file is malformed."""


@dataclass(frozen=True)
class Figure:
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


@dataclass(frozen=True)
class Catalogue:
    document: str
    report: str
    figures: tuple[Figure, ...]
    path: str


@dataclass(frozen=True)
class FigureResult:
    id: str
    source: str
    printed: str
    computed: float | None
    status: str
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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


def load_catalogue(path_or_name: str | Path) -> Catalogue:
    """Load a catalogue by path, or by document name (``"000"``, ``"004"``) from the bundled ones.

    >>> cat = load_catalogue("000")
    >>> cat.report, len(cat.figures) > 100
    ('udgaaende', True)
    """
    path = Path(path_or_name)
    if not path.exists():
        bundled = resources.files("evalkit.verify") / "catalogues" / f"{path_or_name}.yaml"
        if not bundled.is_file():
            raise CatalogueError(f"no catalogue {path_or_name!r}; bundled: {', '.join(bundled_catalogues())}")
        text, where = bundled.read_text(encoding="utf-8"), f"catalogues/{path_or_name}.yaml"
    else:
        text, where = path.read_text(encoding="utf-8"), str(path)
    raw = yaml.safe_load(text) or {}
    try:
        figures = tuple(Figure(id=str(f["id"]), source=str(f["source"]), table=str(f["table"]), row=str(f["row"]),
                               column=str(f["column"]), printed=str(f["printed"]), decimals=int(f["decimals"]),
                               rounding=str(f.get("rounding", "half-up")), status=str(f.get("status", "reproducible")),
                               reason=f.get("reason")) for f in raw.get("figures", []))
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogueError(f"{where}: malformed figure entry ({exc})") from exc
    ids = [f.id for f in figures]
    if len(ids) != len(set(ids)):
        raise CatalogueError(f"{where}: duplicate figure ids")
    for f in figures:
        if f.status not in ("reproducible", "known-deviation"):
            raise CatalogueError(f"{where}: figure {f.id}: unknown status {f.status!r}")
        parse_printed(f.printed)
    return Catalogue(document=str(raw.get("document", "")), report=str(raw.get("report", "")), figures=figures,
                     path=where)


def bundled_catalogues() -> list[str]:
    """Names of the catalogues shipped with evalkit.

    >>> "004" in bundled_catalogues()
    True
    """
    folder = resources.files("evalkit.verify") / "catalogues"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def check(report: Report, catalogue: Catalogue) -> list[FigureResult]:
    """Compare every catalogued figure with the report's computed cell.

    >>> import evalkit
    >>> results = check(evalkit.report("data/samples/udgaaende", disclosure=False), load_catalogue("000"))
    >>> summary(results)["fail"]
    0
    """
    results = []
    for f in catalogue.figures:
        computed = None
        problem = None
        try:
            cell = report.table(f.table).cell(f.row, f.column)
            if cell.value is None or isinstance(cell.value, str):
                problem = "not computed (empty cell)"
            else:
                computed = float(cell.value)
        except KeyError as exc:
            problem = f"not computed: {exc.args[0]}"
        if f.status == "known-deviation":
            note = f.reason or "known deviation"
            if computed is not None and matches(computed, f.printed, f.decimals, f.rounding):
                note += " (the computed value now matches the print)"
            results.append(FigureResult(f.id, f.source, f.printed, computed, "known-deviation", note))
        elif problem is not None:
            results.append(FigureResult(f.id, f.source, f.printed, None, "fail", problem))
        elif matches(computed, f.printed, f.decimals, f.rounding):  # type: ignore[arg-type]
            results.append(FigureResult(f.id, f.source, f.printed, computed, "pass", None))
        else:
            low, high = interval(f.printed, f.decimals, f.rounding)
            results.append(FigureResult(f.id, f.source, f.printed, computed, "fail",
                                        f"computed value outside [{low}, {high})"))
    return results


def summary(results: Iterable[FigureResult]) -> dict[str, int]:
    """Counts of pass / fail / known-deviation and the total.

    >>> summary([FigureResult("a", "s", "1", 1.0, "pass", None)])
    {'pass': 1, 'fail': 0, 'known-deviation': 0, 'total': 1}
    """
    out = {s: 0 for s in STATUSES}
    n = 0
    for r in results:
        out[r.status] += 1
        n += 1
    out["total"] = n
    return out
