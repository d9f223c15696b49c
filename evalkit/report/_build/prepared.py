"""Typed access to what a report's ``prepare`` step computed once.

>>> from dataclasses import dataclass
>>> @dataclass
... class Demo:
...     n: int
>>> class Ctx:
...     data: dict = {}
>>> ctx = Ctx()
>>> store_prepared(ctx, Demo(3))
>>> prepared(ctx, Demo).n
3
"""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = ["prepared", "store_prepared"]

P = TypeVar("P")


def store_prepared(ctx: Any, value: Any) -> None:
    """Keep ``value`` on the context under its type's name (one prepared structure per type)."""
    ctx.data[type(value).__name__] = value


def prepared(ctx: Any, kind: type[P]) -> P:
    """The prepared structure of type ``kind`` (``TypeError`` if ``prepare`` stored something else)."""
    try:
        value = ctx.data[kind.__name__]
    except KeyError:
        raise LookupError(f"{kind.__name__} was not prepared: run the report's prepare step first") from None
    if not isinstance(value, kind):
        raise TypeError(f"prepared {kind.__name__} has type {type(value).__name__}")
    return value
