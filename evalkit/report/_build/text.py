"""Report text: every title, note and label of a report in Danish and English, read from one file.

Each report package holds a ``text.yaml`` mapping dotted keys to ``{da: ..., en: ...}`` (a plain
string is a proper noun, the same in both languages). :func:`report_text` returns a lookup that
chapters call, so a title is declared once and used by the spec list and the builder alike.
Placeholders in ``{braces}`` are filled by keyword.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "text.yaml").write_text(
...     "age:\\n  title: {da: 'Alder ({n} personer)', en: 'Age ({n} persons)'}\\nname: Odense\\n", encoding="utf-8")
>>> TXT = report_text(d / "text.yaml")
>>> TXT("age.title", n=3).en, TXT("name").da
('Age (3 persons)', 'Odense')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from evalkit.report.model import Text

__all__ = ["ReportText", "report_text", "status_text"]


class ReportText:
    """Lookup of dotted keys in a report's text file; unknown keys raise ``KeyError`` naming the file."""

    def __init__(self, entries: Mapping[str, Any], source: str) -> None:
        self._entries = dict(entries)
        self._source = source

    def __call__(self, key: str, **fill: Any) -> Text:
        try:
            entry = self._entries[key]
        except KeyError:
            raise KeyError(f"{self._source}: no text {key!r}") from None
        if isinstance(entry, str):
            da = en = entry
        else:
            da, en = entry["da"], entry["en"]
        if fill:
            da, en = da.format(**fill), en.format(**fill)
        return Text(da, en)

    def has(self, key: str) -> bool:
        return key in self._entries

    def keys(self, prefix: str = "") -> list[str]:
        """Every key starting with ``prefix`` (in file order)."""
        return [k for k in self._entries if k.startswith(prefix)]


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and not (set(value) == {"da", "en"}):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def report_text(source: str | Path) -> ReportText:
    """The text of a report: ``source`` is a path or a package name (``"evalkit.report.hcs"``, whose
    ``text.yaml`` is read).
    """
    return _load(str(source))


@cache
def _load(source: str) -> ReportText:
    if source.endswith((".yaml", ".yml")):
        raw = Path(source).read_text(encoding="utf-8")
    else:
        raw = (resources.files(source) / "text.yaml").read_text(encoding="utf-8")
    tree = yaml.safe_load(raw) or {}
    entries = _flatten(tree)
    for key, value in entries.items():
        if not isinstance(value, str) and not (isinstance(value, Mapping) and {"da", "en"} <= set(value)):
            raise ValueError(f"{source}: text {key!r} needs 'da' and 'en'")
    return ReportText(entries, source)


_STATUS = {
    "too_small": Text("for få observationer til testen", "too few observations for the test"),
    "no_discordant_pairs": Text("ingen uenige par (ingen ændring at teste)",
                                "no discordant pairs (no change to test)"),
    "no_nonzero_differences": Text("alle forskelle er 0 (ingen ændring at teste)",
                                   "every difference is 0 (no change to test)"),
    "constant_input": Text("alle værdier er ens (ingen variation at teste)",
                           "every value is the same (no variation to test)"),
    "suppressed_small_cells": Text("ikke vist: testen bygger på små celler",
                                   "not shown: the test rests on small cells"),
}


def status_text(status: str, reason: Any = None) -> Text:
    """The printed reason for a compare status (compare's own label when it has one).

    >>> status_text("too_small").da
    'for få observationer til testen'
    """
    try:
        from evalkit.compare import label as compare_label  # type: ignore[attr-defined]

        return Text(compare_label(f"status.{status}", "da"), compare_label(f"status.{status}", "en"))
    except (ImportError, KeyError, AttributeError):
        pass
    if status in _STATUS:
        return _STATUS[status]
    if isinstance(reason, Text):
        return reason
    return Text(status.replace("_", " "), status.replace("_", " "))


Lookup = Callable[..., Text]
