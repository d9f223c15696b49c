"""Report options: the ``--set KEY=VALUE`` settings a report reads, declared with type and default.

A report lists its options in its spec; :func:`resolve_options` checks the values a user gave
(from the command line as text, or from Python as values) and fills in the defaults. An unknown key
or a bad value raises :class:`OptionError` naming the key and, for a misspelling, the nearest
valid one; the command line turns it into exit 2.

>>> opts = (Option("no_show_k", int, 3, "Missed sessions in a row that end a course", minimum=1),
...         Option("sensitivity", str, "off", "Model-based sensitivity analysis", choices=("off", "mixedlm", "gee")))
>>> resolve_options(opts, {"no_show_k": "2"})
{'no_show_k': 2, 'sensitivity': 'off'}
>>> resolve_options(opts, {"no_show_K": 2})
Traceback (most recent call last):
...
evalkit.report._build.options.OptionError: unknown report setting 'no_show_K'; did you mean 'no_show_k'?
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Option", "OptionError", "resolve_options"]

_TRUE = {"true", "yes", "ja", "1", "on"}
_FALSE = {"false", "no", "nej", "0", "off"}


class OptionError(ValueError):
    """A report setting that is unknown or has a bad value (a usage error: exit 2)."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Option:
    """One report setting: key, type (``int``, ``float``, ``bool``, ``str`` or ``list`` of text),
    default, help text, and optionally the allowed choices or a range and its printed label."""

    key: str
    type: type
    default: Any
    help: str
    choices: Sequence[Any] | None = None
    minimum: float | None = None
    maximum: float | None = None
    label: Any = None   #: the printed name in each language (a :class:`~evalkit.report.model.Text`), else the key

    def parse(self, value: Any) -> Any:
        """The value as this option's type, or :class:`OptionError`."""
        try:
            out = self._convert(value)
        except (TypeError, ValueError):
            raise OptionError(f"report setting {self.key!r}: {value!r} is not {self._kind()}", self.key) from None
        if self.choices is not None:
            items = out if isinstance(out, list) else [out]
            bad = [v for v in items if v not in self.choices]
            if bad:
                raise OptionError(f"report setting {self.key!r}: {bad[0]!r} is not one of "
                                  f"{', '.join(map(str, self.choices))}", self.key)
        if isinstance(out, (int, float)) and not isinstance(out, bool):
            if not math.isfinite(out):
                raise OptionError(f"report setting {self.key!r}: {value!r} is not a finite number", self.key)
            if self.minimum is not None and out < self.minimum:
                raise OptionError(f"report setting {self.key!r}: {out} is below {self.minimum:g}", self.key)
            if self.maximum is not None and out > self.maximum:
                raise OptionError(f"report setting {self.key!r}: {out} is above {self.maximum:g}", self.key)
        return out

    def _kind(self) -> str:
        return {int: "a whole number", float: "a number", bool: "true or false", str: "text",
                list: "a comma-separated list"}.get(self.type, self.type.__name__)

    def _convert(self, value: Any) -> Any:
        if self.type is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError(value)
        if self.type is int:
            if isinstance(value, bool):
                raise ValueError(value)
            if isinstance(value, float):
                if not value.is_integer():
                    raise ValueError(value)
                return int(value)
            return int(str(value).strip())
        if self.type is float:
            if isinstance(value, bool):
                raise ValueError(value)
            return float(str(value).strip()) if isinstance(value, str) else float(value)
        if self.type is list:
            if isinstance(value, str):
                return [v.strip() for v in value.split(",") if v.strip()]
            if isinstance(value, (list, tuple)):
                return [str(v) for v in value]
            raise ValueError(value)
        if value is None:
            raise ValueError(value)
        return str(value)


def resolve_options(declared: Sequence[Option], given: Mapping[str, Any]) -> dict[str, Any]:
    """Every declared option's value: the given one, checked, or its default."""
    by_key = {o.key: o for o in declared}
    for key in given:
        if key not in by_key:
            close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else (
                f"; this report's settings: {', '.join(by_key)}" if by_key else "; this report has no settings")
            raise OptionError(f"unknown report setting {key!r}{hint}", key)
    return {o.key: (o.parse(given[o.key]) if o.key in given else o.default) for o in declared}
