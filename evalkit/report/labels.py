"""Label packs (``labels/da.yaml``, ``labels/en.yaml``) and number formatting per language.

Danish output follows the seed documents: decimal comma, ``.`` as thousands separator, ``pct.``;
English uses ``.`` and ``,``. Formatting never changes a value: ``52.5`` prints as ``52,5`` in
Danish and ``52.5`` in English, rounded half-up at the printed precision.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGS = ("da", "en")
DEFAULT_DECIMALS = {"count": 0, "percent": 1, "mean": 1, "median": 1, "number": 2, "money": 0, "p": 3, "score": 2}


@cache
def pack(lang: str) -> dict[str, Any]:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGS)}")
    text = (resources.files("evalkit.report") / "labels" / f"{lang}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def word(key: str, lang: str, **kwargs: Any) -> str:
    text = pack(lang)["words"][key]
    return text.format(**kwargs) if kwargs else text


def round_half_up(value: float, decimals: int) -> Decimal:
    """Round as the printed reports do (half up, on the decimal representation, not binary)."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_number(value: Any, lang: str, decimals: int = 0) -> str:
    """``1234.5`` -> ``'1.234,5'`` (da) or ``'1,234.5'`` (en).

    >>> format_number(52.5, "da", 1), format_number(52.5, "en", 1)
    ('52,5', '52.5')
    >>> format_number(484300, "da")
    '484.300'
    >>> format_number(0.125, "da", 2)
    '0,13'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return pack(lang)["missing"]
    if isinstance(value, str):
        return value
    p = pack(lang)
    q = round_half_up(float(value), decimals)
    sign = "-" if q < 0 else ""
    q = abs(q)
    integer, _, frac = f"{q:f}".partition(".")
    groups: list[str] = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    groups.insert(0, integer)
    text = p["thousands"].join(groups)
    if decimals > 0:
        text += p["decimal"] + frac
    return sign + text


def format_p(p: float | None, lang: str) -> str:
    """p-values to three decimals, small ones as ``<0,001``."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return pack(lang)["missing"]
    if p < 0.001:
        return "<" + format_number(0.001, lang, 3)
    return format_number(p, lang, 3)


def cell_text(cell: Any, lang: str) -> str:
    """The printed text of a :class:`~evalkit.report.model.Cell`."""
    if cell is None:
        return ""
    if cell.suppressed:
        return pack(lang)["suppressed"]
    if cell.kind == "text":
        return "" if cell.value is None else str(cell.value)
    if cell.kind == "p":
        return format_p(cell.value, lang)
    decimals = cell.decimals if cell.decimals is not None else DEFAULT_DECIMALS.get(cell.kind, 2)
    return format_number(cell.value, lang, decimals)
