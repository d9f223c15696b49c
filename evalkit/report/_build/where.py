"""The filter language of ``--where``: small, documented, and evaluated column-wise.

A filter compares columns of the export (their canonical names, as in the data dictionary) with
values::

    kommune == "Odense"
    skoletype in [erhvervsskole, produktionsskole]
    indskrivningsdato >= 2014-01-01 and alder < 18
    not (status == frafaldet) or kommune != "Tårnby"

Operators: ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``in [...]``, ``not in [...]``, combined with
``and`` / ``or`` / ``not`` (Danish ``og`` / ``eller`` / ``ikke`` too) and parentheses; ``and`` binds
tighter than ``or``. Values are quoted text (``"..."`` or ``'...'``), bare words, numbers (``2.5``
or ``2,5``), ``true``/``false`` and dates in ISO (``2014-01-01``) or Danish form (``1.1.2014``,
``01-01-2014``, ``1/1/2014``). A row whose value is missing never matches a comparison (as in SQL).

>>> e = parse_where('kommune == "Odense" and alder >= 18')
>>> e.columns()
['kommune', 'alder']
>>> str(e)
"kommune == 'Odense' and alder >= 18"
>>> str(parse_where("dato >= 1.2.2014 eller skoletype in [a, b]"))
"dato >= 2014-02-01 or skoletype in ['a', 'b']"
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Union

__all__ = ["And", "Comparison", "Not", "Or", "WhereError", "parse_where"]


class WhereError(ValueError):
    """A filter that cannot be read or does not fit the export (a usage error: exit 2)."""


_TOKEN = re.compile(r"""
    \s*(?:
      (?P<str>"[^"]*"|'[^']*')
    | (?P<date>\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{4})(?![\w.])
    | (?P<num>-?\d+(?:[.,]\d+)?)(?![\w.-])
    | (?P<op>==|!=|<=|>=|<|>|=)
    | (?P<punct>[\[\](),])
    | (?P<word>[^\s\[\](),=!<>"']+)
    )""", re.VERBOSE)

_KEYWORDS = {"and": "and", "og": "and", "or": "or", "eller": "or", "not": "not", "ikke": "not", "in": "in", "i": "in"}


@dataclass(frozen=True)
class Comparison:
    """``column op value`` or ``column [not] in [values]``."""

    column: str
    op: str
    value: Any

    def columns(self) -> list[str]:
        return [self.column]

    def __str__(self) -> str:
        if self.op in ("in", "not in"):
            return f"{self.column} {self.op} [{', '.join(_show(v) for v in self.value)}]"
        return f"{self.column} {self.op} {_show(self.value)}"


@dataclass(frozen=True)
class And:
    parts: tuple[Expr, ...]

    def columns(self) -> list[str]:
        return _unique(c for p in self.parts for c in p.columns())

    def __str__(self) -> str:
        return " and ".join(_wrap(p, Or) for p in self.parts)


@dataclass(frozen=True)
class Or:
    parts: tuple[Expr, ...]

    def columns(self) -> list[str]:
        return _unique(c for p in self.parts for c in p.columns())

    def __str__(self) -> str:
        return " or ".join(str(p) for p in self.parts)


@dataclass(frozen=True)
class Not:
    part: Expr

    def columns(self) -> list[str]:
        return self.part.columns()

    def __str__(self) -> str:
        return f"not {_wrap(self.part, (And, Or))}"


Expr = Union[Comparison, And, Or, Not]


def _unique(items: Any) -> list[str]:
    out: list[str] = []
    for i in items:
        if i not in out:
            out.append(i)
    return out


def _wrap(e: Expr, kinds: Any) -> str:
    return f"({e})" if isinstance(e, kinds) else str(e)


def _show(v: Any) -> str:
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):
        return v.isoformat()
    return f"{v:g}" if isinstance(v, float) else str(v)


def _date(text: str, expr: str) -> dt.date:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        d, mo, y = (int(g) for g in re.split(r"[./-]", text))
    try:
        return dt.date(y, mo, d)
    except ValueError:
        raise WhereError(f"{text!r} in {expr!r} is not a date (use 2014-01-31 or 31.1.2014)") from None


def _tokens(expr: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    text = expr.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise WhereError(f"cannot read {text[pos:].strip()[:20]!r} in filter {expr!r}")
        pos = m.end()
        kind = m.lastgroup
        raw = m.group(kind)  # type: ignore[arg-type]
        if kind == "str":
            out.append(("value", raw[1:-1]))
        elif kind == "date":
            out.append(("value", _date(raw, expr)))
        elif kind == "num":
            num = float(raw.replace(",", "."))
            out.append(("value", int(num) if num.is_integer() and "." not in raw and "," not in raw else num))
        elif kind == "op":
            out.append(("op", "==" if raw == "=" else raw))
        elif kind == "punct":
            out.append((raw, raw))
        elif raw.lower() in _KEYWORDS:
            out.append((_KEYWORDS[raw.lower()], raw))
        elif raw.lower() in ("true", "sand", "ja"):
            out.append(("word", True))
        elif raw.lower() in ("false", "falsk", "nej"):
            out.append(("word", False))
        else:
            out.append(("word", raw))
    return out


class _Parser:
    def __init__(self, expr: str) -> None:
        self.expr = expr
        self.toks = _tokens(expr)
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i][0] if self.i < len(self.toks) else None

    def take(self, kind: str | None = None) -> tuple[str, Any]:
        if self.i >= len(self.toks):
            raise WhereError(f"filter {self.expr!r} ends too early")
        tok = self.toks[self.i]
        if kind is not None and tok[0] != kind:
            raise WhereError(f"expected {kind!r} but found {tok[1]!r} in filter {self.expr!r}")
        self.i += 1
        return tok

    def parse(self) -> Expr:
        if not self.toks:
            raise WhereError("the filter is empty")
        e = self.or_()
        if self.i != len(self.toks):
            raise WhereError(f"unexpected {self.toks[self.i][1]!r} in filter {self.expr!r}")
        return e

    def or_(self) -> Expr:
        parts = [self.and_()]
        while self.peek() == "or":
            self.take()
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_(self) -> Expr:
        parts = [self.not_()]
        while self.peek() == "and":
            self.take()
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def not_(self) -> Expr:
        if self.peek() == "not":
            self.take()
            return Not(self.not_())
        if self.peek() == "(":
            self.take()
            e = self.or_()
            self.take(")")
            return e
        return self.comparison()

    def value(self) -> Any:
        kind, v = self.take()
        if kind not in ("value", "word"):
            raise WhereError(f"expected a value but found {v!r} in filter {self.expr!r}")
        return v

    def comparison(self) -> Comparison:
        kind, column = self.take()
        if kind != "word" or not isinstance(column, str):
            raise WhereError(f"expected a column name but found {column!r} in filter {self.expr!r}")
        negate = False
        if self.peek() == "not":
            self.take()
            negate = True
        if self.peek() == "in":
            self.take()
            self.take("[")
            values = [self.value()]
            while self.peek() == ",":
                self.take()
                values.append(self.value())
            self.take("]")
            return Comparison(column, "not in" if negate else "in", tuple(values))
        if negate:
            raise WhereError(f"'not' after {column!r} must be followed by 'in' in filter {self.expr!r}")
        if self.peek() != "op":
            raise WhereError(f"expected ==, !=, <, <=, >, >= or in after {column!r} in filter {self.expr!r}")
        _, op = self.take()
        return Comparison(column, op, self.value())


def parse_where(expr: str) -> Expr:
    """Parse one filter expression (see the module docstring); :class:`WhereError` if it cannot be read.

    >>> parse_where("alder >")
    Traceback (most recent call last):
    ...
    evalkit.report._build.where.WhereError: filter 'alder >' ends too early
    """
    return _Parser(expr).parse()
